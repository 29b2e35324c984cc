//! The request options of `crawl`: extra headers, cookies and a cookie jar file, basic auth,
//! proxy and certificate checks.
//!
//! The library holds and applies the settings; this module parses the flags, asks for a
//! missing password on the terminal, reads the cookie jar before the crawl and writes it back
//! after it (atomically, like `-o`).

use std::io::{BufReader, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::Context;
use crawler_core::{CookieJar, CrawlerBuilder};

use crate::exit::usage;

/// Request options; the library decides where each is sent.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Request options")]
pub(crate) struct HttpArgs {
    /// Send header `Name: value` with every request (repeatable). Authorization, Cookie and
    /// Proxy-Authorization go to the seeds' hosts only.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,

    /// Send cookie `name=value` to the seeds' hosts (repeatable).
    #[arg(long = "cookie", value_name = "NAME=VALUE")]
    pub(crate) cookies: Vec<String>,

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

impl HttpArgs {
    /// Adds the options to `builder`; returns the jar to save after the crawl, if any.
    ///
    /// # Errors
    /// An unreadable or malformed cookie jar, or a password that cannot be asked for.
    pub(crate) fn apply(
        &self,
        mut builder: CrawlerBuilder,
    ) -> anyhow::Result<(CrawlerBuilder, Option<CookieJar>)> {
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let jar = match &self.cookie_jar {
            Some(path) => Some(read_jar(path)?),
            None => None,
        };
        if let Some(jar) = &jar {
            builder = builder.cookie_jar(jar.clone());
        }
        for cookie in &self.cookies {
            builder = builder.cookie(cookie);
        }
        if let Some(user) = &self.user {
            let (name, password) = match user.split_once(':') {
                Some((name, password)) => (name, password.to_owned()),
                None => (user.as_str(), ask_password(user)?),
            };
            builder = builder.basic_auth(name, Some(&password));
        }
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy);
        }
        if self.accept_invalid_certs {
            crate::progress::eprint_line(
                "crawl: WARNING: --accept-invalid-certs: TLS certificates are NOT checked; \
                 anyone on the network path can read and change this crawl's traffic",
            );
            builder = builder.accept_invalid_certs(true);
        }
        Ok((builder, jar))
    }

    /// Writes `jar` back to the `--cookie-jar` file.
    ///
    /// # Errors
    /// The file cannot be written.
    pub(crate) fn save_jar(&self, jar: &CookieJar) -> anyhow::Result<()> {
        let Some(path) = &self.cookie_jar else {
            return Ok(());
        };
        crate::output::stage(path, &|w| jar.write_netscape(w))
            .and_then(crate::output::Staged::commit)
            .with_context(|| format!("cannot write the cookie jar {}", path.display()))?;
        Ok(())
    }
}

/// Reads the jar file; a missing file is an empty jar (it is created at the end).
fn read_jar(path: &Path) -> anyhow::Result<CookieJar> {
    match std::fs::File::open(path) {
        Ok(file) => CookieJar::read_netscape(BufReader::new(file))
            .map_err(|err| usage(format!("cookie jar {}: {err}", path.display()))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(CookieJar::new()),
        Err(err) => Err(usage(format!(
            "cannot read the cookie jar {}: {err}",
            path.display()
        ))),
    }
}

/// Asks for `user`'s password on the terminal.
fn ask_password(user: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "--user {user} has no password and there is no terminal to ask for it; give \
             --user {user}:PASSWORD"
        )));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|err| usage(format!("cannot read the password: {err}")))
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
