//! [`Secret`]: a setting's value that must not be written anywhere in clear text (a password,
//! a credential header's value, a cookie).
//!
//! A secret serialises as its digest only, `{"digest": "pbkdf2-sha256$<iterations>$<hex>"}`,
//! so a [`CrawlSpec`](crate::config::CrawlSpec) can be stored (a Redis crawl keeps its spec for
//! the workers that join it) without the credentials in it. Two secrets are equal when their
//! digests are, which lets a joining worker's credentials be checked against the crawl's
//! without either being stored. A secret read back from a digest is *withheld*: it compares,
//! but it cannot be sent, so [`build`](crate::CrawlerBuilder::build) refuses it with
//! [`ConfigError::SecretWithheld`](crate::ConfigError::SecretWithheld) until the value is given
//! again.
//!
//! The digest is PBKDF2-HMAC-SHA256 with [`ITERATIONS`] rounds and a fixed application salt.
//! The salt is fixed so that two workers started apart derive the same digest for the same
//! value; the rounds make guessing a weak password from a stored digest slow (about 10 ms a
//! guess on one core, optimised). High-entropy tokens and session cookies cannot be guessed.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::OnceLock;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// PBKDF2 rounds of a secret's digest.
pub const ITERATIONS: u32 = 100_000;

/// The salt of every digest: constant, so digests made by different processes compare.
const SALT: &[u8] = b"crawlgraph secret digest v1";

/// A value kept out of every serialised form; see the [module docs](self).
#[derive(Clone)]
pub struct Secret {
    /// The value, or `None` when only the digest is known (read back from storage).
    clear: Option<String>,
    /// The digest, computed when first needed.
    digest: OnceLock<String>,
}

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            clear: Some(value.into()),
            digest: OnceLock::new(),
        }
    }

    /// A secret known only by its digest: it compares but cannot be sent.
    fn withheld(digest: String) -> Self {
        Self {
            clear: None,
            digest: OnceLock::from(digest),
        }
    }

    /// The value, or `None` when it was withheld (only its digest was stored).
    pub fn expose(&self) -> Option<&str> {
        self.clear.as_deref()
    }

    /// Whether the value is known.
    pub fn is_withheld(&self) -> bool {
        self.clear.is_none()
    }

    /// The digest, `pbkdf2-sha256$<iterations>$<hex>`.
    pub fn digest(&self) -> &str {
        self.digest.get_or_init(|| {
            let value = self.clear.as_deref().unwrap_or_default();
            digest_of(value)
        })
    }
}

/// PBKDF2-HMAC-SHA256 of `value` with the fixed salt, as `pbkdf2-sha256$<iterations>$<hex>`.
fn digest_of(value: &str) -> String {
    use std::fmt::Write as _;
    let mut out = [0u8; 32];
    let rounds = NonZeroU32::new(ITERATIONS).unwrap_or(NonZeroU32::MIN);
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        SALT,
        value.as_bytes(),
        &mut out,
    );
    let mut text = format!("pbkdf2-sha256${ITERATIONS}$");
    for byte in out {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        match (&self.clear, &other.clear) {
            (Some(a), Some(b)) => a == b,
            _ => self.digest() == other.digest(),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_withheld() {
            "Secret(<withheld>)"
        } else {
            "Secret(<hidden>)"
        })
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Stored<'a> {
            digest: &'a str,
        }
        Stored {
            digest: self.digest(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Secret {
    /// Reads a value given in clear (a string, as a config file or a Python caller writes it)
    /// or a stored digest (`{"digest": ...}`), which is withheld.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Clear(String),
            Stored { digest: String },
        }
        match Form::deserialize(deserializer)? {
            Form::Clear(value) => Ok(Secret::new(value)),
            Form::Stored { digest } if digest.starts_with("pbkdf2-sha256$") => {
                Ok(Secret::withheld(digest))
            }
            Form::Stored { .. } => Err(D::Error::custom(
                "a secret's digest must be pbkdf2-sha256$<iterations>$<hex>",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_a_digest_and_reads_back_withheld() {
        let secret = Secret::new("hunter2");
        let json = serde_json::to_string(&secret).unwrap();
        assert!(!json.contains("hunter2"), "{json}");
        assert!(
            json.starts_with(r#"{"digest":"pbkdf2-sha256$100000$"#),
            "{json}"
        );
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert!(back.is_withheld());
        assert_eq!(back.expose(), None);
        assert_eq!(back, secret);
        assert_ne!(back, Secret::new("hunter3"));
        assert!(!format!("{secret:?} {back:?}").contains("hunter2"));
    }

    #[test]
    fn a_clear_string_reads_as_a_known_value() {
        let secret: Secret = serde_json::from_str(r#""pw""#).unwrap();
        assert_eq!(secret.expose(), Some("pw"));
        assert!(serde_json::from_str::<Secret>(r#"{"digest":"md5$x"}"#).is_err());
    }

    #[test]
    fn digest_is_pbkdf2_sha256() {
        // Workers started apart must derive the same digest for the same value.
        let a = digest_of("token");
        assert_eq!(a, digest_of("token"));
        assert_eq!(a.len(), "pbkdf2-sha256$100000$".len() + 64);
        assert_ne!(a, digest_of("token2"));
    }
}
