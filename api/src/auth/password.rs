//! Password hashing with argon2id (PHC strings) and temporary-password generation.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))
}

/// How hashes of generated temporary passwords start (see [`hash_temporary`]).
const TEMPORARY_SCHEME: &str = "$sha256-temporary$";

/// A generated temporary password ([`generate_temporary`]: 16 symbols of 55, about 92 bits)
/// is out of reach of guessing even at SHA-256 speed, so it is stored like a session token
/// rather than with argon2, which is deliberately slow and takes 19 MiB per run: creating a
/// customer or a user then costs no argon2 run. The password must be replaced at the first
/// sign-in, and the one chosen then is hashed with argon2.
pub fn hash_temporary(password: &str) -> String {
    format!("{TEMPORARY_SCHEME}{}", crate::auth::token::hash(password))
}

pub fn verify(password: &str, phc: &str) -> bool {
    if let Some(expected) = phc.strip_prefix(TEMPORARY_SCHEME) {
        // Same time as an argon2 account, so sign-in timing does not tell which kind it is.
        let _ = verify(password, dummy_hash());
        return constant_time_eq(
            crate::auth::token::hash(password).as_bytes(),
            expected.as_bytes(),
        );
    }
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A hash of a random password, verified against when the account does not exist so that
/// unknown and known emails take the same time to refuse.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&generate_temporary()).expect("argon2 with default params"))
}

/// Why a new password is refused, if it is.
pub fn weakness(password: &str) -> Option<worker::i18n::Message> {
    if password.chars().count() < MIN_LENGTH {
        return Some(worker::msg!("error-password-short", min = MIN_LENGTH));
    }
    if password.len() > MAX_LENGTH {
        return Some(worker::msg!("error-password-long", max = MAX_LENGTH));
    }
    None
}

/// 16 characters from an alphabet without look-alikes (0/O, 1/l/I): easy to read out loud.
pub fn generate_temporary() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse").unwrap();
        let b = hash("correct horse").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse", &a));
        assert!(!verify("wrong horse", &a));
        assert!(!verify("x", "not a phc string"));
    }

    #[test]
    fn temporary_passwords_verify_without_argon2_hashes() {
        let temporary = generate_temporary();
        let stored = hash_temporary(&temporary);
        assert!(!stored.contains(&temporary));
        assert!(verify(&temporary, &stored));
        assert!(!verify("not the temporary one", &stored));
        assert!(!verify(&temporary, &format!("{TEMPORARY_SCHEME}00")));
    }
}
