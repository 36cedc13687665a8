//! [`ClientAddress`]: where the layer finds the address of the client that sent a request, for
//! the rate limit per address and for policies and events
//! ([`RequestContext::client_address`](crate::RequestContext::client_address)); and
//! [`limit_key`], the key an address is limited under (an IPv6 address by its /64).
//!
//! Owns the configuration: which extension holds the peer, which proxies are believed. Reading a
//! request's forwarding headers is the handler's (`handler/request/client_address.rs`). Must
//! not know rates, stores or callers.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr as _;
use std::sync::Arc;

use http::Extensions;
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
                Some(network) => networks.push(network),
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

    /// The peer's address in `extensions`, if they hold one, canonical (an IPv4-mapped IPv6
    /// address as the IPv4 address it is).
    pub(crate) fn peer(&self, extensions: &Extensions) -> Option<IpAddr> {
        (self.peer)(extensions).map(|peer| peer.to_canonical())
    }

    /// The header believed from trusted proxies, if any are configured.
    pub(crate) fn proxy_header(&self) -> Option<ProxyHeader> {
        self.proxies.as_ref().map(|proxies| proxies.header)
    }

    /// Whether `address` is one of the trusted proxies (an IPv4 address also in its mapped
    /// IPv6 form, `::ffff:10.0.0.0/104` covering 10.0.0.0/8).
    pub(crate) fn is_trusted_proxy(&self, address: &IpAddr) -> bool {
        let Some(proxies) = &self.proxies else {
            return false;
        };
        let mapped = match address {
            IpAddr::V4(v4) => Some(IpAddr::V6(v4.to_ipv6_mapped())),
            IpAddr::V6(_) => None,
        };
        proxies
            .networks
            .iter()
            .any(|n| n.contains(address) || mapped.is_some_and(|m| n.contains(&m)))
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
