//! Seeds files longer than one batch of the parallel loader (2^18 URL lines, each batch parsed
//! on every core, then added in order): the result is that of reading the file line by line.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crawler_tests::FixtureServer;

use crate::support::crawl;

/// A seeds file of `lines` lines: comments and blank lines among the URLs (so that line
/// numbers and URL places differ), and every seventh line a repeat, in another spelling, of a
/// URL about half as far into the file (in an earlier batch, for most). `bad` puts a line at a
/// line number. Returns the text and the distinct URLs in order.
fn seeds_file(
    lines: usize,
    host: &str,
    first: &str,
    bad: &[(usize, &str)],
) -> (String, Vec<String>) {
    let mut list = format!("{first}\n");
    let mut distinct = vec![first.to_owned()];
    for i in 1..lines {
        let line = i + 1;
        if let Some((_, text)) = bad.iter().find(|(at, _)| *at == line) {
            list.push_str(text);
            list.push('\n');
            continue;
        }
        match i % 7 {
            3 => list.push_str("# a comment\n"),
            4 => list.push('\n'),
            5 => {
                let j = (i / 2 - (i / 2) % 7).max(1); // a URL line, listed before
                let _ = writeln!(list, "HTTP://{host}/s/x/../{j}#again");
            }
            _ => {
                let url = format!("http://{host}/s/{i}");
                list.push_str(&url);
                list.push('\n');
                distinct.push(url);
            }
        }
    }
    (list, distinct)
}

fn write(dir: &Path, list: &str) -> String {
    fs::write(dir.join("seeds.txt"), list).unwrap();
    "seeds.txt".to_owned()
}

/// Two batches (a debug build records their 217,000 seeds in about half a minute).
#[test]
fn seeds_of_several_batches_keep_their_order_and_first_spellings() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (list, distinct) = seeds_file(
        380_000,
        &server.addr().to_string(),
        &server.url("/_/links/0"),
        &[],
    );
    let seeds = write(dir.path(), &list);
    crawl([
        "--seeds",
        &seeds,
        "--max-pages",
        "1",
        "-q",
        "--nodes",
        "nodes.tsv",
    ])
    .current_dir(dir.path())
    .run()
    .expect_code(0);
    let table = fs::read_to_string(dir.path().join("nodes.tsv")).unwrap();
    let urls: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    let url_lines = list
        .lines()
        .filter(|line| line.starts_with(['h', 'H']))
        .count();
    assert!(url_lines > 1 << 18, "more than one batch");
    assert_eq!(urls.len(), distinct.len());
    assert!(urls.iter().eq(distinct.iter()), "seed order or duplicates");
    assert_eq!(server.hits("/_/links/0"), 1);
}

/// The first bad line in file order is named, with its number, although a later batch (or a
/// later line of its own batch, refused before parsing for its whitespace) is bad too.
#[test]
fn the_first_bad_line_of_a_late_batch_is_named_with_its_number() {
    let server = FixtureServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (host, first) = (server.addr().to_string(), server.url("/_/links/0"));
    let spaced = format!("http://{host}/a b");
    for (bad, named) in [
        (
            vec![
                (600_001, "nope"),
                (600_002, spaced.as_str()),
                (750_000, "ftp://x/"),
            ],
            0,
        ),
        (vec![(600_001, spaced.as_str()), (600_002, "nope")], 0),
        (vec![(790_000, "http://")], 0),
    ] {
        let (list, _) = seeds_file(800_000, &host, &first, &bad);
        let seeds = write(dir.path(), &list);
        let line = crawl(["--seeds", &seeds, "-q"])
            .current_dir(dir.path())
            .run()
            .expect_usage_error();
        let (number, text) = bad[named];
        assert!(
            line.contains(&format!("seeds.txt:{number}: invalid URL `{text}`")),
            "{line}"
        );
    }
    assert_eq!(server.total_hits(), 0, "nothing is fetched");
}
