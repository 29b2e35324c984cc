#!/usr/bin/env bash
# End-to-end benchmark: crawl a generated site served by a real server on 127.0.0.1.
#
#   scripts/bench-e2e.sh [PAGES]        (default 10000)
#
# Builds `crawl`, `gen-site` and `fixture-server` in release, generates a PAGES-page site
# (crawler_tests::synth: ~14 KB and ~42 links a page) into a temp dir, serves it with nginx
# if installed (else with the project's fixture-server), and runs RUNS times
#
#   crawl --depth 100 --format tsv --concurrency 64 --per-host 64 -q -o out.tsv SEED
#
# under /usr/bin/time -v (with --tsv-kind). Prints per run and as median: pages fetched per
# second, CPU seconds (user + sys), peak RSS, coverage (pages answered 200 found / pages the
# generator made), and edges in the TSV against the generator's typed list (exact set of
# source, target, kind compared; the Redis export has no kind column, so there pairs are).
# A last run with the nginx access log on counts duplicate requests. Only 127.0.0.1 is ever
# contacted.
#
# Environment: RUNS (3), SEED (1), CONCURRENCY (64), PER_HOST (64), SERVER (nginx|fixture,
# default nginx when installed), KEEP=1 keeps the temp dir, CRAWL_ARGS adds crawl flags,
# CRAWL_TIMEOUT (900 s) bounds each crawl, CRAWL_BIN runs that `crawl` binary instead of the one
# built here (to compare two builds: alternate invocations with RUNS=1, one binary each).
# ASSETS=1 generates the site with assets (gen-site --assets: each page also links its
# section's stylesheet and script and two images with srcset); LINKS=KIND,... passes
# --links KIND,... and compares with the expected edges of those kinds only.
#
# MODE=redis WORKERS=N (default 1) runs the distributed crawl instead: a private redis-server
# (Unix socket in the temp dir, AOF on) and N `crawl --redis` worker processes, each with
# --concurrency CONCURRENCY; --per-host PER_HOST is then global. Wall time runs from the first
# worker's start to the last one's exit; `crawl export` writes the TSV afterwards (its time is
# shown apart). CPU and RSS are the workers' sums plus redis-server's CPU. It also prints
# Redis memory per URL and per edge (INFO memory, used_memory after the crawl minus before)
# and the workers' Redis round trips per page.
set -euo pipefail

PAGES=${1:-10000}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
MODE=${MODE:-memory}
ASSETS=${ASSETS:-0}
LINKS=${LINKS:-}
WORKERS=${WORKERS:-1}
CONCURRENCY=${CONCURRENCY:-64}
PER_HOST=${PER_HOST:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
CRAWL_BIN=${CRAWL_BIN:-$TARGET/crawl}
TIME=/usr/bin/time

die() { echo "bench-e2e: $*" >&2; exit 1; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
[[ $PAGES =~ ^[0-9]+$ && $PAGES -gt 0 ]] || die "PAGES must be a positive number"
[[ -x $CRAWL_BIN ]] || [[ $CRAWL_BIN == "$TARGET/crawl" ]] || die "CRAWL_BIN $CRAWL_BIN is not executable"
[[ -x $TIME ]] || die "/usr/bin/time is missing (apt-get install -y time)"
[[ $MODE == memory || $MODE == redis ]] || die "MODE is memory or redis"
[[ $ASSETS == 0 || $ASSETS == 1 ]] || die "ASSETS is 0 or 1"
[[ $LINKS =~ ^[a-z,]*$ ]] || die "LINKS is a comma-separated list of link kinds"
[[ $WORKERS =~ ^[0-9]+$ && $WORKERS -gt 0 ]] || die "WORKERS must be a positive number"
if [[ $MODE == redis ]]; then command -v redis-server >/dev/null || die "redis-server is missing (scripts/test-deps.sh)"; fi
if [[ -z ${SERVER:-} ]]; then
    if command -v nginx >/dev/null; then SERVER=nginx; else SERVER=fixture; fi
fi

echo "== building (release)" >&2
(cd "$ROOT" && cargo build --release --quiet -p crawler-cli --bin crawl \
    -p crawler-tests --bin gen-site --bin fixture-server)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/crawl-bench.XXXXXX")
chmod 755 "$WORK" # nginx workers may run as another user
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [[ -n ${REDIS_PID:-} ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port below the ephemeral range (so no outgoing connection holds it), in
# bounded tries; nothing but 127.0.0.1 is touched. The pages name it, so it is fixed first.
PORT=
low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
for _ in $(seq 50); do
    candidate=$((10000 + RANDOM % (low - 10000)))
    if command -v ss >/dev/null; then
        [[ -z $(ss -Htan "( sport = :$candidate )") ]] && { PORT=$candidate; break; }
    elif ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        PORT=$candidate; break
    fi
done
[[ -n $PORT ]] || die "no free port found"
HOST=127.0.0.1:$PORT

ASSETS_FLAG=()
[[ $ASSETS == 1 ]] && ASSETS_FLAG=(--assets)
LINKS_FLAG=()
[[ -n $LINKS ]] && LINKS_FLAG=(--links "$LINKS")
echo "== generating $PAGES pages (seed $SEED) for $HOST${ASSETS_FLAG[*]:+ with assets}" >&2
"$TARGET/gen-site" --pages "$PAGES" --seed "$SEED" --host "$HOST" "${ASSETS_FLAG[@]}" "$WORK" >/dev/null
summary() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$WORK/summary.tsv"; }
SEED_URL=$(summary seed_url)
NODES=$(summary nodes)
FETCHABLE=$(summary fetchable)
SITE_BYTES=$(summary bytes)
# The expected edges of the kinds recorded (all, or LINKS), as the TSV will have them: with the
# kind column, or as distinct pairs for the Redis export.
tail -n +2 "$WORK/expected-typed.tsv" \
    | awk -F'\t' -v kinds="$LINKS" 'BEGIN { n = split(kinds, k, ","); for (i = 1; i <= n; i++) want[k[i]] = 1 }
        n == 0 || ($3 in want) || $3 == "redirect"' >"$WORK/expected.typed"
if [[ $MODE == redis ]]; then
    cut -f1,2 "$WORK/expected.typed" | LC_ALL=C sort -u >"$WORK/expected.sorted"
else
    LC_ALL=C sort "$WORK/expected.typed" >"$WORK/expected.sorted"
fi
EXPECTED_EDGES=$(wc -l <"$WORK/expected.sorted")

start_server() { # $1 = "log" to enable the access log
    if [[ $SERVER == nginx ]]; then
        local log="access_log off;"
        [[ ${1:-} == log ]] && log="log_format bench '\$request_uri \$status'; access_log $WORK/nginx/access.log bench;"
        mkdir -p "$WORK/nginx"
        cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile 8192;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
    types { text/html html; }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=2000 inactive=20s;
    $log
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$PORT;
        root $WORK/site;
    }
}
EOF
        nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
    else
        "$TARGET/fixture-server" --root "$WORK/site" --port "$PORT" >/dev/null &
    fi
    SERVER_PID=$!
    for _ in $(seq 100); do
        # Any answer will do; the probe path is left out of the request counts.
        curl -s -o /dev/null "http://$HOST/__probe" && return 0
        sleep 0.1
    done
    die "server did not start on $HOST"
}
stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    if [[ $SERVER == nginx ]] && grep -q -E '\[(crit|alert|emerg)\]' "$WORK/nginx/error.log"; then
        echo "warning: nginx reported errors, numbers are not valid:" >&2
        grep -m 3 -E '\[(crit|alert|emerg)\]' "$WORK/nginx/error.log" >&2
    fi
}

REDIS_PID=
start_redis() {
    mkdir -p "$WORK/redis"
    redis-server --port 0 --unixsocket "$WORK/redis/r.sock" --dir "$WORK/redis" --appendonly yes \
        --save '' --maxmemory-policy noeviction --daemonize no --logfile redis.log &
    REDIS_PID=$!
    for _ in $(seq 100); do
        redis-cli -s "$WORK/redis/r.sock" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "redis-server did not start"
}
redis_info() { redis-cli -s "$WORK/redis/r.sock" info "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }

# One distributed run: WORKERS workers, then the export; writes the same files as crawl_once.
crawl_redis() { # $1 = run name
    local name=$1 id="bench-$1" url="unix://$WORK/redis/r.sock" pids=() i mem0 cpu0 t0 t1
    mem0=$(redis_info memory used_memory)
    cpu0=$(redis_info cpu used_cpu_user)
    t0=$(date +%s.%N)
    for i in $(seq "$WORKERS"); do
        local seed_arg=()
        [[ $i == 1 ]] && seed_arg=("$SEED_URL")
        # shellcheck disable=SC2086
        timeout "${CRAWL_TIMEOUT:-900}" "$TIME" -v -o "$WORK/time.$name.$i" "$CRAWL_BIN" --depth 100 \
            --concurrency "$CONCURRENCY" --per-host "$PER_HOST" --redis "$url" --crawl-id "$id" \
            "${LINKS_FLAG[@]}" ${CRAWL_ARGS:-} "${seed_arg[@]}" 2>"$WORK/worker.$name.$i" &
        pids+=($!)
        [[ $i == 1 ]] && sleep 0.2 # the first worker creates the crawl
    done
    for pid in "${pids[@]}"; do wait "$pid" || die "a worker failed: $(cat "$WORK"/worker."$name".*)"; done
    t1=$(date +%s.%N)
    local e0 e1
    e0=$(date +%s.%N)
    "$CRAWL_BIN" export --redis "$url" --crawl-id "$id" -f tsv -o "$WORK/out.$name.tsv"
    e1=$(date +%s.%N)
    local mem cpu trips
    mem=$(( $(redis_info memory used_memory) - mem0 ))
    cpu=$(calc "$(redis_info cpu used_cpu_user) - $cpu0")
    trips=$(cat "$WORK"/worker."$name".* | sed -n 's/.* in \([0-9]*\) redis round trips.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    echo "$name: export $(calc "$e1 - $e0") s; redis memory $(calc "$mem / $NODES") B/URL," \
        "$(calc "$mem / $EXPECTED_EDGES") B/edge; $(calc "$trips / $NODES") round trips/page;" \
        "redis-server CPU $cpu s" >>"$WORK/redis-notes"
    "$CRAWL_BIN" delete --redis "$url" --crawl-id "$id" 2>/dev/null
    local user=0 sys=0 rss=0
    for i in $(seq "$WORKERS"); do
        user=$(calc "$user + $(awk -F': ' '/User time/ { print $2 }' "$WORK/time.$name.$i")")
        sys=$(calc "$sys + $(awk -F': ' '/System time/ { print $2 }' "$WORK/time.$name.$i")")
        rss=$(( rss + $(awk -F': ' '/Maximum resident/ { print $2 }' "$WORK/time.$name.$i") ))
    done
    printf 'User time (seconds): %s\nSystem time (seconds): %s\nMaximum resident set size (kbytes): %s\n' \
        "$(calc "$user + $cpu")" "$sys" "$rss" >"$WORK/time.$name"
    echo "$(calc "$t1 - $t0")" >"$WORK/wall.$name"
}

crawl_once() { # $1 = run name; extra crawl flags follow
    local name=$1; shift
    if [[ $MODE == redis ]]; then
        crawl_redis "$name"
        report_run "$name" "$(cat "$WORK/wall.$name")"
        return
    fi
    local t0 t1
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    timeout "${CRAWL_TIMEOUT:-900}" "$TIME" -v -o "$WORK/time.$name" "$CRAWL_BIN" --depth 100 --format tsv \
        --concurrency "$CONCURRENCY" --per-host "$PER_HOST" -q -o "$WORK/out.$name.tsv" --tsv-kind \
        "${LINKS_FLAG[@]}" ${CRAWL_ARGS:-} "$@" "$SEED_URL"
    t1=$(date +%s.%N)
    report_run "$name" "$(calc "$t1 - $t0")"
}

report_run() { # $1 = run name, $2 = wall seconds
    local name=$1 wall=$2
    local user sys rss sources edges diff
    user=$(awk -F': ' '/User time/ { print $2 }' "$WORK/time.$name")
    sys=$(awk -F': ' '/System time/ { print $2 }' "$WORK/time.$name")
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$WORK/time.$name")
    if [[ $MODE == redis ]]; then
        tail -n +2 "$WORK/out.$name.tsv" | LC_ALL=C sort -u >"$WORK/got.sorted"
    else
        tail -n +2 "$WORK/out.$name.tsv" | LC_ALL=C sort >"$WORK/got.sorted"
    fi
    edges=$(wc -l <"$WORK/got.sorted")
    sources=$(cut -f1 "$WORK/got.sorted" | uniq | wc -l)
    diff=$(LC_ALL=C comm -3 "$WORK/expected.sorted" "$WORK/got.sorted" | wc -l)
    printf '%-6s %8.3f %10.0f %8.2f %9.1f %9s %18s %7s\n' "$name" "$wall" \
        "$(calc "$NODES / $wall")" "$(calc "$user + $sys")" \
        "$(calc "$rss / 1024")" \
        "$(printf '%.2f%%' "$(calc "100 * $sources / $FETCHABLE")")" \
        "$edges/$EXPECTED_EDGES" "$diff"
    echo "$wall $(calc "$NODES / $wall") $(calc "$user + $sys") $rss" >>"$WORK/runs"
}

[[ $MODE == redis ]] && start_redis
echo "mode: $MODE$([[ $MODE == redis ]] && echo " ($WORKERS workers, $(redis-server --version | awk '{ print $3 }'))")"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
    "| server: $SERVER | $(cd "$ROOT" && "$CRAWL_BIN" --version 2>/dev/null || true) ($CRAWL_BIN)"
echo "site: $PAGES files, $FETCHABLE URLs answering 200, $NODES page URLs in all" \
    "(+$(summary assets) asset URLs, recorded, not fetched), $EXPECTED_EDGES edges${LINKS:+ of kinds $LINKS}," \
    "$((SITE_BYTES / 1024 / 1024)) MiB, max depth $(summary max_depth)"
echo "pages/s counts every URL fetched ($NODES, 404s included) over wall time;" \
    "coverage = distinct TSV sources / $FETCHABLE; diff = edges not in both sets"
printf '%-6s %8s %10s %8s %9s %9s %18s %7s\n' run wall_s pages/s cpu_s rss_MiB coverage edges diff
start_server
: >"$WORK/runs"
for run in $(seq "$RUNS"); do crawl_once "run$run"; done
stop_server
median() { awk -v c="$1" '{ print $c }' "$WORK/runs" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rss_kib=$(median 4)
printf '%-6s %8.3f %10.0f %8.2f %9.1f   (medians; peak RSS = %.0f bytes/URL, %.0f bytes/edge)\n' median \
    "$(median 1)" "$(median 2)" "$(median 3)" "$(calc "$rss_kib / 1024")" \
    "$(calc "$rss_kib * 1024 / $NODES")" "$(calc "$rss_kib * 1024 / $EXPECTED_EDGES")"

if [[ $MODE == redis ]]; then
    cat "$WORK/redis-notes"
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
elif [[ $SERVER == nginx ]]; then
    start_server log
    crawl_once logged --nodes "$WORK/nodes.tsv" >/dev/null
    stop_server
    pages=$(grep -v -E '^/(robots\.txt|sitemap\.xml|__probe) ' "$WORK/nginx/access.log" || true)
    requests=$(printf '%s\n' "$pages" | grep -c . || true)
    dups=$(printf '%s\n' "$pages" | awk '{ print $1 }' | sort | uniq -d | wc -l)
    ok=$(printf '%s\n' "$pages" | awk '$2 == 200' | awk '{ print $1 }' | sort -u | wc -l)
    crawled_ok=$(awk -F'\t' 'NR > 1 && $5 == "ok"' "$WORK/nodes.tsv" | wc -l)
    echo "access log: $requests page requests for $NODES URLs, $dups requested more than once;" \
        "$ok distinct URLs answered 200 (coverage $(printf '%.2f' "$(calc "100 * $ok / $FETCHABLE")")%);" \
        "node table: $crawled_ok ok of $FETCHABLE"
else
    echo "duplicates: not counted (the fixture-server process keeps its request log in memory);" \
        "the e2e test synthetic.rs checks them"
fi
