//! The registration configuration the flags describe: issuer, signing key, store, prefix,
//! protected registration, token rotation, lifetimes, the metadata rules, the rate limits.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tower_oidc_registration::metadata::MetadataRules;
use tower_oidc_registration::{
    ClientStore, ConfigError, ExpiryPolicy, RegistrationAccess, RegistrationConfig, SigningKey,
};
use tracing::info;

use crate::BoxError;
use crate::args::Args;
use crate::limits;

/// The signing key named by `--key-file` or `--hs256-key-file`, if any.
pub fn signing_key(args: &Args) -> Result<Option<SigningKey>, BoxError> {
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

/// The configuration of the server bound to `local`. With `--initial-access-token`, only
/// callers presenting it may register (only its hash is kept; a token shorter than 16
/// characters, or with characters outside the bearer token alphabet, fails the configuration).
pub fn registration_config(
    args: &Args,
    key: Option<SigningKey>,
    store: Arc<dyn ClientStore>,
    local: SocketAddr,
) -> Result<RegistrationConfig, BoxError> {
    let issuer = args.issuer.clone().unwrap_or_else(|| default_issuer(local));
    let mut rules = MetadataRules::default();
    // A server that clients reach over the network: the URIs it, or the authorization server
    // behind it, will dereference must not name that server's own network. The library leaves
    // this off by default; a deployment like this one turns it on.
    rules.refuse_special_purpose_hosts = !args.allow_special_purpose_hosts;
    let mut builder = RegistrationConfig::builder(issuer)
        .rules(rules)
        .shared_store(store)
        .prefix(args.prefix.clone())
        .token_rotation(args.token_rotation.into())
        .client_secret_lifetime(args.secret_lifetime.map(Duration::from_secs))
        .store_timeout(args.store_timeout.map(Duration::from_secs))
        .expire_unused_clients(
            args.expire_unused_after
                .map(|seconds| ExpiryPolicy::new(Duration::from_secs(seconds))),
        )
        // Open to the network: how fast one client, and everyone, may register (on by default
        // here, off in the library), counted by the peer `server.rs` inserts in each request.
        .registration_rate_limit(limits::rate_limit(
            args.rate_limit_per_address,
            args.rate_limit_overall,
        ))
        .client_address(limits::client_address(
            &args.trusted_proxies,
            args.proxy_header.into(),
        ));
    if let Some(key) = key {
        builder = builder.signing_key(key);
    }
    if let Some(token) = &args.initial_access_token {
        builder = builder
            .registration_access(RegistrationAccess::InitialAccessToken)
            .initial_access_token(token.clone());
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
