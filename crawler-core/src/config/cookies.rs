//! A cookie jar shared by the crawl's HTTP client and its owner, read from and written to the
//! Netscape `cookies.txt` format (curl, wget, browser export add-ons).
//!
//! The jar is the `cookie_store` crate's RFC 6265 store (domain and path matching, expiry,
//! public-suffix rules) behind a mutex; this module only adds the file format and the
//! `reqwest` plumbing. The jar is shared: the caller keeps a clone, hands one to
//! [`CrawlerBuilder::cookie_jar`](crate::CrawlerBuilder::cookie_jar), and after the crawl
//! writes what the servers set with [`CookieJar::write_netscape`]. The library itself never
//! touches the file.

use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_store::{CookieDomain, CookieExpiration, CookieStore, RawCookie};
use reqwest::header::HeaderValue;
use url::Url;

/// A cookie jar: cheap to clone, every clone is the same jar.
///
/// The store sits behind a `std::sync::Mutex`: each use is a short lookup or insert that never
/// awaits, once per request, so an async lock would only add cost.
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    store: Arc<Mutex<CookieStore>>,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, CookieStore> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads a Netscape `cookies.txt`: one cookie a line as `domain`, `include subdomains`
    /// (`TRUE`/`FALSE`), `path`, `secure` (`TRUE`/`FALSE`), `expires` (Unix seconds, `0` for a
    /// session cookie), `name`, `value`, separated by tabs. Lines starting with `#` are comments,
    /// except the `#HttpOnly_` prefix of a domain. Expired cookies are dropped.
    ///
    /// # Errors
    /// A read error, or a line that is not in this format (`InvalidData`, naming the line).
    pub fn read_netscape(reader: impl BufRead) -> io::Result<Self> {
        let jar = Self::new();
        {
            let mut store = jar.lock();
            for (number, line) in reader.lines().enumerate() {
                let line = line?;
                parse_line(&mut store, line.trim_end_matches('\r')).map_err(|reason| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("line {}: {reason}", number + 1),
                    )
                })?;
            }
        }
        Ok(jar)
    }

    /// Writes every unexpired cookie in the Netscape format ([`read_netscape`](Self::read_netscape)
    /// reads it back); session cookies get expiry `0`.
    ///
    /// # Errors
    /// A write error.
    pub fn write_netscape(&self, mut writer: impl Write) -> io::Result<()> {
        writeln!(writer, "# Netscape HTTP Cookie File")?;
        writeln!(writer, "# Written by crawlgraph; edit at your own risk.")?;
        let store = self.lock();
        for cookie in store.iter_unexpired() {
            let (domain, subdomains) = match &cookie.domain {
                CookieDomain::HostOnly(host) => (host.clone(), false),
                CookieDomain::Suffix(suffix) => (format!(".{suffix}"), true),
                CookieDomain::NotPresent | CookieDomain::Empty => continue,
            };
            let expires = match &cookie.expires {
                CookieExpiration::AtUtc(at) => at.unix_timestamp().max(1),
                CookieExpiration::SessionEnd => 0,
            };
            let http_only = if cookie.http_only() == Some(true) {
                "#HttpOnly_"
            } else {
                ""
            };
            writeln!(
                writer,
                "{http_only}{domain}\t{}\t{}\t{}\t{expires}\t{}\t{}",
                flag(subdomains),
                String::from(&cookie.path),
                flag(cookie.secure() == Some(true)),
                cookie.name(),
                cookie.value(),
            )?;
        }
        Ok(())
    }

    /// Adds a `name=value` cookie for `url`'s host only (no `Domain`), path `/`.
    pub(crate) fn add_host_cookie(&self, pair: &str, url: &Url) {
        let mut root = url.clone();
        root.set_path("/");
        // Parsed and checked when it was given to the builder, so this cannot fail.
        let _ = self.lock().parse(&format!("{pair}; Path=/"), &root);
    }

    /// The names and values of the cookies stored for `url`, in the `Cookie` header's order.
    pub fn cookies_for(&self, url: &Url) -> Vec<(String, String)> {
        self.lock()
            .get_request_values(url)
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    }
}

fn flag(on: bool) -> &'static str {
    if on {
        "TRUE"
    } else {
        "FALSE"
    }
}

/// Adds one line of a Netscape cookie file to `store`.
fn parse_line(store: &mut CookieStore, line: &str) -> Result<(), String> {
    let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(());
    }
    let fields: Vec<&str> = line.split('\t').collect();
    let [domain, subdomains, path, secure, expires, name, value] = fields[..] else {
        return Err(format!(
            "expected 7 tab-separated fields, found {}",
            fields.len()
        ));
    };
    let bool_field = |field: &str, what: &str| match field {
        "TRUE" => Ok(true),
        "FALSE" => Ok(false),
        other => Err(format!("{what} must be TRUE or FALSE, not `{other}`")),
    };
    let subdomains = bool_field(subdomains, "the subdomains field")?;
    let secure = bool_field(secure, "the secure field")?;
    let expires: u64 = expires
        .parse()
        .map_err(|_| format!("expiry `{expires}` is not a number of seconds"))?;
    let host = domain.trim_start_matches('.');
    let scheme = if secure { "https" } else { "http" };
    let url = Url::parse(&format!("{scheme}://{host}{path}"))
        .map_err(|err| format!("domain `{domain}` and path `{path}`: {err}"))?;
    let mut cookie = RawCookie::new(name.to_owned(), value.to_owned());
    cookie.set_path(path.to_owned());
    if subdomains {
        cookie.set_domain(host.to_owned());
    }
    cookie.set_secure(secure);
    cookie.set_http_only(http_only);
    if expires > 0 {
        let at = UNIX_EPOCH + Duration::from_secs(expires);
        match at.duration_since(SystemTime::now()) {
            Ok(left) => {
                // The `Max-Age` type is the `time` crate's, which this crate does not name:
                // parse the attribute to get one.
                let attr = RawCookie::parse(format!("x=; Max-Age={}", left.as_secs().max(1)))
                    .map_err(|err| err.to_string())?;
                cookie.set_max_age(attr.max_age());
            }
            // Expired already: a jar forgets it, as a browser would.
            Err(_) => return Ok(()),
        }
    }
    store
        .insert_raw(&cookie, &url)
        .map(|_| ())
        .map_err(|err| format!("cookie `{name}` for `{domain}`: {err}"))
}

/// Hands the jar to reqwest, which calls it for every request and response.
impl reqwest::cookie::CookieStore for CookieJar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &Url) {
        let cookies = headers
            .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
            .filter_map(|text| RawCookie::parse(text.to_owned()).ok());
        self.lock().store_response_cookies(cookies, url);
    }

    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        let store = self.lock();
        let mut header = String::new();
        for (name, value) in store.get_request_values(url) {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        }
        drop(store);
        (!header.is_empty())
            .then(|| HeaderValue::from_str(&header).ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn netscape_round_trip() {
        let far = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 86_400;
        let file = format!(
            "# Netscape HTTP Cookie File\n\
             \n\
             127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc\n\
             .site.test\tTRUE\t/docs\tTRUE\t{far}\tsub\tx=y\n\
             #HttpOnly_site.test\tFALSE\t/\tFALSE\t{far}\thidden\t1\n\
             site.test\tFALSE\t/\tFALSE\t1\texpired\tgone\r\n"
        );
        let jar = CookieJar::read_netscape(file.as_bytes()).unwrap();
        let names = |u: &str| -> Vec<String> {
            let mut names: Vec<String> = jar
                .cookies_for(&url(u))
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            names.sort();
            names
        };
        assert_eq!(names("http://127.0.0.1:9/any"), ["session"]);
        assert_eq!(names("https://www.site.test/docs/a"), ["sub"]);
        assert_eq!(names("https://site.test/docs/a"), ["hidden", "sub"]);
        assert_eq!(
            names("http://site.test/docs/a"),
            ["hidden"],
            "secure only over https"
        );
        let mut written = Vec::new();
        jar.write_netscape(&mut written).unwrap();
        let written = String::from_utf8(written).unwrap();
        assert!(
            written.contains("#HttpOnly_site.test\tFALSE\t/\tFALSE\t"),
            "{written}"
        );
        assert!(!written.contains("expired"), "{written}");
        let again = CookieJar::read_netscape(written.as_bytes()).unwrap();
        assert_eq!(again.cookies_for(&url("https://site.test/docs/")).len(), 2);
        assert_eq!(
            again.cookies_for(&url("http://127.0.0.1/")),
            [("session".to_owned(), "abc".to_owned())]
        );
    }

    #[test]
    fn bad_lines_name_their_number() {
        for (file, wanted) in [
            ("# c\nsite.test\tFALSE\t/\n", "line 2: expected 7"),
            (
                "site.test\tMAYBE\t/\tFALSE\t0\ta\tb\n",
                "line 1: the subdomains field",
            ),
            (
                "site.test\tFALSE\t/\tFALSE\tsoon\ta\tb\n",
                "line 1: expiry `soon`",
            ),
        ] {
            let err = CookieJar::read_netscape(file.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert!(err.to_string().starts_with(wanted), "{err}");
        }
    }
}
