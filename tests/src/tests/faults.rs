//! Unit tests of the `/_/fault/` routes over raw `TcpStream`s: each fault
//! must put exactly the promised bytes on the wire, or withhold them.

use std::io::{ErrorKind, Read};
use std::thread;
use std::time::Duration;

use super::client::{Client, TempSite};
use super::serve;
use crate::faults::{next_day, BOMB_SPACES};

/// Sends a bare `GET` for `target` and reads until the server ends the
/// connection.
fn raw_exchange(client: &mut Client, target: &str) -> (String, Option<ErrorKind>) {
    client.send(&format!("GET {target} HTTP/1.1\r\nHost: fixture\r\n\r\n"));
    let (bytes, end) = client.read_until_closed();
    (String::from_utf8(bytes).unwrap(), end)
}

#[test]
fn wire_faults_break_http_as_documented() {
    let site = TempSite::new();
    let server = serve(&site);
    let addr = server.addr();

    let (text, end) = raw_exchange(&mut Client::connect(addr), "/_/fault/close-after-headers");
    assert_eq!(end, None, "a clean close");
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("\r\nContent-Length: 100\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\n"), "no body byte: {text}");

    let (text, _) = raw_exchange(&mut Client::connect(addr), "/_/fault/garbage-status");
    assert!(text.starts_with("HTTP/1.1 abc\r\nContent-Type"), "{text}");

    let (text, _) = raw_exchange(&mut Client::connect(addr), "/_/fault/bad-headers");
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\nthis header line has no colon\r\n"),
        "{text}"
    );
    assert!(text.ends_with("</body></html>"), "{text}");

    let (text, end) = raw_exchange(&mut Client::connect(addr), "/_/fault/reset-mid-body");
    assert_eq!(end, Some(ErrorKind::ConnectionReset), "{text}");
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    assert!(body.len() <= 50, "at most half of the 100 bytes: {text}");
    assert_eq!(server.hits("/_/fault/reset-mid-body"), 1);
}

#[test]
fn short_body_sends_ten_of_a_thousand_bytes() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut client = Client::connect(server.addr());
    client.send("GET /_/fault/short-body HTTP/1.1\r\n\r\n");
    let head = client.read_response(false);
    assert_eq!(head.header("content-length"), Some("1000"));
    let (body, end) = client.read_until_closed();
    assert_eq!((body.as_slice(), end), (&b"<html><bod"[..], None));
}

#[test]
fn drip_sends_the_body_a_byte_at_a_time() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut client = Client::connect(server.addr());
    client.send("GET /_/fault/drip HTTP/1.1\r\n\r\n");
    let head = client.read_response(false);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("100"));
    // The second byte comes a second after the first.
    assert_eq!(client.read_bytes(2), b"<h");
    drop(server);
    assert!(
        client.read_until_closed().0.len() < 98,
        "not the whole body"
    );
}

#[test]
fn hang_answers_nothing_and_ends_with_the_server() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut client = Client::connect(server.addr());
    client.send("GET /_/fault/hang HTTP/1.1\r\n\r\n");
    // The request is read at some point; a minute without it is a hang.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while server.hits("/_/fault/hang") == 0 && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.hits("/_/fault/hang"), 1, "the request was read");
    client.set_read_timeout(Duration::from_millis(300));
    let (bytes, end) = client.read_until_closed();
    assert!(bytes.is_empty());
    assert!(
        matches!(end, Some(ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "{end:?}"
    );
    client.set_read_timeout(Duration::from_secs(10));
    drop(server);
    assert!(client.is_closed());
}

#[test]
fn redirect_faults_point_off_scheme_and_off_host() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let r = c.get("/_/fault/redirect-ftp");
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some("ftp://127.0.0.1/x"))
    );
    let r = c.get("/_/fault/redirect-offscope");
    let expected = format!("http://localhost:{}/a.html", server.addr().port());
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some(expected.as_str()))
    );
}

#[test]
fn gzip_bomb_inflates_to_ten_mebibytes() {
    let site = TempSite::new();
    let server = serve(&site);
    let r = Client::connect(server.addr()).get("/_/fault/gzip-bomb");
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert!(r.body.len() < 64 * 1024, "{} bytes sent", r.body.len());
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(r.body.as_slice())
        .read_to_end(&mut inflated)
        .unwrap();
    let prefix = b"<html><body><a href=\"/a.html\">before the cut</a>";
    assert!(inflated.starts_with(prefix));
    assert_eq!(inflated.len(), prefix.len() + BOMB_SPACES);
    assert!(inflated[prefix.len()..].iter().all(|&b| b == b' '));
}

#[test]
fn hostile_content_pages() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let big = c.get("/_/fault/big/2");
    assert_eq!(big.body.len(), 2 * 1024 * 1024);
    assert!(big.body.starts_with(b"<html><body><a href=\"/a.html\">"));
    let links = c.get("/_/fault/many-links/3").text();
    assert_eq!(
        links,
        "<html><body><a href=/_/links/3/0>0</a><a href=/_/links/3/1>1</a>\
         <a href=/_/links/3/2>2</a></body></html>"
    );
    assert_eq!(c.get("/_/fault/many-links/100001").status, 404);
    let deep = c.get("/_/fault/deep/3").text();
    assert!(
        deep.contains("<div><div><div><a href=\"/a.html\">"),
        "{deep}"
    );
    let bad = c.get("/_/fault/invalid-utf8");
    assert!(bad.body.windows(2).any(|w| w == b"\xff\xfe"));
    assert!(std::str::from_utf8(&bad.body).is_err());
    let wrong = c.get("/_/fault/wrong-charset");
    assert_eq!(
        wrong.header("content-type"),
        Some("text/html; charset=utf-16")
    );
    assert!(wrong.body.is_ascii());
    let nul = c.get("/_/fault/nul");
    assert!(nul.body.contains(&0));
    assert!(nul.text().contains("<a href=\"/a.html\">"));
}

#[test]
fn traps_lead_on_forever() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    let day = c.get("/_/fault/trap/calendar/2024-02-28").text();
    assert!(
        day.contains("<a href=\"/_/fault/trap/calendar/2024-02-29\">"),
        "{day}"
    );
    assert_eq!(c.get("/_/fault/trap/calendar/2023-02-29").status, 404);
    let q = c.get("/_/fault/trap/query").text();
    assert!(q.contains("<a href=\"?x=x\">"), "{q}");
    let q = c.get("/_/fault/trap/query?y=1&x=xxx").text();
    assert!(q.contains("<a href=\"?x=xxxx\">"), "{q}");
}

#[test]
fn next_day_rolls_over_months_years_and_leap_days() {
    for (date, next) in [
        ("2024-01-01", Some("2024-01-02")),
        ("2024-01-31", Some("2024-02-01")),
        ("2024-02-28", Some("2024-02-29")),
        ("2024-02-29", Some("2024-03-01")),
        ("2023-02-28", Some("2023-03-01")),
        ("1900-02-28", Some("1900-03-01")),
        ("2000-02-29", Some("2000-03-01")),
        ("2024-04-30", Some("2024-05-01")),
        ("2024-12-31", Some("2025-01-01")),
        ("2023-02-29", None),
        ("2024-04-31", None),
        ("2024-13-01", None),
        ("2024-00-10", None),
        ("0000-01-01", None),
        ("2024-1-01", None),
        ("2024-01-01-01", None),
        ("+024-01-01", None),
    ] {
        assert_eq!(next_day(date).as_deref(), next, "{date}");
    }
}

#[test]
fn retry_after_fails_n_times_per_key() {
    let site = TempSite::new();
    let server = serve(&site);
    let mut c = Client::connect(server.addr());
    for expected in [429, 429, 200, 200] {
        let r = c.get("/_/fault/retry-after/429/2/one");
        assert_eq!(r.status, expected);
        let retry_after = (expected == 429).then_some("1");
        assert_eq!(r.header("retry-after"), retry_after);
    }
    let r = c.get("/_/fault/retry-after/503/1/two");
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")));
    assert_eq!(c.get("/_/fault/retry-after/503/1/two").status, 200);
    assert_eq!(c.get("/_/fault/retry-after/503/0/three").status, 200);
    assert_eq!(c.get("/_/fault/retry-after/200/1/four").status, 404);
}

#[test]
fn lying_length_and_raw_location_send_what_they_promise() {
    let site = TempSite::new();
    let server = serve(&site);
    let (text, end) = raw_exchange(&mut Client::connect(server.addr()), "/_/fault/lying-length");
    assert_eq!(end, None, "a clean close");
    assert!(
        text.contains("\r\nContent-Length: 999999999999\r\n"),
        "{text}"
    );
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    assert_eq!(body.len(), 100, "{text}");

    let mut client = Client::connect(server.addr());
    client.send("GET /_/fault/raw-location HTTP/1.1\r\nHost: fixture\r\n\r\n");
    let (bytes, _) = client.read_until_closed();
    assert!(bytes.starts_with(b"HTTP/1.1 302 Found\r\n"));
    let location: &[u8] = b"\r\nLocation: /caf\xe9.html?q=\xff\r\n";
    assert!(bytes.windows(location.len()).any(|w| w == location));
}
