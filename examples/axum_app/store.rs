//! `--store`: where clients live, and opening it. As `examples/hyper_standalone/store.rs`,
//! without its bound on the memory store (this skeleton keeps the configuration's default
//! memory store): each example stands alone.

use std::sync::Arc;

use tower_oidc_registration::ClientStore;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use tracing::info;

use crate::BoxError;

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

/// The store `spec` names, opened (its schema created or migrated by the store itself);
/// `None` for `memory`: the configuration's default memory store.
pub async fn open(spec: &StoreSpec) -> Result<Option<Arc<dyn ClientStore>>, BoxError> {
    match spec {
        StoreSpec::Memory => Ok(None),
        #[cfg(feature = "sqlite")]
        StoreSpec::Sqlite(path) => {
            let store = tower_oidc_registration::SqliteStore::open(path)
                .await
                .map_err(|e| format!("--store {}: {e}", spec.describe()))?;
            Ok(Some(opened(spec, Arc::new(store))))
        }
        #[cfg(feature = "postgres")]
        StoreSpec::Postgres(url) => {
            let store = tower_oidc_registration::PostgresStore::connect(url)
                .await
                .map_err(|e| format!("--store {}: {e}", spec.describe()))?;
            Ok(Some(opened(spec, Arc::new(store))))
        }
        #[cfg(not(feature = "sqlite"))]
        StoreSpec::Sqlite(_) => Err(missing_feature(spec, "sqlite")),
        #[cfg(not(feature = "postgres"))]
        StoreSpec::Postgres(_) => Err(missing_feature(spec, "postgres")),
    }
}

/// `store`, logged as opened.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn opened(spec: &StoreSpec, store: Arc<dyn ClientStore>) -> Arc<dyn ClientStore> {
    info!(store = %spec.describe(), "opened the client store");
    store
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
