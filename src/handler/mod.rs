//! HTTP in, HTTP out: the only place that knows both HTTP and the registry. It turns a request
//! into a [`Requester`] and a call of the [`Registry`], and the answer into a response
//! (`error.rs` renders failures, `response.rs` successes, `cors.rs` preflights). It decides
//! nothing about who may do what: the registry does.

mod cors;
mod error;
mod request;
mod response;

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::request::Parts;
use http::{Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::Full;
use tracing::Instrument;

use crate::config::{RegistrationConfig, Settings};
use crate::context::{Caller, RequestContext, Requester};
use crate::events::{EventKind, EventListener, RegistrationEvent};
use crate::registry::{ClientInformation, Registry};
use crate::route::Route;

use error::Failure;
pub use error::error_response;

/// What every request handled by the layer shares: the configuration, built once, and the
/// registry over it.
pub(crate) struct Shared {
    pub(crate) registry: Registry,
    pub(crate) prefix: String,
    pub(crate) registry_in_extensions: bool,
    config: RegistrationConfig,
}

impl Shared {
    pub(crate) fn new(config: &RegistrationConfig) -> Self {
        if config.signing_key_was_generated() {
            tracing::warn!(
                "no signing key configured: generated one for this process only; registration \
                 access tokens will stop working when it restarts"
            );
        }
        Self {
            registry: Registry::new(config),
            prefix: config.prefix().to_owned(),
            registry_in_extensions: config.settings.registry_in_extensions,
            config: config.clone(),
        }
    }

    fn settings(&self) -> &Settings {
        &self.config.settings
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
    // Who the registry judged the caller to be, for the events; anonymous until it says.
    let mut caller = Caller::Anonymous;
    let address = request::client_address(
        &shared.settings().client_address,
        &parts.extensions,
        &parts.headers,
    );
    let client_id = match &route {
        Route::Registration => None,
        Route::Client(id) => Some(id.as_str()),
    };
    let result = match (&route, &parts.method) {
        (_, &Method::OPTIONS) => Ok(Outcome::Preflight(cors::preflight(&shared, &route))),
        (Route::Registration, &Method::POST) => {
            register(&shared, &mut caller, address, &parts, body).await
        }
        (Route::Registration, _) => Err(Failure::MethodNotAllowed {
            allow: ALLOW_REGISTRATION,
        }),
        (Route::Client(id), method @ (&Method::GET | &Method::PUT | &Method::DELETE)) => {
            manage(&shared, &mut caller, address, id, method, &parts, body).await
        }
        (Route::Client(_), _) => Err(Failure::MethodNotAllowed {
            allow: ALLOW_CLIENT,
        }),
    };
    let events = shared.settings().events.as_deref();
    let mut response = match result {
        Ok(outcome) => {
            if let Some(events) = events {
                outcome.emit(events, &event_context(caller, address, &parts), client_id);
            }
            outcome.into_response()
        }
        Err(failure) => {
            failure.log(client_id);
            if let Some(events) = events {
                events.on_event(&RegistrationEvent {
                    kind: EventKind::Rejected {
                        error: failure.code(),
                    },
                    client_id,
                    context: &event_context(caller, address, &parts),
                });
            }
            failure.to_response()
        }
    };
    response::add_common_headers(&shared, &mut response);
    response
}

/// What an event listener sees of the request: the caller, the client's address and the
/// headers, credentials removed.
fn event_context(caller: Caller, address: Option<IpAddr>, parts: &Parts) -> RequestContext {
    let mut context = RequestContext::new(caller, &parts.headers);
    context.client_address = address;
    context
}

/// What a successful request did, for the response and the event listener.
enum Outcome {
    Preflight(Response<Full<Bytes>>),
    Created(ClientInformation),
    Read(ClientInformation),
    Updated(ClientInformation),
    Deleted,
}

impl Outcome {
    fn emit(&self, events: &dyn EventListener, context: &RequestContext, path_id: Option<&str>) {
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

/// `requester`, from `address` when the request carries one.
fn addressed(requester: Requester<'_>, address: Option<IpAddr>) -> Requester<'_> {
    match address {
        Some(address) => requester.with_client_address(address),
        None => requester,
    }
}

/// `POST {prefix}`: a bearer token is an initial access token. The registry admits the caller
/// (its rate limits among the rest) before the body is read, so that a refused caller gets 429
/// or 401 whatever it sent. A malformed `Authorization` is refused before that (400): it can
/// neither register nor guess a token, so it counts against no limit.
async fn register<B: RequestBody>(
    shared: &Shared,
    caller: &mut Caller,
    address: Option<IpAddr>,
    parts: &Parts,
    body: B,
) -> Result<Outcome, Failure> {
    let requester = match request::bearer_token(&parts.headers)? {
        Some(token) => Requester::initial_access_token(token),
        None => Requester::anonymous(),
    };
    let admission = shared
        .registry
        .admit(addressed(requester, address).with_headers(&parts.headers))
        .await
        .inspect_err(|err| {
            // A valid token over its quota is still its holder's request.
            if let crate::RegistrationError::ClientQuotaReached { token_id } = err {
                *caller = Caller::InitialAccessToken {
                    id: token_id.clone(),
                };
            }
        })?;
    *caller = admission.caller().clone();
    // If this fails, or the request is dropped, nothing of the token was spent.
    let metadata =
        request::json_object(&parts.headers, body, shared.settings().max_body_bytes).await?;
    Ok(Outcome::Created(admission.register(metadata).await?))
}

/// `GET`, `PUT`, `DELETE {prefix}/{client_id}`: a bearer token is the client's registration
/// access token, checked before the body is read.
async fn manage<B: RequestBody>(
    shared: &Shared,
    caller: &mut Caller,
    address: Option<IpAddr>,
    client_id: &str,
    method: &Method,
    parts: &Parts,
    body: B,
) -> Result<Outcome, Failure> {
    let requester = match request::bearer_token(&parts.headers)? {
        Some(token) => Requester::registration_access_token(token),
        None => Requester::anonymous(),
    };
    let requester = addressed(requester, address);
    let client = shared
        .registry
        .authorize(requester.with_headers(&parts.headers), client_id)
        .await?;
    // An update that proved its token is the registered client's request, whatever its body;
    // a read or a deletion is, once it succeeded (a token that lost a rotation race is not).
    let authorized = client.caller();
    let outcome = match *method {
        Method::GET => Outcome::Read(client.read().await?),
        Method::DELETE => {
            client.delete().await?;
            Outcome::Deleted
        }
        _ => {
            *caller = authorized.clone();
            let metadata =
                request::json_object(&parts.headers, body, shared.settings().max_body_bytes)
                    .await?;
            Outcome::Updated(client.update(metadata).await?)
        }
    };
    *caller = authorized;
    Ok(outcome)
}
