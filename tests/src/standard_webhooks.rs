//! Standard Webhooks signatures, written here from the specification
//! (<https://www.standardwebhooks.com/>) so the tests check the product's signing against
//! an independent implementation rather than against itself:
//! - the key is the base64 text after `whsec_`, decoded;
//! - the signed content is `{webhook-id}.{webhook-timestamp}.{body}`;
//! - `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` entries.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn key(secret: &str) -> Vec<u8> {
    let encoded = secret
        .strip_prefix("whsec_")
        .unwrap_or_else(|| panic!("a secret starts with whsec_: {secret}"));
    STANDARD.decode(encoded).expect("the secret is base64")
}

fn mac(secret: &str, id: &str, timestamp: &str, body: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(&key(secret)).expect("any key length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    mac
}

/// The `v1,…` signature of one message with one secret.
pub fn sign(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let tag = mac(secret, id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// For each entry of a `webhook-signature` header, whether `secret` produced it
/// (compared in constant time, as a receiver should).
pub fn verify_each(secret: &str, id: &str, timestamp: &str, body: &str, header: &str) -> Vec<bool> {
    header
        .split_whitespace()
        .map(|entry| {
            let Some(encoded) = entry.strip_prefix("v1,") else {
                return false;
            };
            let Ok(tag) = STANDARD.decode(encoded) else {
                return false;
            };
            mac(secret, id, timestamp, body).verify_slice(&tag).is_ok()
        })
        .collect()
}

/// Whether any signature of the header was made with `secret`.
pub fn verifies(secret: &str, id: &str, timestamp: &str, body: &str, header: &str) -> bool {
    verify_each(secret, id, timestamp, body, header)
        .into_iter()
        .any(|ok| ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the specification's reference libraries (the same secret, id,
    /// timestamp and payload give this signature in every language).
    #[test]
    fn matches_the_reference_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let timestamp = "1614265330";
        let body = r#"{"test": 2432232314}"#;
        let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert_eq!(sign(secret, id, timestamp, body), expected);
        let header = format!("v1,bm90IGl0 {expected}");
        assert_eq!(
            verify_each(secret, id, timestamp, body, &header),
            [false, true]
        );
        assert!(!verifies(secret, id, "1614265331", body, &header));
    }
}
