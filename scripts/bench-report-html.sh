#!/usr/bin/env bash
# Opens the 10k-page HTML report written by `cargo bench -p crawler-core --bench analysis`
# (target/report-10k.html) in headless chromium, RUNS times, and prints the file size, the
# page's own time to sigma's first frame (performance.now() at the first afterRender, from
# navigation start) and chromium's wall time. The network is off (file://, no name resolution).
set -euo pipefail
cd "$(dirname "$0")/.."
report=target/report-10k.html
[ -f "$report" ] || { echo "run: cargo bench -p crawler-core --bench analysis" >&2; exit 2; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
echo "size: $(wc -c <"$report") bytes"
for _ in $(seq "${RUNS:-3}"); do
    start=$(date +%s.%N)
    out=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-unsafe-swiftshader \
        --user-data-dir="$profile" --host-resolver-rules='MAP * ~NOTFOUND' \
        --virtual-time-budget=30000 --dump-dom "file://$PWD/$report#selftest=p1.html" 2>/dev/null)
    end=$(date +%s.%N)
    check=$(sed -n 's/.*<pre id="selftest">\([^<]*\)<.*/\1/p' <<<"$out" | sed 's/&quot;/"/g')
    first=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); t=d["timing"]; print(round(d["firstRenderMs"]), d["nodesDrawn"], d["errors"], "(script start %d, data parsed %d, graph built %d, tables done %d)" % (t["appStartMs"], t["dataParsedMs"], t["graphBuiltMs"], t["tablesMs"]))' "$check")
    echo "first render ms, nodes drawn, errors: $first; chromium wall: $(python3 -c "print(round($end-$start,2))") s"
done
