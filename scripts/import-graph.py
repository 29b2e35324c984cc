#!/usr/bin/env python3
"""Import graph of a crate's source: which file uses which, and which folder uses which.

Reads every `*.rs` under SRC (default crawler-core/src), collects the paths the code names
(`use crate::..`, `use super::..`, `use self::..`, `use child::..` relative to the module, and
inline `crate::a::b` / `super::a` paths), and resolves each to the file that defines the item:
a path into a module that only re-exports the name (`pub use x::Name`, or a private `use`
that children reach through `super::`) is followed to the file the name comes from. So
`crate::Crawler` counts as an arrow to the file that defines `Crawler`, not to lib.rs.

Counted: code only (comments, doc comments and string literals are stripped first), test code
included unless --no-tests. `mod x;` declarations are not arrows, and neither is a module
naming its own descendant (`pub use child::X` in a mod.rs, `child::f()`): the parent contains
the child, so that is containment, not a use between peers (--strict counts those too). A
child using its parent (`super::X`) is counted. Each file is one node.

Reports:
- file graph: nodes, arrows, strongly connected components with more than one file (cycles);
- folder graph: a "folder" is the top-level module (`crawl/**` and `crawl.rs` -> `crawl`,
  `error.rs` -> `error`, lib.rs -> `lib`, which is left out); its arrows, and its cycles.

Usage: scripts/import-graph.py [SRC] [--edges] [--dot] [--strict] [--no-tests]
  --edges  list every folder arrow with the file arrows behind it
  --dot    print the folder graph as DOT
  --strict count a module's arrows to its own descendants too
  --no-tests  leave out `#[cfg(test)]` modules, inline or in their own files
Exit status: 0 when neither graph has a cycle, 1 otherwise.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_code(text):
    """Removes comments, string and char literals, keeping line structure."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            out.append('""')
            i = n if end < 0 else end + 1 + len(m.group(1))
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:  # a lifetime
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def block_end(code, k):
    """The index of the `}` that closes the `{` at `code[k]` (or the end of `code`)."""
    depth = 0
    while k < len(code):
        if code[k] == "{":
            depth += 1
        elif code[k] == "}":
            depth -= 1
            if depth == 0:
                break
        k += 1
    return k


def strip_tests(code):
    """Removes `#[cfg(test)]` items: `mod x { .. }` blocks and `mod x;` lines."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*", code):
        if m.start() < i:
            continue
        out.append(code[i:m.start()])
        j = m.end()
        semi, brace = code.find(";", j), code.find("{", j)
        if brace < 0 or (0 <= semi < brace):
            i = semi + 1
            continue
        i = block_end(code, brace) + 1
    out.append(code[i:])
    return "".join(out)


def inline_modules(code):
    """(start, end, name) of every inline `mod name { .. }` block, outermost first."""
    found = []
    for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{", code):
        found.append((m.start(), block_end(code, m.end() - 1) + 1, m.group(1)))
    return found


def module_path(src, file):
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def expand_use_tree(tree):
    """`a::{b, c::{d, e as f}, self}` -> [(path, bound_name)]; globs keep `*`."""
    tree = re.sub(r"\s+", "", tree)
    results = []

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return parts

    def walk(prefix, s):
        if not s:
            return
        brace = s.find("{")
        if brace >= 0 and s.endswith("}"):
            head = s[:brace].rstrip(":")
            head_parts = [p for p in head.split("::") if p] if head else []
            for item in split_top(s[brace + 1:-1]):
                walk(prefix + head_parts, item)
            return
        alias = None
        if "as" in s and re.search(r"as(" + IDENT + r")$", s):
            m = re.match(r"(.*?)as(" + IDENT + r")$", s)
            # only split on `as` between path and alias (path ends with an ident)
            if m and not m.group(1).endswith("::"):
                s, alias = m.group(1), m.group(2)
        parts = prefix + [p for p in s.split("::") if p]
        if parts and parts[-1] == "self":
            parts = parts[:-1]
        if not parts:
            return
        results.append((parts, alias or parts[-1]))

    walk([], tree)
    return results


class Crate:
    def __init__(self, src, no_tests=False):
        self.src = src
        self.files = sorted(src.rglob("*.rs"))
        self.mod_of = {f: module_path(src, f) for f in self.files}
        self.file_of = {m: f for f, m in self.mod_of.items()}
        self.code = {f: strip_code(f.read_text()) for f in self.files}
        if no_tests:
            # files of `#[cfg(test)] mod x;` modules, and everything under them, are left out
            test_mods = set()
            for f, c in self.code.items():
                for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", c):
                    test_mods.add(self.mod_of[f] + (m.group(1),))
            self.files = [f for f in self.files
                          if not any(self.mod_of[f][:len(t)] == t for t in test_mods)]
            self.mod_of = {f: self.mod_of[f] for f in self.files}
            self.file_of = {m: f for f, m in self.mod_of.items()}
            self.code = {f: strip_tests(self.code[f]) for f in self.files}
        # names a module binds with `use`: module -> name -> absolute path
        self.bindings = defaultdict(dict)
        self.uses = defaultdict(list)  # file -> absolute paths used
        for f in self.files:
            self._read(f)

    def absolute(self, module, parts):
        """Absolute path of `parts` as written in `module`, or None for other crates."""
        parts = list(parts)
        if not parts:
            return None
        if parts[0] == "crate":
            return parts[1:]
        if parts[0] in ("self", "super"):
            base = list(module)
            while parts and parts[0] in ("self", "super"):
                if parts[0] == "super":
                    if not base:
                        return None
                    base.pop()
                parts.pop(0)
            return base + parts
        if tuple(module) + (parts[0],) in self.file_of:
            return list(module) + parts
        return None

    def _read(self, f):
        code = self.code[f]
        inline = inline_modules(code)

        def module_at(pos):
            """The module at `pos`: the file's, plus any inline `mod x { .. }` around it."""
            return self.mod_of[f] + tuple(n for a, b, n in inline if a <= pos < b)

        use_spans = []
        for m in re.finditer(r"\buse\s+([^;]*);", code):
            module = module_at(m.start())
            use_spans.append((m.start(), m.end()))
            for parts, name in expand_use_tree(m.group(1)):
                path = self.absolute(module, parts)
                if name not in ("*", "_"):
                    # None: a name from another crate (`pub use url::Url`)
                    self.bindings[module][name] = path
                if path is not None:
                    self.uses[f].append(path)
        for m in re.finditer(r"\b((?:crate|super|self)(?:::" + IDENT + r")+)", code):
            if any(a <= m.start() < b for a, b in use_spans):
                continue
            path = self.absolute(module_at(m.start()), m.group(1).split("::"))
            if path is not None:
                self.uses[f].append(path)

    def resolve(self, path, seen=None):
        """The file that defines the item `path` names."""
        seen = seen or set()
        key = tuple(path)
        if key in seen:
            return None
        seen.add(key)
        k = len(path)
        while k > 0 and tuple(path[:k]) not in self.file_of:
            k -= 1
        module = tuple(path[:k])
        rest = path[k:]
        if rest and rest[0] in self.bindings[module]:
            if self.bindings[module][rest[0]] is None:
                return None
            target = self.bindings[module][rest[0]] + rest[1:]
            found = self.resolve(target, seen)
            if found is not None:
                return found
        return self.file_of.get(module)

    def file_graph(self, strict=False):
        edges = defaultdict(set)
        for f in self.files:
            for path in self.uses[f]:
                t = self.resolve(path)
                if t is None or t == f:
                    continue
                outer, inner = self.mod_of[f], self.mod_of[t]
                if not strict and inner[:len(outer)] == outer:
                    continue  # a module re-exporting or calling its own child: containment
                edges[f].add(t)
        return edges


def folder_of(src, file):
    parts = file.relative_to(src).parts
    head = parts[0]
    if len(parts) == 1:
        head = Path(head).stem
    return head


def sccs(nodes, edges):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in nodes:
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    src = Path(args[0] if args else "crawler-core/src").resolve()
    crate = Crate(src, no_tests="--no-tests" in flags)
    edges = crate.file_graph(strict="--strict" in flags)
    rel = lambda f: str(f.relative_to(src))
    n_edges = sum(len(v) for v in edges.values())
    file_cycles = sccs(crate.files, edges)
    print(f"file graph: {len(crate.files)} files, {n_edges} arrows")
    print(f"  cycles (SCCs > 1 file): {len(file_cycles)}, "
          f"files in them: {sum(len(c) for c in file_cycles)}")
    for comp in sorted(file_cycles, key=len, reverse=True):
        print(f"  - {len(comp)} files: " + " ".join(sorted(rel(f) for f in comp)))
        members = set(comp)
        for f in sorted(comp):
            inside = sorted(rel(t) for t in edges.get(f, ()) if t in members)
            print(f"      {rel(f)} -> {', '.join(inside)}")

    fedges = defaultdict(lambda: defaultdict(list))
    for f, targets in edges.items():
        a = folder_of(src, f)
        for t in targets:
            b = folder_of(src, t)
            if a != b and "lib" not in (a, b):
                fedges[a][b].append((rel(f), rel(t)))
    folders = sorted({folder_of(src, f) for f in crate.files} - {"lib"})
    graph = {a: set(bs) for a, bs in fedges.items()}
    folder_cycles = sccs(folders, graph)
    print(f"folder graph: {len(folders)} folders, "
          f"{sum(len(v) for v in graph.values())} arrows")
    print(f"  cycles (SCCs > 1 folder): {len(folder_cycles)}, "
          f"folders in them: {sum(len(c) for c in folder_cycles)}")
    for comp in folder_cycles:
        print(f"  - {' '.join(sorted(comp))}")
    for a in folders:
        if a in fedges:
            print(f"  {a} -> {', '.join(sorted(fedges[a]))}")
    if "--edges" in flags:
        for a in folders:
            for b in sorted(fedges.get(a, {})):
                print(f"{a} -> {b}:")
                for f, t in sorted(fedges[a][b]):
                    print(f"    {f} -> {t}")
    if "--dot" in flags:
        print("digraph folders {")
        for a in folders:
            for b in sorted(fedges.get(a, {})):
                print(f'  "{a}" -> "{b}";')
        print("}")
    return 1 if file_cycles or folder_cycles else 0


if __name__ == "__main__":
    sys.exit(main())
