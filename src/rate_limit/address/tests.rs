use std::net::IpAddr;

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

#[test]
fn trusted_proxies_are_addresses_or_networks() {
    let good = ClientAddress::socket_addr().behind_proxies(
        ProxyHeader::XForwardedFor,
        [
            "10.0.0.0/8",
            "192.0.2.1",
            "fd00::/8",
            " ::1 ",
            "::ffff:192.0.2.2",
        ],
    );
    assert_eq!(good.check(), Ok(()));
    let bad = ClientAddress::socket_addr().behind_proxies(
        ProxyHeader::Forwarded,
        ["10.0.0.0/8", "proxy.internal", "10.0.0.0/33"],
    );
    let message = bad.check().expect_err("names are refused");
    assert!(
        message.contains("proxy.internal") && message.contains("10.0.0.0/33"),
        "{message}"
    );
}

#[test]
fn an_ipv4_proxy_is_trusted_in_either_form() {
    let address = ClientAddress::socket_addr().behind_proxies(
        ProxyHeader::XForwardedFor,
        ["::ffff:192.0.2.2", "::ffff:10.0.0.0/104", "172.16.0.0/12"],
    );
    for proxy in ["192.0.2.2", "::ffff:192.0.2.2", "10.1.2.3", "172.16.0.1"] {
        assert!(address.is_trusted_proxy(&ip(proxy)), "{proxy}");
    }
    for other in ["192.0.2.3", "11.0.0.1", "::ffff:172.16.0.1", "2001:db8::1"] {
        assert!(!address.is_trusted_proxy(&ip(other)), "{other}");
    }
    assert!(!ClientAddress::default().is_trusted_proxy(&ip("10.1.2.3")));
}

#[test]
fn ipv4_addresses_are_limited_one_by_one_and_ipv6_addresses_by_their_64() {
    assert_eq!(
        limit_key(ip("203.0.113.7")),
        "registration/address/203.0.113.7"
    );
    assert_eq!(
        limit_key(ip("::ffff:203.0.113.7")),
        "registration/address/203.0.113.7"
    );
    let one = limit_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
    assert_eq!(one, "registration/address/2001:db8:1:2::/64");
    assert_eq!(limit_key(ip("2001:db8:1:2::1")), one);
    assert_ne!(limit_key(ip("2001:db8:1:3::1")), one);
    assert_eq!(limit_key(ip("::1")), "registration/address/::/64");
}

#[test]
fn debug_names_the_trusted_proxies_and_their_header() {
    let address = ClientAddress::socket_addr()
        .behind_proxies(ProxyHeader::Forwarded, ["10.0.0.0/8", "proxy.internal"]);
    let debug = format!("{address:?}");
    for part in ["ClientAddress", "Forwarded", "10.0.0.0/8", "proxy.internal"] {
        assert!(debug.contains(part), "{part} in {debug}");
    }
    assert!(format!("{:?}", ClientAddress::default()).starts_with("ClientAddress"));
}
