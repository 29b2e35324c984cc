#!/usr/bin/env bash
# Two hosts of different speed in one crawl: does the fast one wait for the slow one?
#
#   scripts/bench-pair.sh
#
# Host A (127.0.0.1): a generated site of A_PAGES pages (seed 1), A_MS ms an answer; host B
# (127.0.0.2): B_PAGES pages (seed 2), B_MS ms an answer; they do not link each other. For each
# of RUNS rounds it crawls A alone, B alone and both seeds in one crawl
# (`--depth 100 --per-host 4 -c 64`) and prints the walls and both / max(A, B): 1.00 is a crawl
# in which neither host waits for the other. A crawl that waits at each level for its slowest
# host takes about A + B.
#
# Environment: RUNS (3), A_PAGES (4000), A_MS (5), B_PAGES (400), B_MS (200), CRAWL_BIN (another
# `crawl` to run, e.g. an older build), NO_BUILD=1. WORKERS=N runs each crawl as a distributed
# crawl instead: a private redis-server (Unix socket in a temp dir) and N `crawl --redis`
# workers, `-c 64` each, the first with the seeds; the wall ends when the last worker exits.
# Only 127.0.0.1 and 127.0.0.2 are contacted.
set -euo pipefail
RUNS=${RUNS:-3}
A_PAGES=${A_PAGES:-4000}
A_MS=${A_MS:-5}
B_PAGES=${B_PAGES:-400}
B_MS=${B_MS:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
CRAWL_BIN=${CRAWL_BIN:-$TARGET/crawl}

die() { echo "bench-pair: $*" >&2; exit 1; }
if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "== building (release)" >&2
    (cd "$ROOT" && cargo build --release --quiet -p crawler-cli --bin crawl \
        -p crawler-tests --bin fixture-server)
fi
[[ -x $CRAWL_BIN ]] || die "no crawl binary at $CRAWL_BIN"

WORKERS=${WORKERS:-0}
PIDS=()
WORK=$(mktemp -d)
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
port() { python3 -c "import socket; s = socket.socket(); s.bind(('$1', 0)); print(s.getsockname()[1])"; }
A_PORT=$(port 127.0.0.1)
B_PORT=$(port 127.0.0.2)
"$TARGET/fixture-server" --ip 127.0.0.1 --port "$A_PORT" --synthetic "$A_PAGES" --seed 1 \
    --latency-ms "$A_MS" >/dev/null &
PIDS+=($!)
"$TARGET/fixture-server" --ip 127.0.0.2 --port "$B_PORT" --synthetic "$B_PAGES" --seed 2 \
    --latency-ms "$B_MS" >/dev/null &
PIDS+=($!)
A=http://127.0.0.1:$A_PORT/index.html
B=http://127.0.0.2:$B_PORT/index.html
for url in "$A" "$B"; do
    for try in $(seq 100); do
        curl -s -o /dev/null "$url" && break
        [[ $try == 100 ]] && die "$url did not answer"
        sleep 0.1
    done
done

if [[ $WORKERS -gt 0 ]]; then
    command -v redis-server >/dev/null || die "redis-server is missing (scripts/test-deps.sh)"
    redis-server --port 0 --unixsocket "$WORK/r.sock" --dir "$WORK" --save '' \
        --maxmemory-policy noeviction --daemonize no --logfile redis.log &
    PIDS+=($!)
    for try in $(seq 100); do
        redis-cli -s "$WORK/r.sock" ping >/dev/null 2>&1 && break
        [[ $try == 100 ]] && die "redis-server did not start"
        sleep 0.1
    done
fi
CRAWLS=0
# Runs one crawl of the seeds "$@": in this process, or with WORKERS Redis workers.
run_crawl() {
    if [[ $WORKERS == 0 ]]; then
        "$CRAWL_BIN" --depth 100 --per-host 4 -c 64 -q -f tsv -o /dev/null "$@" || die "crawl $* failed"
        return
    fi
    CRAWLS=$((CRAWLS + 1))
    local id="pair-$CRAWLS" url="unix://$WORK/r.sock" pids=() i
    for i in $(seq "$WORKERS"); do
        local seeds=()
        [[ $i == 1 ]] && seeds=("$@")
        "$CRAWL_BIN" --depth 100 --per-host 4 -c 64 -q --redis "$url" --crawl-id "$id" "${seeds[@]}" &
        pids+=($!)
        [[ $i == 1 ]] && sleep 0.2 # the first worker creates the crawl
    done
    for i in "${pids[@]}"; do wait "$i" || die "a worker of $* failed"; done
    "$CRAWL_BIN" delete --redis "$url" --crawl-id "$id" >/dev/null 2>&1
}
wall() {
    local start end
    start=$(date +%s.%N)
    run_crawl "$@"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) | A: $A_PAGES pages, $A_MS ms; B: $B_PAGES pages, $B_MS ms | workers: ${WORKERS/#0/none (one process)} | $("$CRAWL_BIN" --version) ($CRAWL_BIN)"
printf '%-4s %8s %8s %8s %8s\n' run a_s b_s both_s ratio
for run in $(seq "$RUNS"); do
    a=$(wall "$A")
    b=$(wall "$B")
    both=$(wall "$A" "$B")
    awk -v r="$run" -v a="$a" -v b="$b" -v both="$both" \
        'BEGIN { m = a > b ? a : b; printf "%-4s %8.2f %8.2f %8.2f %8.3f\n", r, a, b, both, both / m }'
done
echo "ratio = both / max(A alone, B alone); 1.00 means neither host waited for the other"
