//! `fixture-server`: runs the crawlgraph fixture server as a process.
//!
//! For tests and manual runs that need the fixture site outside a Rust test
//! (shell scripts, benchmarks, trying the CLI by hand). It prints the base
//! URL (`http://IP:PORT`) as one line on stdout, then serves until killed,
//! or until stdin is closed when started with `--until-stdin-eof` (so a
//! parent process can stop it by dropping the pipe).
//!
//! With `--synthetic PAGES`, it serves the site `gen-site --pages PAGES
//! --seed S --host IP:PORT` would write, rendering each page per request
//! (no disk, no memory per page), so sites of millions of pages can be
//! crawled. The process keeps no request log (nobody could ask for it).
//!
//! ```text
//! fixture-server [--ip 127.0.0.1] [--root DIR] [--port N] [--latency-ms N] [--until-stdin-eof]
//!                [--synthetic PAGES [--seed S]] [--validators]
//! ```

use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use crawler_tests::{FixtureServer, ServerOptions, Synthetic};

/// Serves the crawlgraph fixture site (or another folder) on a loopback address.
#[derive(Debug, Parser)]
#[command(name = "fixture-server")]
struct Args {
    /// Loopback address to bind (127.0.0.0/8 only).
    #[arg(long, default_value = "127.0.0.1", value_parser = loopback)]
    ip: Ipv4Addr,
    /// Folder to serve [default: the bundled fixture site].
    #[arg(long)]
    root: Option<PathBuf>,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Answer each request this many milliseconds after its head was read (a slow server); the
    /// time spent reading a file counts in it, and the wait ends within tens of microseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Stop when stdin is closed, so a parent can stop the server by dropping the pipe.
    #[arg(long)]
    until_stdin_eof: bool,
    /// Serve the generated site of this many pages (as `gen-site`), rendered per request.
    #[arg(long, value_name = "PAGES", conflicts_with = "root")]
    synthetic: Option<NonZeroUsize>,
    /// Seed of the generated site.
    #[arg(long, default_value_t = 1, requires = "synthetic")]
    seed: u64,
    /// Send `ETag` and `Last-Modified` with files and answer conditional requests with 304.
    #[arg(long, conflicts_with = "synthetic")]
    validators: bool,
}

fn loopback(s: &str) -> Result<Ipv4Addr, String> {
    let ip: Ipv4Addr = s.parse().map_err(|e| format!("{e}"))?;
    if ip.is_loopback() {
        Ok(ip)
    } else {
        Err(format!("must be in 127.0.0.0/8, not {ip}"))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = ServerOptions {
        root: args.root.unwrap_or_else(crawler_tests::fixture_root),
        ip: args.ip,
        port: args.port,
        synthetic: args.synthetic.map(|pages| Synthetic {
            pages: pages.get(),
            seed: args.seed,
        }),
        log_requests: false,
        validators: args.validators,
    };
    if !options.root.is_dir() {
        eprintln!("fixture-server: {} is not a folder", options.root.display());
        return ExitCode::from(2);
    }
    let server = FixtureServer::start_with(options);
    server.set_latency(std::time::Duration::from_millis(args.latency_ms));
    let mut stdout = io::stdout().lock();
    if writeln!(stdout, "{}", server.url(""))
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    if args.until_stdin_eof {
        // Read and discard until EOF (or a read error, which means the same).
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        drop(server);
    } else {
        loop {
            std::thread::park();
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::Args;
    use clap::Parser;
    use std::net::Ipv4Addr;
    use std::num::NonZeroUsize;

    #[test]
    fn parses_flags_in_both_forms() {
        let args = Args::try_parse_from([
            "fixture-server",
            "--ip",
            "127.0.0.3",
            "--port=8099",
            "--root",
            "/x",
            "--until-stdin-eof",
        ])
        .unwrap();
        assert_eq!(args.ip, Ipv4Addr::new(127, 0, 0, 3));
        assert_eq!(args.port, 8099);
        assert_eq!(args.root.unwrap().to_str(), Some("/x"));
        assert!(args.until_stdin_eof);
        assert!(args.synthetic.is_none());
        let args =
            Args::try_parse_from(["fixture-server", "--synthetic", "1000000", "--seed=3"]).unwrap();
        assert_eq!(
            (args.synthetic.map(NonZeroUsize::get), args.seed),
            (Some(1_000_000), 3)
        );
    }

    #[test]
    fn refuses_non_loopback_and_unknown_flags() {
        for bad in [
            &["--ip", "10.0.0.1"][..],
            &["--bogus"],
            &["--port"],
            &["--synthetic", "0"],
            &["--seed", "2"],
            &["--synthetic", "5", "--root", "/x"],
        ] {
            let argv = std::iter::once("fixture-server").chain(bad.iter().copied());
            assert!(Args::try_parse_from(argv).is_err(), "{bad:?}");
        }
    }
}
