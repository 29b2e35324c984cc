//! Durations in a serialised spec: (possibly fractional) seconds; [`opt`] for an optional one,
//! `null` for none.

use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

pub(super) fn serialize<S: Serializer>(d: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(d.as_secs_f64())
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(deserializer)?;
    Duration::try_from_secs_f64(secs).map_err(|_| {
        D::Error::custom(format!(
            "{secs} is not a number of seconds from 0 to about 10^19"
        ))
    })
}

/// An optional duration as seconds, `null` for none.
pub(super) mod opt {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[expect(clippy::ref_option, reason = "the signature serde's `with` calls")]
    pub(in crate::config::spec) fn serialize<S: Serializer>(
        d: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        d.map(|d| d.as_secs_f64()).serialize(serializer)
    }

    pub(in crate::config::spec) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Secs(#[serde(with = "super")] Duration);
        Ok(Option::<Secs>::deserialize(deserializer)?.map(|Secs(d)| d))
    }
}
