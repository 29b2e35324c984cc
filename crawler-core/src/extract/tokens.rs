//! The linear extraction path: html5ever's tokenizer alone, for documents whose nesting would
//! make the tree builder quadratic (see the parent module).
//!
//! It keeps the tree path's choices: `<a href>` text runs to `</a>` or the next `<a>`; the
//! tokenizer is switched into raw text for `<script>`, `<style>`, `<title>`, `<noscript>` and
//! friends, as the tree builder does, so markup inside them is never taken for links; links
//! inside `<template>` are skipped, as the tree path never walks template contents.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{local_name, LocalName};

use super::{links, Extracted, Text, MAX_TEXT_CHARS};

/// Tokenizes `html` and adds its links (at most `max_links`), base and title to `out` (and its
/// anchors, if `out` collects them).
pub(super) fn extract(html: &str, max_links: usize, out: Extracted) -> Extracted {
    let sink = Sink(RefCell::new(State {
        out,
        max_links,
        anchor: None,
        title: None,
        title_done: false,
        template_depth: 0,
        style: None,
    }));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut state = tokenizer.sink.0.into_inner();
    state.close_anchor();
    state.out
}

struct Sink(RefCell<State>);

struct State {
    out: Extracted,
    max_links: usize,
    /// The open `<a>`: its index in `out.links` and its text so far.
    anchor: Option<(usize, Text)>,
    /// The open `<title>`'s text.
    title: Option<Text>,
    title_done: bool,
    template_depth: usize,
    /// The open `<style>`'s text.
    style: Option<String>,
}

impl State {
    fn close_anchor(&mut self) {
        if let Some((index, text)) = self.anchor.take() {
            self.out.links[index].text = text.finish();
        }
    }

    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let attr = |wanted: LocalName| {
            tag.attrs
                .iter()
                .find(|a| a.name.local == wanted)
                .map(|a| String::from(&*a.value))
        };
        let name = &tag.name;
        if *name == local_name!("template") {
            self.template_depth += 1;
        }
        if self.template_depth > 0 {
            return TokenSinkResult::Continue;
        }
        if let Some(anchors) = &mut self.out.anchors {
            anchors.add_tag(name, &tag.attrs);
        }
        if *name == local_name!("a") {
            // An `<a>` inside an `<a>` closes the first, as in the tree builder.
            self.close_anchor();
        }
        if let Some(index) = links::from_tag(name, &attr, &mut self.out, self.max_links) {
            if !tag.self_closing {
                self.anchor = Some((index, Text::new(MAX_TEXT_CHARS)));
            }
        }
        if *name == local_name!("style") {
            self.style = Some(String::new());
        } else if *name == local_name!("base") && self.out.base.is_none() {
            self.out.base = attr(local_name!("href"));
        } else if *name == local_name!("title") {
            if !self.title_done {
                self.title = Some(Text::new(MAX_TEXT_CHARS));
            }
            return TokenSinkResult::RawData(RawKind::Rcdata);
        }
        raw_kind(name)
    }

    fn end(&mut self, name: &LocalName) {
        if *name == local_name!("template") {
            self.template_depth = self.template_depth.saturating_sub(1);
        } else if *name == local_name!("a") {
            self.close_anchor();
        } else if *name == local_name!("style") {
            if let Some(css) = self.style.take() {
                self.out.push_css(&css, self.max_links);
            }
        } else if *name == local_name!("title") {
            if let Some(text) = self.title.take() {
                self.out.title = text.finish();
                self.title_done = true;
            }
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(style) = &mut self.style {
            style.push_str(text);
        } else if let Some(title) = &mut self.title {
            title.push(text);
        } else if let Some((_, anchor)) = &mut self.anchor {
            anchor.push(text);
        }
    }
}

/// The tokenizer state the tree builder would switch to after this start tag.
fn raw_kind(name: &LocalName) -> TokenSinkResult<()> {
    if *name == local_name!("textarea") {
        TokenSinkResult::RawData(RawKind::Rcdata)
    } else if *name == local_name!("script") {
        TokenSinkResult::RawData(RawKind::ScriptData)
    } else if [
        local_name!("style"),
        local_name!("xmp"),
        local_name!("iframe"),
        local_name!("noembed"),
        local_name!("noframes"),
        local_name!("noscript"),
    ]
    .contains(name)
    {
        TokenSinkResult::RawData(RawKind::Rawtext)
    } else if *name == local_name!("plaintext") {
        TokenSinkResult::Plaintext
    } else {
        TokenSinkResult::Continue
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => return state.start(&tag),
            Token::TagToken(tag) => state.end(&tag.name),
            Token::CharacterTokens(text) if state.template_depth == 0 => state.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}
