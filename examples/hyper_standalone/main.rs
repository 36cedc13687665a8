//! A standalone Dynamic Client Registration server: hyper 1 serving [`RegistrationLayer`] in
//! front of a trivial fallback service.
//!
//! It is enough to run the INDIGO IAM walk-through (httpie + jq) against
//! `http://127.0.0.1:8080/register`, and a template for putting the layer into a hyper server:
//!
//! ```text
//! cargo run --example hyper_standalone -- --key-file key.pem
//! http http://127.0.0.1:8080/register < client-req.json > client.json
//! ```
//!
//! Every flag has an environment fallback (see `--help`). Logs go to stderr (`RUST_LOG`,
//! default `info`); stdout carries exactly one line, `listening on http://ADDR`, so that a
//! script can start the server on port 0 and learn where it listens.

use std::convert::Infallible;
use std::io::{IsTerminal as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use clap::{Parser, ValueEnum};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::{Layer as _, Service, ServiceExt as _, service_fn};
use tower_oidc_registration::{
    ConfigError, RegistrationConfig, RegistrationLayer, ResponseBody, SigningKey, TokenRotation,
};
use tracing::{debug, info, warn};
use tracing_subscriber::EnvFilter;

/// How long a client may take to send a request's headers, on a new connection or an idle
/// kept-alive one. Without it a slowloris client holds a connection (and a task) forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one request may take in all, body included: the header timeout does not cover a
/// client that sends its headers and then trickles the body of a registration request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long shutdown waits for open connections to finish the requests they are serving.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response of the whole application: the registration layer's (its own, or the fallback's
/// passed through), or the timeout answer added here.
type AppResponse = Response<Either<ResponseBody<Full<Bytes>>, Full<Bytes>>>;

/// OAuth 2.0 / OpenID Connect Dynamic Client Registration server (RFC 7591, RFC 7592).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "REGISTRATION_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// Issuer identifier (base URL) of this server; registration_client_uri is built from it,
    /// never from the request's Host header. [default: http://<bound address>/]
    #[arg(long, env = "REGISTRATION_ISSUER")]
    issuer: Option<String>,

    /// PEM private key signing registration access tokens: RSA of 2048 bits or more (RS256),
    /// P-256 (ES256) or Ed25519 (EdDSA). Without a key one is generated per process.
    #[arg(long, env = "REGISTRATION_KEY_FILE", value_name = "PEM")]
    key_file: Option<PathBuf>,

    /// File whose raw bytes (at least 32, a trailing newline included) are an HS256 secret
    /// signing registration access tokens.
    #[arg(
        long,
        env = "REGISTRATION_HS256_KEY_FILE",
        value_name = "FILE",
        conflicts_with = "key_file"
    )]
    hs256_key_file: Option<PathBuf>,

    /// Path of the registration endpoint; clients are managed at <prefix>/<client_id>.
    #[arg(long, env = "REGISTRATION_PREFIX", default_value = "/register")]
    prefix: String,

    /// When the registration access token is replaced by a new one.
    #[arg(long, env = "REGISTRATION_TOKEN_ROTATION", value_enum, default_value_t = Rotation::Never)]
    token_rotation: Rotation,

    /// Lifetime of client secrets in seconds [default: never expire].
    #[arg(
        long,
        env = "REGISTRATION_SECRET_LIFETIME",
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    secret_lifetime: Option<u64>,
}

/// `--token-rotation`: the library's enum is `#[non_exhaustive]`, so the flag has its own.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Rotation {
    /// Keep the token issued at registration until the client is deleted (as MitreID).
    Never,
    /// Issue a new token on every successful update; the old one stops working at once.
    OnUpdate,
}

impl From<Rotation> for TokenRotation {
    fn from(rotation: Rotation) -> Self {
        match rotation {
            Rotation::Never => TokenRotation::Never,
            Rotation::OnUpdate => TokenRotation::OnUpdate,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    // A bad flag makes clap print its usage and exit with status 2.
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hyper_standalone: error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, keeping stdout for the one `listening on` line scripts wait for.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person: not in log files or CI output.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

async fn run(args: Args) -> Result<(), BoxError> {
    // Keys are read before binding, so that a bad key fails without touching the network.
    let key = signing_key(&args)?;
    // Bind before building the configuration: the default issuer names the port actually
    // bound, which is only known now when --addr asks for port 0.
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr()?;
    let config = registration_config(&args, key, local)?;
    // With no key, the library itself warns that tokens will not survive a restart.
    info!(
        issuer = config.issuer(),
        registration_endpoint = %config.registration_endpoint(),
        "serving dynamic client registration"
    );
    let shutdown = shutdown_signal().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    let app = app(config);
    announce(local)?;
    serve(listener, app, shutdown).await;
    Ok(())
}

/// The signing key named by `--key-file` or `--hs256-key-file`, if any.
fn signing_key(args: &Args) -> Result<Option<SigningKey>, BoxError> {
    let key = match (&args.key_file, &args.hs256_key_file) {
        (Some(path), _) => SigningKey::from_pem(&read_key_file(path)?)
            .map_err(|e| format!("--key-file {}: {e}", path.display()))?,
        (None, Some(path)) => SigningKey::hs256(&read_key_file(path)?)
            .map_err(|e| format!("--hs256-key-file {}: {e}", path.display()))?,
        (None, None) => return Ok(None),
    };
    // The kid is derived from public material (or a hash, for HS256): safe to log.
    info!(algorithm = ?key.algorithm(), kid = key.kid(), "loaded signing key");
    Ok(Some(key))
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, BoxError> {
    std::fs::read(path).map_err(|e| format!("cannot read key file {}: {e}", path.display()).into())
}

fn registration_config(
    args: &Args,
    key: Option<SigningKey>,
    local: SocketAddr,
) -> Result<RegistrationConfig, BoxError> {
    let issuer = args.issuer.clone().unwrap_or_else(|| default_issuer(local));
    let mut builder = RegistrationConfig::builder(issuer)
        .prefix(args.prefix.clone())
        .token_rotation(args.token_rotation.into())
        .client_secret_lifetime(args.secret_lifetime.map(Duration::from_secs));
    if let Some(key) = key {
        builder = builder.signing_key(key);
    }
    builder.build().map_err(|e| match e {
        ConfigError::Issuer(_) => format!(
            "invalid configuration: {e}; give --issuer with the https URL clients reach this \
             server at"
        )
        .into(),
        e => format!("invalid configuration: {e}").into(),
    })
}

/// `http://<bound address>/`. An unspecified address (0.0.0.0, [::]) is nothing a client can
/// send requests to, so loopback of the same family stands in for it.
fn default_issuer(local: SocketAddr) -> String {
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, local.port()))
}

/// The application: the registration layer around a fallback, every request time-limited.
fn app(
    config: RegistrationConfig,
) -> impl Service<Request<Incoming>, Response = AppResponse, Error = Infallible, Future: Send + 'static>
+ Clone
+ Send
+ 'static {
    let home = Bytes::from(format!(
        "tower-oidc-registration example server\n\
         register a client: POST its metadata (JSON) to {}\n",
        config.registration_endpoint()
    ));
    let fallback = service_fn(move |request| fallback(request, home.clone()));
    let registration = RegistrationLayer::new(config).layer(fallback);
    service_fn(move |request: Request<Incoming>| {
        with_timeout(registration.clone().oneshot(request))
    })
}

/// What the wrapped application would answer: `GET /` says what this is, the rest is 404.
async fn fallback(
    request: Request<Incoming>,
    home: Bytes,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, "/") => text(StatusCode::OK, home),
        _ => text(StatusCode::NOT_FOUND, Bytes::from_static(b"not found\n")),
    };
    Ok(response)
}

/// Answers 408 and closes the connection when a request takes longer than [`REQUEST_TIMEOUT`].
async fn with_timeout<F, B>(request: F) -> Result<Response<Either<B, Full<Bytes>>>, Infallible>
where
    F: Future<Output = Result<Response<B>, Infallible>>,
{
    match tokio::time::timeout(REQUEST_TIMEOUT, request).await {
        Ok(Ok(response)) => Ok(response.map(Either::Left)),
        Ok(Err(never)) => match never {},
        Err(_elapsed) => {
            debug!("request timed out");
            let mut response = text(
                StatusCode::REQUEST_TIMEOUT,
                Bytes::from_static(b"request timed out\n"),
            );
            // The rest of a half-read body is still on the wire: the connection is unusable.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Ok(response.map(Either::Right))
        }
    }
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
fn announce(local: SocketAddr) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{local}")?;
    stdout.flush()
}

/// Accepts connections until Ctrl-C or SIGTERM, then lets open ones finish, for a bounded time.
async fn serve<S>(listener: TcpListener, app: S, shutdown: impl Future<Output = ()>)
where
    S: Service<
            Request<Incoming>,
            Response = AppResponse,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
{
    // HTTP/1 only: hyper-util's auto (HTTP/1 + HTTP/2) builder first reads the HTTP/2 preface
    // with no timeout at all, so a client that connects and sends nothing would stay forever.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
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

fn spawn_connection<S>(
    http: &http1::Builder,
    graceful: &GracefulShutdown,
    stream: TcpStream,
    peer: SocketAddr,
    app: S,
) where
    S: Service<
            Request<Incoming>,
            Response = AppResponse,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
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
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
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
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
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
