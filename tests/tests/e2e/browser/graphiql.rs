//! GraphiQL at `/graphiql` in a browser that can reach no host but the test server: the
//! editor renders with the sign-in tab, the sign-in runs from the run button, a query with
//! the token in the Headers editor runs from Ctrl+Enter, and a subscription in another tab
//! shows an invitation's events as they happen. Every file the page loads is the server's.

use super::screenshot_path;
use crate::partnerships::request;
use e2e::browser::{Browser, keys};
use e2e::{Backend, spawn_app};
use serde_json::{Value, json};
use std::time::Duration;

const QUERY_EDITOR: &str = ".graphiql-query-editor .CodeMirror";
/// The Headers editor (open by default; the Variables editor beside it is hidden).
const HEADERS_EDITOR: &str = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
const RESULT: &str = ".graphiql-response .CodeMirror";
const RUN: &str = ".graphiql-execute-button";

const OFFERS: &str = "query Offers {
  offers(first: 5) {
    totalCount
    edges {
      node {
        name
        category
        monthlyUnitPrice { formatted }
      }
    }
  }
}
";

const EVENTS: &str = "subscription { events { type summary } }";

async fn editor(browser: &Browser, css: &str) -> String {
    let value = browser
        .execute(
            "return document.querySelector(arguments[0]).CodeMirror.getValue()",
            json!([css]),
        )
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Replaces an editor's text, as typing would (GraphiQL follows CodeMirror's changes).
async fn set_editor(browser: &Browser, css: &str, text: &str) {
    browser
        .execute(
            "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1])",
            json!([css, text]),
        )
        .await;
}

/// Replaces the query and waits until GraphiQL has taken it in (it names the tab after the
/// operation a moment later; run before that, it would still send the previous name).
async fn set_query(browser: &Browser, text: &str, tab_title: &str) {
    set_editor(browser, QUERY_EDITOR, text).await;
    browser
        .wait_for(
            &format!("the tab named {tab_title}"),
            Duration::from_secs(10),
            "const tab = document.querySelector('.graphiql-tab-active .graphiql-tab-button');
             return tab && tab.textContent.trim() === arguments[0];",
            json!([tab_title]),
        )
        .await;
}

/// Opens tab number `n` and puts `headers` in its Headers editor (a new tab starts with
/// GraphiQL's default `{}`, so the README says to use the same header there).
async fn new_tab(browser: &Browser, n: usize, headers: &str) {
    browser.click(".graphiql-tab-add").await;
    browser
        .wait_for(
            &format!("tab {n}"),
            Duration::from_secs(10),
            "return document.querySelectorAll('.graphiql-tab').length === arguments[0]",
            json!([n]),
        )
        .await;
    set_editor(browser, HEADERS_EDITOR, headers).await;
}

/// The result pane once it contains `needle`, parsed.
async fn result_with(browser: &Browser, needle: &str) -> Value {
    let text = browser
        .wait_for(
            &format!("{needle:?} in the result pane"),
            Duration::from_secs(20),
            "const text = document.querySelector(arguments[0]).CodeMirror.getValue();
             return text.includes(arguments[1]) ? text : null;",
            json!([RESULT, needle]),
        )
        .await;
    serde_json::from_str(text.as_str().unwrap()).expect("the result pane shows JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_signs_in_queries_and_subscribes_with_nothing_but_the_server() {
    let app = spawn_app(Backend::Sqlite).await;
    api::demo::seed(&app.db).await.unwrap();
    let browser = Browser::start().await;
    browser.set_viewport(1200, 800).await;
    browser.goto(&format!("{}/graphiql", app.address)).await;
    assert_eq!(browser.title().await, "Partner Center API · GraphiQL");

    // The first tab says how to sign in, and holds the sign-in mutation.
    browser.visible(QUERY_EDITOR).await;
    let welcome = editor(&browser, QUERY_EDITOR).await;
    assert!(
        welcome.contains("Welcome to the Partner Center API"),
        "{welcome}"
    );
    assert!(
        welcome
            .contains(r#"login(input: {email: "provider@demo.test", password: "demo-password"})"#),
        "{welcome}"
    );
    assert!(welcome.contains(r#"{ "Authorization": "Bearer <the token>" }"#));
    browser.click(RUN).await;
    let signed_in = result_with(&browser, "token").await;
    assert_eq!(signed_in["data"]["login"]["userErrors"], json!([]));
    let token = signed_in["data"]["login"]["token"]
        .as_str()
        .expect("a token in the result pane")
        .to_owned();

    // A new tab, the token in its Headers editor, a query run with Ctrl+Enter.
    let headers = format!("{{\"Authorization\": \"Bearer {token}\"}}");
    new_tab(&browser, 2, &headers).await;
    set_query(&browser, OFFERS, "Offers").await;
    browser
        .execute(
            "document.querySelector(arguments[0]).CodeMirror.focus()",
            json!([QUERY_EDITOR]),
        )
        .await;
    browser.chord(&[keys::CONTROL, keys::ENTER]).await;
    let offers = result_with(&browser, "totalCount").await;
    let edges = offers["data"]["offers"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 5, "{offers}");
    assert!(edges[0]["node"]["monthlyUnitPrice"]["formatted"].is_string());
    browser.screenshot(&screenshot_path("graphiql.png")).await;

    // A subscription in a third tab, with the same header.
    new_tab(&browser, 3, &headers).await;
    set_query(&browser, EVENTS, "<untitled>").await;
    browser.click(RUN).await;
    browser
        .wait_for(
            "the subscription running (the run button turns into stop)",
            Duration::from_secs(10),
            "return document.querySelector(arguments[0]).getAttribute('aria-label').startsWith('Stop')",
            json!([RUN]),
        )
        .await;
    // Give the server the subscribe message before the event happens.
    tokio::time::sleep(Duration::from_millis(500)).await;
    request(&app, &token, "reseller1@demo.test").await;
    let event = result_with(&browser, "EMAIL_SENT").await;
    assert_eq!(event["data"]["events"]["type"], "EMAIL_SENT", "{event}");

    // Everything the page loaded came from the server itself.
    let loaded = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            json!([]),
        )
        .await;
    let loaded: Vec<&str> = loaded
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        loaded
            .iter()
            .any(|url| url.contains("/graphiql/assets/graphiql.js")),
        "{loaded:?}"
    );
    let origin = format!("{}/", app.address);
    for url in &loaded {
        assert!(url.starts_with(&origin), "{url} is not from {origin}");
    }

    // And the browser could not have reached anything else: no name resolves.
    let port = app.address.rsplit(':').next().unwrap();
    let elsewhere = browser
        .try_goto(&format!("http://localhost:{port}/graphiql"))
        .await;
    assert!(
        elsewhere
            .as_ref()
            .is_err_and(|e| e.contains("ERR_NAME_NOT_RESOLVED")),
        "{elsewhere:?}"
    );
}
