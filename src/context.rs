//! Who is asking, in the three forms the crate needs: the [`Requester`] that an operation of
//! the [`Registry`](crate::Registry) takes (the credential presented), the [`Caller`] that the
//! registry judges it to be, and the [`RequestContext`] that policies and event listeners see
//! (the caller, the client's address and the request headers, credentials removed). The HTTP
//! handler builds requesters from requests; the host builds them in code.

use std::net::IpAddr;

use http::HeaderMap;

/// Who the registry judged a [`Requester`] to be: what policies and event listeners see, and
/// what a [`ClientRecord`](crate::ClientRecord) keeps of who registered the client.
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

/// The context of one request: the caller, the client's address and the request headers.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestContext {
    /// Who is asking.
    pub caller: Caller,
    /// The request's headers, without those that carry credentials (`Authorization`,
    /// `Proxy-Authorization`, `Cookie`).
    pub headers: HeaderMap,
    /// The address of the client that sent the request, as
    /// [`client_address`](crate::RegistrationConfigBuilder::client_address) finds it (the
    /// peer, or behind trusted proxies the address they forward); `None` when the request
    /// carries none, and for the host's own calls unless it gave one
    /// ([`Requester::with_client_address`]).
    pub client_address: Option<IpAddr>,
}

impl RequestContext {
    /// The context of a call by the host application (no HTTP request).
    pub fn host() -> Self {
        Self {
            caller: Caller::Host,
            headers: HeaderMap::new(),
            client_address: None,
        }
    }

    /// The context of a client id metadata document: an anonymous caller (anyone can publish
    /// one), no request headers, no address.
    pub(crate) fn metadata_document() -> Self {
        Self {
            caller: Caller::Anonymous,
            headers: HeaderMap::new(),
            client_address: None,
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
        Self {
            caller,
            headers,
            client_address: None,
        }
    }

    /// The context with the client's address (as [`Requester::with_client_address`]).
    #[must_use]
    pub fn with_client_address(mut self, address: IpAddr) -> Self {
        self.client_address = Some(address);
        self
    }

    /// The initial access token id, when the caller presented one.
    pub fn initial_access_token_id(&self) -> Option<&str> {
        match &self.caller {
            Caller::InitialAccessToken { id } => Some(id),
            _ => None,
        }
    }
}

/// Who asks for a registry operation, and the credential they present: the typed argument of
/// every operation of the [`Registry`](crate::Registry).
///
/// ```
/// use tower_oidc_registration::Requester;
///
/// // The host application itself: unrestricted, no token needed.
/// let host = Requester::host();
/// // A client managing its registration over RFC 7592.
/// let client = Requester::registration_access_token("eyJhbGciOi...");
/// # let _ = (host, client);
/// ```
#[derive(Clone, Copy)]
pub struct Requester<'a> {
    pub(crate) credential: Credential<'a>,
    /// The request headers policies may read (credentials are dropped before they see them).
    pub(crate) headers: Option<&'a HeaderMap>,
    /// The client's address: what the registration rate limit per address counts, and what
    /// policies see.
    pub(crate) client_address: Option<IpAddr>,
}

/// The credential presented.
#[derive(Clone, Copy)]
pub(crate) enum Credential<'a> {
    /// None: open registration, or a request that forgot its token.
    None,
    /// An initial access token (RFC 7591 §3), for registration.
    InitialAccessToken(&'a str),
    /// A client's registration access token (RFC 7592), for managing that client.
    RegistrationAccessToken(&'a str),
    /// The host application, through its own code: unrestricted.
    Host,
}

impl<'a> Requester<'a> {
    fn with(credential: Credential<'a>) -> Self {
        Self {
            credential,
            headers: None,
            client_address: None,
        }
    }

    /// A caller without credentials: open registration (when the server allows it).
    pub fn anonymous() -> Self {
        Self::with(Credential::None)
    }

    /// A caller presenting an initial access token (RFC 7591 §3) to register a client.
    pub fn initial_access_token(token: &'a str) -> Self {
        Self::with(Credential::InitialAccessToken(token))
    }

    /// A client presenting its registration access token (RFC 7592) to read, replace or
    /// delete its registration.
    pub fn registration_access_token(token: &'a str) -> Self {
        Self::with(Credential::RegistrationAccessToken(token))
    }

    /// The host application: registers and manages any client without a token. Judged by the
    /// metadata rules and the policies (allowed scopes, trusted hosts, quotas, custom policies,
    /// and on an update the policy of the initial access token that registered the client), but
    /// not by the caller restrictions. Its operations count as no use of the client and emit no
    /// event.
    pub fn host() -> Self {
        Self::with(Credential::Host)
    }

    /// The headers of the request being served, for the policies that read them (never those
    /// carrying credentials: `Authorization`, `Proxy-Authorization` and `Cookie` are dropped).
    #[must_use]
    pub fn with_headers(mut self, headers: &'a HeaderMap) -> Self {
        self.headers = Some(headers);
        self
    }

    /// The address of the client the request comes from: what the registration rate limit
    /// per address counts
    /// ([`registration_rate_limit`](crate::RegistrationConfigBuilder::registration_rate_limit)),
    /// and what policies see
    /// ([`RequestContext::client_address`]). The layer sets it from each request; a host that
    /// registers clients from an endpoint of its own sets it so that the same limits apply
    /// (the host itself, [`Requester::host`], is never limited).
    #[must_use]
    pub fn with_client_address(mut self, address: IpAddr) -> Self {
        self.client_address = Some(address);
        self
    }
}

impl std::fmt::Debug for Requester<'_> {
    // Never the token itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.credential {
            Credential::None => "Anonymous",
            Credential::InitialAccessToken(_) => "InitialAccessToken",
            Credential::RegistrationAccessToken(_) => "RegistrationAccessToken",
            Credential::Host => "Host",
        };
        f.debug_struct("Requester")
            .field("credential", &kind)
            .field("headers", &self.headers.is_some())
            .field("client_address", &self.client_address)
            .finish()
    }
}
