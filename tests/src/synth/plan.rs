//! What each synthetic page links to, and how each `href` is spelt.
//!
//! Page `i` lives at a path fixed by its number (`/index.html`, `/sec{s}/index.html` for
//! section heads, `/sec{s}/part{p}/page{i}.html` for the rest), so links can be written
//! relative (`page12.html`, `../part2/page40.html`, `../../index.html`), root-relative, or as
//! full `http://HOST/...` URLs, and still point at the same normalised target. The link
//! *targets* of page `i` come from a random stream seeded by `(seed, i)`, so any page can be
//! planned again on its own (the generator re-plans a page to get the links of its query
//! variants, which the server answers with the same file).
//!
//! Depth comes from a tree: page `i` links to its children `8i+1 ..= 8i+8`, so the BFS depth
//! of page `i` is its level in that tree (5 for 10,000 pages, 6 for 100,000). Every other link
//! points at a page of the same level or a shallower one (neighbours, older pages, section
//! heads, ancestors), so it never makes a page shallower than its level.

use std::fmt::Write as _;

use super::rng::Rng;

/// Children per page in the spanning tree.
pub(crate) const BRANCHING: usize = 8;
/// Pages per section folder (`/sec{s}/`); page `s * SECTION` is the section's `index.html`.
pub(crate) const SECTION: usize = 100;
/// Pages per part folder (`/sec{s}/part{p}/`).
const PART: usize = 25;
/// Queries of the pagination and sort variants of section heads.
pub(crate) const QUERIES: [&str; 3] = ["page=2", "page=3", "sort=title&dir=asc"];
/// Chance, per mille, that a body or sidebar link points at a page that does not exist.
const MISSING_PER_MILLE: u64 = 14;
/// Distinct missing file names per folder (`gone0.html` ..).
const MISSING_NAMES: usize = 4;

/// What a link points at, before it is written as an `href`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Page `i`.
    Page(usize),
    /// Page `i` with query `QUERIES[q]`: the same file, a different URL.
    Variant(usize, usize),
    /// `gone{r}.html` in the folder of page `i`: a 404.
    Missing(usize, usize),
    /// The page's own URL (a fragment-only `#top` link).
    This,
}

/// One `<a>` of a planned page.
#[derive(Debug, Clone)]
pub(crate) struct PlannedLink {
    /// The `href` as it should appear once the HTML is parsed (not yet HTML-escaped).
    pub(crate) href: String,
    /// The anchor text.
    pub(crate) text: String,
    /// What it resolves to; `None` for `mailto:` and `javascript:` links.
    pub(crate) target: Option<Target>,
}

/// The links of one page, by the part of the page they appear in.
#[derive(Debug, Clone, Default)]
pub(crate) struct PagePlan {
    pub(crate) nav: Vec<PlannedLink>,
    pub(crate) crumbs: Vec<PlannedLink>,
    pub(crate) body: Vec<PlannedLink>,
    pub(crate) related: Vec<PlannedLink>,
    pub(crate) footer: Vec<PlannedLink>,
}

impl PagePlan {
    /// All links in document order.
    pub(crate) fn links(&self) -> impl Iterator<Item = &PlannedLink> {
        self.nav
            .iter()
            .chain(&self.crumbs)
            .chain(&self.body)
            .chain(&self.related)
            .chain(&self.footer)
    }
}

/// The URL path of page `i`.
pub(crate) fn page_path(i: usize) -> String {
    if i == 0 {
        "/index.html".to_owned()
    } else if i % SECTION == 0 {
        format!("/sec{}/index.html", i / SECTION)
    } else {
        format!(
            "/sec{}/part{}/page{i}.html",
            i / SECTION,
            (i % SECTION) / PART
        )
    }
}

/// The folder part of a path, with its trailing slash.
fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("/", |end| &path[..=end])
}

/// The normalised path and query `target` resolves to on a page whose URL is `source`.
pub(crate) fn target_path(target: Target, source: &str) -> String {
    match target {
        Target::Page(i) => page_path(i),
        Target::Variant(i, q) => format!("{}?{}", page_path(i), QUERIES[q]),
        Target::Missing(i, r) => format!("{}gone{r}.html", dir_of(&page_path(i))),
        Target::This => source.to_owned(),
    }
}

/// The shortest relative reference from a page in `from_dir` to `to` (a path with query).
fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to_segments: Vec<&str> = to.trim_start_matches('/').split('/').collect();
    let to_dirs = &to_segments[..to_segments.len() - 1];
    let common = from.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(from.len() - common);
    out.push_str(&to_segments[common..].join("/"));
    out
}

/// `to` with a detour through `..` (`/a/b/../b/c.html`), or `/./` for top-level paths.
fn dotted(to: &str) -> String {
    let end = to.find('?').unwrap_or(to.len());
    match to[..end].rfind('/') {
        Some(last) if last > 0 => {
            let dir = &to[..last];
            let name = &dir[dir.rfind('/').map_or(0, |s| s + 1)..];
            format!("{dir}/../{name}{}", &to[last..])
        }
        _ => format!("/.{to}"),
    }
}

/// `target`, or now and then a missing page in the folder of page `i` instead.
fn maybe_missing(rng: &mut Rng, i: usize, target: Target) -> Target {
    if rng.chance(MISSING_PER_MILLE) {
        Target::Missing(i, rng.below(MISSING_NAMES))
    } else {
        target
    }
}

/// One site's parameters: how many pages, the seed, and the host for full URLs.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) pages: usize,
    pub(crate) seed: u64,
    pub(crate) host: String,
}

impl Site {
    /// A short, stable title for page `i`.
    pub(crate) fn title(&self, i: usize) -> String {
        let mut rng = Rng::new(self.seed ^ 0x7469_746c_6573, i as u64);
        let words = 2 + rng.below(3);
        let mut title = super::render::words(&mut rng, words, true);
        let _ = write!(title, " ({i})");
        title
    }

    /// Plans the links of page `i`.
    pub(crate) fn plan(&self, i: usize) -> PagePlan {
        let mut rng = Rng::new(self.seed, i as u64);
        let path = page_path(i);
        let dir = dir_of(&path);
        let head = i / SECTION * SECTION;
        let mut plan = PagePlan::default();
        let link = |rng: &mut Rng, target: Target| self.link(rng, dir, &path, target);

        plan.nav.push(link(&mut rng, Target::Page(0)));
        plan.nav.push(link(&mut rng, Target::Page(head)));
        for _ in 0..3 {
            let popular = 1 + rng.below(self.pages.clamp(2, 40) - 1);
            if i > 0 && popular < self.pages {
                plan.nav.push(link(&mut rng, Target::Page(popular)));
            }
        }
        let mut ancestor = i;
        while ancestor > 0 && plan.crumbs.len() < 4 {
            ancestor = (ancestor - 1) / BRANCHING;
            plan.crumbs.push(link(&mut rng, Target::Page(ancestor)));
        }
        plan.crumbs.reverse();

        // Body: every child (never replaced: they keep the site connected), then neighbours
        // up to 12, six older pages, and sometimes a pagination variant of the section head.
        let children = (BRANCHING * i + 1..=BRANCHING * i + BRANCHING).filter(|&c| c < self.pages);
        for child in children {
            plan.body.push(link(&mut rng, Target::Page(child)));
        }
        let mut step = 1;
        while i > 0 && plan.body.len() < 12 && step <= 12 {
            for neighbour in [i.checked_add(step), i.checked_sub(step)]
                .into_iter()
                .flatten()
            {
                if neighbour < self.pages && plan.body.len() < 12 {
                    let target = maybe_missing(&mut rng, i, Target::Page(neighbour));
                    plan.body.push(link(&mut rng, target));
                }
            }
            step += 1;
        }
        for _ in 0..6 {
            if i > 0 {
                let older = i - 1 - rng.below(i.min(2000));
                let target = maybe_missing(&mut rng, i, Target::Page(older));
                plan.body.push(link(&mut rng, target));
            }
        }
        if rng.chance(500) {
            let variant = Target::Variant(head, rng.below(QUERIES.len()));
            plan.body.push(link(&mut rng, variant));
        }

        // Sidebar: farther neighbours and older pages, sometimes a body target again with a
        // fragment (a duplicate edge the crawler must fold).
        for n in 0..10 {
            let target = if i == 0 {
                // From the index only its children: a deeper page linked here would be
                // shallower than its level.
                Target::Page((1 + rng.below(BRANCHING)).min(self.pages - 1))
            } else if n % 4 == 3 && !plan.body.is_empty() {
                let again = &plan.body[rng.below(plan.body.len())];
                again.target.unwrap_or(Target::Page(0))
            } else if n % 2 == 0 {
                let far = i + 13 + rng.below(38);
                Target::Page(if far < self.pages { far } else { i / 2 })
            } else {
                Target::Page(i - 1 - rng.below(i.min(2000)))
            };
            let target = maybe_missing(&mut rng, i, target);
            let mut planned = link(&mut rng, target);
            if n % 4 == 3 && !planned.href.contains('#') {
                planned.href = format!("{}#comments", planned.href.trim());
            }
            plan.related.push(planned);
        }

        plan.footer.push(link(&mut rng, Target::This));
        plan.footer.push(link(&mut rng, Target::Page(0)));
        plan.footer.push(link(&mut rng, Target::Page(head)));
        for (href, text) in [
            ("mailto:editor@example.invalid", "Contact"),
            ("javascript:void(0)", "Cookie settings"),
        ] {
            plan.footer.push(PlannedLink {
                href: href.to_owned(),
                text: text.to_owned(),
                target: None,
            });
        }
        plan
    }

    /// A link from the page at `source` (in folder `dir`) to `target`, in a random spelling.
    fn link(&self, rng: &mut Rng, dir: &str, source: &str, target: Target) -> PlannedLink {
        let text = match target {
            Target::Page(j) => self.title(j),
            Target::Variant(_, q) => format!("More ({})", QUERIES[q]),
            Target::Missing(..) => "Archive".to_owned(),
            Target::This => "Back to top".to_owned(),
        };
        if target == Target::This {
            return PlannedLink {
                href: "#top".to_owned(),
                text,
                target: Some(target),
            };
        }
        let to = target_path(target, source);
        let host = &self.host;
        let mut href = match rng.below(100) {
            0..=39 => relative(dir, &to),
            40..=69 => to.clone(),
            70..=77 => format!("http://{host}{to}"),
            78..=80 => format!("HTTP://{host}{to}"),
            81..=85 => format!("./{}", relative(dir, &to)),
            86..=90 => dotted(&to),
            91..=95 => format!("  {}\n", relative(dir, &to)),
            // An empty query is dropped by normalisation; a variant's query is not empty.
            _ if matches!(target, Target::Variant(..)) => to.clone(),
            _ => format!("{to}?"),
        };
        if rng.chance(100) && !href.ends_with('\n') {
            let _ = write!(href, "#s{}", rng.below(5));
        }
        PlannedLink {
            href,
            text,
            target: Some(target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references() {
        assert_eq!(
            relative("/sec1/part2/", "/sec1/part2/page3.html"),
            "page3.html"
        );
        assert_eq!(
            relative("/sec1/part2/", "/sec1/part0/page4.html"),
            "../part0/page4.html"
        );
        assert_eq!(relative("/sec1/part2/", "/index.html"), "../../index.html");
        assert_eq!(
            relative("/sec1/", "/sec1/index.html?page=2"),
            "index.html?page=2"
        );
        assert_eq!(
            relative("/", "/sec9/part1/page930.html"),
            "sec9/part1/page930.html"
        );
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(
            dotted("/sec1/part2/page3.html"),
            "/sec1/part2/../part2/page3.html"
        );
        assert_eq!(
            dotted("/sec1/index.html?page=2"),
            "/sec1/../sec1/index.html?page=2"
        );
        assert_eq!(dotted("/index.html"), "/./index.html");
    }

    #[test]
    fn paths_by_number() {
        assert_eq!(page_path(0), "/index.html");
        assert_eq!(page_path(300), "/sec3/index.html");
        assert_eq!(page_path(326), "/sec3/part1/page326.html");
        assert_eq!(
            target_path(Target::Missing(326, 2), "/x"),
            "/sec3/part1/gone2.html"
        );
        assert_eq!(target_path(Target::This, "/a?b"), "/a?b");
    }
}
