//! Who is calling, from the request's headers: the bearer token, and the client's address
//! (the peer's, or behind trusted proxies the one they saw).

use super::AppState;
use axum::http::{HeaderMap, header};
use std::net::SocketAddr;

/// The token of `Authorization: Bearer <token>`, if the request carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The peer address, or when configured to trust proxies, the `X-Forwarded-For` entry the
/// outermost trusted proxy appended (see `forwarded_client`).
pub(crate) fn client_addr(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    if state.settings.trust_forwarded_for
        && let Some(client) = forwarded_client(headers, state.settings.forwarded_for_hops)
    {
        return client;
    }
    peer.ip().to_string()
}

/// The entry `hops` places from the right of all `X-Forwarded-For` values: each trusted
/// proxy appends the address it saw, so entries left of it may be forged by the client.
fn forwarded_client(headers: &HeaderMap, hops: usize) -> Option<String> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let index = entries.len().checked_sub(hops.max(1))?;
    let entry = entries[index];
    entry
        .parse::<std::net::IpAddr>()
        .is_ok()
        .then(|| entry.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_trusted_proxys_entry_is_the_client() {
        // The client wrote "6.6.6.6"; the proxy appended what it saw.
        let h = forwarded(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(forwarded_client(&h, 1).as_deref(), Some("203.0.113.7"));
        // Two proxies: the outer one saw the client, the inner one saw the outer proxy.
        let h = forwarded(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(forwarded_client(&h, 2).as_deref(), Some("203.0.113.7"));
        assert_eq!(forwarded_client(&h, 5), None);
        assert_eq!(forwarded_client(&forwarded(&["not-an-ip"]), 1), None);
        assert_eq!(forwarded_client(&HeaderMap::new(), 1), None);
    }
}
