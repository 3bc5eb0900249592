//! Texts a delivery stores that come from outside (a receiver's answer, an error), made to
//! fit their columns: control characters out (PostgreSQL refuses NUL), and cut on a
//! character so that what is stored — after any escaping — fits.

use crate::i18n::Message;

/// `webhook_deliveries.last_error` (characters).
pub const LAST_ERROR_COLUMN: usize = 1000;
/// `webhook_endpoints.disabled_reason` (characters, of the stored message).
pub const REASON_COLUMN: usize = 500;

/// Text from outside as a column takes it: control characters become spaces, at most
/// `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect()
}

/// The reason an endpoint is disabled with, its error cut (on a character) until the
/// stored message fits [`REASON_COLUMN`].
pub fn disabled_reason(since: &str, error: &str) -> Message {
    let mut error: Vec<char> = clean(error, 300).chars().collect();
    loop {
        let text: String = error.iter().collect();
        let reason = crate::msg!("webhook-disabled-failing", since = since, error = text);
        let over = reason
            .stored()
            .chars()
            .count()
            .saturating_sub(REASON_COLUMN);
        if over == 0 || error.is_empty() {
            return reason;
        }
        // Each character of the error is at least one of the stored form.
        error.truncate(error.len().saturating_sub(over));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_full_of_quotes_fits_its_column_as_stored() {
        for error in [
            "\"".repeat(300),
            "\\\"".repeat(150),
            "\u{1}".repeat(300),
            "網".repeat(300),
            "HTTP 500: fine".to_owned(),
        ] {
            let reason = disabled_reason("2026-01-01 00:00 UTC", &error);
            let stored = reason.stored();
            assert!(stored.chars().count() <= REASON_COLUMN, "{stored}");
            // What was kept is a prefix of the (cleaned) error.
            let kept = crate::i18n::render_stored(crate::i18n::Lang::En, &stored).unwrap();
            assert!(kept.contains("2026-01-01"), "{kept}");
        }
        let short = disabled_reason("2026-01-01 00:00 UTC", "HTTP 500: fine");
        assert!(
            short
                .render(crate::i18n::Lang::En)
                .ends_with("HTTP 500: fine")
        );
    }

    #[test]
    fn texts_from_outside_lose_control_characters() {
        assert_eq!(clean("a\0b\u{1}c\nd", 100), "a b c d");
        assert_eq!(clean("網網網", 2), "網網");
    }
}
