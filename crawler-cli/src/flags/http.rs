//! The request flags of `crawl`: extra headers, cookies and a cookie jar file, basic auth,
//! proxy and certificate checks. The library holds and applies the settings.

use std::path::PathBuf;

/// Request options; the library decides where each is sent.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Request options")]
pub(crate) struct HttpArgs {
    /// Send header `Name: value` with every request (repeatable). Authorization, Cookie and
    /// Proxy-Authorization go to the seeds' hosts only.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    pub(crate) header: Vec<(String, String)>,

    /// Send cookie `name=value` to the seeds' hosts (repeatable).
    #[arg(long = "cookie", value_name = "NAME=VALUE")]
    pub(crate) cookie: Vec<String>,

    /// Read cookies from FILE (Netscape cookies.txt) if it exists, keep the cookies servers
    /// set, and write them all back to FILE at the end.
    #[arg(long, value_name = "FILE")]
    pub(crate) cookie_jar: Option<PathBuf>,

    /// HTTP basic auth for the seeds' hosts only, never for other hosts or redirects there;
    /// without `:PASS` the password is asked for on the terminal.
    #[arg(long, short = 'u', value_name = "USER[:PASS]")]
    pub(crate) user: Option<String>,

    /// Send every request through this http(s) proxy (default: `HTTP_PROXY`, `HTTPS_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY` from the environment; never with --deny-private-ips).
    #[arg(long, value_name = "URL")]
    pub(crate) proxy: Option<String>,

    /// Accept invalid TLS certificates (self-signed, expired, wrong host). Insecure: for test
    /// servers only.
    #[arg(long)]
    pub(crate) accept_invalid_certs: bool,
}

/// Splits `Name: value` at its first colon.
fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!("`{s}` is not `Name: value`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_at_the_first_colon() {
        assert_eq!(
            parse_header("X-A: b: c"),
            Ok(("X-A".to_owned(), "b: c".to_owned()))
        );
        assert_eq!(
            parse_header("Empty:"),
            Ok(("Empty".to_owned(), String::new()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": value").is_err());
    }
}
