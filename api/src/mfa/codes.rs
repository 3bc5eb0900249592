//! The arithmetic of second-factor codes, without I/O: TOTP per RFC 6238 as the design
//! fixes it (SHA-1, 6 digits, 30-second steps, one step of drift each way) through the
//! maintained `totp-rs` crate, and single-use recovery codes.

use rand::{Rng, RngCore};
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: i64 = 30;
const DIGITS: usize = 6;
/// Steps of drift accepted either side of the current one.
const SKEW: i64 = 1;
/// 160 bits, the HMAC-SHA-1 block RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
/// Unambiguous lower-case letters and digits (no 0/o, 1/l/i): 31 symbols, ~4.95 bits each.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new secret, base32 without padding (what authenticator apps take).
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    // `new_unchecked`: a stored secret is always ours (20 bytes); no need to re-check size.
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS as u64,
        bytes,
    ))
}

/// The step (Unix seconds / 30) of `unix_seconds`.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The step whose code `code` is, within one step of `unix_seconds`, if any. Compared in
/// constant time; the caller refuses steps already used.
pub fn matching_step(secret: &str, code: &str, unix_seconds: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret)?;
    let now = step_of(unix_seconds);
    let mut found = None;
    // Every candidate is computed and compared, so timing does not tell which one matched.
    for step in (now - SKEW)..=(now + SKEW) {
        if step < 0 {
            continue;
        }
        let expected = totp.generate((step * STEP_SECONDS) as u64);
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…` (the Key Uri Format every
/// authenticator app reads).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let enc = |s| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer),
    )
}

/// Ten new recovery codes, `xxxxx-xxxxx` (~49 bits each: out of reach of throttled guessing).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    code.push('-');
                }
                let at = rng.random_range(0..RECOVERY_ALPHABET.len());
                code.push(RECOVERY_ALPHABET[at] as char);
            }
            code
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its letters and digits, lower-cased
/// (so `ABCDE FGHIJ` and `abcde-fghij` are the same code).
pub fn recovery_hash(code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::auth::token::hash(&normalized)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (the secret is the ASCII "12345678901234567890").
    #[test]
    fn rfc_6238_vectors() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let six = &eight_digits[2..];
            assert_eq!(matching_step(&secret, six, time), Some(step_of(time)));
        }
    }

    #[test]
    fn one_step_of_drift_each_way_and_no_more() {
        let secret = new_secret();
        let t = totp(&secret).unwrap();
        let now = 1_700_000_015;
        let code = |step: i64| t.generate((step * STEP_SECONDS) as u64);
        let current = step_of(now);
        for drift in [-1, 0, 1] {
            assert_eq!(
                matching_step(&secret, &code(current + drift), now),
                Some(current + drift)
            );
        }
        for drift in [-2, 2] {
            assert_eq!(matching_step(&secret, &code(current + drift), now), None);
        }
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_normalized() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        let c = &codes[0];
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account() {
        let uri = otpauth_uri("Partner Center", "a@b.example", "ABC");
        assert!(uri.starts_with("otpauth://totp/Partner%20Center:a%40b%2Eexample?secret=ABC"));
        assert!(uri.contains("&issuer=Partner%20Center"));
    }
}
