//! Fluent bundles, one per language, built once from the `.ftl` files compiled into the
//! binary. A [`Message`] is an id and its arguments, rendered in whichever language the
//! reader needs (`msg!` builds one); [`text`] renders an id directly.

use super::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// The message files of each language (every language has the same files).
pub(crate) const FILES: &[(Lang, &str, &str)] = &[
    (
        Lang::En,
        "errors.ftl",
        include_str!("../../locales/en/errors.ftl"),
    ),
    (
        Lang::En,
        "emails.ftl",
        include_str!("../../locales/en/emails.ftl"),
    ),
    (
        Lang::En,
        "pages.ftl",
        include_str!("../../locales/en/pages.ftl"),
    ),
    (
        Lang::En,
        "audit.ftl",
        include_str!("../../locales/en/audit.ftl"),
    ),
    (
        Lang::ZhTw,
        "errors.ftl",
        include_str!("../../locales/zh-TW/errors.ftl"),
    ),
    (
        Lang::ZhTw,
        "emails.ftl",
        include_str!("../../locales/zh-TW/emails.ftl"),
    ),
    (
        Lang::ZhTw,
        "pages.ftl",
        include_str!("../../locales/zh-TW/pages.ftl"),
    ),
    (
        Lang::ZhTw,
        "audit.ftl",
        include_str!("../../locales/zh-TW/audit.ftl"),
    ),
];

/// An argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
macro_rules! number_args {
    ($($t:ty),*) => { $( impl From<$t> for Arg { fn from(v: $t) -> Self { Arg::Number(v as i64) } } )* };
}
number_args!(i32, i64, u32, u64, usize);

pub type Args = Vec<(&'static str, Arg)>;

/// A sentence to show someone, rendered in their language when it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: &'static str,
    pub args: Args,
}

impl Message {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn render(&self, lang: Lang) -> String {
        text(lang, self.id, &self.args)
    }
}

/// `msg!("invitation-expired")`, `msg!("logo-too-large", max = 256)`.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Message::new($id)$(.arg(stringify!($name), $value))*
    };
}

fn bundles() -> &'static [(Lang, FluentBundle<FluentResource>)] {
    static BUNDLES: OnceLock<Vec<(Lang, FluentBundle<FluentResource>)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Lang::ALL
            .iter()
            .map(|&lang| {
                let id: unic_langid::LanguageIdentifier =
                    lang.tag().parse().expect("supported tags parse");
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // No Unicode isolation marks: texts go into email subjects and addresses.
                bundle.set_use_isolating(false);
                for (file_lang, name, source) in FILES {
                    if *file_lang != lang {
                        continue;
                    }
                    let resource = FluentResource::try_new(source.to_string())
                        .unwrap_or_else(|(_, e)| panic!("{} {name}: {e:?}", lang.tag()));
                    bundle
                        .add_resource(resource)
                        .unwrap_or_else(|e| panic!("{} {name}: {e:?}", lang.tag()));
                }
                (lang, bundle)
            })
            .collect()
    })
}

/// Renders message `id` in `lang` (English if the language lacks it; the id itself, logged,
/// if no language has it).
pub fn text(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(t) => fluent_args.set(*name, FluentValue::from(t.as_str())),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    for try_lang in [lang, Lang::En] {
        let Some((_, bundle)) = bundles().iter().find(|(l, _)| *l == try_lang) else {
            continue;
        };
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let out = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::error!(id, ?errors, "formatting a message");
            }
            return out.into_owned();
        }
    }
    tracing::error!(id, "no such message");
    id.to_owned()
}

/// Whether `lang` has message `id` (tests).
pub fn has(lang: Lang, id: &str) -> bool {
    bundles()
        .iter()
        .any(|(l, bundle)| *l == lang && bundle.has_message(id))
}

/// Every message id of `lang` (tests).
#[cfg(test)]
pub fn ids(lang: Lang) -> std::collections::BTreeSet<String> {
    FILES
        .iter()
        .filter(|(l, _, _)| *l == lang)
        .flat_map(|(_, _, source)| {
            source.lines().filter_map(|line| {
                let (id, _) = line.split_once(" =")?;
                let first = id.chars().next()?;
                (first.is_ascii_alphabetic() && !id.contains(' ')).then(|| id.to_owned())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        let english = ids(Lang::En);
        assert!(!english.is_empty());
        for lang in Lang::ALL {
            let these = ids(lang);
            let missing: Vec<_> = english.difference(&these).collect();
            let extra: Vec<_> = these.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in English {extra:?}",
                lang.tag()
            );
            for id in &these {
                assert!(has(lang, id), "{} {id} does not parse", lang.tag());
            }
        }
    }

    #[test]
    fn every_message_used_in_the_code_exists() {
        // The ids of `msg!("…")` in the sources of both crates that send messages.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut used = Vec::new();
        for dir in ["api/src", "worker/src"] {
            collect_ids(&std::path::Path::new(root).join(dir), &mut used);
        }
        assert!(!used.is_empty());
        let missing: Vec<_> = used.iter().filter(|id| !has(Lang::En, id)).collect();
        assert!(
            missing.is_empty(),
            "messages used but not defined: {missing:?}"
        );
    }

    fn collect_ids(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                // The i18n module's own docs and tests name example ids.
                if !path.ends_with("i18n") {
                    collect_ids(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                for (i, _) in source.match_indices("msg!(\"") {
                    let rest = &source[i + 6..];
                    if let Some(end) = rest.find('"') {
                        out.push(rest[..end].to_owned());
                    }
                }
            }
        }
    }
}
