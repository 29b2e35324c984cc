//! What a crawl sends besides the request itself: extra headers, cookies, basic-auth
//! credentials, a proxy, and whether invalid TLS certificates are accepted.
//!
//! Credentials never leave the seeds' origins. `--user` and the credential-bearing headers
//! (`Authorization`, `Proxy-Authorization`, `Cookie`) are added per request, only when the URL's
//! origin (scheme, host and port) is a seed's: a link or a redirect to another host never gets
//! them. Cookies given as `name=value` are stored host-only for each seed, so the cookie rules
//! keep them there too. Other headers go to every request.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE};
use url::{Origin, Url};

use crate::config::cookies::CookieJar;
use crate::error::ConfigError;

/// Request options of a crawl, validated from its [`CrawlSpec`](crate::CrawlSpec).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct HttpOptions {
    /// Extra headers sent with every request (credential headers only to the seeds' origins).
    pub headers: Vec<(String, String)>,
    /// `name=value` cookies sent to the seeds' hosts.
    pub cookies: Vec<String>,
    /// The cookie jar, when cookies are kept at all.
    pub cookie_jar: Option<CookieJar>,
    /// Basic-auth credentials for the seeds' origins.
    pub basic_auth: Option<BasicAuth>,
    /// Proxy for every request, instead of the `HTTP_PROXY`/`HTTPS_PROXY` variables.
    pub proxy: Option<Url>,
    /// Whether invalid TLS certificates (self-signed, expired, wrong host) are accepted.
    pub accept_invalid_certs: bool,
}

/// A user name and optional password for HTTP basic authentication. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub user: String,
    /// The password, if any.
    pub password: Option<String>,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// Headers that carry credentials: sent to the seeds' origins only.
fn is_credential(name: &HeaderName) -> bool {
    *name == AUTHORIZATION || *name == COOKIE || name.as_str() == "proxy-authorization"
}

/// Whether a header of this name (any case) carries credentials.
pub(crate) fn is_credential_name(name: &str) -> bool {
    HeaderName::from_bytes(name.trim().as_bytes()).is_ok_and(|name| is_credential(&name))
}

impl HttpOptions {
    /// Configures the crawl's client: headers for every host, the cookie jar, the proxy and
    /// certificate checks.
    pub(crate) fn configure(&self, mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let mut headers = HeaderMap::new();
        for (name, value) in self.parsed_headers() {
            if !is_credential(&name) {
                headers.append(name, value);
            }
        }
        builder = builder.default_headers(headers);
        if let Some(jar) = &self.cookie_jar {
            builder = builder.cookie_provider(std::sync::Arc::new(jar.clone()));
        }
        if let Some(proxy) = &self.proxy {
            // Checked by the setter, so this cannot fail.
            if let Ok(proxy) = reqwest::Proxy::all(proxy.clone()) {
                builder = builder.proxy(proxy);
            }
        }
        if self.accept_invalid_certs {
            builder = builder.danger_accept_invalid_certs(true);
        }
        builder
    }

    /// Whether every request carries a validator (`If-None-Match`, `If-Modified-Since`, given
    /// with `--header`), so that `304 Not Modified` is a fitting answer.
    pub(crate) fn sends_validators(&self) -> bool {
        self.headers.iter().any(|(name, _)| {
            let name = name.trim();
            name.eq_ignore_ascii_case("if-none-match")
                || name.eq_ignore_ascii_case("if-modified-since")
        })
    }

    fn parsed_headers(&self) -> impl Iterator<Item = (HeaderName, HeaderValue)> + '_ {
        self.headers.iter().filter_map(|(name, value)| {
            let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
            let mut value = HeaderValue::from_str(value).ok()?;
            value.set_sensitive(is_credential(&name));
            Some((name, value))
        })
    }

    /// The credentials of a crawl from seeds with these origins; stores the `name=value`
    /// cookies for each seed host.
    pub(crate) fn credentials_for(&self, seeds: &[Origin]) -> Credentials {
        if let Some(jar) = &self.cookie_jar {
            for seed in seeds {
                let Ok(root) = Url::parse(&seed.ascii_serialization()) else {
                    continue;
                };
                for pair in &self.cookies {
                    jar.add_host_cookie(pair, &root);
                }
            }
        }
        let mut headers = HeaderMap::new();
        for (name, value) in self.parsed_headers() {
            if is_credential(&name) {
                headers.append(name, value);
            }
        }
        if let Some(auth) = &self.basic_auth {
            let mut value = basic_header(&auth.user, auth.password.as_deref());
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let origins = if headers.is_empty() {
            Vec::new()
        } else {
            seeds.to_vec()
        };
        Credentials { origins, headers }
    }
}

/// `Basic base64(user:password)`.
fn basic_header(user: &str, password: Option<&str>) -> HeaderValue {
    use std::io::Write as _;
    let mut plain = Vec::new();
    let _ = write!(plain, "{user}:{}", password.unwrap_or_default());
    let header = format!("Basic {}", base64(&plain));
    HeaderValue::from_str(&header).unwrap_or_else(|_| HeaderValue::from_static("Basic"))
}

/// Standard base64 with padding (RFC 4648), for the one header that needs it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The per-request credentials of one crawl: added only for the seeds' origins.
#[derive(Debug, Default)]
pub(crate) struct Credentials {
    origins: Vec<Origin>,
    headers: HeaderMap,
}

impl Credentials {
    /// Adds the credentials to a request for `url` when its origin is a seed's.
    pub(crate) fn apply(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
    ) -> reqwest::RequestBuilder {
        if self.headers.is_empty() || !self.origins.contains(&url.origin()) {
            return request;
        }
        request.headers(self.headers.clone())
    }
}

impl HttpOptions {
    /// Header `name: value`, trimmed, if both are valid.
    pub(crate) fn check_header(name: &str, value: &str) -> Result<(String, String), ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidHeader {
            header: name.to_owned(),
            reason: reason.to_owned(),
        };
        if HeaderName::from_bytes(name.trim().as_bytes()).is_err() {
            return Err(invalid("not a valid header name"));
        }
        if HeaderValue::from_str(value.trim()).is_err() {
            return Err(invalid("the value has characters a header cannot carry"));
        }
        Ok((name.trim().to_owned(), value.trim().to_owned()))
    }

    /// Cookie `name=value`, trimmed, if it is one.
    pub(crate) fn check_cookie(pair: &str) -> Result<String, ConfigError> {
        let valid = pair.split_once('=').is_some_and(|(name, value)| {
            let name = name.trim();
            !name.is_empty()
                && !name.contains(|c: char| c.is_ascii_control() || ";, ".contains(c))
                && !value.contains(|c: char| c.is_ascii_control() || c == ';')
        });
        if !valid {
            return Err(ConfigError::InvalidCookie(pair.to_owned()));
        }
        Ok(pair.trim().to_owned())
    }

    /// The proxy URL, if it is an `http://` or `https://` URL with a host that reqwest takes.
    pub(crate) fn check_proxy(proxy: &str) -> Result<Url, ConfigError> {
        let parsed = Url::parse(proxy).map_err(|err| err.to_string());
        let parsed = parsed.and_then(|url| match url.scheme() {
            "http" | "https" if url.has_host() => Ok(url),
            _ => Err("must be an http:// or https:// URL with a host".to_owned()),
        });
        parsed
            .and_then(|url| {
                reqwest::Proxy::all(url.clone())
                    .map(|_| url)
                    .map_err(|err| err.to_string())
            })
            .map_err(|reason| ConfigError::InvalidProxy {
                proxy: proxy.to_owned(),
                reason,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
        assert_eq!(
            basic_header("Aladdin", Some("open sesame")),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn credentials_stay_on_seed_origins() {
        let seed = Url::parse("http://127.0.0.1:8080/start").unwrap();
        let options = HttpOptions {
            headers: vec![("Authorization".into(), "Bearer t".into())],
            basic_auth: Some(BasicAuth {
                user: "u".into(),
                password: None,
            }),
            ..HttpOptions::default()
        };
        let credentials = options.credentials_for(&[seed.origin()]);
        let client = reqwest::Client::new();
        let sent = |url: &str| {
            let url = Url::parse(url).unwrap();
            let request = credentials.apply(client.get(url.clone()), &url);
            request
                .build()
                .unwrap()
                .headers()
                .get(AUTHORIZATION)
                .cloned()
        };
        assert_eq!(sent("http://127.0.0.1:8080/other").unwrap(), "Basic dTo=");
        for elsewhere in [
            "http://127.0.0.2:8080/",
            "http://127.0.0.1:8081/",
            "https://127.0.0.1:8080/",
        ] {
            assert_eq!(sent(elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn basic_auth_debug_hides_the_password() {
        let auth = BasicAuth {
            user: "u".into(),
            password: Some("secret".into()),
        };
        assert!(!format!("{auth:?}").contains("secret"));
    }
}
