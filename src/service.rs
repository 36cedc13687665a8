//! The Tower service: routes registration paths to the handler, everything else to the inner
//! service.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use tower_service::Service;

use crate::body::ResponseBody;
use crate::config::RegistrationConfig;
use crate::future::ResponseFuture;
use crate::handler::{self, Shared};
use crate::route::route;

/// A service answering Dynamic Client Registration requests at the configured prefix and
/// passing every other request to `S`, whose body streams through untouched.
///
/// Built by [`RegistrationLayer`](crate::RegistrationLayer). Cloning is cheap: the inner
/// service and one `Arc`.
#[derive(Clone)]
pub struct Registration<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Registration<S> {
    /// Wraps `inner` with the registration endpoint described by `config`.
    pub fn new(inner: S, config: RegistrationConfig) -> Self {
        Self::from_shared(inner, Arc::new(Shared::new(&config)))
    }

    pub(crate) fn from_shared(inner: S, shared: Arc<Shared>) -> Self {
        Self { inner, shared }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for Registration<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("inner", &self.inner)
            .field("prefix", &self.shared.prefix)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Registration<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ReqBody: Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    ResBody: Body<Data = Bytes>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match route(&self.shared.prefix, request.uri().path()) {
            None => {
                let mut request = request;
                if self.shared.registry_in_extensions {
                    request
                        .extensions_mut()
                        .insert(self.shared.registry.clone());
                }
                ResponseFuture::inner(self.inner.call(request))
            }
            Some(route) => ResponseFuture::own(Box::pin(handler::handle(
                Arc::clone(&self.shared),
                route,
                request,
            ))),
        }
    }
}
