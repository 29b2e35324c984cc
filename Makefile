# Common tasks. `make help` lists them.
.PHONY: help deps lint test test-python bench bench-e2e demo fmt

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

deps: ## install what the interop tests need (graphviz, networkx)
	scripts/test-deps.sh

fmt: ## format the code
	cargo fmt --all

lint: ## formatting, import cycles, clippy and rustdoc, as CI runs them
	cargo fmt --all --check
	for src in crawler-*/src; do python3 scripts/import-graph.py "$$src" || exit 1; done
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

test: deps ## every test: unit, doc, end-to-end, CLI, interop and the Python package
	cargo test --workspace --locked
	scripts/test-python.sh

test-python: deps ## the Python package's tests (pytest, in target/python-venv)
	scripts/test-python.sh

bench: ## criterion benches (extraction, normalisation, export)
	cargo bench -p crawler-core

bench-e2e: ## end-to-end crawl benchmark on a generated 10k-page site
	scripts/bench-e2e.sh

demo: ## crawl the bundled fixture site, served on 127.0.0.1, and print DOT
	scripts/demo.sh
