//! One client connection: the keep-alive loop that reads requests, records
//! them, dispatches them and writes the responses.
//!
//! Kept apart from the wire details in `http` and the routing in `routes` so
//! that the connection lifecycle (keep-alive, closing, shutdown) is in one
//! place. Fault routes (`faults`) are dispatched here rather than in
//! `routes`, because wire faults take over the connection itself.

use std::io;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::faults::{self, Fault};
use crate::http::{parse_head, BodyFraming, Conn, HeadRead, Method};
use crate::response::Response;
use crate::routes::{self, Shared};

/// Serves `stream` until the client is done or the server shuts down.
///
/// I/O errors end the connection quietly: clients that give up mid-response
/// (timeouts, cancelled crawls) are normal in tests.
pub(crate) async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Responses are written whole; don't let Nagle delay small ones.
    let _ = stream.set_nodelay(true);
    let port = stream.local_addr().map_or(0, |addr| addr.port());
    let mut conn = Conn::new(stream);
    tokio::select! {
        _ = requests(&mut conn, &shared, port) => {}
        // Dropping the connection closes it, also mid-response.
        _ = shutdown.wait_for(|&stop| stop) => {}
    }
}

/// The keep-alive loop; `port` is the local port, for fault routes.
async fn requests(conn: &mut Conn<TcpStream>, shared: &Shared, port: u16) -> io::Result<()> {
    loop {
        let head = match conn.read_head().await? {
            HeadRead::Head(head) => head,
            HeadRead::Closed => return Ok(()),
            HeadRead::TooLarge => {
                let resp = Response::html(431, "<html><body>request head too large</body></html>");
                return finish(conn, &resp).await;
            }
        };
        let Some(req) = parse_head(&head) else {
            let resp = Response::html(400, "<html><body>bad request</body></html>");
            return finish(conn, &resp).await;
        };
        let in_flight = shared.stats.begin(&req.target);
        shared
            .stats
            .record_head(req.method.as_str(), &req.target, &req.headers);
        if req.header("authorization").is_some() {
            shared.stats.note_authorization();
        }
        let mut keep_alive = req.wants_keep_alive();
        match req.body_framing() {
            BodyFraming::None => {}
            BodyFraming::Length(n) => keep_alive &= conn.discard(n).await?,
            BodyFraming::Unknown => keep_alive = false,
        }
        if shared.drops.drop_now(&req.target) {
            // Counted, never answered: the connection closes under the client.
            return Ok(());
        }
        let resp = match faults::route(&req, &shared.stats, port) {
            Some(Fault::Wire(wire)) => return faults::misbehave(conn, wire).await,
            Some(Fault::Reply(resp)) => resp,
            None => routes::respond(shared, &req).await,
        };
        keep_alive &= !resp.close;
        let with_body = req.method != Method::Head || resp.body_on_head;
        // The request stops counting as in flight before its answer is written: once the last
        // byte is out, the client may start its next request before this task runs again, and
        // a count dropped after the write would see both (one request more than the client
        // ever had in flight).
        drop(in_flight);
        conn.write_response(&resp, with_body, keep_alive).await?;
        if !keep_alive {
            conn.close().await;
            return Ok(());
        }
    }
}

/// Writes a last response and closes.
async fn finish(conn: &mut Conn<TcpStream>, resp: &Response) -> io::Result<()> {
    conn.write_response(resp, true, false).await?;
    conn.close().await;
    Ok(())
}
