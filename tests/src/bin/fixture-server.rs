//! `fixture-server`: runs the crawlgraph fixture server as a process.
//!
//! For tests and manual runs that need the fixture site outside a Rust test
//! (shell scripts, benchmarks, trying the CLI by hand). It prints the base
//! URL (`http://IP:PORT`) as one line on stdout, then serves until killed,
//! or until stdin is closed when started with `--until-stdin-eof` (so a
//! parent process can stop it by dropping the pipe).
//!
//! ```text
//! fixture-server [--ip 127.0.0.1] [--root DIR] [--port N] [--until-stdin-eof]
//! ```

use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::ExitCode;

use crawler_tests::{FixtureServer, ServerOptions};

const USAGE: &str =
    "usage: fixture-server [--ip 127.0.0.1] [--root DIR] [--port N] [--until-stdin-eof]";

/// Parsed command line.
struct Args {
    options: ServerOptions,
    until_stdin_eof: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        options: ServerOptions::default(),
        until_stdin_eof: false,
    };
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
            "--ip" => {
                let ip: Ipv4Addr = value()?.parse().map_err(|e| format!("--ip: {e}"))?;
                if !ip.is_loopback() {
                    return Err(format!("--ip must be in 127.0.0.0/8, not {ip}"));
                }
                parsed.options.ip = ip;
            }
            "--root" => parsed.options.root = PathBuf::from(value()?),
            "--port" => {
                parsed.options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?;
            }
            "--until-stdin-eof" => parsed.until_stdin_eof = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if !args.options.root.is_dir() {
        eprintln!(
            "fixture-server: {} is not a folder",
            args.options.root.display()
        );
        return ExitCode::from(2);
    }
    let server = FixtureServer::start_with(args.options);
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
    use super::parse_args;
    use std::net::Ipv4Addr;

    fn parse(args: &[&str]) -> Result<super::Args, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_flags_in_both_forms() {
        let args = parse(&[
            "--ip",
            "127.0.0.3",
            "--port=8099",
            "--root",
            "/x",
            "--until-stdin-eof",
        ])
        .unwrap();
        assert_eq!(args.options.ip, Ipv4Addr::new(127, 0, 0, 3));
        assert_eq!(args.options.port, 8099);
        assert_eq!(args.options.root.to_str(), Some("/x"));
        assert!(args.until_stdin_eof);
    }

    #[test]
    fn refuses_non_loopback_and_unknown_flags() {
        assert!(parse(&["--ip", "10.0.0.1"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--port"]).is_err());
    }
}
