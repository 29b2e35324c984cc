//! The fetch path against what a hostile or careless site sends (issue 9): every case ends in
//! bounded work and a clear record on the page, and the rest of the crawl is kept.
//!
//! - `bodies`: lying `Content-Length`, `deflate` and unknown encodings, a meta-declared UTF-16,
//!   markup that is quadratic for html5ever;
//! - `redirects`: `Location` bytes outside ASCII, 3xx answers that are not redirects,
//!   credentials in links, redirects and seeds;
//! - `robots`: a robots.txt of thousands of anchored rules, sitemaps out of scope or
//!   disallowed.

mod bodies;
mod redirects;
mod robots;
