//! Serving a Tower service with hyper 1: HTTP/1 with a header read timeout and a header size
//! limit (a slowloris client is dropped), `TCP_NODELAY`, the peer's address in each request's
//! extensions, and a graceful shutdown on Ctrl-C or SIGTERM.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::Service;
use tracing::{debug, info, warn};

use crate::BoxError;

/// What one connection may hold, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's headers, on a new connection or an
    /// idle kept-alive one. Without it a slowloris client, dribbling a header byte now and
    /// then, holds a connection (and a task) forever.
    pub header_read_timeout: Duration,
    /// The largest request head in bytes: past it hyper answers `431` and closes the
    /// connection, instead of buffering up to its ~400 KiB default. A registration request's
    /// head is well under 1 KiB; 16 KiB is what common proxies allow.
    pub max_header_bytes: usize,
    /// How long one request may take in all, body included (applied around the application,
    /// `app::with_timeout`).
    pub request_timeout: Duration,
}

/// How long shutdown waits for open connections to finish the requests they are serving.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Accepts connections until `shutdown` resolves, then lets open ones finish, for a bounded
/// time.
pub async fn serve<S, B>(
    listener: TcpListener,
    app: S,
    shutdown: impl Future<Output = ()>,
    limits: ConnectionLimits,
) where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    // HTTP/1 only: hyper-util's auto (HTTP/1 + HTTP/2) builder first reads the HTTP/2 preface
    // with no timeout at all, so a client that connects and sends nothing would stay forever.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        // `Access-Control-Allow-Origin: *`, as the INDIGO IAM walk-through shows it, rather
        // than hyper's lowercase names.
        .title_case_headers(true);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => serve_connection(&http, &graceful, stream, peer, app.clone()),
                Err(err) => {
                    // Usually out of file descriptors: wait for some to close, don't spin.
                    warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    drain(graceful).await;
}

/// Serves one connection in a task of its own.
fn serve_connection<S, B>(
    http: &http1::Builder,
    graceful: &GracefulShutdown,
    stream: TcpStream,
    peer: SocketAddr,
    app: S,
) where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    // Responses are small and written at once: don't let Nagle hold them back.
    if let Err(err) = stream.set_nodelay(true) {
        debug!(%peer, error = %err, "cannot set TCP_NODELAY");
    }
    // The peer, in each request's extensions: the client address the registration rate limits
    // count (`ClientAddress::socket_addr`).
    let app = tower::util::MapRequest::new(app, move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(peer);
        request
    });
    let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            debug!(%peer, error = %err, "connection closed with an error");
        }
    });
}

/// Asks every open connection to close once its current request is answered, and waits for
/// them at most [`SHUTDOWN_GRACE`]: a stuck client must not keep the process alive.
async fn drain(graceful: GracefulShutdown) {
    let open = graceful.count();
    if open > 0 {
        info!(
            open_connections = open,
            "waiting for open connections to finish"
        );
    }
    tokio::select! {
        () = graceful.shutdown() => info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            warn!("connections still open after {SHUTDOWN_GRACE:?}; exiting anyway");
        }
    }
}

/// A future resolving on the first Ctrl-C (SIGINT) or SIGTERM. The handlers are installed
/// now, before the `listening on` line: a signal sent right after it must shut down
/// gracefully, not kill the process the default way.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => info!("received Ctrl-C, shutting down"),
            _ = terminate.recv() => info!("received SIGTERM, shutting down"),
        }
    })
}

/// A future resolving on the first Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => info!("received Ctrl-C, shutting down"),
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    })
}
