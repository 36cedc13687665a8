//! Endpoints that fail in the ways a fetch can: a port nobody listens on, a server that answers
//! a TLS handshake with bytes that are not TLS, and one that accepts connections and never
//! says a word. Each is `https://127.0.0.1:{port}` plus a path.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// The address of a port that was free a moment ago and has no listener: connections to it
/// are refused.
pub async fn refusing() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("address")
}

/// A server that answers whatever it is sent with a plain-text HTTP response, which a TLS
/// client takes for a corrupt record. It stops with the test's runtime.
pub async fn not_tls() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut hello = [0u8; 512];
                let _ = tcp.read(&mut hello).await;
                let _ = tcp
                    .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    addr
}

/// A server that accepts connections and keeps them open without sending anything, until the
/// test's runtime stops.
pub async fn silent() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    addr
}
