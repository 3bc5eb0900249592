//! The product's release binaries (`partner-center`, `worker`) as child processes in
//! production mode, and what the harness reads off them (readiness, resident memory).

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the services the product uses in production live.
#[derive(Debug, Clone)]
pub struct Services {
    pub database_url: String,
    pub redis_url: String,
    pub smtp_url: Option<String>,
    /// Logs of the child processes go here.
    pub log_dir: PathBuf,
}

/// `target/release/<name>` (or under `CARGO_TARGET_DIR`).
pub fn release_binary(name: &str) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("release").join(name);
    if !path.exists() {
        bail!(
            "{} is missing: build it with `cargo build --release -p api -p worker` (scripts/bench does)",
            path.display()
        );
    }
    Ok(path)
}

/// A child process killed when dropped.
pub struct Process {
    child: Child,
    pub name: String,
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident set size in MiB, from `/proc/<pid>/status`.
    pub fn rss_mib(&self) -> f64 {
        rss_mib(self.pid())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn rss_mib(pid: u32) -> f64 {
    status_mib(pid, "VmRSS:")
}

/// The process's anonymous resident memory (heap, stacks), without the file pages mapped in.
pub fn rss_anon_mib(pid: u32) -> f64 {
    status_mib(pid, "RssAnon:")
}

fn status_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

fn spawn(
    services: &Services,
    binary: &str,
    name: &str,
    args: &[&str],
    env: &[(&str, String)],
) -> anyhow::Result<Process> {
    let log = std::fs::File::create(services.log_dir.join(format!("{name}.log")))
        .with_context(|| format!("creating the log of {name}"))?;
    let mut command = Command::new(release_binary(binary)?);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &services.database_url)
        .env("REDIS_URL", &services.redis_url)
        .env("LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // Tuning knobs of the product pass through, to try settings without rebuilding.
    for (key, value) in std::env::vars() {
        let passes = [
            "JOBS__",
            "GRAPHQL__",
            "EVENTS__",
            "WEBHOOKS__",
            "RATE_LIMITS__",
        ];
        if passes.iter().any(|p| key.starts_with(p)) || key == "RUST_LOG" {
            command.env(key, value);
        } else if let Some(own) = key.strip_prefix("CHILD_ENV__") {
            // Anything else for the children only (`CHILD_ENV__TOKIO_WORKER_THREADS=1`),
            // leaving the harness's own process as it is.
            command.env(own, value);
        }
    }
    if let Some(smtp) = &services.smtp_url {
        command.env("SMTP_URL", smtp);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {binary}"))?;
    Ok(Process {
        child,
        name: name.to_owned(),
    })
}

/// `partner-center migrate` against the benchmark database.
pub fn migrate(services: &Services) -> anyhow::Result<()> {
    let mut process = spawn(services, "partner-center", "migrate", &["migrate"], &[])?;
    let status = process.child.wait()?;
    if !status.success() {
        bail!("partner-center migrate failed ({status}); see its log");
    }
    Ok(())
}

/// The API server in production mode on `port`, ready to serve.
pub struct Api {
    pub process: Process,
    pub base_url: String,
}

/// `METRICS__TOKEN` of the API the harness starts: `/metrics` answers only with it.
const METRICS_TOKEN: &str = "bench-metrics-token";

/// The cost budget of the harness's APIs: on, and too large to refuse anything.
const BENCH_BUDGET: (&str, &str) = ("RATE_LIMITS__COST_BUCKET", "1000000000");
const BENCH_RESTORE: (&str, &str) = ("RATE_LIMITS__COST_RESTORE_PER_SECOND", "1000000000");

/// The webhook figures deliver to a receiver on loopback, which only this development
/// setting allows (as in the end-to-end tests); it changes nothing for the other parts.
const INSECURE_WEBHOOK_TARGETS: (&str, &str) = ("WEBHOOKS__ALLOW_INSECURE_TARGETS", "true");

impl Api {
    pub async fn start(services: &Services, port: u16) -> anyhow::Result<Api> {
        Self::start_with(services, port, "api", &[]).await
    }

    /// Another API process (its log `<name>.log`) with `extra` environment.
    pub async fn start_with(
        services: &Services,
        port: u16,
        name: &str,
        extra: &[(&str, String)],
    ) -> anyhow::Result<Api> {
        let bind = format!("127.0.0.1:{port}");
        let mut env = vec![
            ("BIND", bind.clone()),
            ("PUBLIC_URL", format!("http://{bind}")),
            ("METRICS__TOKEN", METRICS_TOKEN.to_owned()),
            (
                INSECURE_WEBHOOK_TARGETS.0,
                INSECURE_WEBHOOK_TARGETS.1.to_owned(),
            ),
            // The load is 16 clients at full speed as a few callers: a budget that never
            // refuses (but still charges every request) keeps every figure comparable.
            (BENCH_BUDGET.0, BENCH_BUDGET.1.to_owned()),
            (BENCH_RESTORE.0, BENCH_RESTORE.1.to_owned()),
        ];
        env.extend(extra.iter().cloned());
        let process = spawn(services, "partner-center", name, &["serve"], &env)?;
        let api = Api {
            process,
            base_url: format!("http://{bind}"),
        };
        api.wait_ready().await?;
        Ok(api)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = client
                .get(format!("{}/readyz", self.base_url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the API did not become ready within 60 s; see api.log");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `partner_center_db_statements_total` from `/metrics`.
    pub async fn statements_total(&self, client: &reqwest::Client) -> anyhow::Result<f64> {
        let text = client
            .get(format!("{}/metrics", self.base_url))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await?
            .error_for_status()
            .context("GET /metrics")?
            .text()
            .await?;
        text.lines()
            .find_map(|line| line.strip_prefix("partner_center_db_statements_total "))
            .and_then(|v| v.trim().parse().ok())
            .context("/metrics has no partner_center_db_statements_total")
    }
}

/// `n` worker processes, each with `JOBS__CONCURRENCY` jobs in flight.
pub fn start_workers(services: &Services, n: usize) -> anyhow::Result<Vec<Process>> {
    (0..n)
        .map(|i| {
            let env = [(
                INSECURE_WEBHOOK_TARGETS.0,
                INSECURE_WEBHOOK_TARGETS.1.to_owned(),
            )];
            spawn(services, "worker", &format!("worker-{i}"), &[], &env)
        })
        .collect()
}

/// `partner-center create-platform-admin`: the seed reuses this user's password hash.
pub fn create_platform_admin(
    services: &Services,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    let mut process = spawn(
        services,
        "partner-center",
        "create-platform-admin",
        &["create-platform-admin", "--email", email],
        &[("PLATFORM_ADMIN_PASSWORD", password.to_owned())],
    )?;
    let status = process.child.wait()?;
    if !status.success() {
        bail!("partner-center create-platform-admin failed ({status}); see its log");
    }
    Ok(())
}

/// Waits until `name`'s log contains `needle` (a process saying it is up).
pub async fn wait_for_log(
    services: &Services,
    name: &str,
    needle: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let path = services.log_dir.join(format!("{name}.log"));
    let deadline = Instant::now() + timeout;
    loop {
        if std::fs::read_to_string(&path).is_ok_and(|log| log.contains(needle)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{name} did not log {needle:?} within {timeout:?}; see {}",
                path.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
