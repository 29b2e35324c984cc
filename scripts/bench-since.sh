#!/usr/bin/env bash
# Conditional re-crawl benchmark (`crawl --since`): a generated site served by nginx (which
# sends ETag and Last-Modified and answers 304), crawled in full once (the previous crawl),
# then TOUCH % of its pages edited (a new title), then crawled RUNS times in alternation in
# full and with `--since` the first crawl's JSON, in the same run so that both see the same
# machine.
#
#   scripts/bench-since.sh [PAGES]        (default 10000)
#
# Each timed crawl is
#
#   crawl --depth 100 --max-nodes 2*PAGES+1000 --max-edges 100*PAGES+100000 \
#       --concurrency 64 --per-host 64 -q -f json -o OUT SEED [--since old.json]
#
# Prints per crawl its wall time, the body bytes nginx sent ($body_bytes_sent summed over its
# access log), its CPU (user + sys) and its 200 and 304 answers; then the medians and the
# ratios since/full (the issue's targets: bytes <= 10 %, time <= 40 %), and checks that every --since graph equals
# the full crawl's of the same round apart from the per-run fields (started, elapsed, stats,
# fetch times). Exits 1 if a graph differs. Prints `uptime` before and after: the machine is
# shared, read the times against the load.
#
# Environment: RUNS (3), TOUCH (5, percent of pages edited), SEED (1), CONCURRENCY (64),
# PER_HOST (64), KEEP=1 keeps the temp dir, NO_BUILD=1 uses the binaries already built.
# Needs nginx, python3 and /usr/bin/time; only 127.0.0.1 is contacted.
set -euo pipefail

PAGES=${1:-10000}
RUNS=${RUNS:-3}
TOUCH=${TOUCH:-5}
SEED=${SEED:-1}
CONCURRENCY=${CONCURRENCY:-64}
PER_HOST=${PER_HOST:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release

die() { echo "bench-since: $*" >&2; exit 1; }
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
[[ $PAGES =~ ^[0-9]+$ && $PAGES -gt 0 ]] || die "PAGES must be a positive number"
[[ $TOUCH =~ ^[0-9]+$ && $TOUCH -le 100 ]] || die "TOUCH is a percentage"
command -v nginx >/dev/null || die "nginx is missing"
command -v python3 >/dev/null || die "python3 is missing"

[[ ${NO_BUILD:-0} == 1 ]] || echo "== building (release)" >&2
[[ ${NO_BUILD:-0} == 1 ]] || (cd "$ROOT" && cargo build --release --quiet -p crawler-cli --bin crawl \
    -p crawler-tests --bin gen-site)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/crawl-since.XXXXXX")
chmod 755 "$WORK" # nginx workers may run as another user
NGINX_PID=
cleanup() {
    if [[ -n $NGINX_PID ]]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The pages name the port, so it is fixed first.
PORT=$(free_port)
[[ -n $PORT ]] || die "no free port found"
HOST=127.0.0.1:$PORT

echo "== generating $PAGES pages (seed $SEED) for $HOST" >&2
"$TARGET/gen-site" --pages "$PAGES" --seed "$SEED" --host "$HOST" --no-edges "$WORK" >/dev/null
SEED_URL=$(awk -F'\t' '$1 == "seed_url" { print $2 }' "$WORK/summary.tsv")

mkdir -p "$WORK/nginx"
nginx_conf "$WORK/nginx" "$PORT" "$WORK/site" \
    "log_format bench '\$status \$body_bytes_sent'; access_log $WORK/nginx/access.log bench;" \
    >"$WORK/nginx/nginx.conf"
nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://$HOST/" && break
    sleep 0.1
done
curl -s -o /dev/null "http://$HOST/" || die "nginx did not start on $HOST"

FLAGS=(--depth 100 --max-nodes $((2 * PAGES + 1000)) --max-edges $((100 * PAGES + 100000))
    --concurrency "$CONCURRENCY" --per-host "$PER_HOST" -q -f json)

# One crawl: $1 = output file, then extra flags. Prints "secs cpu bytes ok not_modified".
crawl_once() {
    local out=$1 t0 t1
    shift
    : >"$WORK/nginx/access.log"
    kill -USR1 "$NGINX_PID" # reopen the emptied log
    sleep 0.2
    t0=$(date +%s.%N)
    /usr/bin/time -o "$WORK/time" -f "%U %S" "$TARGET/crawl" "${FLAGS[@]}" -o "$out" "$@" "$SEED_URL"
    t1=$(date +%s.%N)
    sleep 0.2 # let the workers flush the log
    awk -v t="$(awk "BEGIN { print $t1 - $t0 }")" -v cpu="$(awk '{ print $1 + $2 }' "$WORK/time")" '
        { bytes += $2; if ($1 == 200) ok++; if ($1 == 304) nm++ }
        END { printf "%.3f %.2f %d %d %d\n", t, cpu, bytes, ok, nm }' "$WORK/nginx/access.log"
}

# Whether two JSON exports hold the same graph, apart from what is per run.
same_graph() {
    python3 - "$1" "$2" <<'PY'
import json, sys
def graph(path):
    with open(path) as f:
        doc = json.load(f)
    for key in ("started", "elapsed_secs", "stats"):
        doc["graph"].pop(key, None)
    for node in doc["nodes"]:
        node.pop("fetch_time", None)
    return doc
sys.exit(0 if graph(sys.argv[1]) == graph(sys.argv[2]) else 1)
PY
}

echo "== load before: $(uptime)" >&2
echo "== previous crawl (full)" >&2
read -r secs cpu bytes ok nm < <(crawl_once "$WORK/old.json")
echo "previous: ${secs}s, ${cpu} CPU s, $bytes bytes, $ok x 200, $nm x 304"

touched=
if ((TOUCH > 0)); then
    touched=$(find "$WORK/site" -name '*.html' | sort | awk -v p="$TOUCH" 'NR % int(100 / p) == 0')
fi
count=0
for file in $touched; do
    sed -i 's/<title>/<title>touched: /' "$file"
    count=$((count + 1))
done
echo "== touched $count pages ($TOUCH %)" >&2
# nginx keeps open file descriptors for a while (open_file_cache): a file edited in place by
# `sed -i` is a new inode, and a cached descriptor would serve the old one (measured: the first
# full crawl after the edit got 8 old pages, and its --since run one stale 304). A reload
# starts workers with empty caches.
kill -HUP "$NGINX_PID"
sleep 1 # the new workers start, the old ones finish and exit
curl -s -o /dev/null "http://$HOST/" || die "nginx did not come back after the reload"

declare -a full_t full_c full_b since_t since_c since_b
bad=0
for run in $(seq "$RUNS"); do
    read -r secs cpu bytes ok nm < <(crawl_once "$WORK/full.json")
    echo "run $run full:  ${secs}s, ${cpu} CPU s, $bytes bytes, $ok x 200, $nm x 304"
    full_t+=("$secs"); full_c+=("$cpu"); full_b+=("$bytes")
    read -r secs cpu bytes ok nm < <(crawl_once "$WORK/since.json" --since "$WORK/old.json")
    echo "run $run since: ${secs}s, ${cpu} CPU s, $bytes bytes, $ok x 200, $nm x 304"
    since_t+=("$secs"); since_c+=("$cpu"); since_b+=("$bytes")
    if same_graph "$WORK/full.json" "$WORK/since.json"; then
        echo "run $run: the --since graph equals the full crawl's"
    else
        echo "run $run: GRAPHS DIFFER" && bad=1
    fi
done
echo "== load after: $(uptime)" >&2

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ft=$(median "${full_t[@]}"); st=$(median "${since_t[@]}")
fb=$(median "${full_b[@]}"); sb=$(median "${since_b[@]}")
fc=$(median "${full_c[@]}"); sc=$(median "${since_c[@]}")
awk -v ft="$ft" -v st="$st" -v fb="$fb" -v sb="$sb" -v fc="$fc" -v sc="$sc" 'BEGIN {
    printf "median full:  %.3f s, %.2f CPU s, %d bytes\n", ft, fc, fb
    printf "median since: %.3f s, %.2f CPU s, %d bytes\n", st, sc, sb
    printf "since/full: bytes %.1f %% (target <= 10 %%), time %.1f %% (target <= 40 %%), CPU %.1f %%\n", 100 * sb / fb, 100 * st / ft, 100 * sc / fc
}'
exit "$bad"
