//! The hyper 1 server around an application: HTTP/1 with a header read timeout and a header
//! size limit (a slowloris client is dropped), a time limit per request, `TCP_NODELAY`, graceful shutdown on Ctrl-C or SIGTERM; and the fallback
//! service the registration layer wraps.
//!
//! `examples/hyper_standalone` serves the registration layer with it, and
//! `examples/bench_baseline.rs` (the HTTP load benchmark's ceiling) includes this same file
//! with `#[path]`, so that both serve with exactly the same setup.

use std::convert::Infallible;
use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::{Service, ServiceExt as _, service_fn};
use tracing::{debug, info, warn};
use tracing_subscriber::EnvFilter;

/// What one connection may hold, and for how long: the defaults of [`ConnectionLimits`].
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's headers, on a new connection or an
    /// idle kept-alive one; past it the connection is closed. Without it a slowloris client,
    /// dribbling a header byte now and then, holds a connection (and a task) forever.
    pub header_read_timeout: Duration,
    /// The largest request head (request line and headers) in bytes: past it hyper answers
    /// `431 Request Header Fields Too Large` and closes the connection, instead of buffering up
    /// to its ~400 KiB default. A registration request's head is well under 1 KiB (its largest
    /// header is a bearer token); 16 KiB is what common proxies allow.
    pub max_header_bytes: usize,
    /// How long one request may take in all, body included: the header timeout does not cover
    /// a client that sends its headers and then trickles the body of a registration request.
    pub request_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// How long shutdown waits for open connections to finish the requests they are serving.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Logs to stderr (`RUST_LOG`, default `info`), keeping stdout for the one `listening on`
/// line scripts wait for.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person: not in log files or CI output.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// What the wrapped application would answer: `GET /` says what this is (`home`), the rest
/// is 404.
pub fn fallback(
    home: Bytes,
) -> impl Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    service_fn(move |request: Request<Incoming>| {
        let response = match (request.method(), request.uri().path()) {
            (&Method::GET | &Method::HEAD, "/") => text(StatusCode::OK, home.clone()),
            _ => text(StatusCode::NOT_FOUND, Bytes::from_static(b"not found\n")),
        };
        std::future::ready(Ok(response))
    })
}

/// `service`, every request time-limited: answers 408 and closes the connection when a
/// request takes longer than `timeout`.
pub fn with_timeout_of<S, B>(
    timeout: Duration,
    service: S,
) -> impl Service<
    Request<Incoming>,
    Response = Response<Either<B, Full<Bytes>>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    service_fn(move |request: Request<Incoming>| {
        let response = service.clone().oneshot(request);
        async move {
            match tokio::time::timeout(timeout, response).await {
                Ok(Ok(response)) => Ok(response.map(Either::Left)),
                Ok(Err(never)) => match never {},
                Err(_elapsed) => {
                    debug!("request timed out");
                    let mut response = text(
                        StatusCode::REQUEST_TIMEOUT,
                        Bytes::from_static(b"request timed out\n"),
                    );
                    // The rest of a half-read body is still on the wire: the connection is
                    // unusable.
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    Ok(response.map(Either::Right))
                }
            }
        }
    })
}

fn text(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Prints the one stdout line scripts wait for, flushed now: stdout is block-buffered when
/// it is a pipe.
pub fn announce(local: SocketAddr) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{local}")?;
    stdout.flush()
}

/// Accepts connections until `shutdown` resolves, then lets open ones finish, for a bounded
/// time. Each connection's request heads are bounded in size and in time by `limits` (the
/// request timeout is [`with_timeout_of`]'s, around `app`).
pub async fn serve_with<S, B>(
    listener: TcpListener,
    app: S,
    shutdown: impl Future<Output = ()>,
    limits: ConnectionLimits,
) where
    S: Service<
            Request<Incoming>,
            Response = Response<B>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
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
                Ok((stream, peer)) => spawn_connection(&http, &graceful, stream, peer, app.clone()),
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

fn spawn_connection<S, B>(
    http: &http1::Builder,
    graceful: &GracefulShutdown,
    stream: TcpStream,
    peer: SocketAddr,
    app: S,
) where
    S: Service<
            Request<Incoming>,
            Response = Response<B>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    // Responses are small and written at once: don't let Nagle hold them back.
    if let Err(err) = stream.set_nodelay(true) {
        debug!(%peer, error = %err, "cannot set TCP_NODELAY");
    }
    let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            debug!(%peer, error = %err, "connection closed with an error");
        }
    });
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
