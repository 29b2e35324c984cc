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
