//! An RFC 6238 implementation of the tests' own (HMAC-SHA-1 from the RustCrypto crates,
//! base32 by hand), independent of the `totp-rs` crate the server uses: codes the tests
//! type are computed the way an authenticator app computes them.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 4648 base32 (no padding) to bytes.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0u32;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET
            .iter()
            .position(|a| *a == c.to_ascii_uppercase())
            .unwrap_or_else(|| panic!("not base32: {text}")) as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// The 6-digit code of the 30-second step `step` (RFC 4226 dynamic truncation).
pub fn code_at_step(secret_base32: &str, step: i64) -> String {
    let key = base32_decode(secret_base32);
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).expect("any key length");
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    format!("{:06}", binary % 1_000_000)
}

/// The step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(30)
}

#[test]
fn rfc_6238_appendix_b() {
    // "12345678901234567890" in base32.
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(code_at_step(secret, step_of(59)), "287082");
    assert_eq!(code_at_step(secret, step_of(1_111_111_109)), "081804");
    assert_eq!(code_at_step(secret, step_of(2_000_000_000)), "279037");
}
