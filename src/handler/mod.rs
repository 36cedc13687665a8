//! HTTP in, HTTP out: the only place that knows both HTTP and the registry. It reads the
//! method, path, headers and body, calls the [`Registry`], and renders the answer.

mod cors;
mod request;
mod response;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::Full;

use crate::config::RegistrationConfig;
use crate::error::RegistrationError;
use crate::registry::Registry;
use crate::route::Route;

/// What every request handled by the layer shares: built once from the configuration.
pub(crate) struct Shared {
    pub(crate) registry: Registry,
    pub(crate) prefix: String,
    pub(crate) max_body_bytes: usize,
    pub(crate) cors_allow_origin: Option<HeaderValue>,
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
    shared: std::sync::Arc<Shared>,
    route: Route,
    request: Request<B>,
) -> Response<Full<Bytes>> {
    // Only the parts (Send + Sync) are borrowed across awaits; the body is moved.
    let (parts, body) = request.into_parts();
    let result = match (&route, &parts.method) {
        (_, &Method::OPTIONS) => Ok(cors::preflight(&shared, &route)),
        (Route::Registration, &Method::POST) => register(&shared, &parts, body).await,
        (Route::Registration, _) => Err(RegistrationError::MethodNotAllowed {
            allow: ALLOW_REGISTRATION,
        }),
        (Route::Client(id), &Method::GET) => read(&shared, id, &parts).await,
        (Route::Client(id), &Method::PUT) => update(&shared, id, &parts, body).await,
        (Route::Client(id), &Method::DELETE) => delete(&shared, id, &parts).await,
        (Route::Client(_), _) => Err(RegistrationError::MethodNotAllowed {
            allow: ALLOW_CLIENT,
        }),
    };
    let mut response = result.unwrap_or_else(|err| {
        log_failure(&route, &err);
        err.to_response()
    });
    response::add_common_headers(&shared, &mut response);
    response
}

async fn register<B: RequestBody>(
    shared: &Shared,
    parts: &Parts,
    body: B,
) -> Result<Response<Full<Bytes>>, RegistrationError> {
    let body = request::json_object(&parts.headers, body, shared.max_body_bytes).await?;
    let client = shared.registry.register(&body).await?;
    Ok(response::json(StatusCode::CREATED, client.to_json()))
}

async fn read(
    shared: &Shared,
    client_id: &str,
    parts: &Parts,
) -> Result<Response<Full<Bytes>>, RegistrationError> {
    let token = request::bearer_token(&parts.headers)?;
    let client = shared.registry.read(client_id, token).await?;
    Ok(response::json(StatusCode::OK, client.to_json()))
}

async fn update<B: RequestBody>(
    shared: &Shared,
    client_id: &str,
    parts: &Parts,
    body: B,
) -> Result<Response<Full<Bytes>>, RegistrationError> {
    // Authentication comes before the body: an unauthenticated caller gets 401 whatever it sent.
    let token = request::bearer_token(&parts.headers)?;
    let current = shared.registry.authorize(client_id, token).await?;
    let body = request::json_object(&parts.headers, body, shared.max_body_bytes).await?;
    let client = shared
        .registry
        .update_authorized(current, token, &body)
        .await?;
    Ok(response::json(StatusCode::OK, client.to_json()))
}

async fn delete(
    shared: &Shared,
    client_id: &str,
    parts: &Parts,
) -> Result<Response<Full<Bytes>>, RegistrationError> {
    let token = request::bearer_token(&parts.headers)?;
    shared.registry.delete(client_id, token).await?;
    Ok(response::empty(StatusCode::NO_CONTENT))
}

fn log_failure(route: &Route, err: &RegistrationError) {
    let client_id = match route {
        Route::Registration => None,
        Route::Client(id) => Some(id.as_str()),
    };
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
