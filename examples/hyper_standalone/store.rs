//! `--store`: where clients live, and opening it.

use std::sync::Arc;

use tower_oidc_registration::{ClientStore, MemoryStore};
use tracing::info;

use crate::BoxError;
use crate::limits::MaxClients;

/// `--store`. Every form is recognised whatever the build's features, so that asking for a
/// store this build lacks says which feature it needs rather than "invalid value".
#[derive(Debug, Clone)]
pub enum StoreSpec {
    Memory,
    /// `sqlite:PATH`: the path, or the whole `sqlite://…` URL (query parameters included).
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`: the whole URL, password included.
    Postgres(String),
}

impl StoreSpec {
    pub fn parse(value: &str) -> Result<Self, String> {
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
    pub fn is_durable(&self) -> bool {
        !matches!(self, Self::Memory)
    }

    /// For logs and errors: no password.
    pub fn describe(&self) -> String {
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

/// The store `spec` names, opened (its schema created or migrated by the store itself); a
/// memory store holds at most `max_clients`.
pub async fn open(
    spec: &StoreSpec,
    max_clients: MaxClients,
) -> Result<Arc<dyn ClientStore>, BoxError> {
    if spec.is_durable() {
        // A database server that does not answer takes the pool's whole connect timeout.
        info!(store = %spec.describe(), "opening the client store");
    }
    let store: Arc<dyn ClientStore> = match spec {
        StoreSpec::Memory => Arc::new(match max_clients.0 {
            Some(max) => MemoryStore::with_max_clients(max),
            None => MemoryStore::unbounded(),
        }),
        #[cfg(feature = "sqlite")]
        StoreSpec::Sqlite(path) => Arc::new(
            tower_oidc_registration::SqliteStore::open(path)
                .await
                .map_err(|e| format!("--store {}: {e}", spec.describe()))?,
        ),
        #[cfg(feature = "postgres")]
        StoreSpec::Postgres(url) => Arc::new(
            tower_oidc_registration::PostgresStore::connect(url)
                .await
                .map_err(|e| format!("--store {}: {e}", spec.describe()))?,
        ),
        #[cfg(not(feature = "sqlite"))]
        StoreSpec::Sqlite(_) => return Err(missing_feature(spec, "sqlite")),
        #[cfg(not(feature = "postgres"))]
        StoreSpec::Postgres(_) => return Err(missing_feature(spec, "postgres")),
    };
    info!(store = %spec.describe(), "opened the client store");
    Ok(store)
}

/// The error of a store this build has no support for.
#[cfg(not(all(feature = "sqlite", feature = "postgres")))]
fn missing_feature(spec: &StoreSpec, feature: &str) -> BoxError {
    format!(
        "--store {}: this build has no {feature} support: build with --features {feature}",
        spec.describe()
    )
    .into()
}
