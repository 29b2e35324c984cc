//! The crawl's outcome dictionary in Redis (`cg:{X}:dict`): set once, by the first proposal.
//!
//! Every worker proposes the layout bytes of its first pages ([`Codec::proposal`]); `SET NX`
//! keeps the first one stored and the proposer reads back whichever won, so all workers and
//! `crawl export` decode with the same bytes. A worker uses the dictionary only once Redis
//! holds it, and AOF replays writes in order, so a blob stored with the dictionary is never
//! in Redis without it.

use crate::batch::Batch;
use crate::codec::Codec;
use crate::error::RedisCrawlError;
use crate::frontier::{take, RedisFrontier};

impl RedisFrontier {
    /// The crawl's dictionary, if one was stored yet.
    ///
    /// # Errors
    /// Redis errors.
    pub(crate) async fn dictionary(&self) -> Result<Option<Vec<u8>>, RedisCrawlError> {
        let mut batch = Batch::new();
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.keys().dictionary());
        batch.add(None, cmd);
        take(&mut self.query(&batch).await?.into_iter())
    }

    /// Stores `proposal` as the crawl's dictionary unless one is there, and gives `codec`
    /// the one stored. One round trip.
    ///
    /// # Errors
    /// Redis errors; [`RedisCrawlError::Corrupt`] if the key vanished.
    pub(crate) async fn settle_dictionary(
        &self,
        codec: &Codec,
        proposal: &[u8],
    ) -> Result<(), RedisCrawlError> {
        let key = self.keys().dictionary();
        let mut batch = Batch::new();
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(proposal).arg("NX");
        batch.add(None, set).ignore();
        let mut get = redis::cmd("GET");
        get.arg(&key);
        batch.add(None, get);
        let stored: Option<Vec<u8>> = take(&mut self.query(&batch).await?.into_iter())?;
        let stored = stored
            .ok_or_else(|| RedisCrawlError::Corrupt("the crawl's dictionary vanished".into()))?;
        codec.adopt(stored);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crawler_core::{FoundLink, PageOutcome};
    use crawler_tests::RedisServer;
    use url::Url;

    use crate::codec::{Codec, DICTIONARY_LEN, WITH_DICTIONARY};
    use crate::connect::connect;
    use crate::frontier::RedisFrontier;
    use crate::keys::Keys;

    /// A codec that has encoded enough pages of its own to propose a dictionary.
    fn proposing(worker: usize) -> (Codec, Vec<u8>) {
        let codec = Codec::new(None);
        let base = Url::parse(&format!("http://a.test/w{worker}/")).unwrap();
        let mut i = 0;
        loop {
            if let Some(proposal) = codec.proposal() {
                return (codec, proposal);
            }
            let links = (0..20)
                .map(|j| {
                    let url = Url::parse(&format!("http://a.test/w{worker}/{i}/{j}")).unwrap();
                    FoundLink::new(url, Some(format!("link {j} of worker {worker}")), None)
                })
                .collect();
            codec.encode(&base, &PageOutcome::new(Vec::new(), None, links));
            i += 1;
        }
    }

    #[tokio::test]
    async fn racing_proposals_settle_on_one_dictionary_that_the_export_reads() {
        let server = RedisServer::start();
        let con = connect(&server.url(), Duration::from_secs(5))
            .await
            .unwrap();
        let frontier = RedisFrontier::new(con, Keys::new("d", 4).unwrap())
            .await
            .unwrap();
        assert_eq!(frontier.dictionary().await.unwrap(), None);
        let workers: Vec<(Codec, Vec<u8>)> = (0..4).map(proposing).collect();
        let settles = workers
            .iter()
            .map(|(codec, proposal)| frontier.settle_dictionary(codec, proposal));
        for settled in futures::future::join_all(settles).await {
            settled.unwrap();
        }
        let stored = frontier.dictionary().await.unwrap().unwrap();
        assert_eq!(stored.len(), DICTIONARY_LEN);
        assert!(workers.iter().any(|(_, proposal)| *proposal == stored));
        let export = Codec::new(Some(stored));
        let base = Url::parse("http://a.test/w1/").unwrap();
        let outcome = PageOutcome::new(
            Vec::new(),
            Some("t".into()),
            vec![FoundLink::new(base.join("x").unwrap(), None, None)],
        );
        for (codec, _) in &workers {
            assert!(codec.has_dictionary());
            let blob = codec.encode(&base, &outcome);
            assert_eq!(blob[0], WITH_DICTIONARY);
            assert_eq!(export.decode(&blob, &base).unwrap(), outcome);
        }
    }
}
