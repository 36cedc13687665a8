//! Who is asking: the caller and the request headers that policies and event hooks see.

use http::HeaderMap;

/// The kind of caller behind a registration request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caller {
    /// Open registration: no credentials at all.
    Anonymous,
    /// A caller that presented an initial access token (RFC 7591 §3); its id, never the token.
    InitialAccessToken {
        /// The id of the initial access token (not the token itself).
        id: String,
    },
    /// The host application itself, through the [`Registry`](crate::Registry) API.
    Host,
    /// The holder of a client's registration access token (RFC 7592).
    RegisteredClient,
}

/// The context of one request: the caller and the request headers.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestContext {
    /// Who is asking.
    pub caller: Caller,
    /// The request's headers, without those that carry credentials (`Authorization`,
    /// `Proxy-Authorization`, `Cookie`).
    pub headers: HeaderMap,
}

impl RequestContext {
    /// The context of a call by the host application (no HTTP request).
    pub fn host() -> Self {
        Self {
            caller: Caller::Host,
            headers: HeaderMap::new(),
        }
    }

    /// The context of an HTTP request by `caller`; headers that carry credentials are dropped.
    pub fn new(caller: Caller, headers: &HeaderMap) -> Self {
        let mut headers = headers.clone();
        for credential in [
            http::header::AUTHORIZATION,
            http::header::PROXY_AUTHORIZATION,
            http::header::COOKIE,
        ] {
            headers.remove(credential);
        }
        Self { caller, headers }
    }

    /// The initial access token id, when the caller presented one.
    pub fn initial_access_token_id(&self) -> Option<&str> {
        match &self.caller {
            Caller::InitialAccessToken { id } => Some(id),
            _ => None,
        }
    }
}
