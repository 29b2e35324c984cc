#!/usr/bin/env bash
# Crawls the bundled fixture site offline: serves fixtures/site on 127.0.0.1 (a free port),
# runs `crawl` over it, then stops the server. Extra arguments go to `crawl`
# (default: --depth 2 --format dot). Example: scripts/demo.sh --format tsv
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet -p crawler-cli -p crawler-tests --bin crawl --bin fixture-server
exec 3< <(target/debug/fixture-server --root fixtures/site)
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r base <&3
[ $# -gt 0 ] || set -- --depth 2 --format dot
target/debug/crawl "$@" "$base/index.html"
