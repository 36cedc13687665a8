//! An axum authorization-server skeleton: Dynamic Client Registration (the layer), a discovery
//! document built from the registry, and a `client_credentials` token endpoint that
//! authenticates the registered clients.
//!
//! ```text
//! export AXUM_APP_INITIAL_ACCESS_TOKEN=$(openssl rand -hex 16)
//! cargo run --example axum_app
//! curl -s http://127.0.0.1:8081/.well-known/openid-configuration
//! curl -s http://127.0.0.1:8081/register -H 'Content-Type: application/json' \
//!      -H "Authorization: Bearer $AXUM_APP_INITIAL_ACCESS_TOKEN" \
//!      -d '{"grant_types":["client_credentials"],"client_name":"svc"}' > client.json
//! curl -s http://127.0.0.1:8081/token -d grant_type=client_credentials \
//!      -u "$(jq -r .client_id client.json):$(jq -r .client_secret client.json)"
//! ```
//!
//! With an issuer that has a path (`--issuer https://h/realms/x/`) every endpoint, the
//! registration endpoint included, is served under that path.
//!
//! With `--initial-access-token` (or `AXUM_APP_INITIAL_ACCESS_TOKEN`; at least 16 characters of
//! `A-Z a-z 0-9 - . _ ~ + /`) registration needs `Authorization: Bearer <token>` (RFC 7591 §3).
//! Without it registration is open to anyone, but an anonymous registrant cannot get a
//! `client_credentials` (or `password`) client, since anyone could then mint access tokens
//! (the library's default caller restrictions, as INDIGO IAM): it gets
//! `400 invalid_client_metadata`. Clients for this token endpoint therefore need a token
//! holder: run with `--initial-access-token` and register with that token, or have the host
//! application register them through the `Registry`.
//!
//! Registration is rate limited, 20 a minute per client address (10 at once) and 50 a second for
//! everyone: the router is served with `into_make_service_with_connect_info::<SocketAddr>()`,
//! and the configuration reads the address from that extension, a one-liner
//! (`ClientAddress::from_extension(|info: &ConnectInfo<SocketAddr>| info.0.ip())`, in
//! `app::config_builder`).
//!
//! Clients live in memory unless `--store` names a database: `sqlite:PATH` (build with
//! `--features sqlite`) or a `postgres://…` URL (`--features postgres`), as in
//! `hyper_standalone`. Clients and their secrets then survive a restart; their registration
//! access tokens do not, since this skeleton signs them with a key made at start.
//!
//! Logs go to stderr (`RUST_LOG`, default `info`); stdout carries one line,
//! `listening on http://ADDR`, once the socket is bound.
//!
//! `app/` builds the application (`app/token.rs`, the token endpoint); `store.rs` opens the
//! client store; this file parses the flags and serves it; `tests.rs` drives the application in process (`cargo test` runs it).

mod app;
#[cfg(feature = "mcp")]
mod mcp;
mod store;
#[cfg(test)]
mod tests;

use std::io::{IsTerminal as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tokio::net::TcpListener;
use tower_oidc_registration::rate_limit::{Rate, RateLimit};
use tower_oidc_registration::{ClientStore, RegistrationAccess, RegistrationConfig};
use tracing::info;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

use crate::store::StoreSpec;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// OAuth 2.0 authorization-server skeleton with Dynamic Client Registration (RFC 7591, RFC 7592)
/// and a client_credentials token endpoint.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "AXUM_APP_ADDR", default_value = "127.0.0.1:8081")]
    addr: SocketAddr,

    /// Issuer identifier (base URL) of this server; the discovery document, the token endpoint
    /// and registration_client_uri are built from it. [default: http://<bound address>/]
    #[arg(long, env = "AXUM_APP_ISSUER")]
    issuer: Option<String>,

    /// Require this initial access token (`Authorization: Bearer`) to register a client: at
    /// least 16 characters of A-Z a-z 0-9 - . _ ~ + / (e.g. `openssl rand -hex 16`).
    /// Without it, registration is open but anonymous registrants cannot get
    /// client_credentials clients: the clients of this token endpoint need a token holder.
    /// Prefer the environment variable: a command line is visible to other local users.
    #[arg(
        long,
        env = "AXUM_APP_INITIAL_ACCESS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    initial_access_token: Option<String>,

    /// Where clients are stored: `memory` (lost at exit), `sqlite:PATH` (a SQLite file,
    /// created if missing; needs the `sqlite` feature) or a `postgres://…` URL (needs the
    /// `postgres` feature). Registration access tokens do not survive a restart (their key is
    /// made at start); clients and their secrets do.
    #[arg(
        long,
        env = "AXUM_APP_STORE",
        value_name = "STORE",
        default_value = "memory",
        value_parser = StoreSpec::parse
    )]
    store: StoreSpec,

    /// The user `/authorize` approves every request for, at once: no login, no consent
    /// screen. For demonstrations and tests only: anyone who can reach the server gets tokens
    /// for this user.
    #[arg(
        long,
        env = "AXUM_APP_DEMO_USER",
        value_name = "NAME",
        default_value = "demo"
    )]
    demo_user: String,
}

/// The allocator of `hyper_standalone` (see there why: mimalloc without transparent huge pages).
/// Any allocator works with the layer: remove these lines to use the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let log_writer = init_tracing();
    let args = Args::parse();
    let outcome = run(args).await;
    // The queued lines first, then the error: in the order they happened.
    drop(log_writer);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("axum_app: error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    // The store first, so that an unreachable database fails before the port is taken.
    let store = store::open(&args.store).await?;
    // Then bind: the default issuer names the port actually bound (--addr with port 0).
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr()?;
    let config = config(&args, local, store)?;
    info!(
        issuer = config.issuer(),
        registration_endpoint = config.registration_endpoint(),
        initial_access_token = args.initial_access_token.is_some(),
        store = %args.store.describe(),
        "serving the authorization server"
    );
    tracing::warn!(
        demo_user = args.demo_user,
        "/authorize approves EVERY request as the demo user, without login or consent: \
         a demonstration server, not for real users"
    );
    let app = application(&args, config);
    println!("listening on http://{local}");
    std::io::stdout().flush()?;
    // With each connection's peer as `ConnectInfo<SocketAddr>`: the client address of the
    // rate limit per address (`app::config_builder`).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    info!("stopped");
    Ok(())
}

/// The application `run` serves: the authorization server, with the MCP endpoint at `/mcp`
/// when built with `--features mcp`.
fn application(args: &Args, config: RegistrationConfig) -> axum::Router {
    #[cfg(feature = "mcp")]
    let resource = Some(mcp::router(config.issuer()));
    #[cfg(not(feature = "mcp"))]
    let resource = None;
    let options = app::Options {
        demo_user: args.demo_user.clone(),
        resource,
    };
    app::app(config, options)
}

/// The registration configuration, rate limited: open registration (where anonymous
/// registrants cannot get `client_credentials` clients), or initial-access-token mode with the static token of
/// `--initial-access-token` (only its hash is kept; a token shorter than 16 characters, or with
/// characters outside the bearer token alphabet, fails the configuration). Clients live in
/// `store`, or in the configuration's default memory store when `None`.
fn config(
    args: &Args,
    local: SocketAddr,
    store: Option<Arc<dyn ClientStore>>,
) -> Result<RegistrationConfig, BoxError> {
    let issuer = args.issuer.clone().unwrap_or_else(|| default_issuer(local));
    // Registration from the network, rate limited: 20 a minute per client address (10 at
    // once), 50 a second for everyone.
    let mut builder = app::config_builder(issuer).registration_rate_limit(Some(
        RateLimit::per_address(Rate::per_minute(20).burst(10))
            .overall(Rate::per_second(50).burst(100)),
    ));
    if let Some(store) = store {
        builder = builder.shared_store(store);
    }
    if let Some(token) = &args.initial_access_token {
        if token.is_empty() {
            return Err("--initial-access-token: the token is empty".into());
        }
        builder = builder
            .registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token(token.clone());
    }
    builder
        .build()
        .map_err(|e| format!("invalid configuration: {e}").into())
}

/// `http://<bound address>/`, loopback standing in for an unspecified address.
fn default_issuer(local: SocketAddr) -> String {
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, local.port()))
}

/// Logs to stderr, keeping stdout for the `listening on` line. `RUST_LOG` is a level (`debug`)
/// or `target=level` pairs (`info,tower_oidc_registration=debug`); `info` when unset. A
/// `Targets` filter rather than an `EnvFilter`: the same syntax, without a regex engine to build.
///
/// Lines are written by a thread of their own, off the request path: a request formats its line
/// into a queue and goes on, instead of waiting for stderr (a pipe, a terminal, a log shipper).
/// Nothing is dropped: a request waits only when 128,000 lines are queued. Keep the returned
/// guard until the end of `main`: dropping it writes out what is queued.
fn init_tracing() -> WorkerGuard {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|value| value.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::stderr());
    let log = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        // Colour codes only for a person: not in log files or CI output.
        .with_ansi(std::io::stderr().is_terminal());
    tracing_subscriber::registry().with(log).with(filter).init();
    guard
}

/// Resolves on Ctrl-C (or SIGTERM on Unix); `axum::serve` then stops accepting connections
/// and lets the open ones finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    info!("shutting down");
}
