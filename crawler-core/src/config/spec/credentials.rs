//! The spec's credentials: extra request headers (a credential header's value kept as a
//! [`Secret`]) and basic-auth logins.

use serde::{Deserialize, Serialize};

use crate::config::secret::Secret;

/// An extra request header. The value of a credential header is kept as a [`Secret`]'s digest
/// when the spec is serialised; other values are written as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header's name.
    pub name: String,
    /// The header's value.
    pub value: Secret,
}

impl Header {
    /// Header `name: value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Secret::new(value),
        }
    }

    /// Whether the header carries credentials (sent to the seeds' origins only, and
    /// serialised as a digest).
    pub fn is_credential(&self) -> bool {
        crate::http_options::is_credential_name(&self.name)
    }
}

impl Serialize for Header {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut header = serializer.serialize_struct("Header", 2)?;
        header.serialize_field("name", &self.name)?;
        match self.value.expose() {
            Some(value) if !self.is_credential() => header.serialize_field("value", value)?,
            _ => header.serialize_field("value", &self.value)?,
        }
        header.end()
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Form {
            name: String,
            value: Secret,
        }
        let Form { name, value } = Form::deserialize(deserializer)?;
        Ok(Header { name, value })
    }
}

/// Basic-auth credentials: a user name and an optional password (a [`Secret`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The user name.
    pub name: String,
    /// The password, if any.
    pub password: Option<Secret>,
}
