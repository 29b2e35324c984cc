//! Probes of what this machine can do per page at best, for `scripts/bench-e2e.sh`'s limit:
//!
//! ```text
//! machine_limit parse --pages N --seed S --host IP:PORT [--sample 500]
//! machine_limit client IP:PORT < paths
//! ```
//!
//! `parse` renders `--sample` pages of the generated site (the bytes the server sends) and
//! times, on one thread, html5ever's tokenizer with a sink keeping only hrefs and texts plus
//! `Url::join` of every href: the floor of any crawler that parses HTML and resolves links.
//! `client` fetches each path read from stdin over one keep-alive HTTP/1.1 connection with a
//! minimal client (write the requests, read each head, read `Content-Length` bytes): the floor
//! of any HTTP client. It pipelines [`PIPELINE`] requests at a time, so that, like a crawler
//! with many connections in flight, it does not sleep and wake once per request: on this
//! virtual machine a wake-up costs more CPU than reading a 14 KB page, and a probe paying one
//! per request measured the scheduler, not the client. Each prints CPU microseconds per page (`key<TAB>value` lines), taken
//! from the thread's own scheduler clock so other load on the machine is not counted.
//! Only 127.0.0.0/8 is contacted.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

use crawler_core::Url;
use crawler_tests::synth::{render_page, SyntheticSite};

#[path = "../benches/support/tokenize_only.rs"]
mod tokenize_only;

/// Requests the minimal client writes before reading their responses.
const PIPELINE: usize = 16;

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .expect("/proc/thread-self/schedstat is readable")
}

/// `ns / n` in microseconds with two decimals.
fn micros_each(ns: u64, n: usize) -> String {
    let centi = ns / 10 / u64::try_from(n.max(1)).unwrap_or(u64::MAX);
    format!("{}.{:02}", centi / 100, centi % 100)
}

fn flag(args: &[String], name: &str, default: Option<&str>) -> Result<String, String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| default.map(str::to_owned))
        .ok_or_else(|| format!("{name} is required"))
}

fn number(args: &[String], name: &str, default: Option<&str>) -> Result<usize, String> {
    flag(args, name, default)?
        .parse()
        .map_err(|e| format!("{name}: {e}"))
}

fn parse(args: &[String]) -> Result<(), String> {
    let pages = number(args, "--pages", None)?.max(1);
    let seed: u64 = flag(args, "--seed", Some("1"))?
        .parse()
        .map_err(|e| format!("--seed: {e}"))?;
    let host = flag(args, "--host", None)?;
    let sample = number(args, "--sample", Some("500"))?.clamp(1, pages);
    let docs: Vec<(Url, String)> = (0..sample)
        .map(|k| {
            let i = k * pages / sample;
            let url = format!("http://{host}{}", SyntheticSite::path(i));
            let url = Url::parse(&url).map_err(|e| format!("{url}: {e}"))?;
            Ok((url, render_page(pages, seed, &host, i)))
        })
        .collect::<Result<_, String>>()?;
    let (mut links, mut bytes) = (0, 0);
    let start = cpu_ns();
    for (base, html) in &docs {
        let sink = tokenize_only::run(html);
        links += sink
            .links
            .borrow()
            .iter()
            .filter_map(|(href, _)| base.join(href).ok())
            .count();
        bytes += html.len();
    }
    let ns = cpu_ns() - start;
    println!("parse_us\t{}", micros_each(ns, sample));
    println!("pages\t{sample}\nlinks\t{links}\nbytes\t{bytes}");
    Ok(())
}

fn client(args: &[String]) -> Result<(), String> {
    let addr: SocketAddr = args
        .first()
        .ok_or("client needs IP:PORT")?
        .parse()
        .map_err(|e| format!("address: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address"));
    }
    let paths: Vec<String> = io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .filter(|l| l.starts_with('/'))
        .collect();
    let stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut reader =
        BufReader::with_capacity(64 * 1024, stream.try_clone().map_err(|e| e.to_string())?);
    let mut writer = stream;
    let (mut body, mut head) = (Vec::with_capacity(64 * 1024), String::new());
    let (mut bytes, mut request) = (0, Vec::new());
    let start = cpu_ns();
    for batch in paths.chunks(PIPELINE) {
        request.clear();
        for path in batch {
            write!(request, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n")
                .map_err(|e| e.to_string())?;
        }
        writer.write_all(&request).map_err(|e| e.to_string())?;
        for _ in batch {
            let mut length = 0;
            loop {
                head.clear();
                if reader.read_line(&mut head).map_err(|e| e.to_string())? == 0 {
                    return Err("connection closed".into());
                }
                if head == "\r\n" {
                    break;
                }
                if let Some((name, value)) = head.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().map_err(|_| "bad Content-Length")?;
                    }
                }
            }
            body.resize(length, 0);
            reader.read_exact(&mut body).map_err(|e| e.to_string())?;
            bytes += length;
        }
    }
    let ns = cpu_ns() - start;
    let n = paths.len().max(1);
    println!("client_us\t{}", micros_each(ns, n));
    println!("requests\t{}\nbytes\t{bytes}", paths.len());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("parse") => parse(&args[1..]),
        Some("client") => client(&args[1..]),
        _ => Err("usage: machine_limit parse --pages N [--seed S] --host IP:PORT [--sample K] | client IP:PORT < paths".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("machine_limit: {e}");
            ExitCode::from(2)
        }
    }
}
