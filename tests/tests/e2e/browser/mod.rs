//! In a real headless Chromium that resolves no host but the test servers' 127.0.0.1:
//! GraphiQL served by the server itself (queries, the header editor, a subscription), a
//! frontend on a second origin using urql and graphql-ws from the npm registry (and the
//! same page refused from an origin not on the CORS list), and the dev mailbox whose link
//! opens the landing page.

mod frontend;
mod graphiql;
mod mailbox;

use std::path::PathBuf;

/// Where a test puts the screenshot the README shows: `docs/screenshots/<name>` when it is
/// missing or `UPDATE_SCREENSHOTS` is set, else the build's temporary directory (a test run
/// leaves the committed pictures alone).
pub fn screenshot_path(name: &str) -> PathBuf {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    let committed = docs.join(name);
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() || !committed.exists() {
        std::fs::create_dir_all(&docs).unwrap();
        return committed;
    }
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}
