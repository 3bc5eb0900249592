//! A static web server on its own local port, i.e. a second browser origin
//! (`http://127.0.0.1:<port>`), as a frontend's development server would be: it serves
//! files from mounted directories and nothing else. Stopped when dropped.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct StaticSite {
    /// `http://127.0.0.1:<port>`, the origin of every page it serves.
    pub origin: String,
    task: tokio::task::JoinHandle<()>,
}

impl StaticSite {
    /// Serves `mounts` (URL prefix such as `/` or `/node_modules/`, directory); a request
    /// takes the longest matching prefix, and `/` is `index.html`.
    pub async fn serve(mounts: Vec<(&str, PathBuf)>) -> Self {
        let mut mounts: Vec<(String, PathBuf)> = mounts
            .into_iter()
            .map(|(prefix, dir)| (prefix.to_owned(), dir))
            .collect();
        mounts.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        let mounts = Arc::new(mounts);
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let mounts = mounts.clone();
            async move { file(&mounts, uri.path()).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { origin, task }
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn file(mounts: &[(String, PathBuf)], path: &str) -> Response {
    let path = if path == "/" { "/index.html" } else { path };
    let Some((prefix, dir)) = mounts.iter().find(|(prefix, _)| path.starts_with(prefix)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let rest = &path[prefix.len()..];
    // Nothing outside the mounted directory.
    if rest
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    match tokio::fs::read(dir.join(rest)).await {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, content_type(Path::new(rest)))],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        _ => "application/octet-stream",
    }
}
