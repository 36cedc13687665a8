//! HTTP in, HTTP out: the only place that knows both HTTP and the registry. It reads the
//! method, path, headers and body, calls the [`Registry`], and renders the answer.

mod cors;
mod request;
mod response;

use std::sync::Arc;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::Full;
use tracing::Instrument;

use crate::config::RegistrationConfig;
use crate::context::{Caller, RequestContext};
use crate::error::RegistrationError;
use crate::events::{EventKind, RegistrationEvent, RegistrationEvents};
use crate::initial_access::RegistrationAccess;
use crate::registry::{ClientInformation, Registry};
use crate::route::Route;
use crate::store::Registrant;

/// What every request handled by the layer shares: built once from the configuration.
pub(crate) struct Shared {
    pub(crate) registry: Registry,
    pub(crate) prefix: String,
    pub(crate) max_body_bytes: usize,
    pub(crate) cors_allow_origin: Option<HeaderValue>,
    pub(crate) events: Option<Arc<dyn RegistrationEvents>>,
    pub(crate) registry_in_extensions: bool,
    /// Whether anything looks at the request context (policies, events): if not, the
    /// headers are not copied into it.
    context_needed: bool,
}

impl Shared {
    pub(crate) fn new(config: &RegistrationConfig) -> Self {
        if config.key_was_generated {
            tracing::warn!(
                "no signing key configured: generated one for this process only; registration \
                 access tokens will stop working when it restarts"
            );
        }
        Self {
            registry: Registry::new(config),
            prefix: config.prefix.clone(),
            max_body_bytes: config.max_body_bytes,
            cors_allow_origin: config.cors_allow_origin.clone(),
            events: config.events.clone(),
            registry_in_extensions: config.registry_in_extensions,
            // Headers matter to events and custom policies; the caller alone suffices for the
            // built-in ones. (A request with an initial access token gets them anyway, for the
            // token's own policy.)
            context_needed: config.events.is_some() || !config.policies.is_empty(),
        }
    }

    fn context(&self, caller: Caller, parts: &Parts) -> RequestContext {
        if self.context_needed {
            RequestContext::new(caller, &parts.headers)
        } else {
            RequestContext {
                caller,
                headers: http::HeaderMap::new(),
            }
        }
    }
}

/// What a request body must be for the layer to read it: the bounds `Limited` and a `Send`
/// future need, in one name.
pub(crate) trait RequestBody:
    Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>> + Send + 'static
{
}

impl<B> RequestBody for B where
    B: Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>> + Send + 'static
{
}

const ALLOW_REGISTRATION: &str = "POST, OPTIONS";
const ALLOW_CLIENT: &str = "GET, PUT, DELETE, OPTIONS";

/// Answers one request addressed to the registration or a client configuration endpoint.
pub(crate) async fn handle<B: RequestBody>(
    shared: Arc<Shared>,
    route: Route,
    request: Request<B>,
) -> Response<Full<Bytes>> {
    let span = tracing::info_span!(
        "registration",
        method = %request.method(),
        client_id = match &route {
            Route::Registration => None,
            Route::Client(id) => Some(id.as_str()),
        },
    );
    handle_in_span(shared, route, request)
        .instrument(span)
        .await
}

async fn handle_in_span<B: RequestBody>(
    shared: Arc<Shared>,
    route: Route,
    request: Request<B>,
) -> Response<Full<Bytes>> {
    // Only the parts (Send + Sync) are borrowed across awaits; the body is moved.
    let (parts, body) = request.into_parts();
    let mut context = shared.context(Caller::Anonymous, &parts);
    let result = match (&route, &parts.method) {
        (_, &Method::OPTIONS) => Ok(Outcome::Preflight(cors::preflight(&shared, &route))),
        (Route::Registration, &Method::POST) => register(&shared, &mut context, &parts, body).await,
        (Route::Registration, _) => Err(RegistrationError::MethodNotAllowed {
            allow: ALLOW_REGISTRATION,
        }),
        (Route::Client(id), method) => {
            let result = match *method {
                Method::GET => read(&shared, id, &parts).await,
                Method::PUT => update(&shared, &mut context, id, &parts, body).await,
                Method::DELETE => delete(&shared, id, &parts).await,
                _ => Err(RegistrationError::MethodNotAllowed {
                    allow: ALLOW_CLIENT,
                }),
            };
            // Only a request that proved it holds the client's token is the registered client.
            if result.is_ok() {
                context.caller = Caller::RegisteredClient;
            }
            result
        }
    };
    let client_id = match &route {
        Route::Registration => None,
        Route::Client(id) => Some(id.as_str()),
    };
    let mut response = match result {
        Ok(outcome) => {
            if let Some(events) = &shared.events {
                outcome.emit(events.as_ref(), &context, client_id);
            }
            outcome.into_response()
        }
        Err(err) => {
            log_failure(client_id, &err);
            if let Some(events) = &shared.events {
                events.on_event(&RegistrationEvent {
                    kind: EventKind::Rejected { error: err.code() },
                    client_id,
                    context: &context,
                });
            }
            err.to_response()
        }
    };
    response::add_common_headers(&shared, &mut response);
    response
}

/// What a successful request did, for the response and the events hook.
enum Outcome {
    Preflight(Response<Full<Bytes>>),
    Created(ClientInformation),
    Read(ClientInformation),
    Updated(ClientInformation),
    Deleted,
}

impl Outcome {
    fn emit(
        &self,
        events: &dyn RegistrationEvents,
        context: &RequestContext,
        path_id: Option<&str>,
    ) {
        let (kind, client) = match self {
            Self::Preflight(_) => return,
            Self::Created(c) => (EventKind::Created, Some(c)),
            Self::Read(c) => (EventKind::Read, Some(c)),
            Self::Updated(c) => (EventKind::Updated, Some(c)),
            Self::Deleted => (EventKind::Deleted, None),
        };
        let client_id = client.map(|c| c.client_id()).or(path_id);
        events.on_event(&RegistrationEvent {
            kind,
            client_id,
            context,
        });
        if client.is_some_and(|c| c.token_rotated()) {
            events.on_event(&RegistrationEvent {
                kind: EventKind::TokenRotated,
                client_id,
                context,
            });
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        match self {
            Self::Preflight(response) => response,
            Self::Created(client) => response::json(StatusCode::CREATED, client.to_json()),
            Self::Read(client) | Self::Updated(client) => {
                response::json(StatusCode::OK, client.to_json())
            }
            Self::Deleted => response::empty(StatusCode::NO_CONTENT),
        }
    }
}

async fn register<B: RequestBody>(
    shared: &Shared,
    context: &mut RequestContext,
    parts: &Parts,
    body: B,
) -> Result<Outcome, RegistrationError> {
    // An initial access token is required in protected mode, and honoured when presented in
    // open mode (its holder may be granted more); a wrong one is refused in both.
    let reservation = match request::bearer_token(&parts.headers) {
        Ok(token) => match shared.registry.reserve_initial_access_token(token) {
            Ok(reservation) => Some(reservation),
            Err((err, token_id)) => {
                if let Some(id) = token_id {
                    context.caller = Caller::InitialAccessToken { id };
                }
                return Err(err);
            }
        },
        Err(RegistrationError::MissingToken)
            if shared.registry.access() == RegistrationAccess::Open =>
        {
            None
        }
        Err(RegistrationError::MissingToken) => {
            return Err(RegistrationError::MissingInitialAccessToken);
        }
        Err(err) => return Err(err),
    };
    if let Some(reservation) = &reservation {
        // A token issued at run time may carry a policy that reads the headers.
        *context = RequestContext::new(
            Caller::InitialAccessToken {
                id: reservation.id().to_owned(),
            },
            &parts.headers,
        );
    }
    // If this fails, or the request is dropped, the reservation goes back when dropped.
    let request = request::json_object(&parts.headers, body, shared.max_body_bytes).await?;
    let client = shared
        .registry
        .register_reserved(context, request, reservation)
        .await?;
    Ok(Outcome::Created(client))
}

async fn read(
    shared: &Shared,
    client_id: &str,
    parts: &Parts,
) -> Result<Outcome, RegistrationError> {
    let token = request::bearer_token(&parts.headers)?;
    let client = shared.registry.read(client_id, token).await?;
    Ok(Outcome::Read(client))
}

async fn update<B: RequestBody>(
    shared: &Shared,
    context: &mut RequestContext,
    client_id: &str,
    parts: &Parts,
    body: B,
) -> Result<Outcome, RegistrationError> {
    // Authentication comes before the body: an unauthenticated caller gets 401 whatever it sent.
    let token = request::bearer_token(&parts.headers)?;
    let current = shared.registry.authorize(client_id, token).await?;
    context.caller = Caller::RegisteredClient;
    if let Registrant::InitialAccessToken(_) = current.registered_by {
        // The policy of the token the client was registered with may read the headers.
        context.headers = RequestContext::new(Caller::RegisteredClient, &parts.headers).headers;
    }
    let body = request::json_object(&parts.headers, body, shared.max_body_bytes).await?;
    let client = shared
        .registry
        .update_authorized(context, current, Some(token), body)
        .await?;
    Ok(Outcome::Updated(client))
}

async fn delete(
    shared: &Shared,
    client_id: &str,
    parts: &Parts,
) -> Result<Outcome, RegistrationError> {
    let token = request::bearer_token(&parts.headers)?;
    shared.registry.delete(client_id, token).await?;
    Ok(Outcome::Deleted)
}

fn log_failure(client_id: Option<&str>, err: &RegistrationError) {
    match err {
        RegistrationError::Store(source) => {
            tracing::error!(?client_id, error = %source, "client store failed")
        }
        RegistrationError::Internal(detail) => {
            tracing::error!(?client_id, %detail, "registration failed")
        }
        other => tracing::debug!(
            ?client_id,
            error = other.code(),
            description = %other.description(),
            "registration request rejected"
        ),
    }
}
