//! `gen-site`: writes a synthetic site and its expected graph, for benchmarks and manual runs.
//!
//! ```text
//! gen-site [--pages 10000] [--seed 1] [--host 127.0.0.1:8000] DIR
//! ```
//!
//! Writes `DIR/site/` (serve it on the `--host` address: a few links are full URLs naming
//! it), `DIR/expected-edges.tsv`, `DIR/expected-nodes.tsv` and `DIR/summary.tsv`, and prints
//! the summary (`key<TAB>value` lines) on stdout. See `crawler_tests::synth`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen-site [--pages 10000] [--seed 1] [--host 127.0.0.1:8000] DIR";

/// Parsed command line.
struct Args {
    pages: usize,
    seed: u64,
    host: String,
    dir: PathBuf,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut pages, mut seed, mut host, mut dir) = (10_000, 1, "127.0.0.1:8000".to_owned(), None);
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--pages" => pages = value()?.parse().map_err(|e| format!("--pages: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--host" => host = value()?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other if other.starts_with('-') => {
                return Err(format!("unknown argument {other}\n{USAGE}"))
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(flag)),
            other => return Err(format!("unexpected argument {other}\n{USAGE}")),
        }
    }
    if pages == 0 {
        return Err("--pages must be at least 1".to_owned());
    }
    let dir = dir.ok_or_else(|| format!("DIR is required\n{USAGE}"))?;
    Ok(Args {
        pages,
        seed,
        host,
        dir,
    })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match crawler_tests::synth::generate(&args.dir, args.pages, args.seed, &args.host) {
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
    use super::parse_args;

    fn parse(args: &[&str]) -> Result<super::Args, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags_and_dir() {
        let args = parse(&["--pages=20", "--seed", "7", "--host", "127.0.0.1:9", "out"]).unwrap();
        assert_eq!(
            (args.pages, args.seed, args.host.as_str()),
            (20, 7, "127.0.0.1:9")
        );
        assert_eq!(args.dir, std::path::PathBuf::from("out"));
        assert_eq!(parse(&["out"]).unwrap().pages, 10_000);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--pages", "0", "out"]).is_err());
        assert!(parse(&["--bogus", "out"]).is_err());
        assert!(parse(&["a", "b"]).is_err());
    }
}
