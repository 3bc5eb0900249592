//! Where webhooks may go: `https` URLs of hosts on public addresses only, so an endpoint
//! cannot be used to reach the platform's own network (SSRF). Checked when an endpoint is
//! registered (`check_url`, `resolve_public`) and again at every delivery: the URL's own
//! rules and literal addresses by [`check_delivery`] before anything is sent (a URL stored
//! under an older rule gets today's), names at connection time: the HTTP client resolves
//! them through [`PublicResolver`], so a name that starts resolving to a private address
//! later (DNS rebinding) is refused on the spot. The client never uses a proxy (see
//! `deliver::http_client`): a proxy would resolve and connect in our place, out of reach of
//! this rule. Which addresses are public is `super::address`'s rule.
//! `WEBHOOKS__ALLOW_INSECURE_TARGETS=true` lifts these rules (development and tests).

use std::net::{IpAddr, SocketAddr};
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

/// The length of the URL column (`webhook_endpoints.url`): no setting may let more through.
pub const URL_COLUMN: usize = 2048;

/// The syntactic rules and literal addresses; names are checked by [`resolve_public`]. The
/// length rule applies to the normalized URL, the string that is stored and sent (`%`-escapes
/// and punycode make it longer than what was typed), at most [`URL_COLUMN`] characters.
pub fn check_url(raw: &str, allow_insecure: bool, max_len: usize) -> Result<Url, TargetProblem> {
    let max_len = max_len.min(URL_COLUMN);
    let raw = raw.trim();
    // A bound on parsing work only: four bytes of input per character allowed is more
    // than any URL that normalizes short enough needs.
    if raw.len() > max_len.saturating_mul(4) {
        return Err(TargetProblem::TooLong(max_len));
    }
    let url = Url::parse(raw).map_err(|_| TargetProblem::Unparsable)?;
    if url.as_str().chars().count() > max_len {
        return Err(TargetProblem::TooLong(max_len));
    }
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

/// The rules of [`check_url`] again, at delivery, on the stored URL.
pub fn check_delivery(stored: &str, allow_insecure: bool) -> Result<(), TargetProblem> {
    check_url(stored, allow_insecure, URL_COLUMN).map(|_| ())
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

pub use super::address::is_public;

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

    #[test]
    fn literal_ipv6_forms_carrying_private_ipv4_are_refused() {
        for private in [
            "https://[::127.0.0.1]/",
            "https://[::169.254.169.254]/latest/meta-data",
            "https://[::ffff:0:127.0.0.1]/",
            "https://[64:ff9b:1::169.254.169.254]/",
            "https://[64:ff9b::10.0.0.1]/",
            "https://[2002:7f00:1::]/",
        ] {
            assert!(
                matches!(
                    check_url(private, false, 2000),
                    Err(TargetProblem::NotPublic(_))
                ),
                "{private}"
            );
            // Again at delivery, for a URL stored before the rule knew these forms.
            assert!(check_delivery(private, false).is_err(), "{private}");
        }
        assert!(check_delivery("https://93.184.215.14/hook", false).is_ok());
        assert!(check_delivery("http://127.0.0.1:9000/hook", true).is_ok());
    }

    #[test]
    fn the_length_rule_counts_the_url_as_stored() {
        // 700 CJK characters: 707 typed, 6,300 once %-encoded (what is stored and sent).
        let typed = format!("https://hooks.example.com/{}", "網".repeat(700));
        assert!(typed.chars().count() < 2000);
        assert_eq!(
            check_url(&typed, false, 2000),
            Err(TargetProblem::TooLong(2000))
        );
        let fits = format!("https://hooks.example.com/{}", "網".repeat(200));
        let stored = check_url(&fits, false, 2000).unwrap();
        assert!(stored.as_str().len() <= 2000, "{}", stored.as_str().len());
        // No setting lets more through than the column holds.
        let long = format!("https://hooks.example.com/{}", "a".repeat(2100));
        assert_eq!(
            check_url(&long, false, 10_000),
            Err(TargetProblem::TooLong(URL_COLUMN))
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
