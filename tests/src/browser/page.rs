//! More of the WebDriver API for `Browser`: scripts in the page, windows and tabs, frames,
//! attributes, keyboard chords, navigation that reports its error, and the window size.

use super::{Browser, ELEMENT};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// WebDriver key codes (the W3C "normalized key values").
pub mod keys {
    pub const CONTROL: &str = "\u{E009}";
    pub const ENTER: &str = "\u{E007}";
}

impl Browser {
    /// Adds a WebDriver virtual authenticator (W3C WebAuthn §11.3): a platform CTAP2
    /// authenticator with resident keys and user verification that always consents, so
    /// `navigator.credentials` works headless. Returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let value = self
            .call(
                Method::POST,
                "/webauthn/authenticator",
                Some(json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserConsenting": true,
                    "isUserVerified": true
                })),
            )
            .await;
        value
            .as_str()
            .unwrap_or_else(|| panic!("no virtual authenticator: {value}"))
            .to_owned()
    }

    /// The credentials a virtual authenticator holds.
    pub async fn authenticator_credentials(&self, authenticator: &str) -> Vec<Value> {
        let value = self
            .call(
                Method::GET,
                &format!("/webauthn/authenticator/{authenticator}/credentials"),
                None,
            )
            .await;
        value.as_array().cloned().unwrap_or_default()
    }

    /// Opens `url`; `Err` with the browser's message when it cannot (e.g.
    /// `net::ERR_NAME_NOT_RESOLVED`).
    pub async fn try_goto(&self, url: &str) -> Result<(), String> {
        let value = self
            .call(Method::POST, "/url", Some(json!({ "url": url })))
            .await;
        match value.get("error") {
            Some(error) => Err(format!("{error}: {}", value["message"])),
            None => Ok(()),
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the current page or frame
    /// and returns what it returns. Panics when the script throws.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        let value = self
            .call(
                Method::POST,
                "/execute/sync",
                Some(json!({ "script": script, "args": args })),
            )
            .await;
        let failed = value
            .get("error")
            .filter(|_| value.get("stacktrace").is_some());
        if let Some(error) = failed {
            panic!("script failed ({error}): {}\n{script}", value["message"]);
        }
        value
    }

    /// Runs `script` with `args` until it returns something other than `null`, `false`,
    /// `0` or `""`, and returns that; fails the test (with a screenshot) after `timeout`.
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        script: &str,
        args: Value,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.execute(script, args.clone()).await;
            if !(value.is_null() || value == false || value == 0 || value == "") {
                return value;
            }
            if Instant::now() >= deadline {
                let shot = std::env::temp_dir().join("webdriver-failure.png");
                self.screenshot(&shot).await;
                panic!(
                    "timed out waiting for {what} (screenshot: {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn title(&self) -> String {
        let value = self.call(Method::GET, "/title", None).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    pub async fn current_url(&self) -> String {
        let value = self.call(Method::GET, "/url", None).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// The value of `name` on the (visible) element `css`, `None` when it has none.
    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let el = self.visible(css).await;
        let value = self
            .call(
                Method::GET,
                &format!("/element/{el}/attribute/{name}"),
                None,
            )
            .await;
        value.as_str().map(str::to_owned)
    }

    /// The current window's handle.
    pub async fn window(&self) -> String {
        let value = self.call(Method::GET, "/window", None).await;
        value.as_str().expect("a window handle").to_owned()
    }

    pub async fn windows(&self) -> Vec<String> {
        let value = self.call(Method::GET, "/window/handles", None).await;
        value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn switch_to_window(&self, handle: &str) {
        self.call(Method::POST, "/window", Some(json!({ "handle": handle })))
            .await;
    }

    /// Waits for a window that is not one of `known` (a tab a link opened), switches to it
    /// and returns its handle.
    pub async fn switch_to_new_window(&self, known: &[String]) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(new) = self
                .windows()
                .await
                .into_iter()
                .find(|h| !known.contains(h))
            {
                self.switch_to_window(&new).await;
                return new;
            }
            assert!(Instant::now() < deadline, "no new window opened");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Closes the current window (then switch to another one).
    pub async fn close_window(&self) {
        self.call(Method::DELETE, "/window", None).await;
    }

    /// Continues inside the frame `css` of the current page.
    pub async fn switch_to_frame(&self, css: &str) {
        let el = self.visible(css).await;
        self.call(
            Method::POST,
            "/frame",
            Some(json!({ "id": { ELEMENT: el } })),
        )
        .await;
    }

    /// Back to the page itself from any frame.
    pub async fn switch_to_top(&self) {
        self.call(Method::POST, "/frame", Some(json!({ "id": null })))
            .await;
    }

    /// Presses `keys` together (as a person holds Ctrl and presses Enter) on the focused
    /// element, then releases them.
    pub async fn chord(&self, keys: &[&str]) {
        let down = keys
            .iter()
            .map(|k| json!({ "type": "keyDown", "value": k }));
        let up = keys
            .iter()
            .rev()
            .map(|k| json!({ "type": "keyUp", "value": k }));
        let actions = json!({ "actions": [{
            "type": "key", "id": "keyboard", "actions": down.chain(up).collect::<Vec<_>>()
        }]});
        self.call(Method::POST, "/actions", Some(actions)).await;
        self.call(Method::DELETE, "/actions", None).await;
    }

    /// Sizes the window so that the page's viewport (what a screenshot shows) is
    /// `width` x `height` CSS pixels.
    pub async fn set_viewport(&self, width: i64, height: i64) {
        let resize = |w: i64, h: i64| {
            self.call(
                Method::POST,
                "/window/rect",
                Some(json!({ "width": w, "height": h })),
            )
        };
        resize(width, height).await;
        let inner = self
            .execute("return [innerWidth, innerHeight]", json!([]))
            .await;
        let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
        resize(2 * width - w, 2 * height - h).await;
    }
}
