//! The address rule of webhook targets: which IP addresses are on the public internet.
//!
//! IPv4 follows the special-purpose registry (loopback, private, link-local, CGNAT,
//! documentation, benchmarking, reserved … are not public). An IPv6 address that carries an
//! IPv4 address — IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`,
//! IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`, Teredo
//! `2001:0:…` — is judged as that IPv4 address: `[::127.0.0.1]` is loopback whatever the
//! brackets say, because the network stack on the way may well deliver it there. Prefixes
//! that are never globally routed (local-use NAT64 `64:ff9b:1::/48`, ULA, link-local,
//! documentation, …) are not public whatever they carry: outside the IPv4 forms, only
//! global unicast `2000::/3` less its special-purpose blocks is public.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True for addresses on the public internet (see the module documentation).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

pub fn is_public_v4(ip: Ipv4Addr) -> bool {
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
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// The IPv4 address in the 32 bits of `seg[at..at + 2]`.
fn v4_at(seg: &[u16; 8], at: usize) -> Ipv4Addr {
    let [a, b] = seg[at].to_be_bytes();
    let [c, d] = seg[at + 1].to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The IPv4 addresses an IPv6 address carries by a standard embedding (two for Teredo:
/// its server and its client); `None` when it carries none.
pub fn embedded_v4(v6: Ipv6Addr) -> Option<Vec<Ipv4Addr>> {
    let seg = v6.segments();
    let zero = |range: std::ops::Range<usize>| seg[range].iter().all(|s| *s == 0);
    // ::a.b.c.d (IPv4-compatible, deprecated), ::ffff:a.b.c.d (mapped) and
    // ::ffff:0:a.b.c.d (translated). `::` and `::1` fall in the first and read as 0.0.0.0
    // and 0.0.0.1: not public either.
    if zero(0..5) && (seg[5] == 0 || seg[5] == 0xffff) {
        return Some(vec![v4_at(&seg, 6)]);
    }
    if zero(0..4) && seg[4] == 0xffff && seg[5] == 0 {
        return Some(vec![v4_at(&seg, 6)]);
    }
    // NAT64, well-known prefix 64:ff9b::/96.
    if seg[0] == 0x64 && seg[1] == 0xff9b && zero(2..6) {
        return Some(vec![v4_at(&seg, 6)]);
    }
    // 6to4 2002:AABB:CCDD::/48.
    if seg[0] == 0x2002 {
        return Some(vec![v4_at(&seg, 1)]);
    }
    // Teredo 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC, the client address inverted.
    if seg[0] == 0x2001 && seg[1] == 0 {
        let client = !u32::from(v4_at(&seg, 6));
        return Some(vec![v4_at(&seg, 2), Ipv4Addr::from(client)]);
    }
    None
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    if let Some(carried) = embedded_v4(v6) {
        return carried.into_iter().all(is_public_v4);
    }
    let seg = v6.segments();
    // Only global unicast 2000::/3 is routed on the internet; everything else (::/8 with
    // local-use NAT64 64:ff9b:1::/48, 100::/64 discard, 5f00::/16 SRv6, ULA fc00::/7,
    // link-local, site-local, multicast …) is reserved or local.
    (seg[0] & 0xe000) == 0x2000
        && !(seg[0] == 0x2001 && seg[1] < 0x0200 && !ietf_global(&seg)) // 2001::/23
        && !(seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        && (seg[0] & 0xfff0) != 0x3ff0 // documentation 3fff::/20
}

/// The globally reachable blocks inside the IETF protocol assignments 2001::/23.
fn ietf_global(seg: &[u16; 8]) -> bool {
    let anycast = seg[1] == 1 && seg[2..7] == [0; 5] && (seg[7] == 1 || seg[7] == 2);
    anycast
        || seg[1] == 3 // AMT
        || (seg[1] == 4 && seg[2] == 0x112) // AS112-v6
        || (0x20..0x40).contains(&seg[1]) // ORCHIDv2 and drone identifiers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn ipv4_special_purpose_blocks_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!public(ip), "{ip}");
        }
        assert!(public("93.184.215.14"));
        assert!(public("8.8.8.8"));
    }

    #[test]
    fn ipv6_forms_carrying_ipv4_are_judged_as_that_ipv4() {
        for ip in [
            // The forms of the review, then every embedding for the same places.
            "::127.0.0.1",
            "::169.254.169.254",
            "::ffff:0:127.0.0.1",
            "64:ff9b:1::169.254.169.254",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:0:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2002:c0a8:101::5",
            // Teredo with a loopback client (inverted 127.0.0.1) or a private server.
            "2001:0:5db8:1::80ff:fffe",
            "2001:0:a00:1::1",
            "::",
            "::1",
        ] {
            assert!(!public(ip), "{ip}");
        }
        for ip in [
            "::ffff:93.184.215.14",
            "::ffff:0:93.184.215.14",
            "::93.184.215.14",
            "64:ff9b::93.184.215.14",
            "2002:5db8:d70e::1",
        ] {
            assert!(public(ip), "{ip}");
        }
        // Teredo: server 93.184.215.14, client 8.8.8.8 (inverted f7f7:f7f7).
        assert!(public("2001:0:5db8:d70e::f7f7:f7f7"));
    }

    #[test]
    fn ipv6_blocks_never_routed_publicly_are_not_public() {
        for ip in [
            "64:ff9b:1::8.8.8.8",
            "100::1",
            "2001:2::1",
            "2001:10::1",
            "2001:db8::1",
            "3fff::1",
            "5f00::1",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!public(ip), "{ip}");
        }
        for ip in ["2606:4700:4700::1111", "2001:4860:4860::8888", "2001:3::1"] {
            assert!(public(ip), "{ip}");
        }
    }
}
