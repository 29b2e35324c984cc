//! Random sites spread over several hosts, and the breadth-first search a crawl of one must
//! give: the oracle of the tests of crawls without levels (single process and Redis).
//!
//! Each site has random links within and across hosts, random redirects (a fifth of the
//! pages) and a random latency for every page, so answers arrive far out of level order.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::time::Duration;

use crate::{FixtureServer, Reply};

/// A small deterministic generator (xorshift64*), so a failing case can be run again.
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn draw(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).expect("a usize fits a u64");
        usize::try_from(self.draw() % n).expect("a remainder below a usize fits one")
    }
}

/// Pages met (URL to depth and whether fetched) and edges (source, target, redirect or not).
pub type Graph = (
    BTreeMap<String, (u32, bool)>,
    BTreeSet<(String, String, bool)>,
);

/// What a page of the random site answers.
#[derive(Debug)]
enum Answer {
    Html(Vec<usize>),
    Redirect(usize),
}

/// A random site: page `i` is `/p{i}` on host `i % hosts`; pages `0..hosts` are the hosts'
/// seeds.
#[derive(Debug)]
pub struct RandomSite {
    /// One fixture server per host.
    pub servers: Vec<FixtureServer>,
    answers: Vec<Answer>,
}

impl RandomSite {
    /// A site of 2-4 hosts and 30-69 pages drawn from `rng`, served with random latencies.
    pub fn generate(rng: &mut Rng) -> Self {
        let hosts = 2 + rng.below(3);
        let pages = 30 + rng.below(40);
        let servers: Vec<FixtureServer> = (0..hosts).map(|_| FixtureServer::start()).collect();
        let host_latency: Vec<u64> = (0..hosts).map(|_| rng.below(30) as u64).collect();
        let mut answers = Vec::with_capacity(pages);
        for i in 0..pages {
            // Seeds are pages; a fifth of the others redirect (to a page that does not).
            if i >= hosts && rng.below(5) == 0 {
                answers.push(Answer::Redirect(usize::MAX));
                continue;
            }
            let mut links = BTreeSet::new();
            for _ in 0..rng.below(5) {
                let target = if rng.below(10) < 7 {
                    // Same host.
                    let same = (pages - 1 - i % hosts) / hosts + 1;
                    i % hosts + hosts * rng.below(same)
                } else {
                    rng.below(pages)
                };
                links.insert(target);
            }
            answers.push(Answer::Html(links.into_iter().collect()));
        }
        let html: Vec<usize> = (0..pages)
            .filter(|&i| matches!(answers[i], Answer::Html(_)))
            .collect();
        for answer in &mut answers {
            if let Answer::Redirect(target) = answer {
                *target = html[rng.below(html.len())];
            }
        }
        let site = Self { servers, answers };
        for (i, answer) in site.answers.iter().enumerate() {
            let delay = host_latency[i % hosts] + rng.below(20) as u64;
            let reply = match answer {
                Answer::Html(links) => {
                    let mut body = String::new();
                    for &t in links {
                        let _ = write!(body, r#"<a href="{}">{t}</a>"#, site.url(t));
                    }
                    Reply::html(body)
                }
                Answer::Redirect(target) => Reply::redirect(301, &site.url(*target)),
            };
            let server = &site.servers[i % hosts];
            server.route(
                &format!("/p{i}"),
                reply.with_delay(Duration::from_millis(delay)),
            );
        }
        site
    }

    /// The URL of page `page`.
    pub fn url(&self, page: usize) -> String {
        self.servers[page % self.servers.len()].url(&format!("/p{page}"))
    }

    /// The hosts' seeds.
    pub fn seeds(&self) -> Vec<String> {
        (0..self.servers.len()).map(|i| self.url(i)).collect()
    }

    /// The breadth-first search: each page met with its depth and whether it is fetched, and
    /// the edges (source, target, redirect or not).
    pub fn search(&self, max_depth: u32) -> Graph {
        let mut depth: BTreeMap<usize, u32> = BTreeMap::new();
        let mut queue = VecDeque::new();
        for seed in 0..self.servers.len() {
            depth.insert(seed, 0);
            queue.push_back(seed);
        }
        let mut fetched = BTreeSet::new();
        let mut edges = BTreeSet::new();
        // 0-1 breadth-first search: a redirect keeps the depth, a link adds one.
        while let Some(page) = queue.pop_front() {
            let d = depth[&page];
            if d > max_depth || !fetched.insert(page) {
                continue;
            }
            let mut reach = |target: usize, step: u32, queue: &mut VecDeque<usize>| {
                let known = depth.get(&target).copied();
                if known.is_none_or(|k| d + step < k) {
                    depth.insert(target, d + step);
                    if step == 0 {
                        queue.push_front(target);
                    } else {
                        queue.push_back(target);
                    }
                }
            };
            match &self.answers[page] {
                Answer::Html(links) => {
                    for &target in links {
                        edges.insert((self.url(page), self.url(target), false));
                        reach(target, 1, &mut queue);
                    }
                }
                Answer::Redirect(target) => {
                    edges.insert((self.url(page), self.url(*target), true));
                    reach(*target, 0, &mut queue);
                }
            }
        }
        let pages = depth
            .iter()
            .map(|(&page, &d)| (self.url(page), (d, fetched.contains(&page))))
            .collect();
        (pages, edges)
    }
}
