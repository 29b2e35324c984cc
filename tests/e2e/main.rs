//! End-to-end tests: the crawler against the in-process fixture server on 127.0.0.1.

fn main() {}
