//! [`TlsFront`]: HTTPS on 127.0.0.1 with a self-signed certificate, in front of a
//! [`FixtureServer`](crate::FixtureServer), for tests of certificate checks.
//!
//! It terminates TLS and passes the plain bytes on to the fixture server, so everything the
//! fixture server serves and records works over HTTPS unchanged. The certificate (`tls/cert.der`,
//! P-256, for `127.0.0.1` and `localhost`, not a CA, valid until 2126) is signed by itself, so
//! a client that checks certificates must refuse it. Its key (`tls/key.der`) exists for these
//! tests only. They were made with:
//!
//! ```text
//! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//!   -subj "/CN=crawlgraph test server" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
//!   -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" \
//!   -keyout key.pem -out cert.pem
//! openssl x509 -in cert.pem -outform der -out cert.der
//! openssl pkcs8 -topk8 -nocrypt -in key.pem -outform der -out key.der
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// The self-signed certificate, DER.
pub const CERTIFICATE_DER: &[u8] = include_bytes!("tls/cert.der");
const KEY_DER: &[u8] = include_bytes!("tls/key.der");

/// An HTTPS listener on 127.0.0.1 passing every connection on to a backend, until dropped.
#[derive(Debug)]
pub struct TlsFront {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl TlsFront {
    /// Listens on a free port of 127.0.0.1 and passes each connection, once its TLS handshake
    /// is done, to `backend` (a [`FixtureServer::addr`](crate::FixtureServer::addr)).
    ///
    /// # Panics
    ///
    /// Panics if `backend` is not a loopback address or the listener cannot start.
    pub fn start(backend: SocketAddr) -> Self {
        assert!(
            backend.ip().is_loopback(),
            "backend {backend} is not loopback"
        );
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("bound address");
        let acceptor = TlsAcceptor::from(Arc::new(server_config()));
        let (shutdown, mut stop) = watch::channel(false);
        let thread = thread::Builder::new()
            .name(format!("tls-front {addr}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .build()
                    .expect("runtime starts");
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener).expect("tokio listener");
                    let mut tasks = tokio::task::JoinSet::new();
                    loop {
                        tokio::select! {
                            _ = stop.wait_for(|&stop| stop) => break,
                            accepted = listener.accept() => if let Ok((stream, _)) = accepted {
                                tasks.spawn(pass_on(acceptor.clone(), stream, backend));
                            },
                        }
                    }
                    tasks.abort_all();
                });
            })
            .expect("thread starts");
        Self {
            addr,
            shutdown,
            thread: Some(thread),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server side of TLS with the self-signed certificate, on the ring provider (the one
/// the crawler's client uses).
fn server_config() -> ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY_DER.to_vec()));
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(CERTIFICATE_DER.to_vec())], key)
        .expect("the test certificate and key match")
}

/// One connection: the handshake (a client that refuses the certificate ends it here), then
/// bytes both ways between the client and the backend until either side closes.
async fn pass_on(acceptor: TlsAcceptor, stream: TcpStream, backend: SocketAddr) {
    let Ok(mut tls) = acceptor.accept(stream).await else {
        return;
    };
    let Ok(mut plain) = TcpStream::connect(backend).await else {
        return;
    };
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
}
