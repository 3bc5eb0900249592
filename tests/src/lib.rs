//! End-to-end test harness: `spawn_app(Backend)` starts the real server on port 0 against a
//! fresh database (a new SQLite file, or a new PostgreSQL database) and returns an HTTP
//! client for it. The `e2e!` macro runs one test body on both backends.

// The schema's merged roots nest deeper than rustc's default query depth (128) allows
// when the executor's futures are laid out.
#![recursion_limit = "256"]

pub mod browser;
pub mod node;
pub mod npm;
pub mod receiver;
pub mod services;
pub mod smtp;
pub mod standard_webhooks;
pub mod static_site;
mod stoppable;
pub mod ws;

pub use stoppable::{Stopper, spawn_app_stoppable};

use api::{Application, Settings};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Server URL of the PostgreSQL used for tests; each test creates its own database there.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestApp {
    pub address: String,
    /// The PostgreSQL URL of this test's database (for worker processes).
    pub database_url: Option<String>,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub data_dir: PathBuf,
    pub db: sea_orm::DatabaseConnection,
    _tmp: tempfile::TempDir,
}

/// Settings of a test app: port 0, its own data dir, and on PostgreSQL its own database.
pub async fn settings_for(backend: Backend, tmp: &tempfile::TempDir) -> Settings {
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: tmp.path().join("data"),
        ..Settings::default()
    };
    // Faster job timings so fault tests finish in seconds.
    let jobs = &mut settings.jobs;
    jobs.relay_interval_seconds = 1;
    jobs.relay_after_ms = 1_000;
    jobs.backoff_base_ms = 200;
    jobs.backoff_max_ms = 1_000;
    jobs.heartbeat_seconds = 1;
    jobs.missed_heartbeats = 2;
    jobs.shutdown_grace_seconds = 5;
    // Tests send many requests from one session or address in a moment: a budget this large
    // leaves them (and the complexity limit) as they were; the budget's own tests set theirs.
    settings.rate_limits.cost_bucket = 1_000_000;
    settings.rate_limits.cost_restore_per_second = 1_000_000;
    if backend == Backend::Postgres {
        settings.database_url = Some(SecretString::from(fresh_postgres_database().await));
    }
    settings
}

async fn fresh_postgres_database() -> String {
    use sea_orm::ConnectionTrait;
    let name = format!("pc_test_{}", uuid::Uuid::new_v4().simple());
    let admin_url = postgres_admin_url();
    let admin = sea_orm::Database::connect(&admin_url)
        .await
        .expect("PostgreSQL is running (scripts/test starts it)");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    start(backend, configure, std::future::pending()).await.0
}

/// Builds the app with `configure`d settings and serves it until `shutdown` completes.
pub(crate) async fn start(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (TestApp, tokio::task::JoinHandle<std::io::Result<()>>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_for(backend, &tmp).await;
    configure(&mut settings);
    let data_dir = settings.data_dir.clone();
    let database_url = settings
        .database_url
        .as_ref()
        .map(|u| secrecy::ExposeSecret::expose_secret(u).to_owned());
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.address());
    let db = app.db().clone();
    let served = tokio::spawn(app.run_until(shutdown));
    let app = TestApp {
        address,
        database_url,
        client: reqwest::Client::new(),
        backend,
        data_dir,
        db,
        _tmp: tmp,
    };
    (app, served)
}

impl TestApp {
    /// A second server on this app's database (same SQLite file or PostgreSQL database),
    /// with `configure`d settings and no in-process worker: to compare two configurations
    /// on the same rows.
    pub async fn twin(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: self.data_dir.clone(),
            ..Settings::default()
        };
        settings.embedded_worker = Some(false);
        settings.rate_limits.cost_bucket = 1_000_000;
        settings.rate_limits.cost_restore_per_second = 1_000_000;
        settings.database_url = self.database_url.clone().map(SecretString::from);
        configure(&mut settings);
        let app = Application::build(settings).await.expect("twin app builds");
        let address = format!("http://{}", app.address());
        let db = app.db().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            address,
            database_url: self.database_url.clone(),
            client: reqwest::Client::new(),
            backend: self.backend,
            data_dir: self.data_dir.clone(),
            db,
            _tmp: tmp,
        }
    }
}

/// A GraphQL response as the client sees it.
#[derive(Debug)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    pub fn data(&self) -> &Value {
        assert!(
            self.body
                .get("errors")
                .is_none_or(|e| e.as_array().is_some_and(|a| a.is_empty())),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of the first top-level error.
    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code: {}", self.body))
    }

    pub fn error_message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn post_json(&self, body: Value, token: Option<&str>) -> Gql {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let body = resp.json().await.expect("JSON body");
        Gql { status, body }
    }

    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Gql {
        self.post_json(json!({ "query": query, "variables": variables }), token)
            .await
    }

    /// Signs in and returns the bearer token, failing the test if sign-in fails.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self.try_login(email, password).await;
        let payload = &res.data()["login"];
        assert_eq!(payload["userErrors"], json!([]), "login of {email}");
        payload["token"].as_str().expect("token").to_owned()
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Gql {
        self.gql(
            "mutation($email: String!, $password: String!) {
               login(input: {email: $email, password: $password}) {
                 token mustChangePassword userErrors { code field message }
               }
             }",
            json!({ "email": email, "password": password }),
            None,
        )
        .await
    }

    /// Creates the first platform admin the way an operator does (the CLI's function).
    pub async fn platform_admin_token(&self) -> String {
        api::admin::ensure_platform_admin(
            &self.db,
            "ops@platform.test",
            "Ops",
            "platform-password",
        )
        .await
        .expect("platform admin");
        self.login("ops@platform.test", "platform-password").await
    }

    /// Enrolls a partner and returns (partner global id, admin token).
    pub async fn enroll(&self, kind: &str, company: &str, email: &str) -> (String, String) {
        let res = self
            .gql(
                "mutation($input: EnrollPartnerInput!) {
                   enrollPartner(input: $input) {
                     partner { id enrollmentStatus }
                     userErrors { code field message }
                   }
                 }",
                json!({ "input": {
                    "kind": kind, "companyName": company, "country": "US",
                    "adminName": "Admin", "adminEmail": email, "password": "password-123"
                }}),
                None,
            )
            .await;
        let payload = &res.data()["enrollPartner"];
        assert_eq!(payload["userErrors"], json!([]));
        let id = payload["partner"]["id"].as_str().unwrap().to_owned();
        (id, self.login(email, "password-123").await)
    }

    /// Enrolls and approves a partner; returns (partner id, admin token).
    pub async fn active_partner(&self, kind: &str, company: &str, email: &str) -> (String, String) {
        let (id, token) = self.enroll(kind, company, email).await;
        let admin = self.platform_admin_token().await;
        let res = self
            .gql(
                "mutation($id: ID!) { approveEnrollment(input: {partnerId: $id}) {
                   partner { enrollmentStatus } userErrors { code } } }",
                json!({ "id": id }),
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.data()["approveEnrollment"]["partner"]["enrollmentStatus"],
            "ACTIVE"
        );
        (id, token)
    }
}

/// Runs an async test body `fn(TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! e2e {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::spawn_app($crate::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::spawn_app($crate::Backend::Postgres).await).await;
            }
        }
    };
}

/// Everything the process logs from now on, at debug level (our crates, HTTP, SQL layers),
/// captured in memory so a test can assert what never reaches the logs.
pub fn capture_logs() -> &'static std::sync::Mutex<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};
    static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        struct Writer(&'static Mutex<Vec<u8>>);
        impl std::io::Write for Writer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "api=trace,worker=trace,e2e=trace,tower_http=debug,sea_orm=debug,sqlx=debug,async_graphql=debug",
            ))
            .with_ansi(false)
            .with_writer(move || Writer(buffer))
            .try_init();
        buffer
    })
}

/// A file to upload: (file name, declared content type, bytes).
pub type UploadFile<'a> = (&'a str, &'a str, Vec<u8>);

impl TestApp {
    /// A GraphQL multipart request (the upload spec): `variables.input.logo` is the file.
    pub async fn gql_upload(
        &self,
        query: &str,
        mut variables: Value,
        file: Option<UploadFile<'_>>,
        token: Option<&str>,
    ) -> Gql {
        let mut map = json!({});
        if file.is_some() {
            variables["input"]["logo"] = Value::Null;
            map = json!({ "0": ["variables.input.logo"] });
        }
        // The multipart request spec: `operations`, then `map`, then the files.
        let operations = json!({ "query": query, "variables": variables }).to_string();
        let mut form = reqwest::multipart::Form::new()
            .text("operations", operations)
            .text("map", map.to_string());
        if let Some((name, content_type, bytes)) = file {
            form = form.part(
                "0",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_owned())
                    .mime_str(content_type)
                    .unwrap(),
            );
        }
        // The header Apollo clients send; without it a multipart request is refused (CSRF).
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .header("apollo-require-preflight", "true")
            .multipart(form);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        Gql {
            status,
            body: resp.json().await.expect("JSON body"),
        }
    }
}
