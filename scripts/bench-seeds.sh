#!/usr/bin/env bash
# Seed-loading benchmark: how long a seeds file of N distinct URLs takes to reach its first
# request, and what loading it costs.
#
#   scripts/bench-seeds.sh [N]        (default 10000000)
#
# Builds `crawl` in release, writes N lines `http://127.0.0.1:PORT/s/I` (I = 1..N, so every
# line is a distinct seed) to a temp dir, starts a small HTTP server on 127.0.0.1 (python3)
# that answers every request with an empty page and notes the time of its first request, and
# runs RUNS times
#
#   crawl --seeds FILE --max-pages 1 -q -o out.tsv
#
# under /usr/bin/time -v. Prints per run: seconds from the start of `crawl` to the server's
# first request and crawl's peak RSS by then (its VmHWM, read within 50 ms of that request),
# wall seconds of the whole run (the first page, then the other N-1 seeds recorded as skipped
# and the output written), its CPU seconds (user + sys) and peak RSS, and the load average at
# the start. Only 127.0.0.1 is ever contacted; the temp dir is removed.
#
# Environment: RUNS (1), CRAWL_BIN runs that `crawl` binary instead of the one built here,
# NO_BUILD=1 uses the binary already built, CRAWL_ARGS adds crawl flags, KEEP=1 keeps the
# temp dir.
set -euo pipefail

N=${1:-10000000}
RUNS=${RUNS:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
CRAWL_BIN=${CRAWL_BIN:-$TARGET/crawl}
TIME=/usr/bin/time

die() { echo "bench-seeds: $*" >&2; exit 1; }
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] || die "N must be a positive number"
[[ -x $TIME ]] || die "/usr/bin/time is missing (apt-get install -y time)"
command -v python3 >/dev/null || die "python3 is missing"

if [[ ${NO_BUILD:-0} != 1 && $CRAWL_BIN == "$TARGET/crawl" ]]; then
    echo "== building (release)" >&2
    (cd "$ROOT" && cargo build --release --quiet -p crawler-cli --bin crawl)
fi
[[ -x $CRAWL_BIN ]] || die "$CRAWL_BIN is not executable"

WORK=$(mktemp -d /tmp/bench-seeds.XXXXXX)
SERVER_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    [[ ${KEEP:-0} == 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

# The server: port 0, its port written to a file, the time of each run's first request
# (epoch seconds) written to `first` unless it exists.
cat >"$WORK/server.py" <<'EOF'
import http.server, os, sys, time
work = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        now = time.time()
        first = os.path.join(work, "first")
        if not os.path.exists(first):
            with open(first + ".tmp", "w") as f:
                f.write(f"{now:.6f}\n")
            os.rename(first + ".tmp", first)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_HEAD = do_GET
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(work, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
server.serve_forever()
EOF
python3 "$WORK/server.py" "$WORK" &
SERVER_PID=$!
for _ in $(seq 100); do [[ -f $WORK/port ]] && break; sleep 0.1; done
[[ -f $WORK/port ]] || die "the server did not start"
PORT=$(cat "$WORK/port")

echo "== writing $N seed lines" >&2
seq 1 "$N" | awk -v p="$PORT" '{ print "http://127.0.0.1:" p "/s/" $1 }' >"$WORK/seeds.txt"
echo "seeds file: $(du -h "$WORK/seeds.txt" | cut -f1), $N lines; $(nproc) CPUs"

for run in $(seq "$RUNS"); do
    rm -f "$WORK/first" "$WORK/out.tsv"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $TIME -v -o "$WORK/time.txt" "$CRAWL_BIN" --seeds "$WORK/seeds.txt" --max-pages 1 -q \
        -o "$WORK/out.tsv" ${CRAWL_ARGS:-} &
    timed=$!
    # The peak RSS of loading: crawl's high-water mark when the first request arrives.
    loaded=
    while kill -0 "$timed" 2>/dev/null; do
        if [[ -z $loaded && -f $WORK/first ]]; then
            loaded=$(awk '/VmHWM/ { print $2 }' "/proc/$(pgrep -P "$timed" | head -1)/status" 2>/dev/null || true)
        fi
        sleep 0.05
    done
    wait "$timed" || die "crawl failed (exit $?)"
    end=$(date +%s.%N)
    [[ -f $WORK/first ]] || die "the server saw no request"
    first=$(cat "$WORK/first")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$WORK/time.txt")
    awk -v r="$run" -v s="$start" -v f="$first" -v e="$end" -v c="$cpu" -v m="$rss" -v h="${loaded:-0}" -v l="$load" \
        'BEGIN { printf "run %d: first request %.2f s (peak RSS by then %.0f MiB), whole run %.2f s, CPU %.2f s, peak RSS %.0f MiB (load %s)\n", r, f - s, h / 1024, e - s, c, m / 1024, l }'
done
