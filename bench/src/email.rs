//! Email throughput: invitations requested through the API until a local SMTP sink has
//! accepted every email, with 1 and 4 worker processes, beside the sink's own rate for a
//! plain SMTP client (lettre, pooled, the same message size).

use crate::dataset;
use crate::processes::{self, Api, Services};
use crate::scenarios;
use anyhow::{Context, bail};
use lettre::message::MultiPart;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mailin_embedded::{Handler, Response, Server, response};
use serde::Serialize;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An SMTP server that accepts everything and counts what it accepted for the recipients
/// it currently expects (so a late email of an earlier run is not counted in this one).
#[derive(Clone)]
pub struct Sink {
    pub url: String,
    counter: Counter,
}

#[derive(Clone)]
struct Counter {
    expected_prefix: Arc<Mutex<String>>,
    accepted: Arc<AtomicU64>,
    last: Arc<Mutex<Option<Instant>>>,
    /// Per connection: whether the message being received is one of the expected.
    current_expected: bool,
}

impl Handler for Counter {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let prefix = self.expected_prefix.lock().expect("sink prefix").clone();
        self.current_expected = to.iter().any(|t| t.starts_with(&prefix));
        response::OK
    }

    fn data_end(&mut self) -> Response {
        if std::mem::take(&mut self.current_expected) {
            self.accepted.fetch_add(1, Ordering::SeqCst);
            *self.last.lock().expect("sink clock") = Some(Instant::now());
        }
        response::OK
    }
}

impl Sink {
    pub fn start() -> anyhow::Result<Sink> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the SMTP sink")?;
        let url = format!("smtp://{}", listener.local_addr()?);
        let counter = Counter {
            expected_prefix: Arc::default(),
            accepted: Arc::default(),
            last: Arc::default(),
            current_expected: false,
        };
        let sink = Sink {
            url,
            counter: counter.clone(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(counter);
            server
                .with_name("sink.bench")
                .with_num_threads(128)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Ok(sink)
    }

    /// From now on count only messages to recipients starting with `prefix`, from zero.
    fn expect(&self, prefix: &str) {
        *self.counter.expected_prefix.lock().expect("sink prefix") = prefix.to_owned();
        self.counter.accepted.store(0, Ordering::SeqCst);
    }

    pub fn accepted(&self) -> u64 {
        self.counter.accepted.load(Ordering::SeqCst)
    }

    /// Waits until `count` messages have been accepted in all; returns when the last came.
    async fn wait_for(&self, count: u64, timeout: Duration) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + timeout;
        while self.accepted() < count {
            if Instant::now() > deadline {
                bail!(
                    "the sink accepted {} of {count} emails in {timeout:?}",
                    self.accepted()
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(self
            .counter
            .last
            .lock()
            .expect("sink clock")
            .expect("a message came"))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EmailResult {
    pub emails: u64,
    pub seconds: f64,
    pub emails_per_second: f64,
    /// Pipeline only: how long the API took to accept all the invitation requests.
    pub requests_seconds: Option<f64>,
}

/// A plain client: lettre's pooled transport sending `count` ready-made messages with
/// `concurrency` in flight.
pub async fn plain_client(
    sink: &Sink,
    count: u64,
    concurrency: usize,
    run: &str,
) -> anyhow::Result<EmailResult> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&sink.url)?
        .pool_config(PoolConfig::new().max_size(concurrency as u32))
        .build();
    let recipient = format!("plain-{run}@bench.example");
    let message = sample_message(&recipient)?;
    sink.expect(&recipient);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (transport, message, next) = (transport.clone(), message.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::SeqCst) < count {
                transport.send(message.clone()).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let last = sink.wait_for(count, Duration::from_secs(60)).await?;
    Ok(rate(count, started, last))
}

/// About the size of an invitation email: text and HTML alternatives.
fn sample_message(to: &str) -> anyhow::Result<Message> {
    let text = "We would like to work with you as an indirect reseller. ".repeat(10);
    let html = format!(
        "<html><body><p>{text}</p><a href=\"https://example.test\">Review</a></body></html>"
    );
    Ok(Message::builder()
        .from("Partner Center <no-reply@partner-center.example>".parse()?)
        .to(to.parse()?)
        .subject("Partner with Provider 1 Ltd")
        .multipart(MultiPart::alternative_plain_html(text, html))?)
}

fn rate(count: u64, started: Instant, last: Instant) -> EmailResult {
    let seconds = last.duration_since(started).as_secs_f64();
    EmailResult {
        emails: count,
        seconds,
        emails_per_second: count as f64 / seconds,
        requests_seconds: None,
    }
}

/// `count` invitations requested through the API (16 at a time, across providers) until the
/// sink has accepted every email, with `workers` worker processes running. Then, before the
/// workers stop, every email must be recorded SENT and none accepted twice.
pub async fn pipeline(
    services: &Services,
    api: &Api,
    sink: &Sink,
    workers: usize,
    count: u64,
    providers: usize,
    run: &str,
) -> anyhow::Result<EmailResult> {
    let worker_processes = processes::start_workers(services, workers)?;
    for worker in &worker_processes {
        processes::wait_for_log(
            services,
            &worker.name,
            "worker started",
            Duration::from_secs(30),
        )
        .await?;
    }
    let prefix = format!("prospect-{run}-w{workers}-");
    sink.expect(&prefix);
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, next, base, prefix) = (
            client.clone(),
            next.clone(),
            api.base_url.clone(),
            prefix.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    return anyhow::Ok(());
                }
                let email = format!("{prefix}{i}@bench.example");
                let provider = i as usize % providers + 1;
                scenarios::request_partnership(&client, &base, provider, &email).await?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    let requested = started.elapsed().as_secs_f64();
    let last = sink.wait_for(count, Duration::from_secs(300)).await?;
    wait_all_sent(&services.database_url, &prefix).await?;
    if sink.accepted() != count {
        bail!(
            "the sink accepted {} emails for {count} invitations",
            sink.accepted()
        );
    }
    drop(worker_processes);
    Ok(EmailResult {
        requests_seconds: Some(requested),
        ..rate(count, started, last)
    })
}

/// Waits until the outbox records every email to `prefix…` as SENT.
async fn wait_all_sent(database_url: &str, prefix: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let sql = format!(
        "SELECT count(*) FROM outbound_emails WHERE to_address LIKE '{prefix}%' AND status <> 'SENT'"
    );
    loop {
        let unsent: i64 = dataset::psql(database_url, &["-c", &sql])?.parse()?;
        if unsent == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{unsent} emails to {prefix}… are still not recorded SENT");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
