//! The config file: `crawlgraph.toml` in the working directory, or `--config FILE`.
//!
//! Its keys are the long flags (`per-host = 4`, `header = ["X-A: 1"]`, `ignore-robots =
//! true`; `per_host` is accepted too), so there is nothing new to learn and `--help`
//! documents both. The file is turned into flags placed before the command line's, and a
//! flag given on the command line replaces the file's value (for repeatable flags, the
//! command line's list replaces the file's). An unknown key, a value of the wrong type, or a
//! value the flag would refuse is a usage error naming the file and key (exit 2).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches};

use super::{Cli, Given};

/// The file read when `--config` is not given, if it exists.
pub(crate) const DEFAULT_FILE: &str = "crawlgraph.toml";

/// Flags that make no sense in the file.
const NOT_IN_FILE: [&str; 4] = ["config", "no-config", "help", "version"];

/// Why the arguments were refused.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// The command line itself (or `--help`, `--version`).
    Clap(clap::Error),
    /// The config file: one line naming the file.
    Config(String),
}

/// The command line, with the config file's settings under it.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The flags.
    pub(crate) cli: Cli,
    /// Which were given (on the command line, in the file, or by the environment).
    pub(crate) given: Given,
}

impl Parsed {
    fn of(matches: &ArgMatches) -> Result<Self, ParseError> {
        Ok(Self {
            cli: Cli::from_arg_matches(matches).map_err(ParseError::Clap)?,
            given: Given::of(matches),
        })
    }
}

/// Parses `args` (program name first) with the config file's settings under them.
pub(crate) fn parse(args: Vec<OsString>) -> Result<Parsed, ParseError> {
    let matches = Cli::command()
        .try_get_matches_from(&args)
        .map_err(ParseError::Clap)?;
    let Some(path) = config_path(&matches)? else {
        return Parsed::of(&matches);
    };
    let flags = file_flags(&path, &matches)?;
    if flags.is_empty() {
        return Parsed::of(&matches);
    }
    let program = args.first().cloned().unwrap_or_else(|| "crawl".into());
    // The file's flags alone first, so a bad value is reported as the file's.
    let alone = std::iter::once(program.clone()).chain(flags.iter().cloned());
    if let Err(err) = Cli::command().try_get_matches_from(alone) {
        return Err(ParseError::Config(format!(
            "{}: {}",
            path.display(),
            super::clap_error::one_line(&err)
        )));
    }
    let merged = std::iter::once(program)
        .chain(flags)
        .chain(args.into_iter().skip(1));
    let matches = Cli::command()
        .try_get_matches_from(merged)
        .map_err(ParseError::Clap)?;
    Parsed::of(&matches)
}

/// `--config FILE`, else `./crawlgraph.toml` if it exists (and `--no-config` is not given);
/// never for a subcommand.
fn config_path(matches: &ArgMatches) -> Result<Option<PathBuf>, ParseError> {
    if matches.subcommand().is_some() || matches.get_flag("no_config") {
        return Ok(None);
    }
    if let Some(path) = matches.get_one::<PathBuf>("config") {
        if !path.is_file() {
            return Err(ParseError::Config(format!(
                "config file {} does not exist or is not a file",
                path.display()
            )));
        }
        return Ok(Some(path.clone()));
    }
    let default = Path::new(DEFAULT_FILE);
    Ok(default.is_file().then(|| default.to_path_buf()))
}

/// The file's settings as command-line flags, leaving out those given on the command line.
fn file_flags(path: &Path, matches: &ArgMatches) -> Result<Vec<OsString>, ParseError> {
    let fail = |message: String| ParseError::Config(format!("{}: {message}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|err| fail(format!("cannot read: {err}")))?;
    let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
        let message = err.message().to_owned();
        let line = err
            .span()
            .map(|span| text[..span.start].lines().count().max(1));
        fail(match line {
            Some(line) => format!("invalid TOML at line {line}: {message}"),
            None => format!("invalid TOML: {message}"),
        })
    })?;
    let command = Cli::command();
    let mut flags = Vec::new();
    for (key, value) in &table {
        let long = key.replace('_', "-");
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(long.as_str()))
            .filter(|_| !NOT_IN_FILE.contains(&long.as_str()))
            .ok_or_else(|| {
                fail(format!(
                    "unknown key `{key}` (the keys are crawl's long flags, e.g. `per-host`)"
                ))
            })?;
        if matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine) {
            continue;
        }
        let flag = format!("--{long}");
        let wrong = |wanted: &str| fail(format!("`{key}` must be {wanted}"));
        match arg.get_action() {
            ArgAction::SetTrue => match value {
                toml::Value::Boolean(true) => flags.push(flag.into()),
                toml::Value::Boolean(false) => {}
                _ => return Err(wrong("true or false")),
            },
            ArgAction::Count => {
                let count = value
                    .as_integer()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|&n| n <= 3)
                    .ok_or_else(|| wrong("a count from 0 to 3"))?;
                flags.extend(std::iter::repeat_n(OsString::from(&flag), count));
            }
            ArgAction::Append => {
                let values = match value {
                    toml::Value::Array(values) => values.iter().collect(),
                    single => vec![single],
                };
                for value in values {
                    let value = scalar(value).ok_or_else(|| wrong("a string or a list"))?;
                    flags.push(format!("{flag}={value}").into());
                }
            }
            _ => {
                let value = scalar(value).ok_or_else(|| wrong("a single value"))?;
                flags.push(format!("{flag}={value}").into());
            }
        }
    }
    Ok(flags)
}

/// A string, number or boolean as the command line would spell it.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(x) => Some(x.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_with(file: &str, args: &[&str]) -> Result<Cli, ParseError> {
        parse_given(file, args).map(|parsed| parsed.cli)
    }

    fn parse_given(file: &str, args: &[&str]) -> Result<Parsed, ParseError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, file).unwrap();
        let mut command_line: Vec<OsString> = vec!["crawl".into(), "--config".into(), path.into()];
        command_line.extend(args.iter().map(OsString::from));
        parse(command_line)
    }

    fn config_error(result: Result<Cli, ParseError>) -> String {
        match result {
            Err(ParseError::Config(message)) => message,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn file_values_apply_and_flags_win() {
        let file = "depth = 4\nper_host = 7\nignore-robots = true\nverbose = 2\n\
                    header = [\"X-A: 1\", \"X-B: 2\"]\ndelay = 0.5\n";
        let cli = parse_with(file, &[]).unwrap();
        assert_eq!(cli.depth, 4);
        assert_eq!(cli.per_host.get(), 7);
        assert!(cli.politeness.ignore_robots);
        assert_eq!(cli.verbose, 2);
        assert_eq!(cli.http.header.len(), 2);
        let cli = parse_with(file, &["--depth", "1", "-H", "X-C: 3", "http://x.test/"]).unwrap();
        assert_eq!(cli.depth, 1);
        assert_eq!(cli.per_host.get(), 7);
        assert_eq!(cli.http.header, [("X-C".to_owned(), "3".to_owned())]);
        assert_eq!(cli.urls, ["http://x.test/"]);
    }

    #[test]
    fn file_settings_count_as_given() {
        let parsed = parse_given("per-host = 7\n", &["--depth", "1"]).unwrap();
        assert!(parsed.given.flag("per_host"));
        assert!(parsed.given.flag("depth"));
        assert!(!parsed.given.flag("timeout"));
    }

    #[test]
    fn bad_files_name_the_key() {
        let message = config_error(parse_with("depht = 3\n", &[]));
        assert!(message.contains("unknown key `depht`"), "{message}");
        let message = config_error(parse_with("ignore-robots = \"yes\"\n", &[]));
        assert!(
            message.contains("`ignore-robots` must be true or false"),
            "{message}"
        );
        let message = config_error(parse_with("depth = \"deep\"\n", &[]));
        assert!(
            message.contains("c.toml: ") && message.contains("--depth"),
            "{message}"
        );
        let message = config_error(parse_with("depth = \n", &[]));
        assert!(message.contains("invalid TOML at line 1"), "{message}");
        let message = config_error(parse_with("config = \"other.toml\"\n", &[]));
        assert!(message.contains("unknown key `config`"), "{message}");
    }
}
