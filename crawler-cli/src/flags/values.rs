//! The values flags take, as clap parses them: counts of at least one, seconds, rates, and the
//! output formats and extraction modes as clap spells them.

use std::num::NonZeroUsize;
use std::time::Duration;

use clap::ValueEnum;
use crawler_core::{ExportFormat, Extraction};

/// Parses a positive, finite number of requests per second.
pub(super) fn positive_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if rate.is_finite() && rate > 0.0 {
        Ok(rate)
    } else {
        Err(format!(
            "must be a positive number of requests per second, got `{s}`"
        ))
    }
}

/// `NonZeroUsize` of a default constant; a zero default would be a bug in crawler-core.
pub(super) const fn nonzero(n: usize) -> NonZeroUsize {
    match NonZeroUsize::new(n) {
        Some(n) => n,
        None => panic!("crawler-core defaults are at least 1"),
    }
}

/// Parses a count that must be at least 1.
pub(super) fn at_least_one(s: &str) -> Result<NonZeroUsize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number"))?;
    NonZeroUsize::new(n).ok_or_else(|| "must be at least 1".to_owned())
}

/// The output formats, as clap spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// `source_url<TAB>parsed_url` edges after a header line.
    Tsv,
    /// Node-link JSON (networkx, D3).
    Json,
    /// GraphML (networkx, Gephi, yEd).
    #[value(name = "graphml")]
    GraphMl,
    /// JUnit XML: one failed test case per broken link, for CI.
    Junit,
    /// The interactive HTML report (one self-contained file).
    Html,
    /// One JSON object a line per fetched page (url, depth, status, state, title, links),
    /// written as the crawl goes.
    Jsonl,
}

impl Format {
    /// The export of a whole graph for this format; `None` for `jsonl`, which only streams.
    pub(crate) fn batch(self) -> Option<ExportFormat> {
        match self {
            Format::Dot => Some(ExportFormat::Dot),
            Format::Tsv => Some(ExportFormat::Tsv),
            Format::Json => Some(ExportFormat::Json),
            Format::GraphMl => Some(ExportFormat::GraphMl),
            Format::Junit => Some(ExportFormat::Junit),
            Format::Html => Some(ExportFormat::Html),
            Format::Jsonl => None,
        }
    }
}

/// The extraction modes, as clap spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExtractArg {
    /// html5ever's tokenizer alone.
    Tokens,
    /// html5ever's tree builder into a DOM.
    Dom,
}

impl From<ExtractArg> for Extraction {
    fn from(arg: ExtractArg) -> Self {
        match arg {
            ExtractArg::Tokens => Extraction::Tokens,
            ExtractArg::Dom => Extraction::Dom,
        }
    }
}

/// A positive duration given in (possibly fractional) seconds, e.g. `2.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Secs(pub(crate) Duration);

impl std::fmt::Display for Secs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

/// Parses a duration in seconds that may be zero.
pub(super) fn secs_or_zero(s: &str) -> Result<Secs, String> {
    if s.trim().parse::<f64>() == Ok(0.0) {
        return Ok(Secs(Duration::ZERO));
    }
    s.parse()
}

impl std::str::FromStr for Secs {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let secs: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number of seconds"))?;
        if secs.is_nan() || secs <= 0.0 {
            return Err(format!("must be more than 0 seconds, got `{s}`"));
        }
        Duration::try_from_secs_f64(secs)
            .map(Secs)
            .map_err(|_| format!("`{s}` seconds is too long"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_cover_the_library() {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| Some(f.batch()?.name().to_owned()))
            .collect();
        let all: Vec<String> = ExportFormat::ALL
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        assert_eq!(names, all);
        for format in Format::value_variants() {
            let spelled = format.to_possible_value().unwrap();
            let name = format.batch().map_or("jsonl", ExportFormat::name);
            assert_eq!(spelled.get_name(), name);
        }
    }

    #[test]
    fn seconds_parse_and_reject() {
        assert_eq!("2.5".parse(), Ok(Secs(Duration::from_millis(2500))));
        assert_eq!("30".parse(), Ok(Secs(Duration::from_secs(30))));
        for bad in ["0", "-1", "abc", "NaN", "inf", "1e300", ""] {
            assert!(bad.parse::<Secs>().is_err(), "{bad}");
        }
    }
}
