#!/usr/bin/env bash
# End-to-end benchmark: crawl a generated site served by a real server on 127.0.0.1.
#
#   scripts/bench-e2e.sh [--stream] [--render never|auto|always] [PAGES]        (default 10000)
#
# Builds `crawl`, `gen-site`, `fixture-server` and the `machine_limit` probe in release,
# generates a PAGES-page site (crawler_tests::synth: ~14 KB and ~42 links a page) into a temp
# dir, serves it with nginx if installed (else with the project's fixture-server; or, with
# SERVER=synthetic, `fixture-server --synthetic`, which renders each page per request and
# needs no disk), and runs RUNS times
#
#   crawl --depth 100 --format tsv --tsv-kind --max-nodes 2*PAGES+1000 --max-edges 100*PAGES+100000 \
#       --concurrency 64 --per-host 64 -q -o out.tsv SEED
#
# (budgets raised past the site's size, so a 1M-page site is crawled whole; with `--stream`
# added by --stream) under /usr/bin/time -v. Prints per run and as median: pages fetched per
# second, CPU seconds (user + sys), peak RSS, the server's CPU per request, coverage (pages
# answered 200 found / pages the generator made), and edges in the TSV against the generator's
# typed list (exact set of source, target, kind compared up to EDGE_CHECK_MAX pages, else
# counted; the Redis export has no kind column, so there pairs are).
# Honesty: rates and CPU a page divide by the pages the crawl says it fetched (its summary
# line), and the script stops with an error when that count is not the site's page URLs, when
# coverage is under 100% (all link kinds) or the edge sets differ: a faster run that crawled
# less is no result. A last run with the server's access log on fails the same way on any
# URL requested twice.
# Then the machine's limit for this site, probed right after each crawl run: html5ever's
# tokenizer + Url::join per page on one thread (from the site's own pages), the server's CPU
# per request measured in its own probe (the minimal client's requests, not the crawl's run),
# and a minimal keep-alive client's CPU per request (16 requests pipelined);
# limit pages/s = CPUs / their sum, and each run's pages/s as a percentage of its own limit
# (their median is the headline: the machine's speed moves too much between minutes for one
# probe to serve all runs). Beside the limit, a reference: the crawler's own libraries with
# none of the crawler (`machine_limit stack`: reqwest on a multi-thread tokio runtime at the
# crawl's concurrency, each page tokenized and its links joined as the tokenizer probe does,
# and the same with the hyper client reqwest is built on), their share of their own limit and
# the crawl's CPU a page against the reqwest one.
# When `spider` (spider_cli) is on PATH it is run SPIDER_RUNS (3) times as a peer on the same
# server: its requests and coverage counted from nginx's access log, and its time to crawl
# the whole site (in the runs that did) against crawl runs made beside it under the same server
# state (access log on for both), with --concurrency CONCURRENCY when its CLI has that knob.
# --render MODE adds `--render MODE` to every crawl run (and worker) and prints, per run and
# as medians, the pages rendered, rendered pages a second, CPU a rendered page (the crawl's
# CPU, the browser's included: /usr/bin/time counts the reaped browser) and the browser's peak
# memory (the sum of its processes' anonymous resident memory, from the crawl's summary).
# With `always` the machine's limit and the peer, which measure a static crawl, are not run.
# Only 127.0.0.1 is ever contacted.
#
# Environment: RUNS (3), SEED (1), CONCURRENCY (64), PER_HOST (64), LIMIT_SAMPLE (2000 pages
# tokenized by each probe: 500 took 60-120 ms and moved 120-240 us a page), STACK_SAMPLE
# (20000 URLs fetched by each stack probe), SERVER (nginx|fixture|
# synthetic, default nginx when installed), EDGE_CHECK_MAX (200000), KEEP=1 keeps the temp
# dir, CRAWL_ARGS adds crawl flags, CRAWL_TIMEOUT (900 s) bounds each crawl, CRAWL_BIN runs
# that `crawl` binary instead of the one built here (to compare two builds: alternate
# invocations with RUNS=1, one binary each), NO_BUILD=1 uses the binaries already built.
# ASSETS=1 generates the site with assets (gen-site --assets: each page also links its
# section's stylesheet and script and two images with srcset; not with SERVER=synthetic, whose
# pages have no assets); LINKS=KIND,... passes --links KIND,... and compares with the
# expected edges of those kinds only (so needs PAGES <= EDGE_CHECK_MAX).
#
# MODE=redis WORKERS=N (default 1) runs the distributed crawl instead: a private redis-server
# (Unix socket in the temp dir, AOF on) and N `crawl --redis` worker processes, each with
# --concurrency CONCURRENCY; --per-host PER_HOST is then global. Wall time runs from the first
# worker's start to the last one's exit; `crawl export` writes the TSV afterwards (its time is
# shown apart). CPU and RSS are the workers' sums plus redis-server's CPU. It also prints
# Redis memory per URL and per edge (INFO memory, used_memory after the crawl minus before)
# and the workers' Redis round trips per page.
set -euo pipefail

STREAM=
RENDER=
while [[ ${1:-} == --* ]]; do
    case $1 in
        --stream) STREAM=--stream; shift ;;
        --render)
            [[ $# -ge 2 ]] || { echo "bench-e2e: --render needs a mode (never, auto, always)" >&2; exit 2; }
            RENDER=$2; shift 2 ;;
        *) echo "bench-e2e: unknown option $1" >&2; exit 2 ;;
    esac
done
PAGES=${1:-10000}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
MODE=${MODE:-memory}
ASSETS=${ASSETS:-0}
LINKS=${LINKS:-}
WORKERS=${WORKERS:-1}
CONCURRENCY=${CONCURRENCY:-64}
EDGE_CHECK_MAX=${EDGE_CHECK_MAX:-200000}
PER_HOST=${PER_HOST:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
CRAWL_BIN=${CRAWL_BIN:-$TARGET/crawl}
TIME=/usr/bin/time

die() { echo "bench-e2e: $*" >&2; exit 1; }
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
[[ $PAGES =~ ^[0-9]+$ && $PAGES -gt 0 ]] || die "PAGES must be a positive number"
[[ -x $CRAWL_BIN ]] || [[ $CRAWL_BIN == "$TARGET/crawl" ]] || die "CRAWL_BIN $CRAWL_BIN is not executable"
[[ -x $TIME ]] || die "/usr/bin/time is missing (apt-get install -y time)"
[[ $MODE == memory || $MODE == redis ]] || die "MODE is memory or redis"
[[ $ASSETS == 0 || $ASSETS == 1 ]] || die "ASSETS is 0 or 1"
[[ $LINKS =~ ^[a-z,]*$ ]] || die "LINKS is a comma-separated list of link kinds"
[[ $WORKERS =~ ^[0-9]+$ && $WORKERS -gt 0 ]] || die "WORKERS must be a positive number"
[[ -z $RENDER || $RENDER =~ ^(never|auto|always)$ ]] || { echo "bench-e2e: --render is never, auto or always, not $RENDER" >&2; exit 2; }
RENDER_FLAG=()
[[ -n $RENDER ]] && RENDER_FLAG=(--render "$RENDER")
if [[ $MODE == redis ]]; then command -v redis-server >/dev/null || die "redis-server is missing (scripts/test-deps.sh)"; fi
if [[ -z ${SERVER:-} ]]; then
    if command -v nginx >/dev/null; then SERVER=nginx; else SERVER=fixture; fi
fi

[[ ${NO_BUILD:-0} == 1 ]] || echo "== building (release)" >&2
[[ ${NO_BUILD:-0} == 1 ]] || (cd "$ROOT" && cargo build --release --quiet -p crawler-cli --bin crawl \
    -p crawler-tests --bin gen-site --bin fixture-server \
    -p crawler-core --example machine_limit)

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

# The pages name the port, so it is fixed first.
PORT=$(free_port)
[[ -n $PORT ]] || die "no free port found"
HOST=127.0.0.1:$PORT

if [[ $SERVER == synthetic && $ASSETS == 1 ]]; then
    die "ASSETS=1 is not served by SERVER=synthetic (fixture-server --synthetic renders the site without assets); use SERVER=nginx or fixture"
fi
GEN_FLAGS=()
[[ $ASSETS == 1 ]] && GEN_FLAGS+=(--assets)
[[ $SERVER == synthetic ]] && GEN_FLAGS+=(--no-pages)
LINKS_FLAG=()
[[ -n $LINKS ]] && LINKS_FLAG=(--links "$LINKS")
# Past EDGE_CHECK_MAX (memory mode) the edge lists are not written and the TSV is only counted.
CHECK_EDGES=1
if ((PAGES > EDGE_CHECK_MAX)) && [[ $MODE == memory ]]; then
    [[ -z $LINKS ]] || die "LINKS needs the typed compare: PAGES <= EDGE_CHECK_MAX ($EDGE_CHECK_MAX)"
    CHECK_EDGES=0; GEN_FLAGS+=(--no-edges)
fi
echo "== generating $PAGES pages (seed $SEED) for $HOST$([[ $ASSETS == 1 ]] && echo " with assets")" >&2
"$TARGET/gen-site" --pages "$PAGES" --seed "$SEED" --host "$HOST" "${GEN_FLAGS[@]}" "$WORK" >/dev/null
summary() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$WORK/summary.tsv"; }
SEED_URL=$(summary seed_url)
NODES=$(summary nodes)
FETCHABLE=$(summary fetchable)
SITE_BYTES=$(summary bytes)
if ((CHECK_EDGES)); then
    # The expected edges of the kinds recorded (all, or LINKS), as the TSV will have them: with
    # the kind column, or as distinct pairs for the Redis export.
    tail -n +2 "$WORK/expected-typed.tsv" \
        | awk -F'\t' -v kinds="$LINKS" 'BEGIN { n = split(kinds, k, ","); for (i = 1; i <= n; i++) want[k[i]] = 1 }
            n == 0 || ($3 in want) || $3 == "redirect"' >"$WORK/expected.typed"
    if [[ $MODE == redis ]]; then
        cut -f1,2 "$WORK/expected.typed" | LC_ALL=C sort -u >"$WORK/expected.sorted"
    else
        LC_ALL=C sort "$WORK/expected.typed" >"$WORK/expected.sorted"
    fi
    rm -f "$WORK/expected.typed"
    EXPECTED_EDGES=$(wc -l <"$WORK/expected.sorted")
else
    EXPECTED_EDGES=$(summary typed_edges)
fi

start_server() { # $1 = "log" to enable the access log
    if [[ $SERVER == nginx ]]; then
        local log="access_log off;"
        [[ ${1:-} == log ]] && log="log_format bench '\$request_uri \$status'; access_log $WORK/nginx/access.log bench;"
        mkdir -p "$WORK/nginx"
        nginx_conf "$WORK/nginx" "$PORT" "$WORK/site" "$log" >"$WORK/nginx/nginx.conf"
        nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
    elif [[ $SERVER == synthetic ]]; then
        "$TARGET/fixture-server" --synthetic "$PAGES" --seed "$SEED" --port "$PORT" >/dev/null &
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

TICKS=$(getconf CLK_TCK)
# CPU seconds (user + sys) of the server so far: its process and its children (nginx workers).
server_cpu() {
    local pids ticks=0 pid
    pids="$SERVER_PID $(ps -o pid= --ppid "$SERVER_PID" 2>/dev/null | xargs)"
    for pid in $pids; do
        # Fields after the command's closing paren: utime and stime are the 12th and 13th.
        ticks=$((ticks + $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0)))
    done
    calc "$ticks / $TICKS"
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
            "${LINKS_FLAG[@]}" "${RENDER_FLAG[@]}" ${CRAWL_ARGS:-} "${seed_arg[@]}" 2>"$WORK/worker.$name.$i" &
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
    cat "$WORK"/worker."$name".* | sed -n 's/.* this worker fetched \([0-9]*\) pages.*/\1/p' |
        awk '{ s += $1; n++ } END { if (n) print s }' >"$WORK/fetched.$name"
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
    local t0 t1 s0 s1
    s0=$(server_cpu)
    if [[ $MODE == redis ]]; then
        crawl_redis "$name"
        s1=$(server_cpu)
        report_run "$name" "$(cat "$WORK/wall.$name")" "$(calc "($s1 - $s0) * 1000000 / $NODES")"
        return
    fi
    # Past EDGE_CHECK_MAX the TSV (GBs at 1M pages) goes through a pipe and is only counted.
    local out="$WORK/out.$name.tsv"
    ((CHECK_EDGES)) || out=-
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    timeout "${CRAWL_TIMEOUT:-900}" "$TIME" -v -o "$WORK/time.$name" "$CRAWL_BIN" --depth 100 --format tsv \
        --tsv-kind --max-nodes $((PAGES * 2 + 1000)) --max-edges $((PAGES * 100 + 100000)) \
        --concurrency "$CONCURRENCY" --per-host "$PER_HOST" -o "$out" "${LINKS_FLAG[@]}" "${RENDER_FLAG[@]}" \
        ${CRAWL_ARGS:-} $STREAM "$@" "$SEED_URL" 2>"$WORK/stderr.$name" | if ((CHECK_EDGES)); then cat; else
        awk -F'\t' 'NR > 1 { e++; if (!($1 in s)) { s[$1]; n++ } } END { print e + 0, n + 0 }' >"$WORK/counts.$name"; fi
    t1=$(date +%s.%N)
    s1=$(server_cpu)
    # The summary line: "crawled N pages (F failed, U not fetched), ...": N were requested.
    sed -n 's/^crawled \([0-9]*\) pages .*/\1/p' "$WORK/stderr.$name" >"$WORK/fetched.$name"
    report_run "$name" "$(calc "$t1 - $t0")" "$(calc "($s1 - $s0) * 1000000 / $NODES")"
}

report_run() { # $1 = run name, $2 = wall seconds, $3 = server CPU microseconds per URL; RUNS_FILE
    local name=$1 wall=$2 server_us=$3
    local user sys rss sources edges diff fetched
    user=$(awk -F': ' '/User time/ { print $2 }' "$WORK/time.$name")
    sys=$(awk -F': ' '/System time/ { print $2 }' "$WORK/time.$name")
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$WORK/time.$name")
    if ((CHECK_EDGES)); then
        if [[ $MODE == redis ]]; then
            tail -n +2 "$WORK/out.$name.tsv" | LC_ALL=C sort -u >"$WORK/got.sorted"
        else
            tail -n +2 "$WORK/out.$name.tsv" | LC_ALL=C sort >"$WORK/got.sorted"
        fi
        edges=$(wc -l <"$WORK/got.sorted")
        sources=$(cut -f1 "$WORK/got.sorted" | uniq | wc -l)
        diff=$(LC_ALL=C comm -3 "$WORK/expected.sorted" "$WORK/got.sorted" | wc -l)
    else
        read -r edges sources <"$WORK/counts.$name"
        diff=-
    fi
    rm -f "$WORK/out.$name.tsv" "$WORK/got.sorted"
    fetched=$(cat "$WORK/fetched.$name")
    [[ $fetched =~ ^[0-9]+$ ]] || die "$name: no page count in the crawl's summary: $(tail -n 3 "$WORK"/stderr."$name" "$WORK"/worker."$name".* 2>/dev/null)"
    # A run that did less than the whole site is no result: stop, loudly.
    ((fetched == NODES)) || die "$name fetched $fetched pages, the site has $NODES page URLs"
    [[ $diff == - || $diff == 0 ]] || die "$name: $diff edges are not in both the crawl's TSV and the site's list"
    [[ -n $LINKS || $sources == "$FETCHABLE" ]] || die "$name: coverage $sources of $FETCHABLE pages answering 200"
    printf '%-6s %8.3f %10.0f %8.2f %9.1f %9.1f %9s %18s %7s\n' "$name" "$wall" \
        "$(calc "$fetched / $wall")" "$(calc "$user + $sys")" \
        "$(calc "$rss / 1024")" "$server_us" \
        "$(printf '%.2f%%' "$(calc "100 * $sources / $FETCHABLE")")" \
        "$edges/$EXPECTED_EDGES" "$diff"
    echo "$wall $(calc "$fetched / $wall") $(calc "$user + $sys") $rss $server_us $fetched" >>"${RUNS_FILE:-$WORK/runs}"
    [[ -z $RENDER ]] || render_run "$name" "$wall" "$(calc "$user + $sys")"
}

# The browser's line of each process of run $1 ("browser: L started, K renders, peak RSS M MiB",
# or "not needed"): renders summed, peak the largest; with the run's wall $2 and CPU $3, appended
# to $WORK/render.runs as "renders rendered/s cpu_ms_per_render peak_mib launches".
render_run() {
    local name=$1 wall=$2 cpu=$3 line
    line=$({ cat "$WORK/stderr.$name" "$WORK"/worker."$name".* 2>/dev/null || true; } | awk '
        /^browser: [0-9]+ started/ { l += $2; r += $4; p = ($8 > p) ? $8 : p }
        END { print r + 0, p + 0, l + 0 }')
    local renders peak launches
    read -r renders peak launches <<<"$line"
    ((renders > 0)) || [[ $RENDER != always ]] || die "$name: --render always rendered no page"
    local per_render=0
    ((renders == 0)) || per_render=$(calc "$cpu * 1000 / $renders")
    echo "$renders $(calc "$renders / $wall") $per_render $peak $launches" >>"$WORK/render.runs"
}

[[ $MODE == redis ]] && start_redis
echo "mode: $MODE$([[ $MODE == redis ]] && echo " ($WORKERS workers, $(redis-server --version | awk '{ print $3 }'))")"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
    "| server: $SERVER | $(cd "$ROOT" && "$CRAWL_BIN" --version 2>/dev/null || true) ($CRAWL_BIN)"
echo "site: $PAGES files, $FETCHABLE URLs answering 200, $NODES page URLs in all" \
    "(+$(summary assets) asset URLs, recorded, not fetched), $EXPECTED_EDGES edges${LINKS:+ of kinds $LINKS}," \
    "$((SITE_BYTES / 1024 / 1024)) MiB, max depth $(summary max_depth)"
echo "pages/s = pages the crawl fetched (checked: $NODES, 404s included) over wall time; srv_us = server" \
    "CPU per URL; coverage = distinct TSV sources / $FETCHABLE; diff = edges not in both sets" \
    "${STREAM:+| mode: --stream}"
printf '%-6s %8s %10s %8s %9s %9s %9s %18s %7s\n' run wall_s pages/s cpu_s rss_MiB srv_us coverage edges diff
# The machine's limit is probed right after each crawl run, on the same server, so that each
# run is compared with the machine as it was then: its speed moves by up to 1.8x within
# minutes, and one probe after all the runs once put runs 1-3 and 4-5 of one series 30% apart
# against the same limit.
awk -F'\t' -v origin="http://$HOST" 'NR > 1 && $3 == 200 && n++ < 5000 { print substr($1, length(origin) + 1) }' \
    "$WORK/expected-nodes.tsv" >"$WORK/paths"
# The stack probe fetches the site's page URLs (404s included, as the crawl does), in
# breadth-first order, up to STACK_SAMPLE of them.
STACK_PAGES=$(awk -F'\t' -v origin="http://$HOST" -v max="${STACK_SAMPLE:-20000}" \
    'NR > 1 && n++ < max { print substr($1, length(origin) + 1) }' "$WORK/expected-nodes.tsv" \
    | tee "$WORK/stack-paths" | wc -l)
stack_probe() { # $1 = client; prints "wall cpu server_us" of one stack probe
    local s0 s1 wall user sys
    s0=$(server_cpu)
    "$TIME" -f '%e %U %S' -o "$WORK/time.stack" "$TARGET/examples/machine_limit" stack "$HOST" \
        --client "$1" --concurrency "$CONCURRENCY" <"$WORK/stack-paths" >/dev/null ||
        die "machine_limit stack --client $1 failed"
    s1=$(server_cpu)
    read -r wall user sys <"$WORK/time.stack"
    echo "$wall $(calc "$user + $sys") $(calc "($s1 - $s0) * 1000000 / $STACK_PAGES")"
}
CLIENT_PAGES=$(wc -l <"$WORK/paths")
probe_limit() { # appends "parse_us client_us server_us" and two stack probes' "wall cpu server_us" to $WORK/limits
    local parse client s0 s1
    parse=$("$TARGET/examples/machine_limit" parse --pages "$PAGES" --seed "$SEED" --host "$HOST" \
        --sample "${LIMIT_SAMPLE:-2000}" | awk -F'\t' '$1 == "parse_us" { print $2 }')
    # The server's CPU a request is measured on the minimal client's requests, apart from
    # the crawl's run (whose figure would carry whatever the crawl made the server do).
    s0=$(server_cpu)
    client=$("$TARGET/examples/machine_limit" client "$HOST" <"$WORK/paths" |
        awk -F'\t' '$1 == "client_us" { print $2 }')
    s1=$(server_cpu)
    echo "$parse $client $(calc "($s1 - $s0) * 1000000 / $CLIENT_PAGES") $(stack_probe reqwest) $(stack_probe hyper)" >>"$WORK/limits"
}
# A crawl run with nginx's access log on: the duplicate check, and the server state spider is
# measured in (the log costs the server, so the peer's runs are set against these). Appends to
# $WORK/logged.runs; stops the script on any URL requested twice or any page not answered.
logged_crawl() { # $1 = run name
    rm -f "$WORK/nginx/access.log"
    start_server log
    RUNS_FILE=$WORK/logged.runs crawl_once "$1" >/dev/null
    stop_server
    check_access_log "$1"
}
# The access log of run $1: stops the script on any page URL requested twice or any page not
# answered. A rendered page's own requests (the site's stylesheet and script) are not page URLs:
# each browser's render cache asks one at most once, so at most once per worker.
check_access_log() {
    local log requests dups ok sub subdups
    log=$(grep -v -E '^/(robots\.txt|sitemap\.xml|__probe) ' "$WORK/nginx/access.log" || true)
    [[ -s $WORK/page-paths ]] || awk -F'\t' -v origin="http://$HOST" \
        'NR > 1 { print substr($1, length(origin) + 1) }' "$WORK/expected-nodes.tsv" | LC_ALL=C sort -u >"$WORK/page-paths"
    printf '%s\n' "$log" | awk 'NF' | LC_ALL=C sort -k1,1 >"$WORK/requests.sorted"
    LC_ALL=C join "$WORK/requests.sorted" "$WORK/page-paths" >"$WORK/page-requests" || true
    requests=$(wc -l <"$WORK/page-requests")
    dups=$(awk '{ print $1 }' "$WORK/page-requests" | uniq -d | wc -l)
    ok=$(awk '$2 == 200 { print $1 }' "$WORK/page-requests" | sort -u | wc -l)
    sub=$(($(wc -l <"$WORK/requests.sorted") - requests))
    subdups=$(LC_ALL=C join -v 1 "$WORK/requests.sorted" "$WORK/page-paths" | awk '{ print $1 }' | uniq -c |
        awk -v most="$([[ $MODE == redis ]] && echo "$WORKERS" || echo 1)" '$1 > most' | wc -l)
    echo "access log ($1): $requests page requests for $NODES URLs, $dups requested more than once;" \
        "$ok distinct URLs answered 200 (coverage $(printf '%.2f' "$(calc "100 * $ok / $FETCHABLE")")%)${RENDER:+; $sub requests of rendered pages}"
    ((dups == 0)) || die "$1: $dups URLs were requested more than once"
    ((subdups == 0)) || die "$1: $subdups of the rendered pages' URLs were requested more than once per browser"
    ((ok == FETCHABLE)) || die "$1: $ok of $FETCHABLE pages answered 200"
}
# With --render always (minutes a run) the timed runs themselves are logged and checked for
# duplicates, instead of one more logged run afterwards.
LOG_RUNS=0
[[ $RENDER == always && $SERVER == nginx ]] && LOG_RUNS=1
if ((LOG_RUNS)); then start_server log; else start_server; fi
: >"$WORK/runs"
: >"$WORK/limits"
: >"$WORK/render.runs"
for run in $(seq "$RUNS"); do
    ((LOG_RUNS)) && : >"$WORK/nginx/access.log"
    crawl_once "run$run"
    ((LOG_RUNS)) && check_access_log "run$run"
    [[ $RENDER == always ]] || probe_limit
done
stop_server
# Column $2 of file $1 (a trailing % dropped), sorted; its median; its lowest-highest range.
sorted_column() { awk -v c="$2" '{ sub("%", "", $c); print $c }' "$1" | sort -g; }
median_of() { sorted_column "$1" "$2" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range_of() { sorted_column "$1" "$2" | awk '{ v[NR] = $1 } END { print v[1] "-" v[NR] }'; }
median() { median_of "$WORK/runs" "$1"; }
rss_kib=$(median 4)
printf '%-6s %8.3f %10.0f %8.2f %9.1f %9.1f   (medians; peak RSS = %.0f bytes/URL, %.0f bytes/edge)\n' median \
    "$(median 1)" "$(median 2)" "$(median 3)" "$(calc "$rss_kib / 1024")" "$(median 5)" \
    "$(calc "$rss_kib * 1024 / $NODES")" "$(calc "$rss_kib * 1024 / $EXPECTED_EDGES")"

if [[ -n $RENDER ]]; then
    echo "== rendering (--render $RENDER): CPU a rendered page is the crawl's CPU (browser included) over the renders"
    printf '%-6s %9s %12s %14s %15s %9s\n' run rendered rendered/s cpu_ms/render browser_peak_MiB browsers
    awk '{ printf "run%-3d %9d %12.2f %14.1f %15d %9d\n", NR, $1, $2, $3, $4, $5 }' "$WORK/render.runs"
    printf '%-6s %9s %12.2f %14.1f %15s\n' median "$(median_of "$WORK/render.runs" 1)" \
        "$(median_of "$WORK/render.runs" 2)" "$(median_of "$WORK/render.runs" 3)" "$(median_of "$WORK/render.runs" 4)"
fi

# The machine's limit for this site, each run against its own probes.
if [[ $RENDER == always ]]; then
    echo "machine limit and peer: not run with --render always (they measure a static crawl)"
else
echo "== machine limit (single-thread probes right after each run): tokenizer+join, the server's" \
    "CPU (its own probe) and a minimal client, per page; limit = CPUs / their sum" >&2
cpus=$(nproc)
printf '%-6s %9s %9s %9s %9s %10s %8s %10s %9s %8s %8s %11s\n' run parse_us srv_us client_us limit pages/s \
    "% limit" "cpu eff" stack_us "stack %" "hyper %" crawl/stack
paste -d' ' "$WORK/runs" "$WORK/limits" | awk -v cpus="$cpus" -v stack_pages="$STACK_PAGES" '
function share(wall, server_us) { # pages/s of a stack probe as a percentage of its own limit
    return 100 * (stack_pages / wall) / (cpus * 1000000 / (parse + server_us + client))
}
{
    # runs: wall rate cpu rss server_us fetched ($1-$6); limits: parse_us client_us server_us
    # ($7-$9), then wall cpu server_us of the reqwest stack ($10-$12) and of the hyper one ($13-$15)
    parse = $7; client = $8; server = $9
    sum = parse + server + client; limit = cpus * 1000000 / sum
    crawl_us = $3 * 1000000 / $6; stack_us = $11 * 1000000 / stack_pages
    printf "run%-3d %9.1f %9.1f %9.1f %9.0f %10.0f %7.1f%% %9.1f%% %9.1f %7.1f%% %7.1f%% %11.2f\n", NR, parse, server,
        client, limit, $2, 100 * $2 / limit, 100 * (parse + client) / crawl_us, stack_us, share($10, $12),
        share($13, $15), crawl_us / stack_us
}' | tee "$WORK/limit-runs"
echo "limit: medians tokenizer+join $(median_of "$WORK/limits" 1) us + server $(median_of "$WORK/limits" 3) us" \
    "+ minimal client $(median_of "$WORK/limits" 2) us a page on $cpus CPUs; crawl reaches" \
    "$(median_of "$WORK/limit-runs" 7)% of it (median of the runs' own ratios; range $(range_of "$WORK/limit-runs" 7)%)" \
    "(crawl $(printf '%.0f' "$(calc "$(median 3) * 1000000 / $(median 6)")") us CPU a page)"
# What the crawl's libraries cost on their own, so that the gap to the limit splits into the
# crawler's code and the stack the design fixes.
echo "stack: reqwest + tokio + html5ever + Url::join alone, no crawl logic (machine_limit stack," \
    "$STACK_PAGES URLs): $(median_of "$WORK/limit-runs" 10)% of its own limit (median; range" \
    "$(range_of "$WORK/limit-runs" 10)%), $(median_of "$WORK/limit-runs" 11)% with hyper in place of" \
    "reqwest (range $(range_of "$WORK/limit-runs" 11)%); crawl's CPU a page $(median_of "$WORK/limit-runs" 12)x" \
    "the reqwest stack's (median; range $(range_of "$WORK/limit-runs" 12))"
# On a loaded machine wall time measures the neighbours; CPU per page does not (as much).
echo "cpu: crawl's CPU a page against the floor of tokenizer+join + minimal client:" \
    "$(median_of "$WORK/limit-runs" 8)% efficient (median of the runs; range $(range_of "$WORK/limit-runs" 8)%)"
fi

: >"$WORK/logged.runs"
if ((LOG_RUNS)); then
    : # each run was checked
elif [[ $SERVER == nginx ]]; then
    logged_crawl logged
else
    echo "duplicates: not counted (the fixture-server process keeps no request log);" \
        "the e2e tests in synthetic.rs check them"
fi

# spider_cli as a peer. Its crawl ends early in some runs (measured: 2 of 6 runs on the 10k
# site stopped after 4% and 35% of it), so each run's requests and coverage are counted from
# nginx's access log, and the speed ratio is taken on the runs that covered the whole site.
# With nginx each spider run follows a crawl run under the same server state (log on); the
# ratio is against those crawl runs.
SPIDER_ARGS=()
spider_once() { # $1 = run name; appends "wall cpu rss requests distinct_200" to $WORK/spider.runs
    if [[ $SERVER == nginx ]]; then rm -f "$WORK/nginx/access.log"; start_server log; else start_server; fi
    local t0 t1
    t0=$(date +%s.%N)
    timeout "${CRAWL_TIMEOUT:-900}" "$TIME" -v -o "$WORK/time.spider" spider --url "$SEED_URL" \
        "${SPIDER_ARGS[@]}" crawl -o >"$WORK/spider.out" 2>/dev/null || echo "warning: spider exited with an error" >&2
    t1=$(date +%s.%N)
    stop_server
    local wall cpu rss requests ok
    wall=$(calc "$t1 - $t0")
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/time.spider")
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$WORK/time.spider")
    if [[ $SERVER == nginx ]]; then
        requests=$(grep -c -v -E '^/(robots\.txt|sitemap\.xml|__probe) ' "$WORK/nginx/access.log" || true)
        # `page.html?` is `page.html` to crawl (an empty query is dropped), not to spider.
        ok=$(awk '$2 == 200 { sub(/\?$/, "", $1); print $1 }' "$WORK/nginx/access.log" | sort -u | wc -l)
    else
        requests=$(grep -o "http://$HOST[^\" ,]*" "$WORK/spider.out" | sort -u | wc -l)
        ok=$requests
    fi
    echo "$wall $cpu $rss $requests $ok" >>"$WORK/spider.runs"
    printf '%-8s %8.3f %8.2f %9.1f %9d %10s\n' "$1" "$wall" "$cpu" \
        "$(calc "$rss / 1024")" "$requests" "$(printf '%.2f%%' "$(calc "100 * $ok / $FETCHABLE")")"
}
if [[ $RENDER == always ]]; then
    :
elif command -v spider >/dev/null; then
    if spider --help 2>&1 | grep -q -e '--concurrency'; then
        SPIDER_ARGS=(--concurrency "$CONCURRENCY")
        knob="--concurrency $CONCURRENCY, as crawl"
    else
        knob="no concurrency knob in its CLI: its default"
    fi
    echo "== peer: $(spider --version 2>/dev/null | head -1), ${SPIDER_RUNS:-3} runs ($knob)"
    printf '%-8s %8s %8s %9s %9s %10s\n' spider wall_s cpu_s rss_MiB requests coverage
    : >"$WORK/spider.runs"
    for run in $(seq "${SPIDER_RUNS:-3}"); do
        [[ $SERVER == nginx ]] && logged_crawl "clog$run" >/dev/null
        spider_once "spider$run"
    done
    # Whole-site runs: time to crawl the site, against crawl's median under the same server state.
    crawl_runs=$WORK/runs
    [[ $SERVER == nginx ]] && crawl_runs=$WORK/logged.runs
    cwall=$(median_of "$crawl_runs" 1)
    ccpu=$(median_of "$crawl_runs" 3)
    echo "crawl beside it: median $cwall s, $ccpu CPU s over $(wc -l <"$crawl_runs") runs$([[ $SERVER == nginx ]] && echo ", access log on as for spider")"
    awk -v fetchable="$FETCHABLE" -v cwall="$cwall" -v ccpu="$ccpu" -v nodes="$NODES" '
        $5 >= fetchable { n++; w[n] = $1; c[n] = $2 }
        { r = $4 / $1; if (r > best) best = r }
        END {
            if (n == 0) print "spider: no run covered the whole site; no whole-site ratio"
            else {
                # median of the whole-site runs (sorted by wall time)
                for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t; t = c[i]; c[i] = c[j]; c[j] = t }
                m = int((n + 1) / 2)
                printf "spider: %d of %d runs covered the whole site, median %.3f s, %.2f CPU s; crawl is %.2fx faster (wall) and %.2fx cheaper (CPU) to crawl the site\n", n, NR, w[m], c[m], w[m] / cwall, c[m] / ccpu
            }
            printf "spider: best requests/s of any run %.0f, crawl %.0f: %.2fx per request\n", best, nodes / cwall, nodes / cwall / best
        }' "$WORK/spider.runs"
else
    echo "spider_cli: not on PATH, peer not run (cargo install spider_cli)"
fi

if [[ $MODE == redis ]]; then
    cat "$WORK/redis-notes"
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
fi
