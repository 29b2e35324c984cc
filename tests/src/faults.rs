//! Fault injection: the `/_/fault/...` routes, which break HTTP or serve
//! hostile content on purpose, so that tests can prove the crawler survives
//! what real servers do to it.
//!
//! There are two kinds. Content faults are well-formed responses with
//! hostile bodies or headers (a gzip bomb, a page of 100 000 links, crawler
//! traps, statuses that ask for a retry) and go through the normal writer as
//! a [`Response`]. Wire faults break the protocol itself (a body dripped a
//! byte a second, a reset mid-body, a garbage status line), so they take
//! over the raw connection, which never serves another request afterwards.
//!
//! Fault routes are answered before programmable routes and files: the wire
//! faults need the connection, not a `Response`. Every route is listed in
//! the [crate documentation](crate).

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::sync::OnceLock;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::http::{Conn, Request};
use crate::response::{Body, Response};
use crate::stats::Stats;

/// How long `hang` holds a connection without answering.
const HANG_TIME: Duration = Duration::from_secs(60);

/// The gap between two bytes of `drip`.
const DRIP_INTERVAL: Duration = Duration::from_secs(1);

/// `Content-Length` announced by the wire faults (except `short-body`).
const PAGE_LEN: usize = 100;

/// `Content-Length` announced by `short-body`, which sends 10 bytes of it.
const SHORT_BODY_LEN: usize = 1000;

/// Uncompressed size of the gzip bomb, after its small HTML prefix.
pub(crate) const BOMB_SPACES: usize = 10 * 1024 * 1024;

/// Largest `MB` accepted by `big/MB`.
const MAX_BIG_MB: u64 = 1024;

/// Largest `N` accepted by `many-links/N`.
const MAX_LINKS: usize = 100_000;

/// Largest `N` accepted by `deep/N` (a 5 MB page).
const MAX_NESTING: usize = 1_000_000;

/// Largest `N` accepted by `many-attrs/N` and `junk-ends/N` (pages of about 10 MB).
const MAX_REPEATS: usize = 1_000_000;

/// `Content-Length` announced by `lying-length`, which sends [`PAGE_LEN`] bytes of it.
const LYING_LEN: u64 = 999_999_999_999;

/// The start of the hostile pages that are cut off (bomb, big): a link
/// before the cut, which the crawler should keep.
const CUT_PREFIX: &[u8] = b"<html><body><a href=\"/a.html\">before the cut</a>";

/// What a fault route does.
#[derive(Debug)]
pub(crate) enum Fault {
    /// Answer with this (well-formed) response.
    Reply(Response),
    /// Misbehave on the wire with [`misbehave`].
    Wire(Wire),
}

/// A fault on the wire; see [`misbehave`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    Drip,
    Hang,
    ResetMidBody,
    CloseAfterHeaders,
    GarbageStatus,
    BadHeaders,
    ShortBody,
    LyingLength,
    RawLocation,
}

/// The fault for `req`, if its path is a fault route. `port` is the port
/// the request came in on (for redirects to another host name of this
/// server); `stats` already counts `req`.
pub(crate) fn route(req: &Request, stats: &Stats, port: u16) -> Option<Fault> {
    let path = req.path();
    let args: Vec<&str> = path.strip_prefix("/_/fault/")?.split('/').collect();
    let reply = |r| Some(Fault::Reply(r));
    let html = |body: &[u8]| Response::new(200, Some("text/html"), Body::Bytes(body.to_vec()));
    match args.as_slice() {
        ["drip"] => Some(Fault::Wire(Wire::Drip)),
        ["hang"] => Some(Fault::Wire(Wire::Hang)),
        ["reset-mid-body"] => Some(Fault::Wire(Wire::ResetMidBody)),
        ["close-after-headers"] => Some(Fault::Wire(Wire::CloseAfterHeaders)),
        ["garbage-status"] => Some(Fault::Wire(Wire::GarbageStatus)),
        ["bad-headers"] => Some(Fault::Wire(Wire::BadHeaders)),
        ["short-body"] => Some(Fault::Wire(Wire::ShortBody)),
        ["lying-length"] => Some(Fault::Wire(Wire::LyingLength)),
        ["raw-location"] => Some(Fault::Wire(Wire::RawLocation)),
        ["redirect-ftp"] => reply(Response::redirect(302, "ftp://127.0.0.1/x")),
        ["redirect-offscope"] => reply(Response::redirect(
            302,
            &format!("http://localhost:{port}/a.html"),
        )),
        ["gzip-bomb"] => reply(gzip_bomb()),
        ["big", mb] => reply(big_page(mb.parse().ok().filter(|&mb| mb <= MAX_BIG_MB)?)),
        ["many-links", n] => reply(many_links(
            n.parse().ok().filter(|&n| n <= MAX_LINKS)?,
        )),
        ["farm", n, id] => reply(link_farm(n.parse().ok().filter(|&n| n <= MAX_LINKS)?, id)),
        ["deep", n] => reply(deep_page(n.parse().ok().filter(|&n| n <= MAX_NESTING)?)),
        ["many-attrs", n] => reply(many_attrs(n.parse().ok().filter(|&n| n <= MAX_REPEATS)?)),
        ["junk-ends", n] => reply(junk_ends(n.parse().ok().filter(|&n| n <= MAX_REPEATS)?)),
        ["meta-utf16"] => reply(html(
            b"<html><head><meta charset=\"utf-16\"></head><body><a href=\"/a.html\">ascii</a></body></html>",
        )),
        ["invalid-utf8"] => reply(html(
            b"<html><body>\xff\xfe<a href=\"/a.html\">bad \xff\xfe bytes\xc3\x28</a>\xff</body></html>",
        )),
        ["wrong-charset"] => reply(Response::new(
            200,
            Some("text/html; charset=utf-16"),
            Body::Bytes(b"<html><body><a href=\"/a.html\">ascii</a></body></html>".to_vec()),
        )),
        ["nul"] => reply(html(
            b"<html>\0<body>\0\0<a href=\"/a.html\">\0nul\0</a>\0\0</body>\0</html>\0",
        )),
        ["trap", "calendar", date] => reply(calendar_page(&next_day(date)?)),
        ["trap", "query"] => reply(query_trap(req.query())),
        ["retry-after", code, n, _key] => reply(retry_after(
            stats.hits(path),
            code.parse().ok().filter(|c| (400..=599).contains(c))?,
            n.parse().ok()?,
        )),
        _ => None,
    }
}

/// Misbehaves on `conn` as `wire` says, then ends the connection: with a
/// reset for [`Wire::ResetMidBody`] (the caller drops the stream), else
/// with a FIN.
pub(crate) async fn misbehave(conn: &mut Conn<TcpStream>, wire: Wire) -> io::Result<()> {
    let page = small_page();
    let stream = conn.stream_mut();
    match wire {
        Wire::Drip => {
            stream.write_all(&head("200 OK", PAGE_LEN)).await?;
            for byte in &page {
                stream.write_all(std::slice::from_ref(byte)).await?;
                stream.flush().await?;
                tokio::time::sleep(DRIP_INTERVAL).await;
            }
        }
        Wire::Hang => tokio::time::sleep(HANG_TIME).await,
        Wire::ResetMidBody => {
            let mut bytes = head("200 OK", PAGE_LEN);
            bytes.extend_from_slice(&page[..PAGE_LEN / 2]);
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            // With a zero linger, dropping the socket sends RST instead of
            // FIN; the caller drops it right after this returns.
            return stream.set_zero_linger();
        }
        Wire::CloseAfterHeaders => stream.write_all(&head("200 OK", PAGE_LEN)).await?,
        Wire::GarbageStatus => {
            let mut bytes = head("abc", PAGE_LEN);
            bytes.extend_from_slice(&page);
            stream.write_all(&bytes).await?;
        }
        Wire::BadHeaders => {
            let mut bytes = head("200 OK", PAGE_LEN);
            let at = bytes.windows(2).position(|w| w == b"\r\n").unwrap_or(0) + 2;
            bytes.splice(at..at, b"this header line has no colon\r\n".iter().copied());
            bytes.extend_from_slice(&page);
            stream.write_all(&bytes).await?;
        }
        Wire::ShortBody => {
            let mut bytes = head("200 OK", SHORT_BODY_LEN);
            bytes.extend_from_slice(&page[..10]);
            stream.write_all(&bytes).await?;
        }
        Wire::LyingLength => {
            let mut bytes = head("200 OK", LYING_LEN);
            bytes.extend_from_slice(&page);
            stream.write_all(&bytes).await?;
        }
        Wire::RawLocation => {
            // Latin-1 bytes, not UTF-8: what old servers send for a file named in ISO-8859-1.
            stream
                .write_all(
                    b"HTTP/1.1 302 Found\r\nLocation: /caf\xe9.html?q=\xff\r\n\
                      Content-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await?;
        }
    }
    stream.flush().await?;
    conn.close().await;
    Ok(())
}

/// A response head with `status` (`"200 OK"`, or garbage) as the rest of
/// the status line, and the given `Content-Length`.
fn head(status: &str, content_length: impl std::fmt::Display) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {content_length}\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The [`PAGE_LEN`]-byte HTML page of the wire faults, with a link.
fn small_page() -> Vec<u8> {
    let (start, end) = ("<html><body><a href=\"/a.html\">a</a>", "</body></html>");
    let pad = PAGE_LEN - start.len() - end.len();
    format!("{start}{}{end}", " ".repeat(pad)).into_bytes()
}

/// `gzip-bomb`: [`CUT_PREFIX`] and [`BOMB_SPACES`] spaces, gzipped to a
/// few kilobytes (compressed once per process).
fn gzip_bomb() -> Response {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    let body = BOMB.get_or_init(|| {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        let spaces = vec![b' '; 64 * 1024];
        let written = gz
            .write_all(CUT_PREFIX)
            .and_then(|()| (0..BOMB_SPACES / spaces.len()).try_for_each(|_| gz.write_all(&spaces)));
        written
            .and_then(|()| gz.finish())
            .expect("gzip into memory cannot fail")
    });
    let mut r = Response::new(200, Some("text/html"), Body::Bytes(body.clone()));
    r.headers
        .push(("Content-Encoding".to_owned(), "gzip".to_owned()));
    r
}

/// `big/MB`: an HTML page of `mb` MiB, generated while it is written.
fn big_page(mb: u64) -> Response {
    Response::new(
        200,
        Some("text/html"),
        Body::Filler {
            prefix: CUT_PREFIX,
            len: mb * 1024 * 1024,
        },
    )
}

/// `many-links/N`: `n` links to the leaves `/_/links/N/I`, as compact as
/// HTML allows (unquoted, no whitespace).
fn many_links(n: usize) -> Response {
    let mut page = String::with_capacity(40 * n + 64);
    page.push_str("<html><body>");
    for i in 0..n {
        let _ = write!(page, "<a href=/_/links/{n}/{i}>{i}</a>");
    }
    page.push_str("</body></html>");
    Response::html(200, page)
}

/// `farm/N/ID`: a page linking `n` fresh farm pages `farm/N/ID-0` .. `farm/N/ID-{N-1}`, each
/// of which does the same: every page met is new.
fn link_farm(n: usize, id: &str) -> Response {
    let mut page = String::with_capacity(30 * n + 64);
    page.push_str("<html><body>");
    for i in 0..n {
        let _ = write!(page, "<a href={id}-{i}>{i}</a>");
    }
    page.push_str("</body></html>");
    Response::html(200, page)
}

/// `many-attrs/N`: one `<a>` tag with `n` distinct attributes before its `href`.
fn many_attrs(n: usize) -> Response {
    let mut page = String::with_capacity(12 * n + 64);
    page.push_str("<html><body><a");
    for i in 0..n {
        let _ = write!(page, " a{i}");
    }
    page.push_str(" href=\"/a.html\">many</a></body></html>");
    Response::html(200, page)
}

/// `junk-ends/N`: `<div></x>` `n` times (each end tag closes nothing, so the `<div>`s nest),
/// then a link.
fn junk_ends(n: usize) -> Response {
    let mut page = String::with_capacity(9 * n + 64);
    page.push_str("<html><body>");
    page.push_str(&"<div></x>".repeat(n));
    page.push_str("<a href=\"/a.html\">junk</a></body></html>");
    Response::html(200, page)
}

/// `deep/N`: `n` unclosed nested `<div>`s, then a link.
fn deep_page(n: usize) -> Response {
    let mut page = String::with_capacity(5 * n + 64);
    page.push_str("<html><body>");
    page.push_str(&"<div>".repeat(n));
    page.push_str("<a href=\"/a.html\">deep</a></body></html>");
    Response::html(200, page)
}

/// The day after `date` (`YYYY-MM-DD`, proleptic Gregorian), in the same
/// format; `None` if `date` is not a valid date of the years 0001..=9999.
pub(crate) fn next_day(date: &str) -> Option<String> {
    let digits = |s: &str, len| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let mut parts = date.split('-');
    let year = digits(parts.next()?, 4).filter(|&y| y > 0)?;
    let month = digits(parts.next()?, 2).filter(|m| (1..=12).contains(m))?;
    let day = digits(parts.next()?, 2)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if parts.next().is_some() || !(1..=days).contains(&day) {
        return None;
    }
    let (year, month, day) = match (day < days, month < 12) {
        (true, _) => (year, month, day + 1),
        (false, true) => (year, month + 1, 1),
        (false, false) => (year + 1, 1, 1),
    };
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// `trap/calendar/DATE`: a page linking the next day's page.
fn calendar_page(next: &str) -> Response {
    Response::html(
        200,
        format!(
            "<html><head><title>calendar</title></head><body>\
             <a href=\"/_/fault/trap/calendar/{next}\">next day</a></body></html>"
        ),
    )
}

/// `trap/query`: a page linking itself with the query parameter `x` one
/// character longer (`?x=x`, `?x=xx`, ...).
fn query_trap(query: Option<&str>) -> Response {
    let len = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("x="))
        .map_or(0, str::len);
    Response::html(
        200,
        format!(
            "<html><body><a href=\"?x={}\">more</a></body></html>",
            "x".repeat(len + 1)
        ),
    )
}

/// `retry-after/CODE/N/KEY`: `code` with `Retry-After: 1` while this path
/// has had at most `n` requests (`hits` counts this one), then a `200` page.
fn retry_after(hits: usize, code: u16, n: usize) -> Response {
    if hits > n {
        return Response::html(
            200,
            "<html><body><a href=\"/a.html\">recovered</a></body></html>",
        );
    }
    let mut r = Response::html(code, "<html><body>try again later</body></html>");
    r.headers.push(("Retry-After".to_owned(), "1".to_owned()));
    r
}
