//! An axum authorization server for MCP (Model Context Protocol) servers: Dynamic Client
//! Registration (the layer, RFC 7591/7592), its metadata (RFC 8414 and OpenID discovery), an
//! authorization endpoint for the code flow with PKCE S256, a token endpoint
//! (`authorization_code`, rotating `refresh_token`, `client_credentials`; public and
//! confidential clients; RFC 8707 resource indicators), and, with `--features mcp`, an MCP
//! server at `/mcp` that only accepts this server's access tokens, with its protected resource
//! metadata (RFC 9728).
//!
//! **`/authorize` approves every request at once, as the demo user (`--demo-user`, default
//! `demo`): no login, no consent. Anyone who can reach the server gets tokens for that user.**
//! It shows the flow an MCP client runs; a real server authenticates its users there, and adds
//! what this sketch leaves out: rate limits on `/authorize` and `/token` (registration has
//! them), a cap on MCP sessions and their binding to the token's client, revoking a refresh
//! token's whole family when a spent one comes back, scopes checked against the client's, and
//! a page before redirecting an error to a redirect URI anyone may have registered.
//!
//! ```text
//! cargo run --example axum_app --features mcp -- --addr 127.0.0.1:8081
//! curl -si http://127.0.0.1:8081/mcp -X POST          # 401, WWW-Authenticate: Bearer resource_metadata="…"
//! curl -s http://127.0.0.1:8081/.well-known/oauth-protected-resource/mcp
//! curl -s http://127.0.0.1:8081/.well-known/oauth-authorization-server
//! ```
//!
//! then point an MCP client (MCP Inspector, an SDK) at `http://127.0.0.1:8081/mcp`: it
//! discovers the authorization server from the 401, registers itself as a public client
//! (`token_endpoint_auth_method: none`), is authorized with PKCE and calls the tools (`add`,
//! `echo`, `whoami`). The MCP server is rmcp, the official Rust SDK, over its Streamable HTTP
//! transport; it is an optional dependency (feature `mcp`, which also enables `fetch`), so that
//! `cargo run --example hyper_standalone` and the plain build of this example do not build it
//! (about 60 more crates, 40 beyond those of `fetch`: a schema generator, a second `sha2`...).
//! Its MSRV is this package's (1.88), so it needs no crate of its own. Without the feature, the
//! server is the authorization server alone.
//!
//! Confidential clients: a `client_credentials` client is registered with an initial
//! access token and gets tokens with its secret:
//!
//! ```text
//! export AXUM_APP_INITIAL_ACCESS_TOKEN=$(openssl rand -hex 16)
//! cargo run --example axum_app
//! curl -s http://127.0.0.1:8081/register -H 'Content-Type: application/json' \
//!      -H "Authorization: Bearer $AXUM_APP_INITIAL_ACCESS_TOKEN" \
//!      -d '{"grant_types":["client_credentials"],"client_name":"svc"}' > client.json
//! curl -s http://127.0.0.1:8081/token -d grant_type=client_credentials \
//!      -u "$(jq -r .client_id client.json):$(jq -r .client_secret client.json)"
//! ```
//!
//! With an issuer that has a path (`--issuer https://h/realms/x/`) every endpoint, the
//! registration endpoint and `/mcp` included, is served under that path; the well-known
//! documents are also served where RFC 8414 and RFC 9728 put them, between the host and the
//! path (`/.well-known/oauth-authorization-server/realms/x`).
//!
//! MCP clients may also skip registration and use the `https` URL of a client ID metadata
//! document as their `client_id`: `--client-id-metadata-documents` (built with `--features
//! fetch`, which `mcp` includes) resolves them through the library's guarded fetcher, and the
//! metadata then advertise `client_id_metadata_document_supported` (`documents.rs`).
//!
//! With `--initial-access-token` (or `AXUM_APP_INITIAL_ACCESS_TOKEN`; at least 16 characters of
//! `A-Z a-z 0-9 - . _ ~ + /`) registration needs `Authorization: Bearer <token>` (RFC 7591 §3),
//! which MCP clients do not send. Without it registration is open to anyone, as MCP clients
//! need, but an anonymous registrant cannot get a `client_credentials` (or `password`) client,
//! since anyone could then mint access tokens (the library's default caller restrictions, as
//! INDIGO IAM): it gets `400 invalid_client_metadata`. Public clients of the code flow are not
//! restricted.
//!
//! Registration is rate limited, 20 a minute per client address (10 at once) and 50 a second for
//! everyone: the router is served with `into_make_service_with_connect_info::<SocketAddr>()`,
//! and the configuration reads the address from that extension, a one-liner
//! (`ClientAddress::from_extension(|info: &ConnectInfo<SocketAddr>| info.0.ip())`, in
//! `app::config_builder`).
//!
//! Clients unused for an hour (never authenticated at the token endpoint, nor read or updated
//! with their registration access token) are deleted: MCP clients that register on every start
//! would otherwise fill the store.
//!
//! Clients live in memory unless `--store` names a database: `sqlite:PATH` (build with
//! `--features sqlite`) or a `postgres://…` URL (`--features postgres`), as in
//! `hyper_standalone`. Clients and their secrets then survive a restart; their registration
//! access tokens do not, since this skeleton signs them with a key made at start. Codes and
//! access and refresh tokens are always in memory, bounded, and lost at exit.
//!
//! Logs go to stderr (`RUST_LOG`, default `info`); stdout carries one line,
//! `listening on http://ADDR`, once the socket is bound (`--addr 127.0.0.1:0` picks a port).
//!
//! `app/` builds the application (its `mod.rs` lists a file per concern); `mcp.rs` is the MCP
//! server; `store.rs` opens the client store; this file parses the flags and serves it;
//! `tests/` drives the application in process (`cargo test`, with `--features mcp` for the MCP
//! endpoint).

mod app;
#[cfg(feature = "fetch")]
mod documents;
#[cfg(feature = "mcp")]
mod mcp;
mod process;
mod store;
#[cfg(test)]
mod tests;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;
use tower_oidc_registration::rate_limit::{Rate, RateLimit};
use tower_oidc_registration::{
    ClientStore, ExpiryPolicy, RegistrationAccess, RegistrationConfig, Registry,
};
use tracing::info;

use crate::process::init_tracing;
use crate::store::StoreSpec;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// OAuth 2.0 authorization server for MCP servers: Dynamic Client Registration (RFC 7591,
/// RFC 7592), the authorization code flow with PKCE, and with the `mcp` feature an MCP server at
/// /mcp.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "AXUM_APP_ADDR", default_value = "127.0.0.1:8081")]
    addr: SocketAddr,

    /// Issuer identifier (base URL) of this server; the metadata, every endpoint, the MCP
    /// resource and registration_client_uri are built from it. [default: http://<bound address>/]
    #[arg(long, env = "AXUM_APP_ISSUER")]
    issuer: Option<String>,

    /// Require this initial access token (`Authorization: Bearer`) to register a client: at
    /// least 16 characters of A-Z a-z 0-9 - . _ ~ + / (e.g. `openssl rand -hex 16`).
    /// Without it, registration is open (as MCP clients need) but anonymous registrants cannot
    /// get client_credentials clients: those need a token holder.
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

    #[cfg(feature = "fetch")]
    #[command(flatten)]
    documents: documents::DocumentArgs,
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
    // Deletes the clients unused for an hour (`config`): MCP clients that register on every
    // start leave one abandoned registration each time.
    tokio::spawn(Registry::new(&config).run_expiry());
    let app = application(&args, config);
    println!("listening on http://{local}");
    std::io::stdout().flush()?;
    process::serve(listener, app).await?;
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
    let mut builder = app::config_builder(issuer)
        .registration_rate_limit(Some(
            RateLimit::per_address(Rate::per_minute(20).burst(10))
                .overall(Rate::per_second(50).burst(100)),
        ))
        // Clients neither authenticated nor managed for an hour are deleted: the memory
        // store's 10,000 clients then absorb 10,000 new registrations an hour for ever.
        .expire_unused_clients(Some(ExpiryPolicy::new(Duration::from_secs(3600))));
    if let Some(store) = store {
        builder = builder.shared_store(store);
    }
    #[cfg(feature = "fetch")]
    {
        builder = documents::configure(builder, &args.documents)?;
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
