//! `/graphiql`: GraphiQL served entirely by this server. Its third-party files are built
//! into the binary (`api/build.rs`: pinned npm packages, integrity checked at build time)
//! and served from `/graphiql/assets/…` with their SHA-384 in the page's `integrity`
//! attributes; the page's own script is `/graphiql/assets/app.js`. No inline script, so the
//! page's Content-Security-Policy allows scripts from this server only.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

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

pub async fn page() -> Response {
    if let Some(why) = built::MISSING {
        let text = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>GraphiQL \
             unavailable</title><link rel=\"stylesheet\" href=\"/assets/pages.css\"></head>\
             <body><main><h1>GraphiQL is not built into this server</h1><p>Its files are \
             fetched from the npm registry when the server is built, and that did not \
             work: {}.</p><p>The API itself works: send GraphQL to <code>POST /graphql</code> \
             with any client, or rebuild with Node.js and npm available.</p></main></body>\
             </html>",
            html_escape(why)
        );
        return ([(header::CONTENT_SECURITY_POLICY, CSP)], Html(text)).into_response();
    }
    let script = |name: &str| {
        format!(
            "<script src=\"/graphiql/assets/{name}\" integrity=\"{}\" defer></script>\n",
            sri(name)
        )
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Partner Center API · GraphiQL</title>\n\
         <link rel=\"stylesheet\" href=\"/graphiql/assets/graphiql.css\" integrity=\"{css}\">\n\
         <link rel=\"stylesheet\" href=\"/assets/pages.css\">\n\
         {react}{react_dom}{graphiql}{ws}\
         <script src=\"/graphiql/assets/app.js\" defer></script>\n\
         </head>\n<body class=\"graphiql\"><div id=\"graphiql\">Loading GraphiQL…</div></body>\n</html>\n",
        css = sri("graphiql.css"),
        react = script("react.js"),
        react_dom = script("react-dom.js"),
        graphiql = script("graphiql.js"),
        ws = script("graphql-ws.js"),
    );
    ([(header::CONTENT_SECURITY_POLICY, CSP)], Html(html)).into_response()
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

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
