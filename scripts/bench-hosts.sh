#!/usr/bin/env bash
# Internet-shaped benchmark: many hosts, each with its own latency (a few with a robots.txt
# Crawl-delay), linked across hosts so that every level mixes them.
#
#   scripts/bench-hosts.sh [HOSTS]        (default 50, at most 250)
#
# Builds `crawl`, `gen-site`, `fixture-server` and `machine_limit` in release, then for host i
# (127.0.1.i, one port for all) generates a site of PAGES_MIN..PAGES_MAX pages (gen-site, seed
# SEED + i) and
# serves it with `fixture-server --latency-ms L`, L drawn from LATENCIES; every DELAY_EVERY-th
# host's robots.txt says `Crawl-delay: DELAY`. CROSS of the pages (0.05) get a link to a page of
# another host. With TLS=1 nginx (TLS, HTTP/2 offered) stands in front of each host's server
# (fixture-server then on 127.0.2.i; nginx keeps up to CONCURRENCY idle connections to it, so it
# does not open one per request) and the crawl gets --accept-invalid-certs. Before the crawls it
# prints how long the first host takes to answer one request at a time, against its latency.
# Each host's seed is its index page; for each --per-host value of PER_HOST ("2 8") and each of
# RUNS runs it crawls
#
#   crawl --depth 100 -c CONCURRENCY --per-host N -q -f tsv -o out.tsv --nodes nodes.tsv --seeds seeds
#
# under /usr/bin/time -v and prints the wall time against the bound: the slowest host's
# pages x max(its latency / per-host, its Crawl-delay), or all pages x latency / concurrency if
# that is more (pages = what the crawl fetched there). wall/bound is the headline: 1.00 is a
# crawl no host ever waits for another. With one host, each crawl run is followed by the
# reference of its libraries alone (`machine_limit stack`, row `stack.RUN`) on the pages that
# run fetched, against the same bound: what reqwest and html5ever reach on this machine and
# server with no crawler around them. When `spider` (spider_cli) is on PATH it crawls every
# host's seed beside crawl (one process per seed, all at once: it takes one URL), for its time
# and the distinct URLs it reports, on the same servers.
#
# Environment: RUNS (1), SEED (1), PER_HOST ("2 8"), CONCURRENCY (64), PAGES_MIN (50),
# PAGES_MAX (400), LATENCIES ("5 10 20 50 100 200 400", milliseconds), DELAY_EVERY (10),
# DELAY (0.2 s), CROSS (0.05), TLS (0|1), CRAWL_BIN (another `crawl` to run), NO_BUILD=1,
# KEEP=1 keeps the temp dir, CRAWL_TIMEOUT (900 s), CRAWL_ARGS (more crawl flags, e.g.
# `--ignore-robots` to crawl on spider's terms; the bound still counts Crawl-delay). Only
# 127.0.0.0/8 is contacted.
set -euo pipefail
HOSTS=${1:-50}
RUNS=${RUNS:-1}
SEED=${SEED:-1}
PER_HOST=${PER_HOST:-2 8}
CONCURRENCY=${CONCURRENCY:-64}
PAGES_MIN=${PAGES_MIN:-50}
PAGES_MAX=${PAGES_MAX:-400}
LATENCIES=${LATENCIES:-5 10 20 50 100 200 400}
DELAY_EVERY=${DELAY_EVERY:-10}
DELAY=${DELAY:-0.2}
CROSS=${CROSS:-0.05}
TLS=${TLS:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
CRAWL_BIN=${CRAWL_BIN:-$TARGET/crawl}
TIME=/usr/bin/time

die() { echo "bench-hosts: $*" >&2; exit 1; }
[[ $HOSTS =~ ^[0-9]+$ && $HOSTS -ge 1 && $HOSTS -le 250 ]] || die "HOSTS is 1 to 250"
[[ $PAGES_MIN -ge 1 && $PAGES_MAX -ge $PAGES_MIN ]] || die "need 1 <= PAGES_MIN <= PAGES_MAX"
[[ $TLS == 0 || $TLS == 1 ]] || die "TLS is 0 or 1"
[[ -x $TIME ]] || die "/usr/bin/time is missing (apt-get install -y time)"
if [[ $TLS == 1 ]]; then
    command -v nginx >/dev/null || die "TLS=1 needs nginx (apt-get install -y nginx)"
    command -v openssl >/dev/null || die "TLS=1 needs openssl"
fi

if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "== building (release)" >&2
    (cd "$ROOT" && cargo build --release --quiet -p crawler-cli --bin crawl \
        -p crawler-tests --bin gen-site --bin fixture-server -p crawler-core --example machine_limit)
fi
[[ -x $CRAWL_BIN ]] || die "no crawl binary at $CRAWL_BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/crawl-hosts.XXXXXX")
chmod 755 "$WORK" # nginx workers may run as another user
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# One free port, used on every host address (each host has its own address).
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.1.1", 0)); print(s.getsockname()[1])')
SCHEME=http
[[ $TLS == 1 ]] && SCHEME=https

# The hosts: address, pages, latency (ms) and Crawl-delay (s, 0 for none), drawn from SEED.
awk -v n="$HOSTS" -v seed="$SEED" -v lo="$PAGES_MIN" -v hi="$PAGES_MAX" -v lat="$LATENCIES" \
    -v every="$DELAY_EVERY" -v delay="$DELAY" 'BEGIN {
        srand(seed); k = split(lat, l, " ")
        for (i = 1; i <= n; i++) {
            pages = lo + int(rand() * (hi - lo + 1))
            ms = l[1 + int(rand() * k)]
            d = (every > 0 && i % every == 0) ? delay : 0
            printf "127.0.1.%d\t%d\t%d\t%s\n", i, pages, ms, d
        }
    }' >"$WORK/hosts.tsv"

echo "== generating $HOSTS sites on 127.0.1.1-$HOSTS:$PORT ($SCHEME)" >&2
while IFS=$'\t' read -r ip pages ms delay; do
    "$TARGET/gen-site" --pages "$pages" --seed "$((SEED + ${ip##*.}))" --host "$ip:$PORT" --no-edges \
        "$WORK/$ip" >/dev/null 2>&1
    if [[ $delay != 0 ]]; then printf 'User-agent: *\nCrawl-delay: %s\n' "$delay" >"$WORK/$ip/site/robots.txt"; fi
done <"$WORK/hosts.tsv"

# Cross-host links: a CROSS share of the pages of each host links a page of another host.
python3 - "$WORK" "$PORT" "$SEED" "$CROSS" "$SCHEME" <<'EOF'
import os, random, re, sys
work, port, seed, cross, scheme = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rng = random.Random(seed)
hosts = [line.split("\t")[0] for line in open(os.path.join(work, "hosts.tsv"))]
pages = {}
for ip in hosts:
    site = os.path.join(work, ip, "site")
    pages[ip] = sorted(
        os.path.relpath(os.path.join(d, f), site)
        for d, _, files in os.walk(site) for f in files if f.endswith(".html"))
for ip in hosts:
    others = [h for h in hosts if h != ip] or [ip]
    for page in pages[ip]:
        path = os.path.join(work, ip, "site", page)
        text = open(path, encoding="utf-8").read()
        if scheme == "https":
            # gen-site names its host in a few absolute links, some in capitals.
            text = re.sub(f"http://{re.escape(ip)}:{port}", f"https://{ip}:{port}", text, flags=re.I)
        if rng.random() < cross:
            other = rng.choice(others)
            target = rng.choice(pages[other])
            link = f'<a href="{scheme}://{other}:{port}/{target}">elsewhere</a>'
            text = text.replace("</body>", link + "</body>", 1) if "</body>" in text else text + link
        open(path, "w", encoding="utf-8").write(text)
EOF

echo "== starting $HOSTS servers" >&2
if [[ $TLS == 1 ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.1.1 -days 1 \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
    mkdir -p "$WORK/nginx"
    {
        echo "worker_processes 1; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log warn;"
        echo "events { worker_connections 4096; }"
        echo "http { access_log off; proxy_http_version 1.1; proxy_set_header Connection \"\";"
        echo "  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;"
        echo "  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;"
        echo "  ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem;"
        while IFS=$'\t' read -r ip _ _ _; do
            n=${ip##*.}
            echo "  upstream h$n { server 127.0.2.$n:$PORT; keepalive $CONCURRENCY; }"
            echo "  server { listen $ip:$PORT ssl http2; location / { proxy_pass http://h$n; } }"
        done <"$WORK/hosts.tsv"
        echo "}"
    } >"$WORK/nginx/nginx.conf"
fi
while IFS=$'\t' read -r ip _ ms _; do
    bind=$ip
    [[ $TLS == 1 ]] && bind=127.0.2.${ip##*.}
    "$TARGET/fixture-server" --ip "$bind" --port "$PORT" --root "$WORK/$ip/site" --latency-ms "$ms" \
        >/dev/null &
    PIDS+=($!)
done <"$WORK/hosts.tsv"
if [[ $TLS == 1 ]]; then
    nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
    PIDS+=($!)
fi
while IFS=$'\t' read -r ip _ _ _; do
    for try in $(seq 100); do
        curl -sk -o /dev/null "$SCHEME://$ip:$PORT/__probe" && break
        [[ $try == 100 ]] && die "server $ip:$PORT did not start"
        sleep 0.1
    done
    echo "$SCHEME://$ip:$PORT/index.html"
done <"$WORK/hosts.tsv" >"$WORK/seeds.txt"

# How long the first host takes to answer one request at a time, against the latency it was
# given: the bound takes the latency as exact, so a server that adds to it shows here.
IFS=$'\t' read -r probe_ip _ probe_ms _ <"$WORK/hosts.tsv"
python3 - "$SCHEME" "$probe_ip" "$PORT" "$probe_ms" <<'EOF'
import http.client, ssl, statistics, sys, time
scheme, ip, port, ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if scheme == "https":
    conn = http.client.HTTPSConnection(ip, port, context=ssl._create_unverified_context())
else:
    conn = http.client.HTTPConnection(ip, port)
times = []
for _ in range(50):
    start = time.perf_counter()
    conn.request("GET", "/index.html")
    conn.getresponse().read()
    times.append((time.perf_counter() - start) * 1000)
print(f"server: {ip} answers in {statistics.median(times):.2f} ms (median of 50, one at a time) for a latency of {ms} ms")
EOF

TLS_ARGS=()
[[ $TLS == 1 ]] && TLS_ARGS=(--accept-invalid-certs)
total_pages=$(awk -F'\t' '{ s += $2 } END { print s }' "$WORK/hosts.tsv")
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) | $HOSTS hosts, $total_pages pages generated, latencies {$LATENCIES} ms, Crawl-delay $DELAY s on every ${DELAY_EVERY}th host, $SCHEME | $("$CRAWL_BIN" --version) ($CRAWL_BIN)"
printf '%-10s %4s %8s %8s %8s %10s %8s %8s\n' run per_h wall_s bound_s ratio slowest fetched cpu_s
for per_host in $PER_HOST; do
    for run in $(seq "$RUNS"); do
        name="ph$per_host.$run"
        # shellcheck disable=SC2086
        timeout "${CRAWL_TIMEOUT:-900}" "$TIME" -v -o "$WORK/time.$name" "$CRAWL_BIN" --depth 100 \
            -c "$CONCURRENCY" --per-host "$per_host" -q -f tsv -o "$WORK/out.$name.tsv" \
            --nodes "$WORK/nodes.$name.tsv" --seeds "$WORK/seeds.txt" "${TLS_ARGS[@]}" ${CRAWL_ARGS:-} \
            || die "crawl failed (run $name)"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$WORK/time.$name")
        cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/time.$name")
        # Pages fetched per host (a status in the node table), then the bound.
        awk -F'\t' -v wall="$wall" -v cpu="$cpu" -v ph="$per_host" -v c="$CONCURRENCY" -v name="$name" '
            FNR == NR { lat[$1] = $3 / 1000; delay[$1] = $4; next }
            FNR > 1 && $3 != "" { split($1, u, "/"); split(u[3], hp, ":"); n[hp[1]]++; all++ }
            END {
                worst = 0; who = "-"; sum = 0
                for (h in n) {
                    per = lat[h] / ph; if (delay[h] > per) per = delay[h]
                    t = n[h] * per; sum += n[h] * lat[h]
                    if (t > worst) { worst = t; who = h }
                }
                bound = worst; if (sum / c > bound) { bound = sum / c; who = "all" }
                printf "%-10s %4d %8.2f %8.2f %8.2f %10s %8d %8.2f\n", name, ph, wall, bound, wall / bound, who, all, cpu
            }' "$WORK/hosts.tsv" "$WORK/nodes.$name.tsv"
        if [[ $HOSTS == 1 && -x $TARGET/examples/machine_limit ]]; then
            # The reference: the crawler's own libraries and nothing of the crawler
            # (`machine_limit stack`: reqwest fetching, html5ever tokenizing and Url::join
            # resolving each page), on the pages this run fetched, CONCURRENCY at a time.
            awk -F'\t' 'FNR > 1 && $3 != "" { sub(/^https?:\/\/[^\/]*/, "", $1); print $1 }' \
                "$WORK/nodes.$name.tsv" >"$WORK/paths.$name"
            stack_args=()
            [[ $TLS == 1 ]] && stack_args=(--https)
            "$TIME" -f '%e %U %S' -o "$WORK/time.stack.$name" "$TARGET/examples/machine_limit" stack \
                "$(cut -f1 "$WORK/hosts.tsv"):$PORT" --concurrency "$CONCURRENCY" "${stack_args[@]}" \
                <"$WORK/paths.$name" >/dev/null || die "machine_limit stack failed (run $name)"
            read -r swall suser ssys <"$WORK/time.stack.$name"
            awk -v wall="$swall" -v cpu="$(awk -v u="$suser" -v s="$ssys" 'BEGIN { print u + s }')" -v c="$CONCURRENCY" \
                -v ms="$(cut -f3 "$WORK/hosts.tsv")" -v name="stack.$name" '
                { n++ } END {
                    bound = n * ms / 1000 / c
                    printf "%-10s %4s %8.2f %8.2f %8.2f %10s %8d %8.2f\n", name, "-", wall, bound, wall / bound, "-", n, cpu
                }' "$WORK/paths.$name"
        fi
    done
done
echo "bound: the slowest host's fetched pages x max(latency / per-host, Crawl-delay), or all pages x latency / concurrency if more; ratio = wall / bound"
if [[ $HOSTS == 1 ]]; then
    echo "stack.*: machine_limit stack (reqwest + html5ever's tokenizer + Url::join, no crawler) on the pages the crawl above it fetched, -c $CONCURRENCY"
fi

if command -v spider >/dev/null; then
    # spider_cli crawls one site from one URL: one process per host's seed, all at once, so that
    # it covers what crawl covers (every host), on the same servers.
    mkdir -p "$WORK/spider"
    pids=()
    i=0
    start=$(date +%s.%N)
    while read -r seed; do
        i=$((i + 1))
        timeout "${CRAWL_TIMEOUT:-900}" spider --url "$seed" crawl -o >"$WORK/spider/$i.out" 2>/dev/null &
        pids+=($!)
    done <"$WORK/seeds.txt"
    for pid in "${pids[@]}"; do wait "$pid" || echo "warning: a spider exited with an error" >&2; done
    end=$(date +%s.%N)
    spider_urls=$(cat "$WORK"/spider/*.out | grep -E '^https?://' | sort -u | wc -l)
    crawl_urls=$(awk -F'\t' 'FNR > 1 && $3 != "" { print $1 }' "$WORK"/nodes.*.tsv | sort -u | wc -l)
    echo "spider_cli, one process per host seed ($HOSTS at once): $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s, $spider_urls distinct URLs (crawl fetched $crawl_urls)"
else
    echo "spider_cli: not on PATH, peer not run (cargo install spider_cli)"
fi
