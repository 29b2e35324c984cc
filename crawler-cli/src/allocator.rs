//! The memory allocator of the `crawl` binary: jemalloc on Unix.
//!
//! A crawl allocates and frees small blocks at a high rate on every worker thread (tokenizer
//! buffers, link texts, resolved URLs), and glibc's malloc spent about 11% of a 10k-page
//! crawl's CPU in its own code, plus lock wake-ups in the kernel when a block freed on one
//! thread was reallocated on another. jemalloc's per-thread caches remove most of that.
//! Measured on the 10k-page benchmark site (nginx, 2 cores, 6 alternated runs): median
//! 4.63 CPU s against 4.97 with glibc, peak RSS 29.7 against 27.9 MiB; at 100k pages
//! (synthetic server, one run each) 44.8 against 54.6 CPU s at the same peak RSS (107.5 and
//! 107.9 MiB). mimalloc saved less CPU (4.79 s) and needed two options to keep its RSS in
//! bounds (56 MiB at 10k pages with its defaults).
//!
//! The library sets no allocator: an embedder chooses its own.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
