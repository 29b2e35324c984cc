#!/usr/bin/env bash
# Crawls the bundled fixture site offline: serves fixtures/site on 127.0.0.1 (a free port),
# runs `crawl` over it, then stops the server. Extra arguments go to `crawl`
# (default: --depth 2 --format dot). Example: scripts/demo.sh --format tsv
# It runs from the caller's folder, so a relative `-o FILE` lands there; it writes nothing
# else but cargo's build (into CARGO_TARGET_DIR when set, else target/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-target}"
[[ $target_dir == /* ]] || target_dir="$root/$target_dir"   # cargo, run in $root, reads it from there
bin="$target_dir/debug"

(cd "$root" && cargo build --quiet -p crawler-cli -p crawler-tests --bin crawl --bin fixture-server)
exec 3< <("$bin/fixture-server" --root "$root/fixtures/site")
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r base <&3
[ $# -gt 0 ] || set -- --depth 2 --format dot
"$bin/crawl" "$@" "$base/index.html"
