# Sourced by the benchmarks that serve a generated site with nginx (bench-e2e.sh,
# bench-since.sh): `nginx_conf DIR PORT ROOT LOG` prints an nginx.conf that keeps every file
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
