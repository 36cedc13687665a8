use std::net::IpAddr;

use url::Host;

use super::*;
use crate::metadata::sanitize_description;

#[test]
fn loopback_addresses_include_ipv4_mapped_ones() {
    for ip in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
        assert!(is_loopback_ip(ip.parse::<IpAddr>().expect("ip")), "{ip}");
    }
    for ip in ["10.0.0.1", "::ffff:10.0.0.1", "::2", "0.0.0.0"] {
        assert!(!is_loopback_ip(ip.parse::<IpAddr>().expect("ip")), "{ip}");
    }
}

/// VAL-11: a native client may use http on `127.0.0.1`, `[::1]` or `localhost`, any port.
#[test]
fn loopback_hosts_are_localhost_and_loopback_addresses() {
    for host in [
        "localhost",
        "LocalHost",
        "127.0.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
    ] {
        assert!(
            is_loopback_host(&Host::parse(host).expect("host")),
            "{host}"
        );
    }
    for host in ["localhost.example", "example.org", "10.0.0.1", "[::2]"] {
        assert!(
            !is_loopback_host(&Host::parse(host).expect("host")),
            "{host}"
        );
    }
}

/// ERR-9: the `Bearer` scheme is case-insensitive and the token a `token68`.
#[test]
fn token68_is_the_bearer_token_alphabet_with_padding() {
    for token in ["abc", "a.b-c_d~e+f/g", "abc==", "Zm9v"] {
        assert!(is_token68(token), "{token}");
    }
    for token in ["", "====", "a b", "a,b", "a=b", "é"] {
        assert!(!is_token68(token), "{token}");
    }
}

/// ERR-4: `error_description` names member and index; client values are quoted, cut to 64
/// characters.
#[test]
fn quoted_values() {
    assert_eq!(quoted("foo"), "'foo'");
    assert_eq!(quoted(""), "''");
    // No `"` and no `\` (RFC 6749 §5.2), no Debug escaping.
    assert_eq!(quoted("a\"b"), "'a'b'");
    assert_eq!(quoted("a\\b"), "'aU+005Cb'");
    assert_eq!(quoted("caf\u{e9}\n"), "'cafU+00E9U+000A'");
    assert_eq!(
        quoted(&"\u{e9}".repeat(70)),
        format!("'{}'...", "U+00E9".repeat(64))
    );
    assert_eq!(quoted(&"x".repeat(65)), format!("'{}'...", "x".repeat(64)));
    assert_eq!(quoted(&"x".repeat(64)), format!("'{}'", "x".repeat(64)));
    for value in ["a\"b", "a\\b", "\"\\\"", "\u{0}\u{7f}"] {
        let q = quoted(value);
        assert!(!q.contains('"') && !q.contains('\\'), "{q}");
        assert_eq!(sanitize_description(&q), q, "already sanitized");
    }
}
