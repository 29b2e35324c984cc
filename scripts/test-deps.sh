#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain: redis-server (distributed crawl), Graphviz (`dot`, for the DOT interop
# test) and networkx (for the JSON and GraphML interop tests). Idempotent; needs root for apt-get.
set -euo pipefail

if ! command -v dot >/dev/null 2>&1; then
    echo "test-deps: installing graphviz" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq graphviz >/dev/null
fi

if ! python3 -c 'import networkx' >/dev/null 2>&1; then
    echo "test-deps: installing networkx" >&2
    python3 -m pip install -q networkx
fi

# The distributed-crawl tests start their own redis-server (never a system instance).
if ! command -v redis-server >/dev/null 2>&1; then
    echo "test-deps: installing redis-server" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq redis-server >/dev/null
fi
if [ "${CI:-}" = "true" ] && ! command -v redis-server >/dev/null 2>&1; then
    echo "test-deps: redis-server is required under CI" >&2
    exit 1
fi
