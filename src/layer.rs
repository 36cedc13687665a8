//! The Tower layer.

use std::sync::Arc;

use tower_layer::Layer;

use crate::config::RegistrationConfig;
use crate::handler::Shared;
use crate::registry::Registry;
use crate::service::Registration;

/// Adds Dynamic Client Registration (RFC 7591, RFC 7592) at the configured prefix to any
/// service; every other request reaches the service untouched.
///
/// ```
/// use tower_oidc_registration::{RegistrationConfig, RegistrationLayer};
///
/// let config = RegistrationConfig::builder("https://iam.example.org/").build()?;
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::get(|| async { "hello" }))
///     .layer(RegistrationLayer::new(config));
/// # let _ = app;
/// # Ok::<(), tower_oidc_registration::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct RegistrationLayer {
    shared: Arc<Shared>,
}

impl RegistrationLayer {
    /// A layer serving the registration endpoint described by `config`.
    pub fn new(config: RegistrationConfig) -> Self {
        Self {
            shared: Arc::new(Shared::new(&config)),
        }
    }

    /// The registry behind the layer, for the host application: look clients up, or
    /// register and manage them without HTTP.
    pub fn registry(&self) -> Registry {
        self.shared.registry.clone()
    }
}

impl std::fmt::Debug for RegistrationLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationLayer")
            .field("prefix", &self.shared.prefix)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for RegistrationLayer {
    type Service = Registration<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Registration::from_shared(inner, Arc::clone(&self.shared))
    }
}
