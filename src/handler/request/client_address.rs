//! The address of the client that sent a request, as [`ClientAddress`] says where to find it:
//! the peer in the request's extensions, or behind trusted proxies the address their
//! forwarding header names (`X-Forwarded-For`, or RFC 7239 `Forwarded`).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr as _;

use http::{Extensions, HeaderMap, HeaderName};

use crate::rate_limit::{ClientAddress, ProxyHeader};

/// The address of the client that sent the request of `extensions` and `headers`, if the
/// request carries one. From a trusted proxy, the walk goes from the right, each address
/// written by the hop after it: the first that is not a trusted proxy is the client (the ones
/// left of it were written by the client itself, and may be anything). An element that names
/// no address, or a header line that is not text, stops the walk at the proxy that forwarded
/// it, so that such a client shares its proxy's limit rather than escapes one.
pub(in crate::handler) fn client_address(
    config: &ClientAddress,
    extensions: &Extensions,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let peer = config.peer(extensions)?;
    let Some(header) = config.proxy_header() else {
        return Some(peer);
    };
    if !config.is_trusted_proxy(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for line in headers.get_all(header_name(header)).iter().rev() {
        let Ok(line) = line.to_str() else {
            return Some(client);
        };
        for element in line.rsplit(',') {
            match address_of(header, element) {
                Some(address) if config.is_trusted_proxy(&address) => client = address,
                Some(address) => return Some(address),
                None => return Some(client),
            }
        }
    }
    Some(client)
}

fn header_name(header: ProxyHeader) -> HeaderName {
    match header {
        ProxyHeader::Forwarded => http::header::FORWARDED,
        ProxyHeader::XForwardedFor => HeaderName::from_static("x-forwarded-for"),
    }
}

/// The address of one comma-separated element of `header`; `None` for one that names none
/// (`unknown`, an obfuscated identifier, garbage).
fn address_of(header: ProxyHeader, element: &str) -> Option<IpAddr> {
    match header {
        ProxyHeader::Forwarded => forwarded_for(element),
        ProxyHeader::XForwardedFor => node(element.trim()),
    }
}

/// The address a `for=` parameter of one `Forwarded` element names. (A quoted value holding a
/// comma is split by the caller, and names no address: the walk stops, which fails safe.)
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
/// `[2001:db8::1]`, `[2001:db8::1]:4711`; canonical (an IPv4-mapped IPv6 address as the IPv4
/// address it is).
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

#[cfg(test)]
mod tests;
