//! What templates (minijinja, auto-escaped) get to speak the reader's language: the
//! function `t("message-id", name=value, …)` renders a message in the template's `lang`
//! (a context variable, the language tag), and the filters `money(currency)` (on an amount
//! in minor units) and `date` (on an RFC 3339 timestamp) format for it. A message id that
//! does not exist is an error, so rendering every template in every language is a test.

use super::{Arg, Lang, date, money, text};
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, State};

/// Adds `t`, `money` and `date` to a template environment, and its HTML escaping: the
/// five characters that matter (`& < > " '`), so URLs stay readable in the source.
pub fn install(env: &mut Environment<'_>) {
    env.set_formatter(|out, state, value| {
        let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
        if !html || value.is_safe() || value.is_none() || value.is_undefined() {
            return minijinja::escape_formatter(out, state, value);
        }
        let text = value.to_string();
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
        out.write_str(&escaped).map_err(Error::from)
    });
    env.add_function("t", translate);
    env.add_filter("money", |state: &State, amount: i64, currency: String| {
        money(lang_of(state), amount, &currency)
    });
    env.add_filter(
        "date",
        |state: &State, at: String| -> Result<String, Error> {
            let at = chrono::DateTime::parse_from_rfc3339(&at)
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
            Ok(date(lang_of(state), at.with_timezone(&chrono::Utc)))
        },
    );
}

/// The template's language: its `lang` variable (a tag), English without one.
pub fn lang_of(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(Lang::nearest))
        .unwrap_or_default()
}

fn translate(state: &State, id: String, kwargs: Kwargs) -> Result<String, Error> {
    let lang = lang_of(state);
    if !super::messages::has(Lang::En, &id) {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("no message {id:?}"),
        ));
    }
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: minijinja::Value = kwargs.get(name)?;
        let arg = match value.as_i64() {
            Some(n) if value.is_number() => Arg::Number(n),
            _ => Arg::Text(value.to_string()),
        };
        args.push((name, arg));
    }
    Ok(text(lang, &id, &args))
}
