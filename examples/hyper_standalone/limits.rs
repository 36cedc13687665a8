//! `--rate-limit-per-address`, `--rate-limit-overall`, `--trusted-proxy` and `--max-clients`:
//! how much one client, and everyone together, may make the server store.

use std::time::Duration;

use tower_oidc_registration::rate_limit::{ClientAddress, ProxyHeader, Rate, RateLimit};

/// A rate flag: `off`, or `COUNT/UNIT` with an optional `,burst=N` (`20/minute,burst=10`;
/// `second`, `minute` and `hour`, or `s`, `min` and `h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSpec(pub Option<Rate>);

impl RateSpec {
    pub fn parse(value: &str) -> Result<Self, String> {
        if value == "off" {
            return Ok(Self(None));
        }
        let usage =
            || format!("{value:?}: expected off, or COUNT/UNIT[,burst=N] as in 20/minute,burst=10");
        let (rate, burst) = match value.split_once(',') {
            Some((rate, burst)) => (rate, Some(burst)),
            None => (value, None),
        };
        let (count, unit) = rate.split_once('/').ok_or_else(usage)?;
        let count: u32 = count.trim().parse().map_err(|_| usage())?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(usage()),
        };
        let mut rate = Rate::new(count, period);
        if let Some(burst) = burst {
            let burst = burst
                .trim()
                .strip_prefix("burst=")
                .and_then(|n| n.parse().ok())
                .ok_or_else(usage)?;
            rate = rate.burst(burst);
        }
        Ok(Self(Some(rate)))
    }
}

/// The registration rate limit of the two flags; `None` when both are `off`.
pub fn rate_limit(per_address: RateSpec, overall: RateSpec) -> Option<RateLimit> {
    match (per_address.0, overall.0) {
        (Some(address), Some(overall)) => Some(RateLimit::per_address(address).overall(overall)),
        (Some(address), None) => Some(RateLimit::per_address(address)),
        (None, Some(overall)) => Some(RateLimit::overall_only(overall)),
        (None, None) => None,
    }
}

/// The client address: the peer the server inserts in each request's extensions
/// (`server.rs`), or behind `--trusted-proxy` peers the address their `--proxy-header` names.
pub fn client_address(trusted_proxies: &[String], header: ProxyHeader) -> ClientAddress {
    let peer = ClientAddress::socket_addr();
    if trusted_proxies.is_empty() {
        peer
    } else {
        peer.behind_proxies(header, trusted_proxies)
    }
}

/// `--max-clients`: a number, or `unbounded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxClients(pub Option<u64>);

impl MaxClients {
    pub fn parse(value: &str) -> Result<Self, String> {
        if value == "unbounded" {
            return Ok(Self(None));
        }
        value
            .parse()
            .map(|n| Self(Some(n)))
            .map_err(|_| format!("{value:?}: expected a number of clients, or unbounded"))
    }
}
