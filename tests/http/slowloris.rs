//! Connection bounds of the example server, the binary itself (`examples/hyper_standalone`)
//! over real sockets on 127.0.0.1: a client that dribbles its headers, or sends nothing, is
//! disconnected after `--header-read-timeout`; a request head past `--max-header-bytes` gets
//! 431; a request slower than `--request-timeout` gets 408.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::seed_walkthrough::Server;

/// Far above the timeouts the tests set, far below hyper's default of 30 s: closing later than
/// this means the configured timeout is not applied. Not a precision check.
const CLOSE_BOUND: Duration = Duration::from_secs(15);
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// The example server with a header read timeout of 1 s (short, so the tests are quick) and a
/// request head limit of [`MAX_HEADER_BYTES`], killed when the test ends.
fn start() -> Server {
    Server::start_with(&[
        "--header-read-timeout",
        "1",
        "--max-header-bytes",
        &MAX_HEADER_BYTES.to_string(),
    ])
}

/// Sends `dribble` one byte every 100 ms (then keeps waiting) until the server closes the
/// connection; returns how long that took and how many bytes were sent.
async fn until_closed(stream: &mut TcpStream, dribble: &[u8]) -> (Duration, usize) {
    let started = Instant::now();
    let mut sent = 0;
    let mut buf = [0u8; 1024];
    loop {
        if let Some(byte) = dribble.get(sent) {
            if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                return (started.elapsed(), sent);
            }
            sent += 1;
        }
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            // End of stream or reset: closed. (Any response bytes before it are read and
            // ignored: what matters is that the connection ends.)
            Ok(Ok(0)) | Ok(Err(_)) => return (started.elapsed(), sent),
            Ok(Ok(_)) | Err(_) => {}
        }
    }
}

#[tokio::test]
async fn a_client_dribbling_its_headers_is_disconnected_after_the_header_read_timeout() {
    let server = start();
    let mut stream = TcpStream::connect(server.authority())
        .await
        .expect("connect");
    stream
        .write_all(b"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .expect("request line");
    // Enough header bytes for a minute at ten bytes a second: the server must not wait them out.
    let dribble = vec![b'a'; 600];
    let (elapsed, sent) = tokio::time::timeout(CLOSE_BOUND, until_closed(&mut stream, &dribble))
        .await
        .expect("the server closed the slowloris connection");
    assert!(
        sent < dribble.len(),
        "the whole dribble was accepted ({sent} bytes in {elapsed:?})"
    );
    println!("slowloris: closed after {elapsed:?}, {sent} header bytes dribbled");
}

#[tokio::test]
async fn a_client_that_connects_and_sends_nothing_is_disconnected() {
    let server = start();
    let mut stream = TcpStream::connect(server.authority())
        .await
        .expect("connect");
    let (elapsed, _) = tokio::time::timeout(CLOSE_BOUND, until_closed(&mut stream, b""))
        .await
        .expect("the server closed the idle connection");
    println!("idle: closed after {elapsed:?}");
}

/// Sends `request` whole (ignoring a write refused because the server closed first) and
/// returns everything the server answers until it closes.
async fn exchange(server: &Server, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.authority())
        .await
        .expect("connect");
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let read = tokio::time::timeout(CLOSE_BOUND, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => response.extend_from_slice(&buf[..n]),
            }
        }
    });
    read.await.expect("the server answered and closed");
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_request_head_over_the_size_limit_gets_431() {
    let server = start();
    let request = format!(
        "GET /register/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(2 * MAX_HEADER_BYTES)
    );
    let response = exchange(&server, request.as_bytes()).await;
    assert!(
        response.starts_with("HTTP/1.1 431"),
        "response to an oversize head: {response:?}"
    );
}

#[tokio::test]
async fn an_ordinary_registration_passes_the_same_limits() {
    let server = start();
    let body = r#"{"redirect_uris":["https://rp.example.org/cb"],"client_name":"t"}"#;
    let request = format!(
        "POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = exchange(&server, request.as_bytes()).await;
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "response to a registration: {response:?}"
    );
}

/// The example server's `--request-timeout <seconds>`: a slower request, a trickled body say,
/// gets 408. The example binary itself, started with `--request-timeout 1`: a registration
/// whose body stops after its first byte is answered 408 and the connection closed, well
/// before hyper's or the default 30 s timeout.
#[tokio::test]
async fn the_example_binary_answers_408_past_its_request_timeout() {
    let server = Server::start_with(&["--request-timeout", "1"]);
    let mut stream = TcpStream::connect(server.authority())
        .await
        .expect("connect");
    let started = Instant::now();
    stream
        .write_all(
            b"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .await
        .expect("send the head and one byte of the body");
    let mut response = Vec::new();
    tokio::time::timeout(CLOSE_BOUND, stream.read_to_end(&mut response))
        .await
        .expect("the server closes the connection")
        .expect("read the response");
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.starts_with("HTTP/1.1 408 "),
        "after {elapsed:?}: {text:?}"
    );
    assert!(
        elapsed >= Duration::from_secs(1),
        "answered after {elapsed:?}"
    );
}
