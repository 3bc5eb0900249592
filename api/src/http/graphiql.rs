//! `/graphiql`: GraphiQL served entirely by this server. Its third-party files are built
//! into the binary (`api/build.rs`: pinned npm packages, integrity checked at build time)
//! and served from `/graphiql/assets/…` with their SHA-384 in the page's `integrity`
//! attributes; the page's own script is `/graphiql/assets/app.js`. No inline script, so the
//! page's Content-Security-Policy allows scripts from this server only.

use crate::pages::{self, PageQuery, Reader};
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

mod built {
    include!(concat!(env!("OUT_DIR"), "/graphiql_assets.rs"));
}

const APP: &str = include_str!("../../static/graphiql-app.js");

/// React and CodeMirror set style attributes, so styles (not scripts) may be inline.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

fn sri(name: &str) -> &'static str {
    built::FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or("", |(_, _, sri)| *sri)
}

/// The GraphiQL page in the reader's language (the GraphiQL editor itself is English).
pub async fn page(query: PageQuery, headers: HeaderMap) -> Response {
    let reader = Reader::of("/graphiql", query, &headers);
    let page = match built::MISSING {
        Some(why) => pages::render_for(
            &reader,
            "graphiql_missing.html",
            minijinja::context! { why },
        ),
        None => {
            let asset = |name: &'static str| minijinja::context! { name, integrity => sri(name) };
            pages::render_for(
                &reader,
                "graphiql.html",
                minijinja::context! {
                    css => asset("graphiql.css"),
                    scripts => vec![
                        asset("react.js"),
                        asset("react-dom.js"),
                        asset("graphiql.js"),
                        asset("graphql-ws.js"),
                    ],
                },
            )
        }
    };
    ([(header::CONTENT_SECURITY_POLICY, CSP)], page).into_response()
}

pub async fn asset(Path(name): Path<String>) -> Response {
    let (bytes, content_type, cache): (&[u8], _, _) = if name == "app.js" {
        (
            APP.as_bytes(),
            "text/javascript; charset=utf-8",
            "public, max-age=300",
        )
    } else {
        let Some((_, bytes, _)) = built::FILES.iter().find(|(n, _, _)| *n == name) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let content_type = if name.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        // Pinned versions: a file's content changes only with a new server.
        (*bytes, content_type, "public, max-age=86400")
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response()
}
