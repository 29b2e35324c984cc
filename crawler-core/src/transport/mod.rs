//! Transports other than HTTP that answer through the same fetch path.
//!
//! # Architecture
//! - [`file`](mod@file): `file://` URLs, for checking a static site build on disk before it is deployed.

pub mod file;
