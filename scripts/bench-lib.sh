# Sourced by the benchmarks that serve a generated site (bench-e2e.sh, bench-since.sh).
#
# `free_port` prints a free loopback port below the ephemeral range (so no outgoing connection
# holds it), found in bounded tries, or nothing; only 127.0.0.1 is touched.
free_port() {
    local low candidate
    low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    for _ in $(seq 50); do
        candidate=$((10000 + RANDOM % (low - 10000)))
        if command -v ss >/dev/null; then
            [[ -z $(ss -Htan "( sport = :$candidate )") ]] && { echo "$candidate"; return; }
        elif ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            echo "$candidate"; return
        fi
    done
    return 0 # nothing printed: the caller says so
}

# `nginx_conf DIR PORT ROOT LOG` prints an nginx.conf that keeps every file
# under DIR, listens on 127.0.0.1:PORT only, serves ROOT, and logs as LOG says (an nginx
# directive: `access_log off;`, or a log_format and an access_log).
nginx_conf() {
    local dir=$1 port=$2 root=$3 log=$4
    cat <<EOF2
worker_processes 2;
worker_rlimit_nofile 8192;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    types { text/html html; }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=2000 inactive=20s;
    $log
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$port;
        root $root;
    }
}
EOF2
}
