//! Messages kept in the database, to be read later by whoever reads them: an audit entry's
//! summary (also an event's), a webhook endpoint's disabled reason. They are stored as
//! `{"id": "...", "args": {...}}` beside an English rendering (for webhooks and for rows
//! written before this existed) and rendered in the reader's language when read, so a
//! sentence fixed in the message files reads fixed in old entries too.

use super::{Arg, Lang, Message, text};
use serde_json::{Map, Value, json};

impl Message {
    /// The message as stored: its id and arguments as JSON.
    pub fn stored(&self) -> String {
        let args: Map<String, Value> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(t) => json!(t),
                    Arg::Number(n) => json!(n),
                };
                ((*name).to_owned(), value)
            })
            .collect();
        json!({ "id": self.id, "args": args }).to_string()
    }
}

/// A stored message rendered in `lang`; `None` when `stored` is not one (plain text from
/// before, which is then shown as it is).
pub fn render_stored(lang: Lang, stored: &str) -> Option<String> {
    if !stored.starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(stored).ok()?;
    let id = value.get("id")?.as_str()?;
    if !super::messages::has(Lang::En, id) {
        return None;
    }
    let args: Vec<(&str, Arg)> = value
        .get("args")
        .and_then(Value::as_object)
        .map(|args| {
            args.iter()
                .map(|(name, v)| {
                    let arg = match v {
                        Value::Number(n) => Arg::Number(n.as_i64().unwrap_or_default()),
                        Value::String(s) => Arg::Text(s.clone()),
                        other => Arg::Text(other.to_string()),
                    };
                    (name.as_str(), arg)
                })
                .collect()
        })
        .unwrap_or_default();
    Some(text(lang, id, &args))
}

/// A stored message back as a [`Message`] (to be rendered later, e.g. a stored
/// `userError`), if its id is one of the message files'. Ids and argument names are kept
/// once per process (`Message` holds them as `&'static str`), so what is kept is bounded
/// by the message files.
pub fn message_of_stored(stored: &str) -> Option<Message> {
    let value: Value = serde_json::from_str(stored).ok()?;
    let id = value.get("id")?.as_str()?;
    if !super::messages::has(Lang::En, id) {
        return None;
    }
    let mut message = Message::new(interned(id));
    if let Some(args) = value.get("args").and_then(Value::as_object) {
        for (name, v) in args {
            let arg = match v {
                Value::Number(n) => Arg::Number(n.as_i64().unwrap_or_default()),
                Value::String(s) => Arg::Text(s.clone()),
                other => Arg::Text(other.to_string()),
            };
            message = message.arg(interned(name), arg);
        }
    }
    Some(message)
}

fn interned(text: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static KEPT: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut kept = KEPT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(found) = kept.get(text) {
        return found;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    kept.insert(leaked);
    leaked
}

/// `stored` in `lang` when it is a stored message, else as it is.
pub fn read_stored(lang: Lang, stored: &str) -> String {
    render_stored(lang, stored).unwrap_or_else(|| stored.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_message_reads_in_each_language() {
        let stored = crate::msg!("audit-signed-in", email = "a@b.test").stored();
        assert_eq!(read_stored(Lang::En, &stored), "a@b.test signed in");
        assert!(read_stored(Lang::ZhTw, &stored).contains("a@b.test"));
        assert_ne!(
            read_stored(Lang::ZhTw, &stored),
            read_stored(Lang::En, &stored)
        );
        // Plain text from before, and JSON that is no message, read as they are.
        assert_eq!(
            read_stored(Lang::ZhTw, "Partnership ended"),
            "Partnership ended"
        );
        assert_eq!(
            read_stored(Lang::En, "{\"id\":\"nope\"}"),
            "{\"id\":\"nope\"}"
        );
    }
}
