//! `gen-site`: writes a synthetic site and its expected graph, for benchmarks and manual runs.
//!
//! ```text
//! gen-site [--pages 10000] [--seed 1] [--host 127.0.0.1:8000] [--assets] [--no-pages]
//!          [--no-edges] DIR
//! ```
//!
//! Writes `DIR/site/` (serve it on the `--host` address: a few links are full URLs naming
//! it), `DIR/expected-edges.tsv`, `DIR/expected-typed.tsv`, `DIR/expected-nodes.tsv` and
//! `DIR/summary.tsv`, and prints the summary (`key<TAB>value` lines) on stdout. See
//! `crawler_tests::synth`. `--no-pages` leaves out the pages (for `fixture-server
//! --synthetic`, which serves the site without assets), `--no-edges` the two edge lists.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Parser;
use crawler_tests::synth;
use std::process::ExitCode;
use std::time::Instant;

/// Writes a synthetic site and its expected graph.
#[derive(Debug, Parser)]
#[command(name = "gen-site")]
struct Args {
    /// Number of pages.
    #[arg(long, default_value_t = NonZeroUsize::new(10_000).expect("non-zero"))]
    pages: NonZeroUsize,
    /// Seed of the generator: the same seed gives the same site.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// `host:port` the site will be served on (a few links are full URLs naming it).
    #[arg(long, default_value = "127.0.0.1:8000")]
    host: String,
    /// Each page also links its section's stylesheet and script and two article images with a
    /// `srcset`; the asset files are written too.
    #[arg(long)]
    assets: bool,
    /// Write no pages, only the expected graph (`fixture-server --synthetic` serves them).
    #[arg(long)]
    no_pages: bool,
    /// Write no `expected-edges.tsv` and `expected-typed.tsv` (about 90 bytes an edge).
    #[arg(long)]
    no_edges: bool,
    /// Folder to write into.
    dir: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let mut outputs = synth::Outputs::ALL;
    outputs.pages = !args.no_pages;
    outputs.edges = !args.no_edges;
    outputs.assets = args.assets;
    match synth::write_site(&args.dir, args.pages.get(), args.seed, &args.host, outputs) {
        Ok(_) => {
            let summary = args.dir.join("summary.tsv");
            match std::fs::read_to_string(&summary) {
                Ok(text) => print!("{text}"),
                Err(e) => eprintln!("gen-site: {}: {e}", summary.display()),
            }
            eprintln!(
                "gen-site: {} pages in {:.1} s",
                args.pages,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-site: {}: {e}", args.dir.display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Args;
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("gen-site").chain(args.iter().copied()))
    }

    #[test]
    fn flags_and_dir() {
        let args = parse(&["--pages=20", "--seed", "7", "--host", "127.0.0.1:9", "out"]).unwrap();
        assert_eq!(
            (args.pages.get(), args.seed, args.host.as_str()),
            (20, 7, "127.0.0.1:9")
        );
        assert_eq!(args.dir, std::path::PathBuf::from("out"));
        assert!(!args.no_pages && !args.no_edges);
        let args = parse(&["--no-pages", "--no-edges", "out"]).unwrap();
        assert!(args.no_pages && args.no_edges);
        assert_eq!(parse(&["out"]).unwrap().pages.get(), 10_000);
        assert!(!parse(&["out"]).unwrap().assets);
        assert!(parse(&["--assets", "out"]).unwrap().assets);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--pages", "0", "out"]).is_err());
        assert!(parse(&["--bogus", "out"]).is_err());
    }
}
