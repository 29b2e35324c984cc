//! The conditional GET of a crawl given a previous one (`--since`, see [`crate::since`]): the
//! validators sent, and a `304 Not Modified` turned into the answer a download would have
//! given, from the previous crawl's record of the page.
//!
//! The seam is narrow: `request` asks [`Conditional::of`] before a GET of a page, adds
//! [`Conditional::headers`], and hands the answer to [`Conditional::settle`]; `follow_chain`
//! takes the links of an [`Answer::previous`] instead of parsing a body.

use std::sync::Arc;

use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use url::Url;

use crate::fetch::context::FetchContext;
use crate::fetch::response::{header, Answer};
use crate::graph::Validators;
use crate::outcome::{Freshness, Target};
use crate::since::{Lookup, PreviousPage};

/// What a GET of a page in a crawl given a previous one sends and expects.
#[derive(Debug)]
pub(crate) struct Conditional {
    /// The previous record, when the previous crawl vouches for the page.
    previous: Option<Arc<PreviousPage>>,
    /// How the page stands if the answer is a full one.
    full: Freshness,
}

impl Conditional {
    /// The conditional request for `url` fetched as `target`: `None` without a previous
    /// crawl, and for resources and stylesheets (only pages keep validators).
    pub(crate) fn of(ctx: &FetchContext, url: &Url, target: Target) -> Option<Self> {
        let previous = ctx.previous.as_deref()?;
        if target != Target::Page {
            return None;
        }
        Some(match previous.lookup(url) {
            Lookup::Reusable(page) => Self {
                previous: Some(Arc::clone(page)),
                full: Freshness::Changed,
            },
            Lookup::Known => Self {
                previous: None,
                full: Freshness::Changed,
            },
            Lookup::Unknown => Self {
                previous: None,
                full: Freshness::New,
            },
        })
    }

    /// Whether the request carries validators, so that a `304` answers it.
    pub(crate) fn sends_validators(&self) -> bool {
        self.previous.is_some()
    }

    /// `request` with the previous answer's validators.
    pub(crate) fn headers(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(previous) = &self.previous {
            if let Some(etag) = &previous.validators.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &previous.validators.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        request
    }

    /// Records how the page stands on `answer` (whose head is read) and, for a `304`, makes it
    /// the previous answer: status, content type, size and validators (the `304`'s own when it
    /// sends them), and the previous links in [`Answer::previous`]. True for a `304`: there is
    /// no body to read.
    pub(crate) fn settle(self, answer: &mut Answer) -> bool {
        let hop = &mut answer.hop;
        let not_modified = hop.status == Some(304);
        match self.previous {
            Some(previous) if not_modified && hop.error.is_none() => {
                hop.status = Some(previous.status);
                hop.content_type.clone_from(&previous.content_type);
                hop.bytes = previous.bytes;
                // A 304 must send the ETag a 200 would; Last-Modified it may leave out.
                let sent = hop.validators.take();
                let sent = |pick: fn(&Validators) -> &Option<String>| {
                    sent.as_deref().and_then(|v| pick(v).clone())
                };
                let kept = &previous.validators;
                hop.validators = Validators::new(
                    sent(|v| &v.etag).or_else(|| kept.etag.clone()),
                    sent(|v| &v.last_modified).or_else(|| kept.last_modified.clone()),
                );
                hop.freshness = Some(Freshness::Revalidated);
                answer.previous = Some(previous);
                true
            }
            _ => {
                hop.freshness = Some(self.full);
                false
            }
        }
    }
}

/// The validators `response` sends, if any.
pub(crate) fn validators(response: &reqwest::Response) -> Option<Box<Validators>> {
    Validators::new(header(response, ETAG), header(response, LAST_MODIFIED))
}
