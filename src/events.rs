//! An [`EventListener`] sees every registration event of the requests the layer answers, for
//! audit logs and metrics. Events carry the client id and the caller, never a secret or a
//! token. Operations the host starts itself through the [`Registry`](crate::Registry) emit no
//! event: the host knows of them already.

use crate::context::RequestContext;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A client was registered.
    Created,
    /// A client's registration was read.
    Read,
    /// A client's registration was replaced.
    Updated,
    /// A client was deleted.
    Deleted,
    /// A request was refused; `error` holds the error code of the failure
    /// (`invalid_redirect_uri`, `invalid_token`, ...), as
    /// [`RegistrationError::code`](crate::RegistrationError::code) gives it.
    Rejected {
        /// The `error` code of the response; `invalid_token` for a request without the token
        /// it needs, whose response carries no `error` (RFC 6750 §3.1).
        error: &'static str,
    },
    /// A client's registration access token was replaced by a new one.
    TokenRotated,
}

/// One registration event.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RegistrationEvent<'a> {
    /// What happened.
    pub kind: EventKind,
    /// The client concerned, when known (the id in the path for a refused management request).
    pub client_id: Option<&'a str>,
    /// Who asked, with the client's address and the request headers (without `Authorization`).
    pub context: &'a RequestContext,
}

/// Receives the registration events of the requests the layer answers
/// ([`RegistrationConfigBuilder::events`](crate::RegistrationConfigBuilder::events)). Called
/// inline on the request path: keep it quick (send to a channel for slow work).
pub trait EventListener: Send + Sync + 'static {
    /// One event.
    fn on_event(&self, event: &RegistrationEvent<'_>);
}
