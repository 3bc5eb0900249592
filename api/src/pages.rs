//! Server-rendered HTML: one minijinja environment holding every page template, compiled
//! into the binary, with auto-escaping (every value is HTML-escaped unless a template says
//! otherwise). Pages link `/assets/pages.css` and their own scripts; none has inline script.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("mailbox.html", include_str!("../templates/mailbox.html")),
    (
        "mailbox_message.html",
        include_str!("../templates/mailbox_message.html"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env
    })
}

/// Renders a page, or a plain 500 that is logged (a template bug, never user input).
pub fn render(name: &str, context: impl Serialize) -> Response {
    let context = minijinja::Value::from(minijinja::value::Serde(context));
    let rendered = environment()
        .get_template(name)
        .and_then(|t| t.render(context));
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "rendering a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be rendered.",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles_and_escapes() {
        let env = super::environment();
        for (name, _) in super::TEMPLATES {
            env.get_template(name).unwrap();
        }
        let html = env
            .get_template("mailbox.html")
            .unwrap()
            .render(minijinja::context! { outbox => "<script>", emails => Vec::<()>::new() })
            .unwrap();
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
