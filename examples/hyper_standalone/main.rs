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
//! `--store` picks where clients live: `memory` (the default; lost at exit), `sqlite:PATH` (a
//! file database, with `--features sqlite`) or a `postgres://…` URL (a database several
//! replicas share, with `--features postgres`). A durable store wants a fixed signing key too
//! (`--hs256-key-file`), or the tokens it hands out stop verifying at the next start:
//!
//! ```text
//! head -c 32 /dev/urandom > hs256.key
//! cargo run --example hyper_standalone --features sqlite -- \
//!     --store sqlite:clients.db --hs256-key-file hs256.key
//! ```
//!
//! Every flag has an environment fallback (`cargo run --example hyper_standalone -- --help`):
//!
//! - `--addr` (`REGISTRATION_ADDR`, default `127.0.0.1:8080`);
//! - `--issuer` (`REGISTRATION_ISSUER`);
//! - `--key-file` (`REGISTRATION_KEY_FILE`, a PEM private key), `--hs256-key-file`;
//! - `--store memory|sqlite:PATH|postgres://…` (`REGISTRATION_STORE`, default `memory`;
//!   `sqlite:` needs `--features sqlite`, `postgres://` / `postgresql://` needs
//!   `--features postgres`, and a build without the feature says so; a durable store wants
//!   `--hs256-key-file` too, or the tokens it issued stop verifying after a restart, which the
//!   server warns about);
//! - `--prefix` (`REGISTRATION_PREFIX`), `--token-rotation never|on-update`,
//!   `--secret-lifetime <seconds>`;
//! - `--expire-unused-after <seconds>` (`REGISTRATION_EXPIRE_UNUSED_AFTER`: deletes clients
//!   unused for that long, checked every minute, at most 1000 per check; default never);
//! - `--no-registration` (`REGISTRATION_DISABLED`: the fallback service alone, without the
//!   layer, for the pass-through load benchmark; see BENCHMARKS.md);
//! - `--header-read-timeout <seconds>` (`REGISTRATION_HEADER_READ_TIMEOUT`, default 10: a
//!   client that has not sent a whole request head by then, a slowloris client dribbling
//!   header bytes or one that sends nothing, is disconnected);
//! - `--max-header-bytes <bytes>` (`REGISTRATION_MAX_HEADER_BYTES`, default 16384: a larger
//!   request head gets `431`);
//! - `--request-timeout <seconds>` (`REGISTRATION_REQUEST_TIMEOUT`, default 30: a slower
//!   request, a trickled body say, gets `408`);
//! - `--store-timeout <seconds>` (`REGISTRATION_STORE_TIMEOUT`: a store operation slower than
//!   this fails the request with `503`; default none).
//!
//! Logs go to stderr (`RUST_LOG`, default `info`); stdout carries exactly one line,
//! `listening on http://ADDR`, so that a script can start the server on port 0 and learn where
//! it listens.
//!
//! This file builds the application; `server.rs` serves it with hyper (timeouts, graceful
//! shutdown), the same way `examples/bench_baseline.rs` serves the HTTP load benchmark's
//! ceiling. `--no-registration` serves the fallback alone, without the layer: the reference of
//! the benchmark's pass-through scenario (`benches/http_load.sh`).

mod server;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::{Parser, ValueEnum};
use tokio::net::TcpListener;
use tower::Layer as _;
use tower_oidc_registration::{
    ClientStore, ConfigError, ExpiryPolicy, MemoryStore, RegistrationConfig, RegistrationLayer,
    SigningKey, TokenRotation,
};
use tracing::{info, warn};

use server::BoxError;

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

    /// Where clients are stored: `memory` (lost at exit), `sqlite:PATH` (a SQLite file,
    /// created if missing; needs the `sqlite` feature) or a `postgres://…` / `postgresql://…`
    /// URL (needs the `postgres` feature). A durable store wants a fixed key too
    /// (`--hs256-key-file`): tokens signed by a generated key stop verifying at a restart.
    #[arg(
        long,
        env = "REGISTRATION_STORE",
        value_name = "STORE",
        default_value = "memory",
        value_parser = StoreSpec::parse
    )]
    store: StoreSpec,

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

    /// DELETE clients not used (authenticated, or read or updated with their registration
    /// access token) for this many seconds, checked every minute, at most 1000 per check
    /// [default: never].
    #[arg(
        long,
        env = "REGISTRATION_EXPIRE_UNUSED_AFTER",
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    expire_unused_after: Option<u64>,

    /// Serve the fallback service alone, without the registration layer (every request
    /// reaches it): the reference of the HTTP load benchmark's pass-through scenario.
    #[arg(
        long,
        env = "REGISTRATION_DISABLED",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    no_registration: bool,

    /// Seconds a client may take to send a request's headers before its connection is closed
    /// (a slowloris client, dribbling header bytes, is dropped after this).
    #[arg(
        long,
        env = "REGISTRATION_HEADER_READ_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    header_read_timeout: u64,

    /// The largest request head (request line and headers) in bytes; larger ones get 431.
    #[arg(
        long,
        env = "REGISTRATION_MAX_HEADER_BYTES",
        value_name = "BYTES",
        default_value_t = 16 * 1024,
        value_parser = clap::value_parser!(u64).range(1024..=1024 * 1024)
    )]
    max_header_bytes: u64,

    /// Seconds one request may take in all, body included; slower ones get 408.
    #[arg(
        long,
        env = "REGISTRATION_REQUEST_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    request_timeout: u64,

    /// Seconds one store operation may take before the request fails with 503
    /// temporarily_unavailable (a stalled database) [default: no limit but --request-timeout].
    #[arg(
        long,
        env = "REGISTRATION_STORE_TIMEOUT",
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    store_timeout: Option<u64>,
}

impl Args {
    /// What one connection may hold, and for how long.
    fn connection_limits(&self) -> server::ConnectionLimits {
        server::ConnectionLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            // At most 1 MiB by the flag's range: fits any usize.
            max_header_bytes: usize::try_from(self.max_header_bytes).unwrap_or(usize::MAX),
            request_timeout: Duration::from_secs(self.request_timeout),
        }
    }
}

/// `--token-rotation`: the library's enum is `#[non_exhaustive]`, so the flag has its own.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Rotation {
    /// Keep the token issued at registration until the client is deleted (as MitreID).
    Never,
    /// Issue a new token on every successful update; the old one stops working at once.
    OnUpdate,
}

/// `--store`. Every form is recognised whatever the build's features, so that asking for a
/// store this build lacks says which feature it needs rather than "invalid value".
#[derive(Debug, Clone)]
enum StoreSpec {
    Memory,
    /// `sqlite:PATH`: the path, or the whole `sqlite://…` URL (query parameters included).
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`: the whole URL, password included.
    Postgres(String),
}

impl StoreSpec {
    fn parse(value: &str) -> Result<Self, String> {
        if value == "memory" {
            Ok(Self::Memory)
        } else if value.starts_with("sqlite://") {
            Ok(Self::Sqlite(value.to_owned()))
        } else if let Some(path) = value.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("sqlite: needs a database file path, as in sqlite:clients.db".into());
            }
            Ok(Self::Sqlite(path.to_owned()))
        } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Ok(Self::Postgres(value.to_owned()))
        } else {
            Err("expected memory, sqlite:PATH, or a postgres://… (postgresql://…) URL".into())
        }
    }

    /// Whether clients outlive the process.
    fn is_durable(&self) -> bool {
        !matches!(self, Self::Memory)
    }

    /// For logs and errors: no password.
    fn describe(&self) -> String {
        match self {
            Self::Memory => "memory".to_owned(),
            Self::Sqlite(path) if path.starts_with("sqlite:") => path.clone(),
            Self::Sqlite(path) => format!("sqlite:{path}"),
            Self::Postgres(url) => redact_password(url),
        }
    }
}

/// `url` with its password, if any, replaced by `***`.
fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Unparsable: show the scheme alone rather than risk printing a secret.
        Err(_) => format!("{}://…", url.split("://").next().unwrap_or("postgres")),
    }
}

/// The store `--store` names, opened (schema created or migrated by the store itself).
async fn open_store(spec: &StoreSpec) -> Result<Arc<dyn ClientStore>, BoxError> {
    if spec.is_durable() {
        // A database server that does not answer takes the pool's whole connect timeout.
        info!(store = %spec.describe(), "opening the client store");
    }
    let store: Arc<dyn ClientStore> = match spec {
        StoreSpec::Memory => Arc::new(MemoryStore::new()),
        #[cfg(feature = "sqlite")]
        StoreSpec::Sqlite(path) => Arc::new(
            tower_oidc_registration::SqliteStore::open(path)
                .await
                .map_err(|e| format!("--store {}: {e}", spec.describe()))?,
        ),
        #[cfg(not(feature = "sqlite"))]
        StoreSpec::Sqlite(_) => {
            return Err(format!(
                "--store {}: this build has no sqlite support: build with --features sqlite",
                spec.describe()
            )
            .into());
        }
        #[cfg(feature = "postgres")]
        StoreSpec::Postgres(url) => Arc::new(
            tower_oidc_registration::PostgresStore::connect(url)
                .await
                .map_err(|e| format!("--store {}: {e}", spec.describe()))?,
        ),
        #[cfg(not(feature = "postgres"))]
        StoreSpec::Postgres(_) => {
            return Err(format!(
                "--store {}: this build has no postgres support: build with --features postgres",
                spec.describe()
            )
            .into());
        }
    };
    info!(store = %spec.describe(), "opened the client store");
    Ok(store)
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
    server::init_tracing();
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

async fn run(args: Args) -> Result<(), BoxError> {
    // Keys are read before binding, so that a bad key fails without touching the network.
    let key = signing_key(&args)?;
    // The store too, so that an unreachable database fails before the port is taken.
    let store = open_store(&args.store).await?;
    if args.store.is_durable() && key.is_none() && !args.no_registration {
        warn!(
            store = %args.store.describe(),
            "DURABLE STORE WITHOUT A SIGNING KEY: clients will survive a restart, but the key \
             signing their registration access tokens is generated for this process only, so \
             after a restart no token issued now will verify and no stored client can be read, \
             updated or deleted by its owner. Give a fixed key: --hs256-key-file FILE (32 or \
             more random bytes, e.g. `head -c 32 /dev/urandom > FILE`) or --key-file PEM"
        );
    }
    if args.store.is_durable()
        && !args.no_registration
        && args.issuer.is_none()
        && args.addr.port() == 0
    {
        // Tokens carry `iss`: the default issuer names the port, which port 0 picks anew.
        warn!(
            "durable store on --addr port 0 without --issuer: the default issuer names the port \
             picked now, so tokens issued now will not verify after a restart on another \
             port; give --issuer"
        );
    }
    // Bind before building the configuration: the default issuer names the port actually
    // bound, which is only known now when --addr asks for port 0.
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr()?;
    let config = registration_config(&args, key, store, local)?;
    let shutdown =
        server::shutdown_signal().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    // The same home page with or without the layer: --no-registration must serve the same bytes.
    let home = Bytes::from(format!(
        "tower-oidc-registration example server\n\
         register a client: POST its metadata (JSON) to {}\n",
        config.registration_endpoint()
    ));
    let fallback = server::fallback(home);
    let limits = args.connection_limits();
    if args.no_registration {
        info!("--no-registration: serving the fallback alone, without the registration layer");
        server::announce(local)?;
        let app = server::with_timeout_of(limits.request_timeout, fallback);
        server::serve_with(listener, app, shutdown, limits).await;
    } else {
        // With no key, the library itself warns that tokens will not survive a restart.
        info!(
            issuer = config.issuer(),
            registration_endpoint = %config.registration_endpoint(),
            "serving dynamic client registration"
        );
        // The application: the registration layer around the fallback, every request
        // time-limited.
        let layer = RegistrationLayer::new(config);
        if let Some(seconds) = args.expire_unused_after {
            info!(
                seconds,
                "deleting clients unused for --expire-unused-after seconds"
            );
            tokio::spawn(layer.registry().run_expiry());
        }
        let app = server::with_timeout_of(limits.request_timeout, layer.layer(fallback));
        server::announce(local)?;
        server::serve_with(listener, app, shutdown, limits).await;
    }
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
    store: Arc<dyn ClientStore>,
    local: SocketAddr,
) -> Result<RegistrationConfig, BoxError> {
    let issuer = args.issuer.clone().unwrap_or_else(|| default_issuer(local));
    let mut builder = RegistrationConfig::builder(issuer)
        .shared_store(store)
        .prefix(args.prefix.clone())
        .token_rotation(args.token_rotation.into())
        .client_secret_lifetime(args.secret_lifetime.map(Duration::from_secs))
        .store_timeout(args.store_timeout.map(Duration::from_secs))
        .expire_unused_clients(
            args.expire_unused_after
                .map(|seconds| ExpiryPolicy::new(Duration::from_secs(seconds))),
        );
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
