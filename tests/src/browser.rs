//! Headless Chromium driven through chromedriver's W3C WebDriver HTTP API, with the
//! project's own HTTP client (no browser download: Debian's chromium and chromium-driver).
//!
//! A `Browser` ends everything it started when it is dropped, also when the test fails or
//! panics: chromedriver runs in its own process group, which is killed whole, and any
//! process still using this browser's private profile directory is killed after it.

mod page;
pub use page::keys;

use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C web element identifier key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A browser whose user reads English (`Accept-Language: en-US,en`).
    pub async fn start() -> Self {
        Self::start_reading("en-US,en").await
    }

    /// A browser that sends `accept_languages` as its `Accept-Language`, as a browser set
    /// to that language does.
    pub async fn start_reading(accept_languages: &str) -> Self {
        Self::launch(accept_languages, false).await
    }

    /// A browser that also resolves `localhost` (to the test servers' 127.0.0.1): WebAuthn
    /// needs a host name, not an IP address.
    pub async fn start_with_localhost() -> Self {
        Self::launch("en-US,en", true).await
    }

    async fn launch(accept_languages: &str, localhost: bool) -> Self {
        let port = crate::smtp::free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            // Chromium inherits the group: killing the group ends both.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/ensure-services installs chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(resp) = ready
                && let Ok(body) = resp.json::<Value>().await
                && body["value"]["ready"] == true
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        // The machine has no network: keep Chromium from calling home. No name resolves but
        // the test servers' address (127.0.0.1), so a page that needs any other host fails.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1000,900",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ]
        .iter()
        .map(|a| a.to_string())
        .map(|a| {
            if localhost && a.starts_with("--host-resolver-rules=") {
                format!("{a}, EXCLUDE localhost")
            } else {
                a
            }
        })
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium_binary(),
                "args": args,
                "prefs": { "intl.accept_languages": accept_languages }
            }
        }}});
        let resp: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = resp["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {resp}"))
            .to_owned();
        Self {
            driver,
            base,
            session,
            http,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp: Value = req.send().await.unwrap().json().await.unwrap();
        resp["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn find(&self, css: &str) -> Option<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v[ELEMENT].as_str().map(str::to_owned)
    }

    /// Waits until `css` is displayed and returns its element id.
    pub async fn visible(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(el) = self.find(css).await {
                let shown = self
                    .call(
                        reqwest::Method::GET,
                        &format!("/element/{el}/displayed"),
                        None,
                    )
                    .await;
                if shown == true {
                    return el;
                }
            }
            if Instant::now() >= deadline {
                let shot = std::env::temp_dir().join("webdriver-failure.png");
                self.screenshot(&shot).await;
                panic!(
                    "{css} never became visible (screenshot: {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self.visible(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the text of `css` contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed {needle:?}; it shows {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.visible(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let el = self.visible(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// A PNG of the page, for a person to look at when a test fails.
    pub async fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(b64) = b64.as_str()
            && let Ok(png) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let _ = std::fs::write(path, png);
        }
    }
}

fn chromium_binary() -> String {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("/usr/bin/chromium")
        .to_owned()
}

impl Browser {
    /// The private profile directory: every Chromium process of this browser names it.
    pub fn profile_dir(&self) -> std::path::PathBuf {
        self._profile.path().to_owned()
    }
}

/// Processes whose command line mentions `needle` (Linux `/proc`).
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains(needle))
        })
        .collect()
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Anything that left the group (a browser helper that called setsid) still names
        // the profile directory on its command line.
        let profile = self._profile.path().display().to_string();
        for pid in processes_mentioning(&profile) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}
