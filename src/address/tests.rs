use super::*;

fn public(s: &str) -> bool {
    is_public(s.parse().expect("an IP address"))
}

#[test]
fn special_purpose_ipv4_addresses_are_not_public() {
    for ip in [
        "0.0.0.0",
        "10.1.2.3",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.255.0.9",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.1.1",
        "198.18.0.1",
        "198.19.255.1",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
    ] {
        assert!(!public(ip), "{ip}");
    }
}

#[test]
fn ordinary_ipv4_addresses_are_public() {
    for ip in [
        "1.1.1.1",
        "8.8.8.8",
        "93.184.216.34",
        "100.63.255.255",
        "100.128.0.1",
        "172.15.255.255",
        "172.32.0.1",
        "192.0.1.1",
        "198.20.0.1",
        "223.255.255.254",
    ] {
        assert!(public(ip), "{ip}");
    }
}

#[test]
fn special_purpose_ipv6_addresses_are_not_public() {
    for ip in [
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "::2",
        "::ffff",
        "::1:0",
        "::8.8.8.8",
        "::1.1.1.1",
        "::ffff:0:8.8.8.8",
        "::ffff:0:127.0.0.1",
        "::ffff:0:0",
        "64:ff9b::10.0.0.1",
        "64:ff9b:1::1",
        "100::1",
        "2001::1",
        "2001:db8::1",
        "2002:7f00:1::1",
        "3fff::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fec0::1",
        "ff02::1",
    ] {
        assert!(!public(ip), "{ip}");
    }
}

#[test]
fn ordinary_ipv6_addresses_are_public() {
    for ip in [
        "2606:4700:4700::1111",
        "2a00:1450:4007:80e::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::8.8.8.8",
    ] {
        assert!(public(ip), "{ip}");
    }
}

fn special_purpose_host(host: &str) -> bool {
    is_special_purpose_host(&Host::parse(host).expect("a host"))
}

#[test]
fn localhost_names_and_special_purpose_literals_are_special_purpose_hosts() {
    for host in [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "app.localhost",
        "a.b.Localhost.",
        "127.0.0.1",
        "0.0.0.0",
        "10.0.0.1",
        "169.254.169.254",
        "192.168.1.1",
        // What the URL parser reads as IPv4 is judged as the address it is.
        "2130706433",
        "0x7f.1",
        "[::1]",
        "[::ffff:10.0.0.1]",
        "[fd00::1]",
    ] {
        assert!(special_purpose_host(host), "{host}");
    }
}

#[test]
fn public_literals_and_other_names_are_not_special_purpose_hosts() {
    for host in [
        "example.org",
        "localhost.example.org",
        "notlocalhost",
        "mylocalhost",
        "8.8.8.8",
        "[2606:4700:4700::1111]",
        // A name is judged by its text: where it resolves to is the fetcher's to check.
        "internal.corp.example",
    ] {
        assert!(!special_purpose_host(host), "{host}");
    }
}
