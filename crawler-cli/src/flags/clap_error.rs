//! Clap's errors as `crawl` prints them: help and version as clap does, anything else as one
//! line naming the valid values or the likely spelling.

use crate::exit::ExitStatus;
use crate::progress;

/// Prints help and version as clap does, and any other clap error as one line; returns the
/// exit status (0 for help and version, 2 otherwise).
pub(crate) fn report(err: &clap::Error) -> ExitStatus {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed stdout (`crawl --help | head`) is fine.
            let _ = err.print();
            ExitStatus::Success
        }
        _ => {
            progress::eprint_line(&format!("crawl: error: {}", one_line(err)));
            ExitStatus::Usage
        }
    }
}

/// Clap's message without its `error: ` prefix, usage block and tips, plus the valid values
/// or the suggested spelling when clap has them.
pub(crate) fn one_line(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    use std::fmt::Write as _;
    let text = err.render().to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    let values = |kind| match err.get(kind) {
        Some(ContextValue::Strings(values)) if !values.is_empty() => Some(values.join(", ")),
        Some(ContextValue::String(value)) => Some(value.clone()),
        _ => None,
    };
    if line.ends_with(':') {
        // "the following required arguments were not provided:" lists them on the next lines.
        if let Some(missing) = values(ContextKind::InvalidArg) {
            let _ = write!(line, " {missing}");
        }
    }
    if let Some(valid) = values(ContextKind::ValidValue) {
        let _ = write!(line, " (possible values: {valid})");
    } else if let Some(similar) =
        values(ContextKind::SuggestedArg).or_else(|| values(ContextKind::SuggestedValue))
    {
        let _ = write!(line, " (did you mean {similar}?)");
    }
    line.push_str("; see crawl --help");
    line
}
