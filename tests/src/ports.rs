//! Free ports of 127.0.0.1, for the servers a test starts as processes (Redis, nginx), which
//! cannot report the port they got from a port 0.

/// A port of 127.0.0.1 free when asked; the caller's server binds it right after.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
