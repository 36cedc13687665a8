//! A standalone Dynamic Client Registration server: hyper 1 serving [`RegistrationLayer`] in
//! front of a trivial service, the place of your own application.
//!
//! ```text
//! cargo run --example hyper_standalone                  # http://127.0.0.1:8080/register
//! http http://127.0.0.1:8080/register < client-req.json > client.json
//! cargo run --example hyper_standalone -- --help        # every flag and its REGISTRATION_ variable
//! ```
//!
//! Protected registration: with `--initial-access-token` (or
//! `REGISTRATION_INITIAL_ACCESS_TOKEN`) a registration needs `Authorization: Bearer <token>`.
//! `--token-rotation never|on-update|on-every-use` says when a client's registration access
//! token is replaced. Clients live in memory unless `--store` names a database; a durable store
//! wants a fixed signing key too, or the tokens it handed out stop verifying at the next start.
//! Client metadata URIs that a server will dereference (`jwks_uri`, `request_uris`, the logout
//! URIs...) may not name localhost or a special-purpose address
//! (`MetadataRules::refuse_special_purpose_hosts`, off in the library, on here);
//! `--allow-special-purpose-hosts` accepts them, for development against local services:
//!
//! ```text
//! head -c 32 /dev/urandom > hs256.key
//! cargo run --example hyper_standalone --features sqlite -- \
//!     --store sqlite:clients.db --hs256-key-file hs256.key
//! ```
//!
//! Registration is open to the network, so it is rate limited by default: 20 a minute per client
//! address (10 at once), 50 a second for everyone (100 at once), past which a request gets `429`
//! with `Retry-After`; `--rate-limit-per-address` and `--rate-limit-overall` tune them (`off`
//! lifts one). The address is the connection's peer, which the server inserts in each request's
//! extensions; behind a reverse proxy, `--trusted-proxy` names it (and `--proxy-header` the
//! header it writes). The memory store keeps at most 10,000 clients (`--max-clients`).
//!
//! Logs go to stderr (`RUST_LOG`, default `info`); stdout carries exactly one line,
//! `listening on http://ADDR`, so that a script can start the server on port 0 and learn where
//! it listens. `--no-registration` serves the trivial service alone: the reference of the HTTP
//! load benchmark's pass-through scenario (`benches/http_load.sh`).
//!
//! The files, by concern: `args.rs` the flags, `config.rs` the registration configuration,
//! `limits.rs` the rate limits and the client address, `store.rs` the client store, `app.rs`
//! the application, `server.rs` serving it with hyper.

mod app;
mod args;
mod config;
mod limits;
mod server;
mod store;

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::process::ExitCode;

use bytes::Bytes;
use clap::Parser as _;
use tokio::net::TcpListener;
use tower::Layer as _;
use tower_oidc_registration::RegistrationLayer;
use tracing::{info, warn};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

use args::Args;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The allocator: mimalloc rather than the C library's. The memory store keeps each
/// registration's record among the short-lived allocations of the requests after it, and
/// glibc's malloc slows down as that heap grows (its slow path sorts through more and more free
/// chunks): over HTTP at 10,000 registrations/s it took a fifth of the server's CPU, and with
/// mimalloc a registration costs the server some 15% less CPU. Built with `no_thp`: mimalloc 3
/// otherwise asks for transparent huge pages, and faulting one in (zeroing or compacting 2 MiB)
/// stalled this server for ~6 ms several times a second under load. Any allocator works with
/// the layer: remove these lines to use the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let log_writer = init_tracing();
    // A bad flag makes clap print its usage and exit with status 2.
    let args = Args::parse();
    let outcome = run(args).await;
    // The queued lines first, then the error: in the order they happened.
    drop(log_writer);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hyper_standalone: error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    // The key and the store first, so that a bad key or an unreachable database fails before
    // the port is taken.
    let key = config::signing_key(&args)?;
    let store = store::open(&args.store, args.max_clients).await?;
    if args.store.is_durable() && !args.no_registration {
        warn_about_restarts(&args, key.is_some());
    }
    // Bind before building the configuration: the default issuer names the port actually
    // bound, which is only known now when --addr asks for port 0.
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr()?;
    let config = config::registration_config(&args, key, store, local)?;
    let shutdown =
        server::shutdown_signal().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    // The same home page with or without the layer: --no-registration must serve the same bytes.
    let home = Bytes::from(format!(
        "tower-oidc-registration example server\n\
         register a client: POST its metadata (JSON) to {}\n",
        config.registration_endpoint()
    ));
    let fallback = app::fallback(home);
    let limits = args.connection_limits();
    if args.no_registration {
        info!("--no-registration: serving the fallback alone, without the registration layer");
        let app = app::with_timeout(limits.request_timeout, fallback);
        announce(local)?;
        server::serve(listener, app, shutdown, limits).await;
        return Ok(());
    }
    // With no key, the library itself warns that tokens will not survive a restart.
    info!(
        issuer = config.issuer(),
        registration_endpoint = %config.registration_endpoint(),
        initial_access_token = args.initial_access_token.is_some(),
        rate_limit_per_address = ?args.rate_limit_per_address.0,
        rate_limit_overall = ?args.rate_limit_overall.0,
        "serving dynamic client registration"
    );
    let layer = RegistrationLayer::new(config);
    if let Some(seconds) = args.expire_unused_after {
        info!(
            seconds,
            "deleting clients unused for --expire-unused-after seconds"
        );
        tokio::spawn(layer.registry().run_expiry());
    }
    let app = app::with_timeout(limits.request_timeout, layer.layer(fallback));
    announce(local)?;
    server::serve(listener, app, shutdown, limits).await;
    Ok(())
}

/// A durable store keeps clients across restarts; their tokens must verify after one too.
fn warn_about_restarts(args: &Args, fixed_key: bool) {
    if !fixed_key {
        warn!(
            store = %args.store.describe(),
            "DURABLE STORE WITHOUT A SIGNING KEY: clients will survive a restart, but the key \
             signing their registration access tokens is generated for this process only, so \
             after a restart no token issued now will verify and no stored client can be read, \
             updated or deleted by its owner. Give a fixed key: --hs256-key-file FILE (32 or \
             more random bytes, e.g. `head -c 32 /dev/urandom > FILE`) or --key-file PEM"
        );
    }
    if args.issuer.is_none() && args.addr.port() == 0 {
        // Tokens carry `iss`: the default issuer names the port, which port 0 picks anew.
        warn!(
            "durable store on --addr port 0 without --issuer: the default issuer names the port \
             picked now, so tokens issued now will not verify after a restart on another \
             port; give --issuer"
        );
    }
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

/// Prints the one stdout line scripts wait for, flushed now: stdout is block-buffered when
/// it is a pipe.
fn announce(local: SocketAddr) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{local}")?;
    stdout.flush()
}
