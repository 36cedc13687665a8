//! The process around the server: its logs, off the request path, and the signals that stop
//! it gracefully.

use std::future::IntoFuture as _;
use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tracing::info;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// Logs to stderr, keeping stdout for the `listening on` line. `RUST_LOG` is a level (`debug`)
/// or `target=level` pairs (`info,tower_oidc_registration=debug`); `info` when unset. A
/// `Targets` filter rather than an `EnvFilter`: the same syntax, without a regex engine to build.
///
/// Lines are written by a thread of their own, off the request path: a request formats its line
/// into a queue and goes on, instead of waiting for stderr (a pipe, a terminal, a log shipper).
/// Nothing is dropped: a request waits only when 128,000 lines are queued. Keep the returned
/// guard until the end of `main`: dropping it writes out what is queued.
pub fn init_tracing() -> WorkerGuard {
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

/// How long open connections may take to finish once a signal came: an MCP client's event
/// stream (`GET /mcp`) never does by itself, and would keep the process alive.
const GRACE: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until Ctrl-C or SIGTERM, then lets open connections finish for
/// at most [`GRACE`]. Each connection's peer is its `ConnectInfo<SocketAddr>`: the client
/// address of the rate limit per address (`app::config_builder`).
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    let (stopping, stopped) = oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    });
    let grace_over = async move {
        // An error: the server stopped without a signal, and its result comes first.
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(GRACE).await;
    };
    tokio::select! {
        result = server.into_future() => result,
        () = grace_over => {
            info!("connections still open after {GRACE:?}: closing them");
            Ok(())
        }
    }
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
