//! Which addresses are special-purpose, after the IANA special-purpose address registries
//! (RFC 6890 and its updates): everything but public unicast. A URI a client registers must not
//! make the server talk to itself, its private network or a cloud metadata endpoint.
//!
//! The one list of them, applied twice: by the built-in fetcher to every address a host
//! resolves to, before it connects (`fetch::HttpsFetcher`), and by the metadata rule that
//! refuses such hosts, by their text, in the URIs a server dereferences
//! (`MetadataRules::refuse_special_purpose_hosts`), which needs no fetcher.
//!
//! `std`'s `is_global` would do this but is unstable; the lists below follow the registries.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};
use url::Host;

/// IPv4 networks that are not public unicast: this network, private, shared (CGNAT),
/// loopback, link-local (cloud metadata lives at 169.254.169.254), IETF protocol assignments,
/// documentation, 6to4 relay anycast, benchmarking, multicast, reserved and broadcast.
const NOT_PUBLIC_V4: [Ipv4Net; 16] = [
    Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
    Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 0, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 2, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 31, 196, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 88, 99, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 51, 100, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(203, 0, 113, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4),
    // Reserved for future use, and 255.255.255.255 (limited broadcast) within it.
    Ipv4Net::new_assert(Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 networks that are not public unicast. IPv4-mapped and NAT64 addresses are judged by
/// the IPv4 address they embed, before this list.
const NOT_PUBLIC_V6: [Ipv6Net; 12] = [
    // `::/96`: unspecified, loopback and the deprecated IPv4-compatible addresses (RFC 4291
    // §2.5.5.1), refused whatever they embed: no stack should route them, and one that treats
    // `::a.b.c.d` as IPv4 or as an odd IPv6 address may reach something the check did not see.
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 96),
    // IPv4-translated addresses (RFC 2765 `::ffff:0:a.b.c.d`), refused like `::/96`.
    Ipv6Net::new_assert(Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96),
    // Local-use IPv4/IPv6 translation.
    Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    // Discard-only.
    Ipv6Net::new_assert(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    // IETF protocol assignments (Teredo, benchmarking, ORCHID...).
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    // Documentation.
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    Ipv6Net::new_assert(Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),
    // 6to4: the embedded IPv4 address could be anything; refused outright.
    Ipv6Net::new_assert(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    // Unique local, link-local, deprecated site-local, multicast.
    Ipv6Net::new_assert(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// The IPv4 address an IPv6 address stands for: IPv4-mapped (`::ffff:a.b.c.d`) and NAT64
/// well-known prefix (`64:ff9b::a.b.c.d`). IPv4-compatible addresses (`::a.b.c.d`) are not
/// judged by what they embed: `::/96` is refused outright.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let [a, b] = s[6].to_be_bytes();
    let [c, d] = s[7].to_be_bytes();
    let tail = Ipv4Addr::new(a, b, c, d);
    match s[..6] {
        [0, 0, 0, 0, 0, 0xffff] | [0x64, 0xff9b, 0, 0, 0, 0] => Some(tail),
        _ => None,
    }
}

/// Whether `ip` is a public unicast address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !NOT_PUBLIC_V4.iter().any(|net| net.contains(&v4)),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => !NOT_PUBLIC_V6.iter().any(|net| net.contains(&v6)),
        },
    }
}

/// Whether `host`, as written, names this machine or a special-purpose network: `localhost`
/// or a name under `.localhost` (RFC 6761 §6.3: they resolve to loopback), or an IP literal
/// that is not public unicast ([`is_public`]). Any other name is judged by its text alone:
/// where it resolves to is known only when it is resolved.
pub(crate) fn is_special_purpose_host<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Domain(name) => is_localhost_name(name.as_ref()),
        Host::Ipv4(ip) => !is_public(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => !is_public(IpAddr::V6(*ip)),
    }
}

/// `localhost`, or a name ending in `.localhost`, in any case, with or without the root's
/// trailing dot.
fn is_localhost_name(name: &str) -> bool {
    const LOCALHOST: &[u8] = b"localhost";
    let name = name.as_bytes();
    let name = name.strip_suffix(b".").unwrap_or(name);
    // Bytes, not `str` slices: a name that is not ASCII has no char boundary to respect here.
    match name.len().checked_sub(LOCALHOST.len()) {
        Some(start) => {
            name[start..].eq_ignore_ascii_case(LOCALHOST) && (start == 0 || name[start - 1] == b'.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests;
