//! Text and markdown renderings of an [`Analysis`](super::Analysis) and a
//! [`GraphDiff`](super::diff::GraphDiff).
//!
//! Each report is first laid out as a `Doc`: headings, lines and tables of cells with a
//! tone. The text writer aligns columns and, when asked, colours headings and cells with ANSI
//! escapes; the markdown writer makes GitHub tables for PR comments. Whether to colour is the
//! caller's decision (the CLI checks for a terminal and `NO_COLOR`): the library never looks
//! at the terminal.
//!
//! # Architecture
//! - `analysis`: the report's sections.
//! - `diff`: the diff's sections.

use std::fmt::Write as _;
use std::io::{self, Write};

mod analysis;
mod diff;

pub use analysis::write_analysis;
pub use diff::write_diff;

/// How to render a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// Aligned plain text; ANSI colours when `colour` is true.
    Text {
        /// Whether to colour headings and cells.
        colour: bool,
    },
    /// GitHub-flavoured markdown.
    Markdown,
}

/// How a cell should look when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Plain,
    Good,
    Bad,
    Dim,
}

/// One table cell.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    text: String,
    tone: Tone,
}

impl Cell {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self::toned(text, Tone::Plain)
    }

    pub(crate) fn toned(text: impl Into<String>, tone: Tone) -> Self {
        let text: String = text.into();
        // Cells are one line: anchor texts and titles may hold newlines and tabs.
        let text = if text.contains(['\n', '\r', '\t']) {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            text
        };
        Self { text, tone }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::new(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::new(text)
    }
}

/// A block of a report.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Heading(String),
    Line(String),
    Table {
        header: Vec<&'static str>,
        rows: Vec<Vec<Cell>>,
    },
}

/// A report laid out, ready for either writer.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    title: String,
    blocks: Vec<Block>,
}

impl Doc {
    pub(crate) fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    pub(crate) fn heading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Heading(text.into()));
    }

    pub(crate) fn line(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Line(text.into()));
    }

    /// A table; an empty one is replaced by `empty` as a line.
    pub(crate) fn table(&mut self, header: Vec<&'static str>, rows: Vec<Vec<Cell>>, empty: &str) {
        if rows.is_empty() {
            self.line(empty);
        } else {
            self.blocks.push(Block::Table { header, rows });
        }
    }

    pub(crate) fn write(&self, style: Style, out: &mut impl Write) -> io::Result<()> {
        let text = match style {
            Style::Text { colour } => self.text(colour),
            Style::Markdown => self.markdown(),
        };
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    fn text(&self, colour: bool) -> String {
        let paint = |text: &str, code: &str| {
            if colour {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        let mut s = format!("{}\n", paint(&self.title, "1"));
        for block in &self.blocks {
            match block {
                Block::Heading(h) => {
                    let _ = write!(s, "\n{}\n", paint(h, "1;4"));
                }
                Block::Line(l) => {
                    let _ = writeln!(s, "{l}");
                }
                Block::Table { header, rows } => {
                    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
                    for row in rows {
                        for (w, cell) in widths.iter_mut().zip(row) {
                            *w = (*w).max(cell.text.chars().count());
                        }
                    }
                    let head: Vec<Cell> =
                        header.iter().map(|h| Cell::toned(*h, Tone::Dim)).collect();
                    for row in std::iter::once(&head).chain(rows) {
                        let mut line = String::new();
                        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
                            let pad = width - cell.text.chars().count();
                            let last = i + 1 == row.len();
                            let code = match cell.tone {
                                Tone::Plain => None,
                                Tone::Good => Some("32"),
                                Tone::Bad => Some("31"),
                                Tone::Dim => Some("2"),
                            };
                            match code {
                                Some(code) => line.push_str(&paint(&cell.text, code)),
                                None => line.push_str(&cell.text),
                            }
                            if !last {
                                line.push_str(&" ".repeat(pad + 2));
                            }
                        }
                        let _ = writeln!(s, "  {}", line.trim_end());
                    }
                }
            }
        }
        s
    }

    fn markdown(&self) -> String {
        let escape = |t: &str| t.replace('|', "\\|");
        let mut s = format!("# {}\n", self.title);
        for block in &self.blocks {
            match block {
                Block::Heading(h) => {
                    let _ = write!(s, "\n## {h}\n\n");
                }
                Block::Line(l) => {
                    let _ = writeln!(s, "{l}\n");
                }
                Block::Table { header, rows } => {
                    let _ = writeln!(s, "| {} |", header.join(" | "));
                    let _ = writeln!(s, "|{}", "---|".repeat(header.len()));
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(|c| escape(&c.text)).collect();
                        let _ = writeln!(s, "| {} |", cells.join(" | "));
                    }
                    s.push('\n');
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Doc {
        let mut doc = Doc::new("Title");
        doc.heading("Part");
        doc.table(
            vec!["url", "n"],
            vec![
                vec![Cell::toned("http://x/a|b", Tone::Bad), Cell::new("1")],
                vec![Cell::new("http://x/long-one"), Cell::new("22")],
            ],
            "none",
        );
        doc.table(vec!["x"], Vec::new(), "Nothing here.");
        doc
    }

    #[test]
    fn text_aligns_columns_without_colour() {
        let mut out = Vec::new();
        sample()
            .write(Style::Text { colour: false }, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "Title\n\nPart\n  url                n\n  http://x/a|b       1\n  http://x/long-one  22\nNothing here.\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let mut out = Vec::new();
        sample()
            .write(Style::Text { colour: true }, &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[31mhttp://x/a|b\x1b[0m"), "{text:?}");
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let mut out = Vec::new();
        sample().write(Style::Markdown, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(
            md.starts_with("# Title\n\n## Part\n\n| url | n |\n|---|---|\n"),
            "{md}"
        );
        assert!(md.contains("| http://x/a\\|b | 1 |"));
        assert!(md.contains("Nothing here.\n"));
        assert!(!md.contains('\x1b'));
    }

    #[test]
    fn cells_are_one_line() {
        assert_eq!(Cell::new("a\n  b\tc").text, "a b c");
    }
}
