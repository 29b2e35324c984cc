#!/usr/bin/env bash
# The Python package's tests: builds crawler-py (`import crawlgraph`) with maturin into a
# virtualenv, and runs its pytest suite (crawler-py/tests) against the project's own fixture
# server and `crawl` binary. `make test` runs it after `cargo test`.
#
# The virtualenv is $CARGO_TARGET_DIR/python-venv (target/ by default, which .gitignore
# covers), kept between runs; maturin, pytest, networkx, pandas and tqdm come from PyPI. The
# extension is built in the dev profile, in the workspace's target dir, as `pip install
# ./crawler-py` does (maturin is the PEP 517 backend). Fails, never skips: a missing tool
# stops the script, and pytest finding no test (exit 5) is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-$PWD/target}"
venv="$target/python-venv"
python="${PYTHON:-python3}"
# The venv's tools first: pip's build backend runs `maturin` from PATH.
export PATH="$venv/bin:$PATH"

if ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
    echo "test-python: creating $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
    "maturin>=1.9.4,<2" pytest networkx pandas tqdm

# The binaries the tests run (fixture-server, crawl), built as `cargo test --workspace` builds
# them: after `cargo test` in `make test` this builds nothing.
cargo test --workspace --locked --no-run -q
export CRAWLGRAPH_BIN_DIR="$target/debug"

echo "test-python: building and installing crawler-py" >&2
MATURIN_PEP517_ARGS="--profile dev --strip --locked" "$venv/bin/python" -m pip install -q \
    --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall ./crawler-py

status=0
"$venv/bin/python" -m pytest crawler-py/tests -q -p no:cacheprovider "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "test-python: pytest ran no test" >&2
    exit 1
fi
exit "$status"
