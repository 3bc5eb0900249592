//! Languages: every sentence a person reads comes from the message files of its language
//! (`worker/locales/<lang>/*.ftl`, Project Fluent), and numbers, amounts of money and dates
//! are written the way its locale writes them (ICU4X). Supported: English (`en`, the
//! fallback) and Traditional Chinese as used in Taiwan (`zh-TW`, with the program's own
//! terms from its zh-TW help page). Adding a language is adding a directory of `.ftl`
//! files and a [`Lang`] variant (see the README).
//!
//! Who reads what in which language is decided by the callers (DESIGN "Languages"): a known
//! recipient's `preferredLanguage`, else a request's `language`, else the sender's; pages by
//! `Accept-Language` or `?lang=`; GraphQL messages by the request's `Accept-Language`.

mod format;
mod messages;
mod stored;
pub mod templates;

pub use format::{date, money};
pub use messages::{Arg, Args, Message, text};
pub use stored::{message_of_stored, read_stored, render_stored};

/// A supported language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-TW")]
    ZhTw,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhTw];

    /// The BCP 47 tag of the language's message files.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
        }
    }

    /// The nearest supported language for a BCP 47 tag (`zh-Hant-TW`, `zh-TW`, `zh` and
    /// other Chinese tags read zh-TW; anything unknown reads English).
    pub fn nearest(tag: &str) -> Lang {
        Self::negotiate(&[tag])
    }

    /// The best supported language for an `Accept-Language` header (English by default).
    pub fn from_accept_language(header: &str) -> Lang {
        let requested: Vec<String> = fluent_langneg::accepted_languages::parse(header)
            .into_iter()
            .map(|l| l.to_string())
            .collect();
        let requested: Vec<&str> = requested.iter().map(String::as_str).collect();
        Self::negotiate(&requested)
    }

    fn negotiate(requested: &[&str]) -> Lang {
        use fluent_langneg::{NegotiationStrategy, convert_vec_str_to_langids_lossy};
        let requested = convert_vec_str_to_langids_lossy(requested);
        let available = convert_vec_str_to_langids_lossy(Lang::ALL.map(Lang::tag));
        let default = unic_langid::langid!("en");
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            Some(&default),
            NegotiationStrategy::Filtering,
        );
        // The chosen one is one of `available`: back to its `Lang`.
        chosen
            .first()
            .and_then(|id| {
                Lang::ALL
                    .into_iter()
                    .find(|lang| id.to_string() == lang.tag())
            })
            .unwrap_or_default()
    }
}

/// A well-formed BCP 47 tag, canonicalized (`zh-hant-tw` → `zh-Hant-TW`); `None` for one
/// that is not, or is longer than 35 characters.
pub fn canonical_tag(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 35 {
        return None;
    }
    raw.parse::<unic_langid::LanguageIdentifier>()
        .ok()
        .filter(|id| id.language.as_str() != "und")
        .map(|id| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_tags_read_traditional_chinese_and_the_rest_english() {
        for tag in ["zh-TW", "zh-Hant-TW", "zh-Hant", "zh", "zh-HK"] {
            assert_eq!(Lang::nearest(tag), Lang::ZhTw, "{tag}");
        }
        for tag in ["en", "en-GB", "de-DE", "fr", "x-unknown"] {
            assert_eq!(Lang::nearest(tag), Lang::En, "{tag}");
        }
        assert_eq!(
            Lang::from_accept_language("zh-TW,zh;q=0.9,en;q=0.8"),
            Lang::ZhTw
        );
        assert_eq!(Lang::from_accept_language("de-DE,de;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("fr;q=0.9, zh-Hant;q=0.5"),
            Lang::ZhTw
        );
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn tags_are_validated_and_canonicalized() {
        assert_eq!(canonical_tag("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(canonical_tag("en").as_deref(), Some("en"));
        for bad in ["", "not a tag", "e", "x".repeat(40).as_str(), "en_US!"] {
            assert_eq!(canonical_tag(bad), None, "{bad}");
        }
    }
}
