//! The links of one fetched page, resolved and de-duplicated: each (target, kind) once, in the
//! order the page gives them (its `Link:` header first, then its body, then what only its
//! rendered DOM has). When fragments are checked, each kept link also gathers the distinct
//! fragments of every link of its kind to its target (a text fragment's directive cut off; an
//! empty fragment, which names the top of the page, is not kept).
//!
//! This runs for every link of every page, so it avoids what showed in profiles: no clone of
//! the target to key a set, no `SipHash`, no set grown from empty. The set holds indices into the
//! link list, hashed by the target's text and the kind with hashbrown's fast default hasher.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::config::files::FileOptions;
use crate::config::scope::SeedScope;
use crate::extract::anchors::element_part;
use crate::extract::RawLink;
use crate::graph::LinkKind;
use crate::outcome::{FoundLink, LinkFragment};
use crate::url_norm;
use crate::Url;

/// What decides which links are kept and how they resolve.
pub(crate) struct Rules<'a> {
    /// The kinds recorded (`--links`).
    pub(crate) kinds: crate::LinkKinds,
    /// Longest URL accepted.
    pub(crate) max_url_len: usize,
    /// Rewrites a reference before it is resolved (root-relative links of local sites).
    pub(crate) files: &'a FileOptions,
    /// The crawl's scope: the folder given as a seed is the site root of a local page when
    /// [`FileOptions::root`] is not set.
    pub(crate) scope: &'a SeedScope,
    /// Keep the links' fragments (`--check-fragments`).
    pub(crate) fragments: bool,
}

impl<'a> Rules<'a> {
    /// The rules of the crawl `ctx` belongs to.
    pub(crate) fn of(ctx: &'a crate::fetch::context::FetchContext) -> Self {
        Self {
            kinds: ctx.config.links.kinds,
            max_url_len: ctx.config.max_url_len.get(),
            files: &ctx.config.files,
            scope: &ctx.scope,
            fragments: ctx.config.links.check_fragments,
        }
    }
}

/// A page's links so far.
#[derive(Default)]
pub(crate) struct PageLinks {
    links: Vec<FoundLink>,
    index: HashTable<usize>,
    hasher: DefaultHashBuilder,
}

impl PageLinks {
    /// The links found before, to add to (a page being rendered).
    pub(crate) fn from_found(links: Vec<FoundLink>) -> Self {
        let mut this = Self::default();
        for (at, link) in links.iter().enumerate() {
            let key = hash(this.hasher, link.url.as_str(), link.kind);
            let links = &links;
            this.index.insert_unique(key, at, |&i| {
                hash(this.hasher, links[i].url.as_str(), links[i].kind)
            });
        }
        this.links = links;
        this
    }

    /// How many links are held.
    pub(crate) fn len(&self) -> usize {
        self.links.len()
    }

    /// Resolves `raw` against `base` and keeps the first link of each kind to each target.
    pub(crate) fn add(&mut self, rules: &Rules<'_>, base: &Url, raw: Vec<RawLink>) {
        self.add_as(rules, base, raw, false);
    }

    /// [`add`](Self::add) for links of a rendered DOM: those not held already are marked
    /// [`rendered`](FoundLink::rendered).
    pub(crate) fn add_rendered(&mut self, rules: &Rules<'_>, base: &Url, raw: Vec<RawLink>) {
        self.add_as(rules, base, raw, true);
    }

    fn add_as(&mut self, rules: &Rules<'_>, base: &Url, raw: Vec<RawLink>, rendered: bool) {
        self.links.reserve(raw.len());
        self.index.reserve(raw.len(), |&i| {
            hash(self.hasher, self.links[i].url.as_str(), self.links[i].kind)
        });
        let site = if base.scheme() == "file" {
            rules.scope.file_site(base)
        } else {
            None
        };
        for link in raw {
            if !rules.kinds.contains(link.kind) {
                continue;
            }
            let href = rules.files.rebase(base, &link.href, site);
            let resolved = if rules.fragments {
                url_norm::resolve_with_fragment(base, &href, rules.max_url_len)
            } else {
                url_norm::resolve(base, &href, rules.max_url_len).map(|url| (url, None))
            };
            let Ok((target, fragment)) = resolved else {
                continue;
            };
            let key = hash(self.hasher, target.as_str(), link.kind);
            let links = &self.links;
            let known = self.index.find(key, |&i| {
                links[i].kind == link.kind && links[i].url.as_str() == target.as_str()
            });
            if let Some(&at) = known {
                add_fragment(&mut self.links[at], fragment, link.text);
                continue;
            }
            let at = self.links.len();
            let text = fragment.as_ref().and_then(|_| link.text.clone());
            let mut found = FoundLink::of_kind(target, link.kind, link.text, link.rel);
            add_fragment(&mut found, fragment, text);
            found.rendered = rendered;
            self.links.push(found);
            let links = &self.links;
            self.index.insert_unique(key, at, |&i| {
                hash(self.hasher, links[i].url.as_str(), links[i].kind)
            });
        }
    }

    /// The links, in order.
    pub(crate) fn finish(self) -> Vec<FoundLink> {
        self.links
    }
}

/// Adds `fragment`, of a link whose text is `text`, to `link`'s unless it has it already:
/// only the part before a fragment directive (`:~:text=...`), and nothing when that is empty.
fn add_fragment(link: &mut FoundLink, fragment: Option<String>, text: Option<String>) {
    let Some(mut fragment) = fragment else {
        return;
    };
    fragment.truncate(element_part(&fragment).len());
    if !fragment.is_empty() && link.fragments.iter().all(|f| f.name != fragment) {
        link.fragments.push(LinkFragment::new(fragment, text));
    }
}

fn hash(hasher: DefaultHashBuilder, url: &str, kind: LinkKind) -> u64 {
    hasher.hash_one((url, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(href: &str, kind: LinkKind) -> RawLink {
        RawLink::new(href.to_owned(), kind, None, None)
    }

    /// The links of `batches` (each added as one call) on `http://127.0.0.1/dir/page.html`,
    /// with `kinds` recorded and fragments kept or not.
    fn page_links(
        kinds: crate::LinkKinds,
        fragments: bool,
        batches: Vec<Vec<RawLink>>,
    ) -> Vec<FoundLink> {
        let files = FileOptions::default();
        let scope = crate::config::scope::Scope::default().for_seeds(&[]);
        let rules = Rules {
            kinds,
            max_url_len: 2048,
            files: &files,
            scope: &scope,
            fragments,
        };
        let base = Url::parse("http://127.0.0.1/dir/page.html").unwrap();
        let mut links = PageLinks::default();
        for batch in batches {
            links.add(&rules, &base, batch);
        }
        links.finish()
    }

    #[test]
    fn each_target_and_kind_is_kept_once_in_page_order() {
        let links = page_links(
            crate::LinkKinds::all(),
            false,
            vec![
                vec![raw("a.css", LinkKind::Header)],
                vec![
                    raw("b.html", LinkKind::Anchor),
                    raw("a.css", LinkKind::Stylesheet),
                    raw("./b.html#top", LinkKind::Anchor),
                    raw("a.css", LinkKind::Header),
                    raw("http://[", LinkKind::Anchor),
                    raw("/dir/b.html", LinkKind::Embed),
                ],
            ],
        );
        let got: Vec<_> = links
            .into_iter()
            .map(|l| (l.url.path().to_owned(), l.kind, l.fragments.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("/dir/a.css".to_owned(), LinkKind::Header, 0),
                ("/dir/b.html".to_owned(), LinkKind::Anchor, 0),
                ("/dir/a.css".to_owned(), LinkKind::Stylesheet, 0),
                ("/dir/b.html".to_owned(), LinkKind::Embed, 0),
            ]
        );
    }

    #[test]
    fn kinds_left_out_are_not_kept() {
        let kinds = [LinkKind::Anchor].into_iter().collect();
        let raws = vec![
            raw("x.css", LinkKind::Stylesheet),
            raw("y", LinkKind::Anchor),
        ];
        let got: Vec<_> = page_links(kinds, false, vec![raws])
            .into_iter()
            .map(|l| l.kind)
            .collect();
        assert_eq!(got, [LinkKind::Anchor]);
    }

    #[test]
    fn fragments_gather_on_the_kept_link_when_asked() {
        let mut first = raw("b.html#one", LinkKind::Anchor);
        first.text = Some("One".into());
        let raws = vec![
            first,
            raw("b.html", LinkKind::Anchor),
            raw("b.html#two:~:text=x", LinkKind::Anchor),
            raw("b.html#one", LinkKind::Anchor),
            raw("b.html#:~:text=only", LinkKind::Anchor),
            raw("b.html#", LinkKind::Anchor),
            raw("#Install guide", LinkKind::Anchor),
            raw("b.html#img", LinkKind::Embed),
        ];
        let got: Vec<_> = page_links(crate::LinkKinds::all(), true, vec![raws])
            .into_iter()
            .map(|l| (l.url.path().to_owned(), l.kind, l.fragments))
            .collect();
        let fragment = |name: &str, text: Option<&str>| {
            LinkFragment::new(name.to_owned(), text.map(str::to_owned))
        };
        assert_eq!(
            got,
            [
                (
                    "/dir/b.html".to_owned(),
                    LinkKind::Anchor,
                    vec![fragment("one", Some("One")), fragment("two", None)]
                ),
                (
                    "/dir/page.html".to_owned(),
                    LinkKind::Anchor,
                    vec![fragment("Install%20guide", None)]
                ),
                (
                    "/dir/b.html".to_owned(),
                    LinkKind::Embed,
                    vec![fragment("img", None)]
                ),
            ]
        );
    }
}
