//! Multi-factor sign-in (issue 23): authenticator codes computed by the tests' own RFC 6238
//! (`otp`) under a clock the test moves (`Settings::clock`), recovery codes, throttling,
//! the organization's rule over every root field, support's reset, and sign-in timing.

mod browser;
mod otp;
mod rule;
mod timing;
mod totp;

use e2e::{Backend, TestApp};
use serde_json::{Value, json};

/// A test app whose second-factor clock stands still at the start of a 30-second step.
pub struct MfaApp {
    pub app: TestApp,
    pub clock: api::mfa::Clock,
    /// Unix seconds the clock shows now.
    pub now: i64,
}

impl MfaApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut api::Settings)) -> Self {
        let clock = api::mfa::Clock::default();
        let now = otp::step_of(chrono::Utc::now().timestamp()) * 30;
        let shared = clock.clone();
        let app = e2e::spawn_app_with(backend, move |s| {
            s.clock = shared;
            configure(s);
        })
        .await;
        let mut this = Self { app, clock, now };
        this.set(now);
        this
    }

    /// Wraps an app started elsewhere with `clock` shared (see `spawn_with`).
    pub fn attach(app: TestApp, clock: api::mfa::Clock, now: i64) -> Self {
        Self { app, clock, now }
    }

    /// Moves the server's clock to `unix_seconds`.
    pub fn set(&mut self, unix_seconds: i64) {
        self.now = unix_seconds;
        self.clock
            .set(chrono::DateTime::from_timestamp(unix_seconds, 0).unwrap());
    }

    pub fn step(&self) -> i64 {
        otp::step_of(self.now)
    }

    /// `enrollTotp` → (otpauth URI, secret).
    pub async fn enroll(&self, token: &str) -> (String, String) {
        let res = self
            .app
            .gql(
                "mutation { enrollTotp { otpauthUri secret userErrors { code } } }",
                json!({}),
                Some(token),
            )
            .await;
        let p = &res.data()["enrollTotp"];
        assert_eq!(p["userErrors"], json!([]), "{}", res.body);
        (
            p["otpauthUri"].as_str().unwrap().to_owned(),
            p["secret"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn confirm(&self, token: &str, code: &str) -> Value {
        self.app
            .gql(
                "mutation($code: String!) { confirmTotp(input: {code: $code}) {
                   recoveryCodes userErrors { code field } } }",
                json!({ "code": code }),
                Some(token),
            )
            .await
            .body
    }

    /// Enrols and confirms TOTP; returns (secret, recovery codes).
    pub async fn turn_on(&self, token: &str) -> (String, Vec<String>) {
        let (_, secret) = self.enroll(token).await;
        let body = self
            .confirm(token, &otp::code_at_step(&secret, self.step()))
            .await;
        let codes = body["data"]["confirmTotp"]["recoveryCodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        (secret, codes)
    }

    /// The `login` payload.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let res = self
            .app
            .gql(
                "mutation($email: String!, $password: String!) {
                   login(input: {email: $email, password: $password}) {
                     token user { id }
                     mfaChallenge { token methods expiresAt }
                     userErrors { code }
                   } }",
                json!({ "email": email, "password": password }),
                None,
            )
            .await;
        res.data()["login"].clone()
    }

    /// The challenge token of a sign-in that needs a second step.
    pub async fn challenge(&self, email: &str, password: &str) -> String {
        let login = self.login(email, password).await;
        assert_eq!(login["token"], Value::Null, "{login}");
        login["mfaChallenge"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{login}"))
            .to_owned()
    }

    /// `verifyMfa` with one factor (`code`, `recoveryCode`): the whole response.
    pub async fn verify(&self, challenge: &str, factor: &str, value: &str) -> e2e::Gql {
        let mut input = json!({ "challengeToken": challenge });
        input[factor] = json!(value);
        self.app
            .gql(
                "mutation($input: VerifyMfaInput!) { verifyMfa(input: $input) {
                   token user { email } userErrors { code field } } }",
                json!({ "input": input }),
                None,
            )
            .await
    }

    /// `verifyMfa` that must succeed: the session token.
    pub async fn verified(&self, challenge: &str, factor: &str, value: &str) -> String {
        let res = self.verify(challenge, factor, value).await;
        let p = &res.data()["verifyMfa"];
        assert_eq!(p["userErrors"], json!([]), "{}", res.body);
        p["token"].as_str().unwrap().to_owned()
    }

    /// The first userError code of `verifyMfa`.
    pub async fn refused(&self, challenge: &str, factor: &str, value: &str) -> String {
        let res = self.verify(challenge, factor, value).await;
        if let Some(code) = res.body["errors"][0]["extensions"]["code"].as_str() {
            return code.to_owned();
        }
        let p = &res.data()["verifyMfa"];
        assert_eq!(p["token"], Value::Null, "{}", res.body);
        p["userErrors"][0]["code"].as_str().unwrap().to_owned()
    }
}

/// Audit actions recorded so far, oldest first.
pub async fn actions(app: &TestApp) -> Vec<String> {
    use sea_orm::{EntityTrait, QueryOrder};
    entity::audit_entry::Entity::find()
        .order_by_asc(entity::audit_entry::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// Subjects of the outbox's emails to `to`, oldest first.
pub async fn subjects_to(app: &TestApp, to: &str) -> Vec<String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entity::outbound_email::Entity::find()
        .filter(entity::outbound_email::Column::ToAddress.eq(to))
        .order_by_asc(entity::outbound_email::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.subject)
        .collect()
}
