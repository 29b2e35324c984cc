//! Probes of what this machine can do per page at best, for `scripts/bench-e2e.sh`'s limit:
//!
//! ```text
//! machine_limit parse --pages N --seed S --host IP:PORT [--sample 500]
//! machine_limit client IP:PORT < paths
//! machine_limit stack IP:PORT [--concurrency 64] [--client reqwest|hyper] [--fetch-only] [--https] < paths
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
//!
//! `stack` is not a floor but a reference: the crawler's own stack with none of the crawler.
//! It fetches each path with a reqwest client on a multi-thread tokio runtime, `--concurrency`
//! at a time, and tokenizes and resolves each page as `parse` does, in the task that fetched
//! it (as the crawl parses small pages). No dedup, no graph, no typed extraction, no output:
//! what is left of the crawl's CPU once everything the crawler adds to its libraries is taken
//! away. `--fetch-only` leaves out the parse, so only the HTTP client and runtime are measured;
//! `--client hyper` fetches with the hyper client reqwest is built on, without reqwest.
//! `--https` fetches `https://` with reqwest (HTTP/2 when the server offers it), the
//! certificate not checked, as `crawl --accept-invalid-certs` does: the reference for
//! `scripts/bench-hosts.sh`'s TLS variant, whose nginx front has a self-signed one.
//! Its CPU is the whole process's, measured from outside like the crawl's (`/usr/bin/time`).
//! Only 127.0.0.0/8 is contacted.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioExecutor;
use tokio::sync::Semaphore;
use tokio::task::{JoinError, JoinSet};

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

/// The server's address, `args[0]` of `command`; only a loopback address is taken.
fn loopback(args: &[String], command: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr = args
        .first()
        .ok_or_else(|| format!("{command} needs IP:PORT"))?
        .parse()
        .map_err(|e| format!("address: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address"));
    }
    Ok(addr)
}

/// The paths to fetch: the lines of stdin that start with `/`.
fn paths_from_stdin() -> Vec<String> {
    io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .filter(|l| l.starts_with('/'))
        .collect()
}

fn client(args: &[String]) -> Result<(), String> {
    let addr = loopback(args, "client")?;
    let paths = paths_from_stdin();
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

/// The HTTP client of the `stack` probe: reqwest as the crawl builds it, or the hyper client
/// reqwest is built on, with nothing of reqwest around it.
enum Client {
    Reqwest(reqwest::Client),
    Hyper(Box<HyperClient>),
}

type HyperClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Empty<Bytes>,
>;

impl Client {
    /// reqwest with the crawl's default settings that touch the fetch path (no redirects
    /// followed, its three timeouts, an idle pool as large as the concurrency,
    /// `TCP_NODELAY`), or hyper with the same pool and `TCP_NODELAY`.
    fn new(kind: &str, concurrency: usize, https: bool) -> Result<Self, String> {
        match kind {
            "reqwest" => reqwest::Client::builder()
                .danger_accept_invalid_certs(https)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(crawler_core::DEFAULT_TIMEOUT)
                .connect_timeout(crawler_core::DEFAULT_CONNECT_TIMEOUT)
                .read_timeout(crawler_core::DEFAULT_READ_TIMEOUT)
                .pool_max_idle_per_host(concurrency)
                .tcp_nodelay(true)
                .build()
                .map(Self::Reqwest)
                .map_err(|e| e.to_string()),
            "hyper" if https => Err("--https needs --client reqwest".into()),
            "hyper" => {
                let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
                connector.set_nodelay(true);
                Ok(Self::Hyper(Box::new(
                    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                        .pool_max_idle_per_host(concurrency)
                        .build(connector),
                )))
            }
            other => Err(format!("--client {other}: reqwest or hyper")),
        }
    }

    /// GETs `url` and returns its body.
    async fn get(&self, url: &Url) -> Result<Bytes, String> {
        match self {
            Self::Reqwest(client) => {
                let response = client.get(url.clone()).send().await;
                response
                    .map_err(|e| e.to_string())?
                    .bytes()
                    .await
                    .map_err(|e| e.to_string())
            }
            Self::Hyper(client) => {
                let uri: hyper::Uri = url.as_str().parse().map_err(|e| format!("{url}: {e}"))?;
                let response = client.get(uri).await.map_err(|e| e.to_string())?;
                let body = response.into_body().collect().await;
                Ok(body.map_err(|e| e.to_string())?.to_bytes())
            }
        }
    }
}

/// The crawler's libraries alone (see the module docs).
fn stack(args: &[String]) -> Result<(), String> {
    let addr = loopback(args, "stack")?;
    let concurrency = number(args, "--concurrency", Some("64"))?.max(1);
    let parse_pages = !args.iter().any(|a| a == "--fetch-only");
    let kind = flag(args, "--client", Some("reqwest"))?;
    let https = args.iter().any(|a| a == "--https");
    let scheme = if https { "https" } else { "http" };
    let urls: Vec<Url> = paths_from_stdin()
        .iter()
        .map(|path| Url::parse(&format!("{scheme}://{addr}{path}")).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (pages, links) = runtime.block_on(async move {
        let client = Arc::new(Client::new(&kind, concurrency, https)?);
        let permits = Arc::new(Semaphore::new(concurrency));
        let mut tasks = JoinSet::new();
        let (mut pages, mut links) = (0usize, 0usize);
        let mut tally = |done: Result<Result<usize, String>, JoinError>| {
            links += done.map_err(|e| e.to_string())??;
            pages += 1;
            Ok::<(), String>(())
        };
        for url in urls {
            let permit = permits.clone().acquire_owned().await;
            let permit = permit.map_err(|e| e.to_string())?;
            let client = client.clone();
            tasks.spawn(async move {
                let _permit = permit;
                let body = client.get(&url).await?;
                if !parse_pages {
                    return Ok(0);
                }
                let html = std::str::from_utf8(&body).map_err(|e| e.to_string())?;
                let sink = tokenize_only::run(html);
                let hrefs = sink.links.borrow();
                Ok(hrefs
                    .iter()
                    .filter_map(|(href, _)| url.join(href).ok())
                    .count())
            });
            while let Some(done) = tasks.try_join_next() {
                tally(done)?;
            }
        }
        while let Some(done) = tasks.join_next().await {
            tally(done)?;
        }
        Ok::<_, String>((pages, links))
    })?;
    println!("pages\t{pages}\nlinks\t{links}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("parse") => parse(&args[1..]),
        Some("client") => client(&args[1..]),
        Some("stack") => stack(&args[1..]),
        _ => Err("usage: machine_limit parse --pages N [--seed S] --host IP:PORT [--sample K] \
                  | client IP:PORT < paths | stack IP:PORT [--concurrency N] [--client reqwest|hyper] [--fetch-only] [--https] < paths"
            .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("machine_limit: {e}");
            ExitCode::from(2)
        }
    }
}
