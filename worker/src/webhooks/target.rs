//! Where webhooks may go: `https` URLs of hosts on public addresses only, so an endpoint
//! cannot be used to reach the platform's own network (SSRF). Checked when an endpoint is
//! registered (`check_url`, `resolve_public`) and again at every delivery, at connection
//! time: the HTTP client resolves names through [`PublicResolver`], so a name that starts
//! resolving to a private address later (DNS rebinding) is refused on the spot.
//! `WEBHOOKS__ALLOW_INSECURE_TARGETS=true` lifts both rules (development and tests).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::{Host, Url};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetProblem {
    #[error("not a valid absolute URL")]
    Unparsable,
    #[error("longer than {0} characters")]
    TooLong(usize),
    #[error("only https URLs are allowed")]
    NotHttps,
    #[error("the URL must name a host, without user name or password")]
    Host,
    #[error("{0} is not a public address")]
    NotPublic(IpAddr),
    #[error("{0} does not resolve to any public address")]
    NoPublicAddress(String),
}

/// The syntactic rules and literal addresses; names are checked by [`resolve_public`].
pub fn check_url(raw: &str, allow_insecure: bool, max_len: usize) -> Result<Url, TargetProblem> {
    let raw = raw.trim();
    if raw.chars().count() > max_len {
        return Err(TargetProblem::TooLong(max_len));
    }
    let url = Url::parse(raw).map_err(|_| TargetProblem::Unparsable)?;
    let scheme_ok = url.scheme() == "https" || (allow_insecure && url.scheme() == "http");
    if !scheme_ok {
        return Err(TargetProblem::NotHttps);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetProblem::Host);
    }
    if !allow_insecure {
        match url.host() {
            None => return Err(TargetProblem::Host),
            Some(Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
                return Err(TargetProblem::NotPublic(IpAddr::V4(ip)));
            }
            Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
                return Err(TargetProblem::NotPublic(IpAddr::V6(ip)));
            }
            _ => {}
        }
    } else if url.host().is_none() {
        return Err(TargetProblem::Host);
    }
    Ok(url)
}

/// The public addresses of `host` (empty when it does not resolve at all, which is left to
/// delivery to report); refused when it resolves only to non-public ones.
pub async fn resolve_public(host: &str) -> Result<Vec<SocketAddr>, TargetProblem> {
    let Ok(found) = tokio::net::lookup_host((host, 0)).await else {
        return Ok(Vec::new());
    };
    let found: Vec<SocketAddr> = found.collect();
    let public: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|a| is_public(a.ip()))
        .collect();
    if public.is_empty() && !found.is_empty() {
        return Err(TargetProblem::NoPublicAddress(host.to_owned()));
    }
    Ok(public)
}

/// True for addresses on the public internet: not loopback, private, link-local, shared
/// (CGNAT), documentation, benchmarking, multicast, reserved or unspecified, including the
/// IPv4 addresses embedded in IPv6 forms.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address.
            if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                ));
            }
            if seg[0] == 0x2002 {
                return is_public_v4(Ipv4Addr::new(
                    (seg[1] >> 8) as u8,
                    seg[1] as u8,
                    (seg[2] >> 8) as u8,
                    seg[2] as u8,
                ));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0100 && seg[1..4] == [0, 0, 0]) // discard 100::/64
                || v6 == Ipv6Addr::from([0, 0, 0, 0, 0, 0, 0, 1]))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// DNS for webhook deliveries: only public addresses are ever connected to.
pub struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(TargetProblem::NoPublicAddress(host).into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_public_literal_addresses() {
        let check = |u: &str| check_url(u, false, 2000);
        assert!(check("https://hooks.example.com/partner-center").is_ok());
        assert_eq!(
            check("http://hooks.example.com/"),
            Err(TargetProblem::NotHttps)
        );
        assert_eq!(
            check("ftp://hooks.example.com/"),
            Err(TargetProblem::NotHttps)
        );
        assert_eq!(check("hooks.example.com"), Err(TargetProblem::Unparsable));
        assert_eq!(
            check("https://u:p@hooks.example.com/"),
            Err(TargetProblem::Host)
        );
        for private in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.1.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
        ] {
            assert!(
                matches!(check(private), Err(TargetProblem::NotPublic(_))),
                "{private}"
            );
        }
        assert!(check("https://93.184.215.14/").is_ok());
        let long = format!("https://hooks.example.com/{}", "a".repeat(2000));
        assert_eq!(check(&long), Err(TargetProblem::TooLong(2000)));
        // The development flag allows http and private addresses.
        assert!(check_url("http://127.0.0.1:9000/hook", true, 2000).is_ok());
        assert_eq!(
            check_url("ftp://127.0.0.1/", true, 2000),
            Err(TargetProblem::NotHttps)
        );
    }

    #[tokio::test]
    async fn names_that_resolve_only_privately_are_refused() {
        assert_eq!(
            resolve_public("localhost").await,
            Err(TargetProblem::NoPublicAddress("localhost".into()))
        );
    }
}
