//! Integration tests of the `crawl` binary: the real executable against the in-process fixture
//! server on 127.0.0.1, with real files, pipes and signals. One test binary, one module per
//! concern, shared helpers in `support`.

// Running the binary, timeouts, the expected fixture graph, external tools.
mod support;

// Each output format on the fixture site, checked against the hand-written expected graph.
mod formats;
// Seeds from arguments, `--seeds FILE`, `--seeds -` and `./urls.txt`, and the no-seeds error.
mod seeds;
// Usage errors (exit 2, one line, nothing on stdout) and `--fail-on-broken` (exit 1).
mod errors;
// `-o` atomicity, `--nodes`, and a broken pipe on stdout.
mod output;
// SIGINT and SIGTERM: the partial graph is written, exit 130 / 143.
mod signals;
mod stream;
// robots.txt on by default and `--ignore-robots`, `--sitemap`, `--deny-private-ips`, bad
// politeness values.
mod politeness;
// `--help` documents every flag and the exit codes.
mod help;
// The outputs read by Graphviz and networkx.
mod interop;
