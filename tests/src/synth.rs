//! Synthetic sites: N deterministic, realistic pages for end-to-end tests and benchmarks,
//! written together with the graph a correct crawl must find.
//!
//! [`generate`] writes, under `dir`:
//! - `site/`: the pages, about 14 KB of HTML each with 40 to 44 links that mix relative,
//!   `../`, root-relative and full `http://HOST/...` spellings, fragments, whitespace, dot
//!   segments, empty queries, `mailto:`/`javascript:` links, query variants of section heads
//!   (same file, different URL) and about 1% links to missing pages. Every page is reachable
//!   from `/index.html`; the BFS depth grows as log8 of the page count (5 for 10,000 pages).
//! - `expected-edges.tsv`: every distinct `source_url<TAB>target_url` anchor pair after
//!   normalisation, with the same header as `crawl --format tsv` (the anchor graph).
//! - `expected-typed.tsv`: every edge of every kind a default crawl records, as
//!   `source_url<TAB>parsed_url<TAB>kind` (what `crawl --tsv-kind` writes): the anchors, and
//!   each page's stylesheet, canonical, logo and script links (see `assets`).
//! - `expected-nodes.tsv`: `url<TAB>depth<TAB>status` for every URL a full crawl meets.
//! - `summary.tsv`: the [`SiteSummary`] as `key<TAB>value` lines, for scripts.
//!
//! With assets ([`generate_with_assets`]), every page also links its section's stylesheet and
//! script and two article images with a `srcset`, and the asset files are written; the pages
//! keep their size (less filler text).
//!
//! Links are mostly relative or root-relative, so only the few full URLs name the host: pass
//! the `IP:PORT` the site will be served on. The same seed gives the same bytes on every
//! machine.
//!
//! # Architecture
//! - `plan`: which pages each page links to, and how each `href` is spelt.
//! - `render`: the HTML around the links.
//! - `rng`: the seeded random stream.
//! - `assets`: the typed links of a page, and the asset files.
//! - `serve`: [`SyntheticSite`], the same pages rendered per request, for sites too big to
//!   write out.

mod assets;
mod plan;
mod render;
mod rng;
mod serve;

pub use serve::SyntheticSite;

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use assets::TypedLink;
use plan::{page_path, target_path, PagePlan, Site, Target};

/// What [`generate`] wrote and what a full crawl of it must find.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SiteSummary {
    /// The folder to serve (`DIR/site`).
    pub root: PathBuf,
    /// `DIR/expected-edges.tsv`.
    pub edges_file: PathBuf,
    /// `DIR/expected-nodes.tsv`.
    pub nodes_file: PathBuf,
    /// `DIR/expected-typed.tsv`.
    pub typed_file: PathBuf,
    /// The crawl's seed: `http://HOST/index.html`.
    pub seed_url: String,
    /// HTML files written.
    pub files: usize,
    /// Query variants linked (`index.html?page=2`, ...): URLs answered 200 with a file's body.
    pub variants: usize,
    /// Distinct URLs of missing pages linked (answered 404).
    pub missing: usize,
    /// Distinct URLs a full crawl meets: `files + variants + missing`.
    pub nodes: usize,
    /// Distinct (source, target) anchor pairs after normalisation.
    pub edges: usize,
    /// Distinct (source, target, kind) edges of every kind: the lines of `expected-typed.tsv`.
    pub typed_edges: usize,
    /// Distinct asset URLs linked (stylesheets, scripts, images): unfetched nodes of a default
    /// crawl, not counted in `nodes`.
    pub assets: usize,
    /// `<a href>` elements written, all pages together.
    pub links: usize,
    /// Bytes of HTML written (0 when the pages were left out: they are not rendered).
    pub bytes: u64,
    /// The deepest BFS depth from the seed.
    pub max_depth: u32,
}

impl SiteSummary {
    /// URLs answered 200 (files and query variants): what 100% coverage means.
    pub fn fetchable(&self) -> usize {
        self.files + self.variants
    }

    fn to_tsv(&self) -> String {
        format!(
            "seed_url\t{}\nfiles\t{}\nvariants\t{}\nmissing\t{}\nfetchable\t{}\nnodes\t{}\n\
             edges\t{}\ntyped_edges\t{}\nassets\t{}\nlinks\t{}\nbytes\t{}\nmax_depth\t{}\n",
            self.seed_url,
            self.files,
            self.variants,
            self.missing,
            self.fetchable(),
            self.nodes,
            self.edges,
            self.typed_edges,
            self.assets,
            self.links,
            self.bytes,
            self.max_depth
        )
    }
}

/// Writes a site of `pages` pages (at least 1) generated from `seed` under `dir`, with full
/// URLs naming `host` (`IP:PORT`), and returns what a crawl of it must find. See the
/// [module docs](self) for the files.
///
/// # Errors
/// I/O errors while writing, and `InvalidInput` for `pages == 0`.
pub fn generate(dir: &Path, pages: usize, seed: u64, host: &str) -> io::Result<SiteSummary> {
    write_site(dir, pages, seed, host, Outputs::ALL)
}

/// [`generate`], with `assets`: each page also links section stylesheets and scripts and
/// article images, and those files are written (see the [module docs](self)).
///
/// # Errors
/// As [`generate`].
pub fn generate_with_assets(
    dir: &Path,
    pages: usize,
    seed: u64,
    host: &str,
    assets: bool,
) -> io::Result<SiteSummary> {
    let outputs = Outputs {
        assets,
        ..Outputs::ALL
    };
    write_site(dir, pages, seed, host, outputs)
}

/// Which of [`generate`]'s files [`write_site`] writes; the summary and the node list are
/// always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outputs {
    /// The pages under `DIR/site/` (leave them out when a [`SyntheticSite`] serves them).
    pub pages: bool,
    /// `DIR/expected-edges.tsv` and `DIR/expected-typed.tsv` (about 90 bytes an edge, 3 GB
    /// for a million pages).
    pub edges: bool,
    /// The pages link assets, and the asset files are written with the pages (see
    /// [`generate_with_assets`]). A [`SyntheticSite`] serves no assets.
    pub assets: bool,
}

impl Outputs {
    /// Every file, without assets.
    pub const ALL: Self = Self {
        pages: true,
        edges: true,
        assets: false,
    };

    /// Only the expected graph: no pages.
    pub const ORACLE: Self = Self {
        pages: false,
        edges: true,
        assets: false,
    };

    /// Only the summary and the node list.
    pub const SUMMARY: Self = Self {
        pages: false,
        edges: false,
        assets: false,
    };
}

/// [`generate`], writing only the files `outputs` names. The summary is the same whatever
/// is left out, except `bytes`, which is 0 without the pages (they are not even rendered, so
/// a million-page oracle takes seconds).
///
/// # Errors
/// I/O errors while writing, and `InvalidInput` for `pages == 0`.
pub fn write_site(
    dir: &Path,
    pages: usize,
    seed: u64,
    host: &str,
    outputs: Outputs,
) -> io::Result<SiteSummary> {
    if pages == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "pages must be > 0",
        ));
    }
    let site = Site {
        pages,
        seed,
        host: host.to_owned(),
        assets: outputs.assets,
    };
    // The URL as normalised: the default port is dropped.
    let origin = format!("http://{}", host.strip_suffix(":80").unwrap_or(host));
    let root = dir.join("site");
    fs::create_dir_all(if outputs.pages { &root } else { dir })?;
    let edges_file = dir.join("expected-edges.tsv");
    let typed_file = dir.join("expected-typed.tsv");
    let oracle_file = |path: &Path| -> io::Result<Box<dyn Write>> {
        Ok(if outputs.edges {
            Box::new(BufWriter::new(File::create(path)?))
        } else {
            Box::new(io::sink())
        })
    };
    let mut oracle = Oracle::new(oracle_file(&edges_file)?, oracle_file(&typed_file)?, origin);
    oracle.edges.write_all(b"source_url\tparsed_url\n")?;
    oracle.typed.write_all(b"source_url\tparsed_url\tkind\n")?;
    if outputs.assets && outputs.pages {
        assets::write_files(&root, pages)?;
    }
    oracle.node(&page_path(0), Kind::Ok);
    let (mut links, mut bytes) = (0, 0);
    let mut dirs = HashSet::new();
    for i in 0..pages {
        let plan = site.plan(i);
        let path = page_path(i);
        if outputs.pages {
            let html = render::render(&site, i, &plan);
            let file = root.join(path.trim_start_matches('/'));
            if let Some(parent) = file.parent() {
                if dirs.insert(parent.to_path_buf()) {
                    fs::create_dir_all(parent)?;
                }
            }
            fs::write(&file, &html)?;
            bytes += html.len() as u64;
        }
        links += plan.links().count();
        oracle.source(&path, &plan, &assets::typed_links(&site, i))?;
    }
    // Variants are served the file of their page, so they link where it links; a variant's
    // links can name further variants, hence the loop.
    while let Some((page, key)) = oracle.pending.pop() {
        oracle.source(&key, &site.plan(page), &assets::typed_links(&site, page))?;
    }
    oracle.edges.flush()?;
    oracle.typed.flush()?;
    let nodes_file = dir.join("expected-nodes.tsv");
    let max_depth = oracle.write_nodes(&nodes_file)?;
    let count = |kind| oracle.kinds.iter().filter(|k| **k == kind).count();
    let summary = SiteSummary {
        seed_url: format!("{}/index.html", oracle.origin),
        root,
        edges_file,
        nodes_file,
        typed_file,
        files: pages,
        variants: count(Kind::Variant),
        missing: count(Kind::Missing),
        nodes: oracle.keys.len(),
        edges: oracle.edge_count,
        typed_edges: oracle.typed_count,
        assets: oracle.assets.len(),
        links,
        bytes,
        max_depth,
    };
    fs::write(dir.join("summary.tsv"), summary.to_tsv())?;
    Ok(summary)
}

/// Renders page `i` of a site of `pages` pages from `seed`, without writing anything (for
/// benchmarks of extraction and normalisation).
///
/// # Panics
/// If `i >= pages`.
pub fn render_page(pages: usize, seed: u64, host: &str, i: usize) -> String {
    assert!(i < pages, "page {i} of {pages}");
    let site = Site {
        pages,
        seed,
        host: host.to_owned(),
        assets: false,
    };
    render::render(&site, i, &site.plan(i))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ok,
    Variant,
    Missing,
}

/// The expected graph, built while the pages are written: node ids by URL path, adjacency
/// for the BFS, and the edge list streamed to its file.
#[derive(Debug)]
struct Oracle<W: Write> {
    edges: W,
    /// `expected-typed.tsv`.
    typed: W,
    origin: String,
    ids: HashMap<String, u32>,
    keys: Vec<String>,
    kinds: Vec<Kind>,
    out: Vec<Vec<u32>>,
    edge_count: usize,
    typed_count: usize,
    /// Asset paths linked (not pages: no node, no depth).
    assets: HashSet<String>,
    /// Variants found but not yet given their links: (page, path and query).
    pending: Vec<(usize, String)>,
}

impl<W: Write> Oracle<W> {
    fn new(edges: W, typed: W, origin: String) -> Self {
        Self {
            edges,
            typed,
            origin,
            ids: HashMap::new(),
            keys: Vec::new(),
            kinds: Vec::new(),
            out: Vec::new(),
            edge_count: 0,
            typed_count: 0,
            assets: HashSet::new(),
            pending: Vec::new(),
        }
    }

    /// The id of the node for `key` (path and query), added if new.
    fn node(&mut self, key: &str, kind: Kind) -> (u32, bool) {
        if let Some(&id) = self.ids.get(key) {
            return (id, false);
        }
        let id = u32::try_from(self.keys.len()).expect("fewer than 2^32 nodes");
        self.ids.insert(key.to_owned(), id);
        self.keys.push(key.to_owned());
        self.kinds.push(kind);
        self.out.push(Vec::new());
        (id, true)
    }

    /// Records the distinct targets of the page at `source` (path and query): its anchors
    /// from `plan`, then its `typed` links (in the typed file only).
    fn source(&mut self, source: &str, plan: &PagePlan, typed: &[TypedLink]) -> io::Result<()> {
        let (from, _) = self.node(source, Kind::Ok);
        let mut targets: Vec<u32> = Vec::with_capacity(48);
        for target in plan.links().filter_map(|l| l.target) {
            let key = target_path(target, source);
            let kind = match target {
                Target::Variant(..) => Kind::Variant,
                Target::Missing(..) => Kind::Missing,
                Target::Page(_) | Target::This => Kind::Ok,
            };
            let (to, new) = self.node(&key, kind);
            if new {
                if let Target::Variant(page, _) = target {
                    self.pending.push((page, key.clone()));
                }
            }
            if !targets.contains(&to) {
                targets.push(to);
                writeln!(self.edges, "{}{source}\t{}{key}", self.origin, self.origin)?;
                writeln!(self.typed, "{0}{source}\t{0}{key}\tanchor", self.origin)?;
            }
        }
        self.edge_count += targets.len();
        self.typed_count += targets.len();
        let mut seen: Vec<(&str, &str)> = Vec::with_capacity(typed.len());
        for link in typed {
            if seen.contains(&(link.href.as_str(), link.kind)) {
                continue;
            }
            seen.push((link.href.as_str(), link.kind));
            if !self.ids.contains_key(&link.href) {
                self.assets.insert(link.href.clone());
            }
            let (origin, kind) = (&self.origin, link.kind);
            writeln!(
                self.typed,
                "{origin}{source}\t{origin}{}\t{kind}",
                link.href
            )?;
            self.typed_count += 1;
        }
        self.out[from as usize] = targets;
        Ok(())
    }

    /// BFS from the seed; writes `url depth status` per node and returns the deepest depth.
    /// Fails if a node is unreachable, which would be a generator bug.
    fn write_nodes(&self, path: &Path) -> io::Result<u32> {
        let mut depth = vec![u32::MAX; self.keys.len()];
        let mut queue = std::collections::VecDeque::from([0_u32]);
        depth[0] = 0;
        while let Some(node) = queue.pop_front() {
            let next = depth[node as usize] + 1;
            for &to in &self.out[node as usize] {
                if depth[to as usize] == u32::MAX {
                    depth[to as usize] = next;
                    queue.push_back(to);
                }
            }
        }
        if let Some(lost) = depth.iter().position(|&d| d == u32::MAX) {
            return Err(io::Error::other(format!(
                "{} is unreachable",
                self.keys[lost]
            )));
        }
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"url\tdepth\tstatus\n")?;
        for ((key, kind), depth) in self.keys.iter().zip(&self.kinds).zip(&depth) {
            let status = if *kind == Kind::Missing { 404 } else { 200 };
            writeln!(out, "{}{key}\t{depth}\t{status}", self.origin)?;
        }
        out.flush()?;
        Ok(depth.into_iter().max().unwrap_or(0))
    }
}
