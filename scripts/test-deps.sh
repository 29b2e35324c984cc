#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain: Graphviz (`dot`, for the DOT interop
# test), networkx with scipy (JSON/GraphML interop and the PageRank cross-check) and Debian's
# chromium (the HTML report opened in a real headless browser) and Debian's redis-server (the
# distributed crawl; tests start their own instance, never a system one), Debian's nginx-light (the
# local-folder test holds `file://` against nginx serving the same folder; the benchmarks serve
# with it too; tests start their own instance), and python3-venv for the
# Python package's virtualenv (scripts/test-python.sh). Idempotent; needs root for
# apt-get. Under CI=true a dependency that cannot be installed fails the script.
set -euo pipefail

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

if ! command -v dot >/dev/null 2>&1; then
    echo "test-deps: installing graphviz" >&2
    apt_install graphviz
fi

if ! python3 -c 'import networkx, scipy' >/dev/null 2>&1; then
    echo "test-deps: installing networkx and scipy" >&2
    python3 -m pip install -q networkx scipy
fi

# scripts/test-python.sh makes a virtualenv for the Python package; Debian's python3 needs
# python3-venv (ensurepip) for that.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "test-deps: installing python3-venv" >&2
    apt_install python3-venv
fi

if ! command -v chromium >/dev/null 2>&1; then
    echo "test-deps: installing chromium" >&2
    apt_install chromium || true
fi

if ! command -v redis-server >/dev/null 2>&1; then
    echo "test-deps: installing redis-server" >&2
    apt_install redis-server || true
fi

if ! command -v nginx >/dev/null 2>&1; then
    echo "test-deps: installing nginx-light" >&2
    apt_install nginx-light || true
    # The package starts a system nginx on port 80; the tests never use it.
    if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx >/dev/null 2>&1 || true; fi
    if [ -f /run/nginx.pid ]; then kill "$(cat /run/nginx.pid)" 2>/dev/null || true; fi
fi

if [ "${CI:-}" = "true" ]; then
    # redis-cli (Debian's redis-tools, a dependency of redis-server) forms the test Cluster.
    for tool in dot chromium redis-server redis-cli nginx; do
        command -v "$tool" >/dev/null 2>&1 || { echo "test-deps: $tool is missing" >&2; exit 1; }
    done
    python3 -c 'import networkx, scipy' || { echo "test-deps: networkx/scipy missing" >&2; exit 1; }
    python3 -c 'import ensurepip, venv' || { echo "test-deps: python3-venv missing" >&2; exit 1; }
fi
