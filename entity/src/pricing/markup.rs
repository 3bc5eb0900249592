//! Markup arithmetic in integers only: a markup is kept in ten-thousandths of a percent
//! (`"-12.5"` is -125000), and a marked-up price is the list price × (1 + markup/100),
//! rounded half away from zero to the minor unit. No floats anywhere.

/// Scale of a stored markup: percent × 10^4 (four decimal places of a percent).
const SCALE: i64 = 10_000;
/// Most decimal places a markup may be given with.
const MAX_DECIMALS: usize = 4;
/// A markup below -100 % would make the price negative.
pub const MIN_PERCENT: i64 = -100;
/// An upper bound that keeps a typo (10000 for 10.000) from becoming a price.
pub const MAX_PERCENT: i64 = 1_000;

/// Parses a decimal percent string (`"-12.5"`, `"7"`, `"+3.25"`) into ten-thousandths of a
/// percent; None when it is not a decimal of at most four places within the bounds.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 6 || !is_digits(whole) || !is_digits(fraction) {
        return None;
    }
    if fraction.len() > MAX_DECIMALS || (digits.contains('.') && fraction.is_empty()) {
        return None;
    }
    let padded = format!("{fraction:0<width$}", width = MAX_DECIMALS);
    let magnitude = whole.parse::<i64>().ok()? * SCALE + padded.parse::<i64>().ok()?;
    let value = if negative { -magnitude } else { magnitude };
    (MIN_PERCENT * SCALE..=MAX_PERCENT * SCALE)
        .contains(&value)
        .then_some(value)
}

/// The stored markup as the API writes it: shortest decimal (`-125000` → `"-12.5"`).
pub fn format(e4: i64) -> String {
    let sign = if e4 < 0 { "-" } else { "" };
    let (whole, fraction) = (e4.abs() / SCALE, e4.abs() % SCALE);
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = format!("{fraction:04}");
    format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
}

/// `list_minor` × (1 + markup/100), rounded half away from zero to the minor unit.
pub fn apply(list_minor: i64, e4: i64) -> i64 {
    // list × (100·SCALE + e4) / (100·SCALE), exactly, in 128 bits.
    let denominator = i128::from(100 * SCALE);
    let numerator = i128::from(list_minor) * (denominator + i128::from(e4));
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    // Half away from zero: a remainder of at least half the denominator rounds outwards.
    let rounded = if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_percent_strings() {
        assert_eq!(parse("-12.5"), Some(-125_000));
        assert_eq!(parse("7"), Some(70_000));
        assert_eq!(parse("+3.25"), Some(32_500));
        assert_eq!(parse("0.0001"), Some(1));
        assert_eq!(parse("-100"), Some(-1_000_000));
        assert_eq!(parse("1000"), Some(10_000_000));
        for bad in [
            "", "-", "1.", ".5", "1.23456", "abc", "1e3", "-100.01", "1000.5", "1,5", "--1",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_the_shortest_decimal() {
        assert_eq!(format(-125_000), "-12.5");
        assert_eq!(format(70_000), "7");
        assert_eq!(format(1), "0.0001");
        assert_eq!(format(0), "0");
        assert_eq!(format(-1_000_000), "-100");
        for text in ["-12.5", "3.25", "0.0001", "15"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }

    #[test]
    fn rounds_half_away_from_zero_in_minor_units() {
        // The design's example: 300 at -12.5 % is 262.5, rounded to 263.
        assert_eq!(apply(300, parse("-12.5").unwrap()), 263);
        // 1000 at -12 % is exactly 880.
        assert_eq!(apply(1000, parse("-12").unwrap()), 880);
        // 101 at +50 % is 151.5 → 152; 101 at -50 % is 50.5 → 51.
        assert_eq!(apply(101, parse("50").unwrap()), 152);
        assert_eq!(apply(101, parse("-50").unwrap()), 51);
        // Just under a half rounds down: 999 at -12.5 % is 874.125 → 874.
        assert_eq!(apply(999, parse("-12.5").unwrap()), 874);
        // A negative amount (a credit) rounds away from zero too: -101 at +50 % → -152.
        assert_eq!(apply(-101, parse("50").unwrap()), -152);
        assert_eq!(apply(300, 0), 300);
        assert_eq!(apply(300, parse("-100").unwrap()), 0);
        assert_eq!(apply(1250, parse("0.0001").unwrap()), 1250);
    }
}
