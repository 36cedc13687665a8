//! [`ClientAddress`]: where the layer finds the address of the client that sent a request, for
//! the rate limit per address and for policies and events
//! ([`RequestContext::client_address`](crate::RequestContext::client_address)); and
//! [`limit_key`], the key an address is limited under (an IPv6 address by its /64).
//!
//! Owns the reading of a request's extensions and forwarding headers. Must not know rates,
//! stores or callers.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr as _;
use std::sync::Arc;

use http::{Extensions, HeaderMap, HeaderName};
use ipnet::IpNet;

/// Reads a peer address from a request's extensions.
type PeerAddress = dyn Fn(&Extensions) -> Option<IpAddr> + Send + Sync;

/// Which header a trusted proxy puts the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeader {
    /// `Forwarded: for=…` (RFC 7239).
    Forwarded,
    /// `X-Forwarded-For: client, proxy1, …`, the de facto standard.
    XForwardedFor,
}

impl ProxyHeader {
    fn name(self) -> HeaderName {
        match self {
            Self::Forwarded => http::header::FORWARDED,
            Self::XForwardedFor => HeaderName::from_static("x-forwarded-for"),
        }
    }

    /// The address of one comma-separated element of the header; `None` for one that names
    /// none (`unknown`, an obfuscated identifier, garbage).
    fn address_of(self, element: &str) -> Option<IpAddr> {
        match self {
            Self::Forwarded => forwarded_for(element),
            Self::XForwardedFor => node(element.trim()),
        }
    }
}

/// Where the layer finds the address of the client that sent a request: by default the
/// [`SocketAddr`] in the request's extensions, which the host's server inserts for each
/// connection (`examples/hyper_standalone` does); any other extension type with
/// [`from_extension`](Self::from_extension) (axum's `ConnectInfo`); and behind reverse proxies,
/// the address they forward, believed only from the proxies named with
/// [`behind_proxies`](Self::behind_proxies).
///
/// Set it with
/// [`client_address`](crate::RegistrationConfigBuilder::client_address). A request that carries
/// no address is not limited per address (the overall limit still applies), and a warning is
/// logged once.
///
/// With axum, serve the router with `into_make_service_with_connect_info::<SocketAddr>()`, and:
///
/// ```
/// use std::net::SocketAddr;
///
/// use axum::extract::ConnectInfo;
/// use tower_oidc_registration::rate_limit::ClientAddress;
///
/// let address = ClientAddress::from_extension(|info: &ConnectInfo<SocketAddr>| info.0.ip());
/// # let _ = address;
/// ```
///
/// Behind a load balancer at 10.0.0.0/8 that sets `X-Forwarded-For`:
///
/// ```
/// use tower_oidc_registration::rate_limit::{ClientAddress, ProxyHeader};
///
/// let address =
///     ClientAddress::socket_addr().behind_proxies(ProxyHeader::XForwardedFor, ["10.0.0.0/8"]);
/// # let _ = address;
/// ```
#[derive(Clone)]
pub struct ClientAddress {
    peer: Arc<PeerAddress>,
    proxies: Option<TrustedProxies>,
}

/// The proxies whose forwarding header is believed.
#[derive(Debug, Clone)]
struct TrustedProxies {
    header: ProxyHeader,
    networks: Vec<IpNet>,
    /// The entries that are neither an address nor a network: refused by
    /// [`check`](ClientAddress::check), when the configuration is built.
    invalid: Vec<String>,
}

impl Default for ClientAddress {
    fn default() -> Self {
        Self::socket_addr()
    }
}

impl std::fmt::Debug for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAddress")
            .field("proxies", &self.proxies)
            .finish_non_exhaustive()
    }
}

impl ClientAddress {
    /// The [`SocketAddr`] in the request's extensions (the default): the peer of the
    /// connection, as the host's server inserts it.
    pub fn socket_addr() -> Self {
        Self::from_extension(|peer: &SocketAddr| peer.ip())
    }

    /// The address `address` reads from the extension of type `T` in the request's
    /// extensions: `|info: &ConnectInfo<SocketAddr>| info.0.ip()` with axum.
    pub fn from_extension<T, F>(address: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(&T) -> IpAddr + Send + Sync + 'static,
    {
        Self {
            peer: Arc::new(move |extensions: &Extensions| extensions.get::<T>().map(&address)),
            proxies: None,
        }
    }

    /// Believes `header` from the peers in `proxies` (addresses, `192.0.2.7`, or networks,
    /// `10.0.0.0/8`, `fd00::/8`): a request from one of them is the request of the rightmost
    /// address of the header that is not in `proxies` (the addresses left of it were written by
    /// the client itself, and may be anything). An element that names no address (`unknown`,
    /// an obfuscated identifier, garbage) stops the walk: the request is then the proxy's that
    /// forwarded it, so that such clients share their proxy's limit rather than escape one. A
    /// request from any other peer is the peer's, whatever it claims. An entry that is neither
    /// an address nor a network fails [`build`](crate::RegistrationConfigBuilder::build).
    #[must_use]
    pub fn behind_proxies<I, S>(mut self, header: ProxyHeader, proxies: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut networks = Vec::new();
        let mut invalid = Vec::new();
        for proxy in proxies {
            let proxy = proxy.as_ref().trim();
            match IpNet::from_str(proxy)
                .ok()
                .or_else(|| IpAddr::from_str(proxy).ok().map(IpNet::from))
            {
                Some(network) => networks.push(canonical_network(network)),
                None => invalid.push(proxy.to_owned()),
            }
        }
        self.proxies = Some(TrustedProxies {
            header,
            networks,
            invalid,
        });
        self
    }

    /// Refuses trusted proxies that are neither addresses nor networks.
    pub(crate) fn check(&self) -> Result<(), String> {
        match &self.proxies {
            Some(proxies) if !proxies.invalid.is_empty() => Err(format!(
                "trusted proxies {:?} are neither addresses (192.0.2.7) nor networks \
                 (10.0.0.0/8)",
                proxies.invalid
            )),
            _ => Ok(()),
        }
    }

    /// The address of the client that sent the request of `extensions` and `headers`, if the
    /// request carries one.
    pub(crate) fn of(&self, extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = (self.peer)(extensions)?.to_canonical();
        let Some(proxies) = &self.proxies else {
            return Some(peer);
        };
        let trusted = |address: &IpAddr| proxies.networks.iter().any(|n| n.contains(address));
        if !trusted(&peer) {
            return Some(peer);
        }
        // From the right: each address was written by the hop after it, the peer last.
        let mut client = peer;
        let values: Vec<&str> = headers
            .get_all(proxies.header.name())
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        for element in values.iter().rev().flat_map(|value| value.rsplit(',')) {
            match proxies.header.address_of(element) {
                Some(address) if trusted(&address) => client = address,
                Some(address) => return Some(address),
                None => return Some(client),
            }
        }
        Some(client)
    }
}

/// The address a `for=` parameter of one `Forwarded` element names.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("for") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        node(value)
    })
}

/// An address, with or without a port: `192.0.2.7`, `192.0.2.7:4711`, `2001:db8::1`,
/// `[2001:db8::1]`, `[2001:db8::1]:4711`.
fn node(text: &str) -> Option<IpAddr> {
    if let Ok(address) = IpAddr::from_str(text) {
        return Some(address.to_canonical());
    }
    if let Ok(socket) = SocketAddr::from_str(text) {
        return Some(socket.ip().to_canonical());
    }
    let bracketed = text.strip_prefix('[')?.strip_suffix(']')?;
    Ipv6Addr::from_str(bracketed)
        .ok()
        .map(|v6| IpAddr::V6(v6).to_canonical())
}

/// `network`, an IPv4-mapped IPv6 host as the IPv4 host it is (requests' addresses are made
/// canonical the same way).
fn canonical_network(network: IpNet) -> IpNet {
    match network {
        IpNet::V6(v6) if v6.prefix_len() == 128 => {
            IpNet::from(IpAddr::V6(v6.addr()).to_canonical())
        }
        other => other,
    }
}

/// The key the rate limit per address counts `address` under: the address itself for IPv4,
/// its /64 network for IPv6, since one subscriber commonly holds a whole /64 (RFC 6177), and
/// counting its addresses apart would give it 2⁶⁴ limits.
pub(crate) fn limit_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => format!("registration/address/{v4}"),
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !(u128::from(u64::MAX));
            format!("registration/address/{}/64", Ipv6Addr::from(network))
        }
    }
}

#[cfg(test)]
mod tests;
