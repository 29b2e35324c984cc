/* crawlgraph HTML report: draws the crawl with sigma.js and fills the tables.
 * Everything from the crawl is set with textContent, never as markup. */
(function () {
  "use strict";
  var timing = { appStartMs: performance.now() };
  var data = JSON.parse(document.getElementById("data").textContent);
  timing.dataParsedMs = performance.now();
  var nodes = data.nodes, analysis = data.analysis;
  var n = nodes.url.length, m = data.edges.length / 2;
  var STATE_COLOURS = {
    ok: "#2e7d32", error: "#d32f2f", redirect: "#f57c00", out_of_scope: "#98a2b3",
    beyond_depth: "#d0d5dd", robots_txt: "#7b1fa2", max_pages: "#475467", cancelled: "#475467",
    redirect_limit: "#ff7043", unvisited: "#d0d5dd"
  };
  var DEPTH_COLOURS = ["#1d4ed8", "#0891b2", "#059669", "#65a30d", "#ca8a04", "#ea580c", "#dc2626", "#9333ea"];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { for (var k in attrs) { e.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function stateOf(i) { return data.states[nodes.state[i]]; }
  function statusClass(s) { return s === null ? "none" : Math.floor(s / 100) + "xx"; }
  function colourOf(i, mode) {
    if (mode === "status") {
      var s = nodes.status[i];
      if (s === null) { return "#d0d5dd"; }
      return { 2: "#2e7d32", 3: "#f57c00", 4: "#d32f2f", 5: "#7b1fa2" }[Math.floor(s / 100)] || "#475467";
    }
    if (mode === "depth") { return DEPTH_COLOURS[Math.min(nodes.depth[i], DEPTH_COLOURS.length - 1)]; }
    return STATE_COLOURS[stateOf(i)] || "#475467";
  }
  function shortLabel(url) {
    try { var u = new URL(url); return (u.pathname + u.search) || "/"; } catch (e) { return url; }
  }

  // Adjacency as compressed rows, for the panel and for drawing a page's edges.
  var outStart = new Uint32Array(n + 1), inStart = new Uint32Array(n + 1);
  for (var e = 0; e < m; e++) { outStart[data.edges[2 * e] + 1]++; inStart[data.edges[2 * e + 1] + 1]++; }
  for (var i = 0; i < n; i++) { outStart[i + 1] += outStart[i]; inStart[i + 1] += inStart[i]; }
  var outAdj = new Uint32Array(m), inAdj = new Uint32Array(m);
  var outFill = outStart.slice(0, n), inFill = inStart.slice(0, n);
  for (e = 0; e < m; e++) {
    var s = data.edges[2 * e], t = data.edges[2 * e + 1];
    outAdj[outFill[s]++] = t; inAdj[inFill[t]++] = s;
  }
  var byUrl = new Map();
  for (i = 0; i < n; i++) { byUrl.set(nodes.url[i], i); }

  // The graph.
  var drawAllEdges = m <= data.edge_draw_limit;
  var graph = new graphology.DirectedGraph({ allowSelfLoops: false });
  var maxPr = 0;
  for (i = 0; i < n; i++) { maxPr = Math.max(maxPr, nodes.pr[i]); }
  var mode = "state";
  for (i = 0; i < n; i++) {
    graph.addNode(String(i), {
      x: nodes.x[i], y: -nodes.y[i], label: shortLabel(nodes.url[i]),
      size: 2 + 14 * Math.sqrt(maxPr > 0 ? nodes.pr[i] / maxPr : 0),
      color: colourOf(i, mode)
    });
  }
  function addEdge(s, t) {
    if (s !== t && !graph.hasEdge(String(s), String(t))) { graph.addEdge(String(s), String(t), { size: 1, color: "#c7ccd6" }); }
  }
  if (drawAllEdges) {
    for (e = 0; e < m; e++) { addEdge(data.edges[2 * e], data.edges[2 * e + 1]); }
  }
  document.getElementById("edge-note").textContent = drawAllEdges
    ? m + " links drawn"
    : m + " links: drawn only for the selected page (more than " + data.edge_draw_limit + ")";

  timing.graphBuiltMs = performance.now();
  var selected = null, neighbours = new Set();
  var renderer = new Sigma(graph, document.getElementById("graph"), {
    defaultEdgeType: "arrow",
    labelRenderedSizeThreshold: 9,
    hideEdgesOnMove: m > 20000,
    zIndex: true,
    nodeReducer: function (node, attrs) {
      if (selected === null) { return attrs; }
      var res = Object.assign({}, attrs);
      if (node === selected) { res.highlighted = true; res.forceLabel = true; res.zIndex = 2; }
      else if (neighbours.has(node)) { res.forceLabel = n < 2000; res.zIndex = 1; }
      else { res.color = "#eceef2"; res.label = ""; res.zIndex = 0; }
      return res;
    },
    edgeReducer: function (edge, attrs) {
      if (selected === null) { return attrs; }
      var ends = graph.extremities(edge);
      if (ends[0] === selected || ends[1] === selected) {
        return Object.assign({}, attrs, { color: ends[0] === selected ? "#175cd3" : "#f57c00", size: 2 });
      }
      return Object.assign({}, attrs, { hidden: true });
    }
  });
  var firstRender = null;
  renderer.on("afterRender", function () { if (firstRender === null) { firstRender = performance.now(); } });

  function recolour() {
    mode = document.getElementById("colour").value;
    graph.forEachNode(function (node) { graph.setNodeAttribute(node, "color", colourOf(Number(node), mode)); });
    legend();
  }
  function legend() {
    var box = document.getElementById("legend");
    box.textContent = "";
    var seen = new Map();
    for (var i = 0; i < n; i++) {
      var key = mode === "state" ? stateOf(i) : mode === "status" ? statusClass(nodes.status[i]) : "depth " + Math.min(nodes.depth[i], DEPTH_COLOURS.length - 1);
      if (!seen.has(key)) { seen.set(key, colourOf(i, mode)); }
    }
    Array.from(seen.keys()).sort().forEach(function (key) {
      var item = el("span"); var dot = el("i"); dot.style.background = seen.get(key);
      item.appendChild(dot); item.appendChild(document.createTextNode(key)); box.appendChild(item);
    });
  }
  document.getElementById("colour").addEventListener("change", recolour);
  legend();

  function linkList(title, start, adj, i) {
    var box = document.createDocumentFragment();
    var count = start[i + 1] - start[i];
    box.appendChild(el("h3", null, title + " (" + count + ")"));
    var ul = el("ul");
    for (var k = start[i]; k < start[i + 1] && k < start[i] + 200; k++) {
      var li = el("li"); li.appendChild(urlButton(adj[k])); ul.appendChild(li);
    }
    if (count > 200) { ul.appendChild(el("li", { "class": "hint" }, "and " + (count - 200) + " more")); }
    box.appendChild(ul);
    return box;
  }
  function urlButton(i) {
    var b = el("button", { "class": "link", type: "button" }, nodes.url[i]);
    b.addEventListener("click", function () { select(i, true); });
    return b;
  }
  var drawnForSelection = [];
  function select(i, move) {
    drawnForSelection.forEach(function (key) { if (graph.hasEdge(key)) { graph.dropEdge(key); } });
    drawnForSelection = [];
    if (i === null) { selected = null; neighbours = new Set(); renderer.refresh(); return; }
    selected = String(i);
    neighbours = new Set();
    for (var k = outStart[i]; k < outStart[i + 1]; k++) { neighbours.add(String(outAdj[k])); }
    for (k = inStart[i]; k < inStart[i + 1]; k++) { neighbours.add(String(inAdj[k])); }
    if (!drawAllEdges) {
      for (k = outStart[i]; k < outStart[i + 1]; k++) { drawFor(i, outAdj[k]); }
      for (k = inStart[i]; k < inStart[i + 1]; k++) { drawFor(inAdj[k], i); }
    }
    var panel = document.getElementById("panel");
    panel.textContent = "";
    panel.appendChild(el("div", { "class": "sel", id: "selected-url" }, nodes.url[i]));
    var facts = "state " + stateOf(i) + (nodes.status[i] !== null ? ", HTTP " + nodes.status[i] : "") +
      ", depth " + nodes.depth[i] + ", PageRank " + nodes.pr[i];
    panel.appendChild(el("div", null, facts));
    if (nodes.title[i]) { panel.appendChild(el("div", { "class": "hint" }, nodes.title[i])); }
    var open = el("a", { href: nodes.url[i], target: "_blank", rel: "noopener noreferrer" }, "open page");
    panel.appendChild(open);
    panel.appendChild(linkList("Linked from", inStart, inAdj, i));
    panel.appendChild(linkList("Links to", outStart, outAdj, i));
    if (move) {
      var d = renderer.getNodeDisplayData(selected);
      if (d) { renderer.getCamera().animate({ x: d.x, y: d.y, ratio: n > 2000 ? 0.15 : 0.7 }, { duration: 300 }); }
    }
    renderer.refresh();
  }
  function drawFor(s, t) {
    if (s === t) { return; }
    var key = "sel:" + s + ">" + t;
    if (!graph.hasEdge(key) && !graph.hasEdge(String(s), String(t))) {
      graph.addEdgeWithKey(key, String(s), String(t), { size: 1, color: "#c7ccd6" });
      drawnForSelection.push(key);
    }
  }
  renderer.on("clickNode", function (ev) { select(Number(ev.node), false); });
  renderer.on("clickStage", function () { select(null, false); });

  function search(query) {
    query = query.trim();
    if (!query) { return null; }
    var i = byUrl.has(query) ? byUrl.get(query) : -1;
    if (i < 0) {
      var q = query.toLowerCase();
      for (var k = 0; k < n; k++) { if (nodes.url[k].toLowerCase().indexOf(q) >= 0) { i = k; break; } }
    }
    if (i < 0) { return null; }
    select(i, true);
    return nodes.url[i];
  }
  var input = document.getElementById("search");
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { search(input.value); } });
  input.addEventListener("change", function () { search(input.value); });
  // The URL suggestions are built on first use: 10k <option>s cost time at load.
  input.addEventListener("focus", function () {
    var list = document.getElementById("urls");
    if (list.children.length > 0 || n > 20000) { return; }
    var frag = document.createDocumentFragment();
    for (var k = 0; k < n; k++) { frag.appendChild(el("option", { value: nodes.url[k] })); }
    list.appendChild(frag);
  });

  // Header cards.
  var sum = analysis.summary, br = analysis.broken;
  try { document.getElementById("site").textContent = sum.seeds.join(", "); } catch (err) { /* no seeds */ }
  var cards = [
    ["pages", sum.pages], ["fetched", sum.fetched], ["links", sum.links],
    ["broken pages", br.broken_pages, br.broken_pages > 0], ["broken links", br.broken_links, br.broken_links > 0],
    ["redirect chains", analysis.redirects.chains], ["orphans", analysis.orphans.orphans.length],
    ["max depth", analysis.depth.max], ["components", analysis.structure.components.count]
  ];
  cards.forEach(function (c) {
    var card = el("div", { "class": "card" + (c[2] ? " bad" : "") });
    card.appendChild(el("b", null, c[1])); card.appendChild(document.createTextNode(c[0]));
    document.getElementById("cards").appendChild(card);
  });

  // Depth histogram as SVG.
  (function () {
    var hist = analysis.depth.histogram, most = 1;
    hist.forEach(function (h) { most = Math.max(most, h.pages); });
    var NS = "http://www.w3.org/2000/svg", barW = 44, H = 160, top = 20, W = Math.max(200, hist.length * (barW + 8) + 40);
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("width", W); svg.setAttribute("height", H + top + 30); svg.setAttribute("role", "img");
    hist.forEach(function (h, k) {
      var bh = Math.round(H * h.pages / most), x = 20 + k * (barW + 8);
      var r = document.createElementNS(NS, "rect");
      r.setAttribute("x", x); r.setAttribute("y", H - bh + top); r.setAttribute("width", barW); r.setAttribute("height", bh);
      r.setAttribute("fill", DEPTH_COLOURS[Math.min(h.depth, DEPTH_COLOURS.length - 1)]);
      var tip = document.createElementNS(NS, "title"); tip.textContent = h.pages + " pages at depth " + h.depth; r.appendChild(tip);
      var v = document.createElementNS(NS, "text"); v.setAttribute("x", x + barW / 2); v.setAttribute("y", H - bh + top - 4);
      v.setAttribute("text-anchor", "middle"); v.setAttribute("font-size", "11"); v.textContent = h.pages;
      var l = document.createElementNS(NS, "text"); l.setAttribute("x", x + barW / 2); l.setAttribute("y", H + top + 16);
      l.setAttribute("text-anchor", "middle"); l.setAttribute("font-size", "11"); l.textContent = "depth " + h.depth;
      svg.appendChild(r); svg.appendChild(v); svg.appendChild(l);
    });
    document.getElementById("depth-chart").appendChild(svg);
  })();

  // Sortable tables. A column is numeric when every cell is a number.
  function table(wrapId, id, headers, rows, empty, urlColumns) {
    var wrap = document.getElementById(wrapId);
    if (rows.length === 0) { wrap.appendChild(el("p", { "class": "empty" }, empty)); return; }
    var tbl = el("table", { id: id }), thead = el("thead"), hr = el("tr"), tbody = el("tbody");
    var numeric = headers.map(function (_, c) { return rows.every(function (r) { return typeof r.cells[c] === "number"; }); });
    headers.forEach(function (h, c) {
      var th = el("th", null, h);
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        Array.prototype.forEach.call(hr.children, function (x) { x.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        rows.sort(function (a, b) {
          var x = a.cells[c], y = b.cells[c];
          var d = numeric[c] ? x - y : String(x).localeCompare(String(y));
          return asc ? d : -d;
        });
        fill();
      });
      hr.appendChild(th);
    });
    thead.appendChild(hr); tbl.appendChild(thead); tbl.appendChild(tbody);
    function fill() {
      tbody.textContent = "";
      rows.forEach(function (r) {
        var tr = el("tr");
        if (r.key) { tr.setAttribute("data-url", r.key); }
        r.cells.forEach(function (v, c) {
          var cls = numeric[c] ? "num" : (urlColumns.indexOf(c) >= 0 ? "url" : "");
          var td = el("td", cls ? { "class": cls } : null);
          if (urlColumns.indexOf(c) >= 0 && byUrl.has(v)) { td.appendChild(urlButton(byUrl.get(v))); }
          else { td.textContent = v === null || v === undefined ? "" : String(v); }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
    }
    fill();
    var scroll = el("div", { "class": "scroll" }); scroll.appendChild(tbl); wrap.appendChild(scroll);
  }
  function problem(p) { return p.error || (p.status !== undefined ? String(p.status) : p.state); }

  var brokenRows = [];
  br.targets.forEach(function (t) {
    if (t.referrers.length === 0) { brokenRows.push({ key: t.url, cells: [t.url, problem(t), "(entry point)", ""] }); }
    t.referrers.forEach(function (r) {
      brokenRows.push({ key: t.url, cells: [t.url, problem(t), r.url, r.kind === "redirect" ? "(redirect)" : (r.text || "")] });
    });
  });
  // With --check-fragments: links to an id the target page does not have.
  br.broken_fragments.forEach(function (f) {
    brokenRows.push({ key: f.url, cells: [f.url, "no such id", f.referrer.url, f.referrer.text || ""] });
  });
  document.getElementById("broken-summary").textContent =
    br.broken_pages + " broken pages, " + br.broken_links + " links to them from " + br.referring_pages + " pages" +
    (br.broken_fragments.length ? ", " + br.broken_fragments.length + " broken fragments" : "");
  table("broken-wrap", "broken", ["broken target", "problem", "linked from", "anchor text"], brokenRows, "No broken links.", [0, 2]);

  var rd = analysis.redirects;
  document.getElementById("redirect-summary").textContent =
    rd.chains + " chains, " + rd.multi_hop + " longer than one hop, " + rd.loops + " loops, " + rd.to_broken + " ending broken, " + rd.to_out_of_scope + " leaving the scope";
  table("redirects-wrap", "redirects", ["start", "hops", "outcome", "ends at", "links to start"],
    rd.list.map(function (c) { return { key: c.start, cells: [c.start, c.hops.length, c.outcome, c.hops[c.hops.length - 1], c.referrers] }; }),
    "No redirects.", [0, 3]);

  var neglected = [];
  [["orphan", analysis.orphans.orphans], ["dead end", analysis.orphans.dead_ends], ["reached only through redirects", analysis.orphans.redirect_only]]
    .forEach(function (kind) { kind[1].forEach(function (p) { neglected.push({ key: p.url, cells: [p.url, kind[0], p.state, p.depth] }); }); });
  table("neglected-wrap", "neglected", ["page", "finding", "state", "depth"], neglected, "None: every entry point is linked and every HTML page links on.", [0]);

  var order = [];
  for (i = 0; i < n; i++) { order.push(i); }
  order.sort(function (a, b) { return nodes.pr[b] - nodes.pr[a] || a - b; });
  table("top-wrap", "top", ["page", "state", "PageRank", "linked from", "links to", "depth"],
    order.slice(0, 100).map(function (k) {
      return { key: nodes.url[k], cells: [nodes.url[k], stateOf(k), nodes.pr[k], inStart[k + 1] - inStart[k], outStart[k + 1] - outStart[k], nodes.depth[k]] };
    }), "No pages.", [0]);

  table("titles-wrap", "titles", ["title", "pages", "urls"],
    analysis.titles.duplicates.map(function (d) { return { key: d.title, cells: [d.title, d.pages.length, d.pages.join(" ")] }; }),
    "No duplicate titles among " + analysis.titles.titled_pages + " titled pages.", []);

  timing.tablesMs = performance.now();
  document.getElementById("footer").textContent = data.generator + "; report schema " + analysis.schema_version +
    "; PageRank damping " + analysis.structure.pagerank.damping + ", " + analysis.structure.pagerank.iterations + " iterations";

  // Self-check for tests (file:///report.html#selftest=URL): search URL, then write what was
  // drawn and selected into #selftest as JSON.
  var match = /#selftest=(.*)$/.exec(location.hash);
  if (match) {
    var query = decodeURIComponent(match[1]);
    var report = function () {
      var drawn = 0;
      graph.forEachNode(function (node) { var d = renderer.getNodeDisplayData(node); if (d && !d.hidden) { drawn++; } });
      var found = search(query);
      var canvases = renderer.getCanvases ? Object.keys(renderer.getCanvases()).length : -1;
      var result = {
        errors: window.__errors, nodes: n, nodesDrawn: drawn, edges: m, edgesInGraph: graph.size,
        canvases: canvases, query: query, found: found,
        selected: selected === null ? null : nodes.url[Number(selected)],
        panelUrl: (document.getElementById("selected-url") || {}).textContent || null,
        brokenRows: document.querySelectorAll("#broken tbody tr").length,
        firstRenderMs: firstRender, timing: timing
      };
      var out = document.getElementById("selftest");
      out.textContent = JSON.stringify(result);
      out.hidden = false;
      document.title = "selftest done";
    };
    if (firstRender === null) { renderer.once("afterRender", function () { setTimeout(report, 0); }); renderer.refresh(); }
    else { setTimeout(report, 0); }
  }
})();
