use std::net::{IpAddr, SocketAddr};

use http::{Extensions, HeaderMap, HeaderName, HeaderValue};

use super::*;
use crate::rate_limit::{ClientAddress, ProxyHeader};

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

/// Extensions holding the peer `peer` (`address:port`).
fn from_peer(peer: &str) -> Extensions {
    let mut extensions = Extensions::new();
    extensions.insert(peer.parse::<SocketAddr>().expect("a socket address"));
    extensions
}

/// Headers with one `name: value` line per value, in order.
fn headers(name: &str, values: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("a name"),
            HeaderValue::from_str(value).expect("a value"),
        );
    }
    headers
}

#[test]
fn by_default_the_address_is_the_socket_address_in_the_extensions() {
    let address = ClientAddress::default();
    assert_eq!(
        client_address(&address, &from_peer("203.0.113.7:50000"), &HeaderMap::new()),
        Some(ip("203.0.113.7"))
    );
    assert_eq!(
        client_address(&address, &Extensions::new(), &HeaderMap::new()),
        None
    );
    // A forwarding header from an untrusted peer is the client's say-so: ignored.
    let forged = headers("x-forwarded-for", &["198.51.100.1"]);
    assert_eq!(
        client_address(&address, &from_peer("203.0.113.7:1"), &forged),
        Some(ip("203.0.113.7"))
    );
    // An IPv4-mapped IPv6 peer (a dual-stack listener) is the IPv4 address it is.
    assert_eq!(
        client_address(
            &address,
            &from_peer("[::ffff:203.0.113.7]:1"),
            &HeaderMap::new()
        ),
        Some(ip("203.0.113.7"))
    );
}

/// The extension type of a host's server, as axum's `ConnectInfo<SocketAddr>` is.
#[derive(Clone)]
struct ConnectInfo(SocketAddr);

#[test]
fn another_extension_type_is_read_with_its_own_function() {
    let address = ClientAddress::from_extension(|info: &ConnectInfo| info.0.ip());
    let mut extensions = Extensions::new();
    extensions.insert(ConnectInfo("192.0.2.9:443".parse().expect("address")));
    assert_eq!(
        client_address(&address, &extensions, &HeaderMap::new()),
        Some(ip("192.0.2.9"))
    );
    // A bare SocketAddr is not that type.
    assert_eq!(
        client_address(&address, &from_peer("192.0.2.1:1"), &HeaderMap::new()),
        None
    );
}

#[test]
fn behind_proxies_the_rightmost_untrusted_forwarded_address_is_the_client() {
    let address = ClientAddress::socket_addr()
        .behind_proxies(ProxyHeader::XForwardedFor, ["10.0.0.0/8", "192.0.2.1"]);
    let proxy = from_peer("10.1.2.3:40000");
    for (values, client) in [
        // The client's own claim, left of the address the proxy saw, is ignored.
        (vec!["198.51.100.66, 203.0.113.7"], "203.0.113.7"),
        // Proxies in the chain are skipped, on one line or several.
        (vec!["203.0.113.7, 10.9.9.9, 192.0.2.1"], "203.0.113.7"),
        (
            vec!["198.51.100.66", "203.0.113.7", "10.9.9.9"],
            "203.0.113.7",
        ),
        // Ports and brackets as proxies write them.
        (vec!["203.0.113.7:4711"], "203.0.113.7"),
        (vec!["[2001:db8::7]:4711"], "2001:db8::7"),
        (vec![" 2001:db8::7 "], "2001:db8::7"),
        // No header: the proxy itself.
        (vec![], "10.1.2.3"),
        // Every address is a proxy: the leftmost.
        (vec!["10.0.0.1, 10.0.0.2"], "10.0.0.1"),
        // Garbage stops the walk at the proxy that forwarded it.
        (vec!["203.0.113.7, unknown"], "10.1.2.3"),
        (vec!["203.0.113.7, garbage, 10.0.0.9"], "10.0.0.9"),
    ] {
        let forwarded = headers("x-forwarded-for", &values);
        assert_eq!(
            client_address(&address, &proxy, &forwarded),
            Some(ip(client)),
            "{values:?}"
        );
    }
    // An untrusted peer's header is not believed.
    let forwarded = headers("x-forwarded-for", &["203.0.113.7"]);
    assert_eq!(
        client_address(&address, &from_peer("198.51.100.1:1"), &forwarded),
        Some(ip("198.51.100.1"))
    );
    // Nor is the other header.
    let other = headers("forwarded", &["for=203.0.113.7"]);
    assert_eq!(
        client_address(&address, &proxy, &other),
        Some(ip("10.1.2.3"))
    );
}

#[test]
fn the_forwarded_header_is_read_as_rfc_7239_writes_it() {
    let address = ClientAddress::socket_addr().behind_proxies(ProxyHeader::Forwarded, ["::1"]);
    let proxy = from_peer("[::1]:8080");
    for (values, client) in [
        (
            vec!["for=192.0.2.60;proto=http;by=203.0.113.43"],
            "192.0.2.60",
        ),
        (
            vec!["For=\"[2001:db8:cafe::17]:4711\""],
            "2001:db8:cafe::17",
        ),
        (vec!["for=198.51.100.1, for=192.0.2.43"], "192.0.2.43"),
        (
            vec!["for=198.51.100.1", "proto=https;for=\"192.0.2.43:80\""],
            "192.0.2.43",
        ),
        // Obfuscated or unknown: the proxy.
        (vec!["for=_hidden"], "::1"),
        (vec!["for=unknown"], "::1"),
        (vec!["proto=https"], "::1"),
    ] {
        let forwarded = headers("forwarded", &values);
        assert_eq!(
            client_address(&address, &proxy, &forwarded),
            Some(ip(client)),
            "{values:?}"
        );
    }
}

#[test]
fn a_header_line_that_is_not_text_stops_the_walk() {
    let address =
        ClientAddress::socket_addr().behind_proxies(ProxyHeader::XForwardedFor, ["10.0.0.0/8"]);
    let mut forwarded = headers("x-forwarded-for", &["198.51.100.66"]);
    forwarded.append(
        HeaderName::from_static("x-forwarded-for"),
        HeaderValue::from_bytes(b"203.0.113.7\xff").expect("a value"),
    );
    forwarded.append(
        HeaderName::from_static("x-forwarded-for"),
        HeaderValue::from_static("10.0.0.9"),
    );
    // Not the client's own claim on the first line: the proxy that forwarded the garbage.
    assert_eq!(
        client_address(&address, &from_peer("10.1.2.3:1"), &forwarded),
        Some(ip("10.0.0.9"))
    );
}
