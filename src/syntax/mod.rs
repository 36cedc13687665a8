//! Small rules of syntax that several parts of the crate apply: what a loopback host is, what a
//! bearer token may contain, and how a client-supplied value is quoted in an error description.
//! Each lives here once, so that the configuration, the metadata rules, the policies, the
//! fetcher and the HTTP handler cannot drift apart.

use std::net::IpAddr;

use url::Host;

use crate::metadata::sanitize_description;

/// Whether `ip` is a loopback address: 127.0.0.0/8, `::1`, or an IPv4-mapped loopback
/// address (`::ffff:127.0.0.1`), which reaches the same interface.
pub(crate) fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Whether `host` is `localhost` (any case) or a loopback address ([`is_loopback_ip`]).
pub(crate) fn is_loopback_host<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Domain(d) => d.as_ref().eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => is_loopback_ip(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => is_loopback_ip(IpAddr::V6(*ip)),
    }
}

/// Whether `token` is a non-empty `token68` (RFC 7235 §2.1), the syntax of a bearer token
/// (RFC 6750 §2.1): `ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`, then optional `=`
/// padding.
pub(crate) fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// How many characters of a client-supplied value an error description quotes.
const QUOTED_MAX_CHARS: usize = 64;

/// `'value'` for an error description: made printable ASCII ([`sanitize_description`]) and
/// cut after [`QUOTED_MAX_CHARS`] characters (`'xxx...x'...`), so that a huge or hostile value
/// never ends up whole in a response.
pub(crate) fn quoted(value: &str) -> String {
    let (shown, cut) = match value.char_indices().nth(QUOTED_MAX_CHARS) {
        Some((end, _)) => (&value[..end], true),
        None => (value, false),
    };
    let shown = sanitize_description(shown);
    let mut out = String::with_capacity(shown.len() + 5);
    out.push('\'');
    out.push_str(&shown);
    out.push('\'');
    if cut {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests;
