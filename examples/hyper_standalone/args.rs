//! The command line: every flag has an environment fallback (`REGISTRATION_…`), listed by
//! `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use tower_oidc_registration::TokenRotation;
use tower_oidc_registration::rate_limit::ProxyHeader;

use crate::limits::{MaxClients, RateSpec};
use crate::server::ConnectionLimits;
use crate::store::StoreSpec;

/// OAuth 2.0 / OpenID Connect Dynamic Client Registration server (RFC 7591, RFC 7592).
#[derive(Debug, Parser)]
#[command(version)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "REGISTRATION_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Issuer identifier (base URL) of this server; registration_client_uri is built from it,
    /// never from the request's Host header. [default: http://<bound address>/]
    #[arg(long, env = "REGISTRATION_ISSUER")]
    pub issuer: Option<String>,

    /// PEM private key signing registration access tokens: RSA of 2048 bits or more (RS256),
    /// P-256 (ES256) or Ed25519 (EdDSA). Without a key one is generated per process.
    #[arg(long, env = "REGISTRATION_KEY_FILE", value_name = "PEM")]
    pub key_file: Option<PathBuf>,

    /// File whose raw bytes (at least 32, a trailing newline included) are an HS256 secret
    /// signing registration access tokens.
    #[arg(
        long,
        env = "REGISTRATION_HS256_KEY_FILE",
        value_name = "FILE",
        conflicts_with = "key_file"
    )]
    pub hs256_key_file: Option<PathBuf>,

    /// Where clients are stored: `memory` (lost at exit), `sqlite:PATH` (a SQLite file,
    /// created if missing; needs the `sqlite` feature) or a `postgres://…` URL (needs the
    /// `postgres` feature). A durable store wants a fixed key too (`--hs256-key-file` or
    /// `--key-file`): tokens signed by a generated key stop verifying at a restart.
    #[arg(
        long,
        env = "REGISTRATION_STORE",
        value_name = "STORE",
        default_value = "memory",
        value_parser = StoreSpec::parse
    )]
    pub store: StoreSpec,

    /// With `--store memory`: the most clients kept, or `unbounded`; registrations past it get
    /// 403 access_denied. Each client may hold up to 64 KiB of metadata.
    #[arg(
        long,
        env = "REGISTRATION_MAX_CLIENTS",
        value_name = "N",
        default_value = "10000",
        value_parser = MaxClients::parse
    )]
    pub max_clients: MaxClients,

    /// Registrations one client address may make (an IPv6 address counts as its /64):
    /// COUNT/UNIT (second, minute, hour) with an optional ,burst=N (how many at once; default
    /// COUNT), or `off`. Every attempt counts, refused ones too; past it, 429 with Retry-After.
    #[arg(
        long,
        env = "REGISTRATION_RATE_LIMIT_PER_ADDRESS",
        value_name = "RATE",
        default_value = "20/minute,burst=10",
        value_parser = RateSpec::parse
    )]
    pub rate_limit_per_address: RateSpec,

    /// Registrations all clients together may make, as --rate-limit-per-address, or `off`.
    /// A client over its own limit spends nothing of this one.
    #[arg(
        long,
        env = "REGISTRATION_RATE_LIMIT_OVERALL",
        value_name = "RATE",
        default_value = "50/second,burst=100",
        value_parser = RateSpec::parse
    )]
    pub rate_limit_overall: RateSpec,

    /// A reverse proxy (an address, or a network such as 10.0.0.0/8) whose --proxy-header is
    /// believed: a request from it is limited as the rightmost address of the header that is
    /// not a trusted proxy. Repeat it, or separate them with commas. Without it, a request is
    /// its peer's.
    #[arg(
        long = "trusted-proxy",
        env = "REGISTRATION_TRUSTED_PROXIES",
        value_name = "ADDRESS_OR_NETWORK",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// The header the trusted proxies put the client's address in.
    #[arg(
        long,
        env = "REGISTRATION_PROXY_HEADER",
        value_enum,
        default_value_t = ForwardingHeader::XForwardedFor
    )]
    pub proxy_header: ForwardingHeader,

    /// Path of the registration endpoint; clients are managed at <prefix>/<client_id>.
    #[arg(long, env = "REGISTRATION_PREFIX", default_value = "/register")]
    pub prefix: String,

    /// Require this initial access token (`Authorization: Bearer`) to register: at least 16
    /// characters of A-Z a-z 0-9 - . _ ~ + / (e.g. `openssl rand -hex 16`). Without it,
    /// registration is open to anyone. Prefer the environment variable: a command line is
    /// visible to other local users.
    #[arg(
        long,
        env = "REGISTRATION_INITIAL_ACCESS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub initial_access_token: Option<String>,

    /// When the registration access token is replaced by a new one.
    #[arg(long, env = "REGISTRATION_TOKEN_ROTATION", value_enum, default_value_t = Rotation::Never)]
    pub token_rotation: Rotation,

    /// Lifetime of client secrets in seconds [default: never expire].
    #[arg(
        long,
        env = "REGISTRATION_SECRET_LIFETIME",
        value_name = "SECONDS",
        value_parser = seconds()
    )]
    pub secret_lifetime: Option<u64>,

    /// DELETE clients not used (authenticated, or read or updated with their registration
    /// access token) for this many seconds, checked every minute, at most 1000 per check
    /// [default: never].
    #[arg(
        long,
        env = "REGISTRATION_EXPIRE_UNUSED_AFTER",
        value_name = "SECONDS",
        value_parser = seconds()
    )]
    pub expire_unused_after: Option<u64>,

    /// Serve the fallback service alone, without the registration layer (every request
    /// reaches it): the reference of the HTTP load benchmark's pass-through scenario.
    #[arg(
        long,
        env = "REGISTRATION_DISABLED",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub no_registration: bool,

    /// Seconds a client may take to send a request's headers before its connection is closed
    /// (a slowloris client, dribbling header bytes, is dropped after this).
    #[arg(
        long,
        env = "REGISTRATION_HEADER_READ_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 10,
        value_parser = seconds()
    )]
    pub header_read_timeout: u64,

    /// The largest request head (request line and headers) in bytes; larger ones get 431.
    #[arg(
        long,
        env = "REGISTRATION_MAX_HEADER_BYTES",
        value_name = "BYTES",
        default_value_t = 16 * 1024,
        value_parser = clap::value_parser!(u64).range(1024..=1024 * 1024)
    )]
    pub max_header_bytes: u64,

    /// Seconds one request may take in all, body included; slower ones get 408.
    #[arg(
        long,
        env = "REGISTRATION_REQUEST_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = seconds()
    )]
    pub request_timeout: u64,

    /// Seconds one store operation may take before the request fails with 503
    /// temporarily_unavailable (a stalled database) [default: no limit but --request-timeout].
    #[arg(
        long,
        env = "REGISTRATION_STORE_TIMEOUT",
        value_name = "SECONDS",
        value_parser = seconds()
    )]
    pub store_timeout: Option<u64>,

    /// Accept client metadata URIs that this server or an authorization server will fetch or
    /// send browsers to (jwks_uri, request_uris, sector_identifier_uri, the logout URIs,
    /// initiate_login_uri, logo_uri) on localhost or a special-purpose address (loopback,
    /// private, link-local such as 169.254.169.254...). Refused by default, so that clients
    /// cannot point the server at its own network; redirect URIs on loopback stay allowed
    /// either way. For development against local services.
    #[arg(
        long,
        env = "REGISTRATION_ALLOW_SPECIAL_PURPOSE_HOSTS",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub allow_special_purpose_hosts: bool,
}

/// A whole number of seconds, at least 1: a zero timeout or lifetime would refuse everything.
fn seconds() -> clap::builder::RangedU64ValueParser {
    clap::value_parser!(u64).range(1..)
}

impl Args {
    /// What one connection may hold, and for how long.
    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            // At most 1 MiB by the flag's range: fits any usize.
            max_header_bytes: usize::try_from(self.max_header_bytes).unwrap_or(usize::MAX),
            request_timeout: Duration::from_secs(self.request_timeout),
        }
    }
}

/// `--token-rotation`: the library's enum is `#[non_exhaustive]`, so the flag has its own.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Rotation {
    /// Keep the token issued at registration until the client is deleted (as MitreID).
    Never,
    /// Issue a new token on every successful update; the old one stops working at once.
    OnUpdate,
    /// Issue a new token on every use, reads included; the old one stops working at once.
    OnEveryUse,
}

impl From<Rotation> for TokenRotation {
    fn from(rotation: Rotation) -> Self {
        match rotation {
            Rotation::Never => TokenRotation::Never,
            Rotation::OnUpdate => TokenRotation::OnUpdate,
            Rotation::OnEveryUse => TokenRotation::OnEveryUse,
        }
    }
}

/// `--proxy-header`: the library's enum is `#[non_exhaustive]`, so the flag has its own.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ForwardingHeader {
    /// `Forwarded: for=…` (RFC 7239).
    Forwarded,
    /// `X-Forwarded-For: client, proxy1, …`.
    XForwardedFor,
}

impl From<ForwardingHeader> for ProxyHeader {
    fn from(header: ForwardingHeader) -> Self {
        match header {
            ForwardingHeader::Forwarded => ProxyHeader::Forwarded,
            ForwardingHeader::XForwardedFor => ProxyHeader::XForwardedFor,
        }
    }
}
