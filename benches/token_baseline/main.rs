//! The ceiling of the HTTP load benchmark's `authenticate` scenario (`benches/http_load.sh`):
//! a bare axum token endpoint that answers like `examples/axum_app`'s and does nothing else.
//!
//! It serves as `axum_app` does (`axum::serve` of a `Router`, with each connection's
//! `ConnectInfo<SocketAddr>`), and:
//!
//! - `POST /token`: reads the body, takes the client id and secret out of the
//!   `Authorization: Basic` header (base64 decoded, split at the first `:`) and answers `200`
//!   with a token response of `axum_app`'s shape and size (`access_token` of 43 characters,
//!   `token_type`, `expires_in`) and headers (`Cache-Control: no-store`, `Pragma: no-cache`);
//!   `401` without Basic credentials;
//! - anything else: `404`.
//!
//! No form parsing, no client lookup, no secret comparison, no random token: whatever token
//! endpoint is built on axum can at best match it. The response is one constant: the cost
//! measured is axum's (and the connection's), nothing of the response's making.
//!
//! ```text
//! cargo run --release --example bench_token_baseline -- --addr 127.0.0.1:0
//! ```
//!
//! `token.rs` is the endpoint (which `benches/profile.rs` also runs in process); this file
//! parses the flag and serves it.
//!
//! Like `axum_app`, it prints exactly one line on stdout, `listening on http://ADDR`. A
//! benchmark fixture, not an example to copy: an `[[example]]` of the library's package (built
//! with its dev-dependencies' axum, which `http_load.sh` builds in the same `cargo build` as
//! `axum_app`, so both link the same axum with the same features).

mod token;

use std::net::SocketAddr;
use std::process::ExitCode;

use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The example's allocator (`examples/axum_app/main.rs`): the two servers differ by the
/// registration layer and the token endpoint's work alone.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench_token_baseline: error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `--addr ADDR` (default `127.0.0.1:8081`; port 0 picks a free port), the one flag.
fn addr() -> Result<SocketAddr, BoxError> {
    let mut args = std::env::args().skip(1);
    let addr = match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => "127.0.0.1:8081".to_owned(),
        (Some("--addr"), Some(addr), None) => addr,
        _ => return Err("usage: bench_token_baseline [--addr ADDR]".into()),
    };
    addr.parse()
        .map_err(|e| format!("--addr {addr}: {e}").into())
}

async fn run() -> Result<(), BoxError> {
    let addr = addr()?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let app = token::router();
    println!("listening on http://{local}");
    // As axum_app serves (its rate limit per address reads the peer from ConnectInfo); no
    // graceful shutdown: the benchmark stops the server with a signal.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
