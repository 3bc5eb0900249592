//! Server-rendered HTML: one minijinja environment holding every page template, compiled
//! into the binary, with auto-escaping (every value is HTML-escaped unless a template says
//! otherwise). Pages link `/assets/pages.css` and their own scripts; none has inline script.
//!
//! Every page is written in its reader's language (DESIGN "Languages"): `?lang=` when the
//! URL names one, else the browser's `Accept-Language`. Templates take their words from
//! the message files with `t("id")` (`worker::i18n::templates`), and a page links to
//! itself in the other languages. Words a page's script shows are rendered into a JSON
//! data block by the template, so they come from the same files.

use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use worker::i18n::{self, Lang};

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    (
        "dashboard_sign_in.html",
        include_str!("../templates/dashboard_sign_in.html"),
    ),
    ("mailbox.html", include_str!("../templates/mailbox.html")),
    (
        "mailbox_message.html",
        include_str!("../templates/mailbox_message.html"),
    ),
    (
        "invitation.html",
        include_str!("../templates/invitation.html"),
    ),
    (
        "relationship.html",
        include_str!("../templates/relationship.html"),
    ),
    (
        "admin_relationship.html",
        include_str!("../templates/admin_relationship.html"),
    ),
    ("graphiql.html", include_str!("../templates/graphiql.html")),
    (
        "_second_step.html",
        include_str!("../templates/_second_step.html"),
    ),
    (
        "account_security.html",
        include_str!("../templates/account_security.html"),
    ),
    (
        "graphiql_missing.html",
        include_str!("../templates/graphiql_missing.html"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        i18n::templates::install(&mut env);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env
    })
}

/// The query string of a page request, kept whole so the language links carry the rest
/// (an invitation's token) along.
pub type PageQuery = Query<BTreeMap<String, String>>;

/// Who reads a page, and where the page lives (for its language links).
pub struct Reader<'a> {
    pub lang: Lang,
    path: &'a str,
    query: BTreeMap<String, String>,
}

impl<'a> Reader<'a> {
    /// `?lang=` when it is a well-formed tag, else the `Accept-Language` header.
    pub fn of(path: &'a str, Query(query): PageQuery, headers: &HeaderMap) -> Self {
        let chosen = query
            .get("lang")
            .and_then(|tag| i18n::canonical_tag(tag))
            .map(|tag| Lang::nearest(&tag));
        let lang = chosen.unwrap_or_else(|| crate::language::of_headers(headers));
        Reader { lang, path, query }
    }

    /// The page in each other supported language: the same URL with `lang` set.
    fn switches(&self) -> Vec<Switch> {
        Lang::ALL
            .into_iter()
            .filter(|other| *other != self.lang)
            .map(|other| {
                let mut query = self.query.clone();
                query.insert("lang".into(), other.tag().into());
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&query)
                    .finish();
                Switch {
                    tag: other.tag(),
                    name: i18n::text(other, "language-name", &[]),
                    href: format!("{}?{encoded}", self.path),
                }
            })
            .collect()
    }
}

#[derive(Serialize)]
struct Switch {
    tag: &'static str,
    name: String,
    href: String,
}

/// Any serializable value for a template context.
pub fn value(v: impl Serialize) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

/// Renders a page in the reader's language, with its language links.
pub fn render_for(reader: &Reader<'_>, name: &str, context: minijinja::Value) -> Response {
    let context = minijinja::context! {
        lang => reader.lang.tag(),
        switches => value(reader.switches()),
        ..context
    };
    render_value(name, reader.lang, context)
}

/// Renders a page in `lang`, without language links.
pub fn render(name: &str, lang: Lang, context: impl Serialize) -> Response {
    let context = minijinja::context! {
        lang => lang.tag(),
        ..value(context)
    };
    render_value(name, lang, context)
}

/// A page carrying a token in its URL: kept out of Referer headers, caches and frames.
pub fn with_token_headers(mut page: Response) -> Response {
    let headers = page.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    // The page differs by language.
    headers.insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Language"),
    );
    page
}

/// Renders a page, or a plain 500 that is logged (a template bug, never user input).
fn render_value(name: &str, lang: Lang, context: minijinja::Value) -> Response {
    let rendered = environment()
        .get_template(name)
        .and_then(|t| t.render(context));
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "rendering a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                i18n::text(lang, "page-render-failed", &[]),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests;
