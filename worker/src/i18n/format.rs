//! Locale-aware numbers, currency amounts and dates, by ICU4X with its compiled CLDR data:
//! `money(En, 123450, "USD")` is `$1,234.50`, in zh-TW `US$1,234.50`; `date` is
//! `Nov 24, 2026` or `2026年11月24日`. Formatters are built once per language and kept.

use super::Lang;
use chrono::{DateTime, Datelike, Utc};
use fixed_decimal::Decimal;
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_locale::Locale;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

fn locale(lang: Lang) -> Locale {
    lang.tag().parse().expect("supported tags parse")
}

/// An amount in minor units (hundredths) of an ISO 4217 currency, written for `lang`.
pub fn money(lang: Lang, amount_minor: i64, currency: &str) -> String {
    type Key = (Lang, String);
    static FORMATTERS: OnceLock<Mutex<HashMap<Key, Option<CurrencyFormatter<DecimalFormatter>>>>> =
        OnceLock::new();
    let mut decimal = Decimal::from(amount_minor);
    decimal.multiply_pow10(-2);
    decimal.pad_end(-2);
    let mut formatters = FORMATTERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let formatter = formatters
        .entry((lang, currency.to_owned()))
        .or_insert_with(|| {
            let code = CurrencyType::try_from_str(&currency.to_ascii_lowercase()).ok()?;
            CurrencyFormatter::try_new_symbol((&locale(lang)).into(), code, Default::default()).ok()
        });
    match formatter {
        Some(f) => f.format_fixed_decimal(&decimal).to_string(),
        // A currency ICU does not know: the amount and the code.
        None => format!("{decimal} {currency}"),
    }
}

/// A date (the UTC day of `at`) written for `lang`, medium length.
pub fn date(lang: Lang, at: DateTime<Utc>) -> String {
    static FORMATTERS: OnceLock<[DateTimeFormatter<YMD>; Lang::ALL.len()]> = OnceLock::new();
    let formatters = FORMATTERS.get_or_init(|| {
        Lang::ALL.map(|l| {
            DateTimeFormatter::try_new((&locale(l)).into(), YMD::medium())
                .expect("compiled data has every supported language")
        })
    });
    let index = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    let Ok(day) = icu_calendar::Date::try_new_iso(at.year(), at.month() as u8, at.day() as u8)
    else {
        return at.format("%Y-%m-%d").to_string();
    };
    formatters[index].format(&day).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_follow_the_language() {
        assert_eq!(money(Lang::En, 123_450, "USD"), "$1,234.50");
        assert_eq!(money(Lang::ZhTw, 123_450, "USD"), "US$1,234.50");
        assert_eq!(money(Lang::En, -50, "USD"), "-$0.50");
        assert_eq!(money(Lang::En, 1200, "EUR"), "€12.00");
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(date(Lang::En, at), "Nov 24, 2026");
        assert_eq!(date(Lang::ZhTw, at), "2026年11月24日");
    }
}
