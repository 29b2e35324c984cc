//! What extraction costs without a tree: html5ever's tokenizer alone, with a sink that keeps
//! what `extract` keeps (hrefs of `<a>`/`<area>`, anchor text, title). A lower bound for
//! `extract`, shared by the criterion benchmark and `examples/machine_limit.rs`.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{local_name, LocalName};

#[derive(Debug, Default)]
pub(crate) struct LinkSink {
    pub(crate) links: RefCell<Vec<(String, String)>>,
    pub(crate) title: RefCell<String>,
    in_anchor: Cell<bool>,
    in_title: Cell<bool>,
}

fn attr(tag: &Tag, name: &LocalName) -> Option<String> {
    tag.attrs
        .iter()
        .find(|a| a.name.local == *name)
        .map(|a| a.value.to_string())
}

impl TokenSink for LinkSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let name = &tag.name;
                if *name == local_name!("a") || *name == local_name!("area") {
                    if let Some(href) = attr(&tag, &local_name!("href")) {
                        self.links.borrow_mut().push((href, String::new()));
                        self.in_anchor.set(*name == local_name!("a"));
                    }
                } else if *name == local_name!("title") {
                    self.in_title.set(true);
                    return TokenSinkResult::RawData(RawKind::Rcdata);
                } else if *name == local_name!("script") {
                    return TokenSinkResult::RawData(RawKind::ScriptData);
                } else if *name == local_name!("style") {
                    return TokenSinkResult::RawData(RawKind::Rawtext);
                }
            }
            Token::TagToken(tag) => {
                if tag.name == local_name!("a") {
                    self.in_anchor.set(false);
                } else if tag.name == local_name!("title") {
                    self.in_title.set(false);
                }
            }
            Token::CharacterTokens(text) => {
                if self.in_anchor.get() {
                    if let Some(last) = self.links.borrow_mut().last_mut() {
                        last.1.push_str(&text);
                    }
                } else if self.in_title.get() {
                    self.title.borrow_mut().push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Tokenizes `html` and returns the sink with what it kept.
pub(crate) fn run(html: &str) -> LinkSink {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(LinkSink::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}
