//! Turning a page plan into HTML that looks like a real article page, about 14 KB.
//!
//! The markup has what a crawler meets on real sites and must get through: a `<head>` with
//! `<meta>`, `<link>`, inline `<style>` and `<script>`, a navigation bar, breadcrumbs, an
//! article with links inside paragraphs, a table and a list, a sidebar, a footer, entities,
//! comments and some non-ASCII text. Filler paragraphs are added until the page reaches
//! [`PAGE_BYTES`].

use std::borrow::Cow;
use std::fmt::Write as _;

use super::plan::{page_path, PagePlan, PlannedLink, Site};
use super::rng::Rng;

/// Size a page is padded to with text, in bytes.
pub(crate) const PAGE_BYTES: usize = 14 * 1024;

const WORDS: [&str; 64] = [
    "crawler", "graph", "network", "river", "garden", "market", "window", "signal", "harbour",
    "mountain", "library", "archive", "report", "season", "village", "engine", "forest", "journey",
    "kitchen", "letter", "museum", "orchard", "planet", "question", "railway", "station", "theory",
    "valley", "weather", "winter", "summer", "history", "science", "music", "café", "Zürich",
    "design", "system", "method", "data", "policy", "energy", "ocean", "culture", "street",
    "bridge", "castle", "island", "school", "city", "north", "south", "light", "stone", "paper",
    "glass", "story", "field", "harvest", "language", "number", "table", "water", "memory",
];

const GLUE: [&str; 16] = [
    "the", "of", "and", "in", "with", "for", "on", "by", "from", "about", "a", "its", "to", "as",
    "near", "after",
];

const STYLE: &str = "body{font-family:Georgia,serif;margin:0;color:#222;background:#fafafa}\
.site-header{display:flex;align-items:center;gap:1rem;padding:.5rem 1rem;background:#123}\
.site-header a{color:#fff;text-decoration:none}.menu{list-style:none;display:flex;gap:1rem}\
.breadcrumbs ol{list-style:none;display:flex;gap:.5rem;font-size:.85rem;padding:0 1rem}\
main{display:grid;grid-template-columns:3fr 1fr;gap:2rem;max-width:72rem;margin:auto}\
article p{line-height:1.6}article table{border-collapse:collapse}td,th{border:1px solid #ccc}\
.sidebar ul{padding-left:1rem}.sidebar li{margin:.25rem 0}footer{padding:1rem;background:#eee}\
@media (max-width:40rem){main{grid-template-columns:1fr}.menu{flex-wrap:wrap}}";

/// `n` random words, separated by spaces.
pub(crate) fn words(rng: &mut Rng, n: usize, capitalise: bool) -> String {
    let mut out = String::new();
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        let word = if k % 3 == 1 {
            GLUE[rng.below(GLUE.len())]
        } else {
            WORDS[rng.below(WORDS.len())]
        };
        if capitalise && k == 0 {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        } else {
            out.push_str(word);
        }
    }
    out
}

/// A sentence of 8 to 19 words.
fn sentence(rng: &mut Rng) -> String {
    let n = 8 + rng.below(12);
    let mut s = words(rng, n, true);
    s.push(if rng.chance(100) { '?' } else { '.' });
    s
}

/// Escapes text and attribute values.
fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out.into()
}

fn anchor(out: &mut String, link: &PlannedLink, class: Option<&str>) {
    let class = class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default();
    let _ = write!(
        out,
        "<a href=\"{}\"{class} title=\"{}\">{}</a>",
        escape(&link.href),
        escape(&link.text),
        escape(&link.text)
    );
}

fn list(out: &mut String, links: &[PlannedLink], tag: &str, class: &str) {
    let _ = writeln!(out, "<{tag} class=\"{class}\">");
    for link in links {
        out.push_str("  <li>");
        anchor(out, link, None);
        out.push_str("</li>\n");
    }
    let _ = writeln!(out, "</{tag}>");
}

/// A paragraph of 3 to 6 sentences with `links` placed between them.
fn paragraph(out: &mut String, rng: &mut Rng, links: &[PlannedLink]) {
    out.push_str("<p>");
    let sentences = 3 + rng.below(4);
    let mut links = links.iter();
    for k in 0..sentences {
        out.push_str(&escape(&sentence(rng)));
        out.push(' ');
        if k % 2 == 0 {
            if let Some(link) = links.next() {
                out.push_str("See ");
                anchor(out, link, None);
                out.push_str(if rng.chance(300) { " &mdash; " } else { ". " });
            }
        }
    }
    for link in links {
        anchor(out, link, Some("inline"));
        out.push(' ');
    }
    out.push_str("</p>\n");
}

/// Renders page `i` from its plan.
pub(crate) fn render(site: &Site, i: usize, plan: &PagePlan) -> String {
    let mut rng = Rng::new(site.seed ^ 0x7465_7874, i as u64);
    let title = escape(&site.title(i)).into_owned();
    let mut out = String::with_capacity(PAGE_BYTES + 2048);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<meta name=\"description\" content=\"{}\">\n\
         <link rel=\"stylesheet\" href=\"/static/site.css\">\n\
         <link rel=\"canonical\" href=\"{}\">\n{}<style>{STYLE}</style>\n\
         <script>window.dataLayer=window.dataLayer||[];function track(){{dataLayer.push(arguments);}}\
         track('page','{i}');</script>\n</head>\n<body id=\"top\">\n<!-- page {i} of {} -->\n\
         <header class=\"site-header\">\n",
        escape(&sentence(&mut rng)),
        page_path(i),
        if site.assets {
            super::assets::head_tags(i)
        } else {
            String::new()
        },
        site.pages,
    );
    if let Some((logo, menu)) = plan.nav.split_first() {
        out.push_str("<a class=\"logo\" href=\"");
        out.push_str(&escape(&logo.href));
        out.push_str("\"><img src=\"/static/logo.png\" alt=\"Home\" width=\"120\" height=\"32\"></a>\n<nav>\n");
        list(&mut out, menu, "ul", "menu");
        out.push_str("</nav>\n");
    }
    out.push_str("</header>\n<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\">\n");
    list(&mut out, &plan.crumbs, "ol", "crumbs");
    let _ = write!(
        out,
        "</nav>\n<main id=\"content\">\n<article>\n<h1>{title}</h1>\n\
         <p class=\"meta\">Published <time datetime=\"2024-03-{:02}\">March {}, 2024</time> by \
         {} &middot; {} min read</p>\n",
        1 + i % 28,
        1 + i % 28,
        escape(&words(&mut rng, 2, true)),
        2 + rng.below(9),
    );
    if site.assets {
        out.push_str(&super::assets::figures(site, i));
    }
    for (k, chunk) in plan.body.chunks(3).enumerate() {
        if k % 2 == 1 {
            let _ = writeln!(
                out,
                "<h2 id=\"s{k}\">{}</h2>",
                escape(&words(&mut rng, 4, true))
            );
        }
        paragraph(&mut out, &mut rng, chunk);
    }
    out.push_str("<table>\n<tr><th>Item</th><th>Count</th><th>Note</th></tr>\n");
    for _ in 0..4 {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&words(&mut rng, 2, true)),
            rng.below(10_000),
            escape(&words(&mut rng, 5, false)),
        );
    }
    out.push_str("</table>\n");

    let mut tail = String::with_capacity(4096);
    tail.push_str("</article>\n<aside class=\"sidebar\">\n<h2>Related</h2>\n");
    list(&mut tail, &plan.related, "ul", "related");
    tail.push_str("</aside>\n</main>\n<footer>\n<p>");
    for link in &plan.footer {
        anchor(&mut tail, link, Some("footer-link"));
        tail.push_str(" | ");
    }
    tail.push_str(
        "</p>\n<p>&copy; 2024 Example Publishing. All rights reserved.</p>\n</footer>\n\
         <script src=\"/static/app.js\" defer></script>\n</body>\n</html>\n",
    );
    // Filler text up to the page size, with the odd list.
    let mut k = 0;
    while out.len() + tail.len() < PAGE_BYTES {
        if k % 4 == 3 {
            out.push_str("<ul>\n");
            for _ in 0..3 {
                let _ = writeln!(out, "  <li>{}</li>", escape(&sentence(&mut rng)));
            }
            out.push_str("</ul>\n");
        } else {
            paragraph(&mut out, &mut rng, &[]);
        }
        k += 1;
    }
    out.push_str(&tail);
    out
}
