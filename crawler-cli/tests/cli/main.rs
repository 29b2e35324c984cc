//! Integration tests of the `crawl` binary: the real executable against the in-process fixture
//! server on 127.0.0.1, with real files, pipes and signals. One test binary, one module per
//! concern, shared helpers in `support`.

// Running the binary, timeouts, the expected fixture graph, external tools.
mod support;

// Each output format on the fixture site, checked against the hand-written expected graph.
mod formats;
// Seeds from arguments, `--seeds FILE`, `--seeds -` and `./urls.txt`, and the no-seeds error.
mod seeds;
// Seeds files longer than one batch of the parallel loader.
mod seed_batches;
// Usage errors (exit 2, one line, nothing on stdout) and `--fail-on-broken` (exit 1).
mod errors;
// `-o` atomicity, `--nodes`, and a broken pipe on stdout.
mod output;
// `-o` through FIFOs, symlinks and devices; write errors; unwritable folders; one file twice.
mod output_targets;
// SIGINT and SIGTERM: the partial graph is written, exit 130 / 143.
mod signals;
mod stream;
// robots.txt on by default and `--ignore-robots`, `--sitemap`, `--deny-private-ips`, bad
// politeness values.
mod politeness;
// --tsv-kind, --links and --check-resources on the typed fixture pages.
mod links;
// --check-fragments: --fail-on-broken, exports read back, JUnit, diff, refusals.
mod fragments;
// Headers, cookie jar, --user, proxies, the config file, completions and the man page.
mod request;
// `--deny-private-ips` with a proxy in the environment: the proxy is not used.
mod proxy;
// Peak memory of the binary against a hostile robots.txt.
mod memory;
// `--help` documents every flag and the exit codes.
mod help;
// A low open-file limit: raised, concurrency capped, descriptor shortage waited out.
mod fd_limit;
// The outputs read by Graphviz and networkx.
mod interop;
// `crawl report` on saved crawls and `crawl --report` on live ones, against the fixture graph.
mod report;
// `crawl diff` on two crawls of the fixture site with a page deleted between them.
mod diff;
// The HTML report in a real headless chromium (file://, network off).
mod html;
// The distributed crawl: worker processes sharing a private redis-server.
mod distributed;
// `--since` and `crawl diff --recrawl`: revalidation against a server sending 304s.
mod since;
// --render on the JavaScript fixture site with a real chromium; no browser left behind.
mod render;
