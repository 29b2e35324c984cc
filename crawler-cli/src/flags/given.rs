//! [`Given`]: which flags were given explicitly (on the command line, in the config file or by
//! an environment variable), as opposed to left at their defaults.

use std::collections::BTreeSet;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory as _};

use super::Cli;

/// The flags given explicitly (on the command line, in the config file or by an environment
/// variable), by clap id, as opposed to those left at their defaults.
#[derive(Debug, Default)]
pub(crate) struct Given {
    ids: BTreeSet<String>,
    /// Those of `ids` that came from an environment variable.
    from_env: BTreeSet<String>,
}

impl Given {
    /// What `matches` (the parsed command line, config file merged) gave explicitly.
    pub(crate) fn of(matches: &ArgMatches) -> Self {
        let mut given = Self::default();
        for arg in Cli::command().get_arguments() {
            let id = arg.get_id().as_str();
            match matches.value_source(id) {
                Some(ValueSource::CommandLine) => {}
                Some(ValueSource::EnvVariable) => {
                    given.from_env.insert(id.to_owned());
                }
                _ => continue,
            }
            given.ids.insert(id.to_owned());
        }
        given
    }

    /// Whether the flag with clap id `id` was given.
    pub(crate) fn flag(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Whether the flag with clap id `id` was given on the command line or in the config
    /// file (not only by an environment variable).
    pub(crate) fn written(&self, id: &str) -> bool {
        self.flag(id) && !self.from_env.contains(id)
    }

    /// The clap ids of the flags given.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }
}
