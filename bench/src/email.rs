//! Email throughput: invitations requested through the API until a local SMTP sink has
//! accepted every email, with 1 and 4 worker processes, beside the sink's own rate for a
//! plain SMTP client (lettre, pooled, the same message size).

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

/// An SMTP server that accepts everything and counts what it accepted.
#[derive(Clone)]
pub struct Sink {
    pub url: String,
    accepted: Arc<AtomicU64>,
    last: Arc<Mutex<Option<Instant>>>,
}

#[derive(Clone)]
struct Counter {
    accepted: Arc<AtomicU64>,
    last: Arc<Mutex<Option<Instant>>>,
}

impl Handler for Counter {
    fn data_end(&mut self) -> Response {
        self.accepted.fetch_add(1, Ordering::SeqCst);
        *self.last.lock().expect("sink clock") = Some(Instant::now());
        response::OK
    }
}

impl Sink {
    pub fn start() -> anyhow::Result<Sink> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the SMTP sink")?;
        let url = format!("smtp://{}", listener.local_addr()?);
        let counter = Counter {
            accepted: Arc::default(),
            last: Arc::default(),
        };
        let sink = Sink {
            url,
            accepted: counter.accepted.clone(),
            last: counter.last.clone(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(counter);
            server
                .with_name("sink.bench")
                .with_num_threads(32)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Ok(sink)
    }

    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
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
}

/// A plain client: lettre's pooled transport sending `count` ready-made messages with
/// `concurrency` in flight.
pub async fn plain_client(
    sink: &Sink,
    count: u64,
    concurrency: usize,
) -> anyhow::Result<EmailResult> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&sink.url)?
        .pool_config(PoolConfig::new().max_size(concurrency as u32))
        .build();
    let message = sample_message()?;
    let before = sink.accepted();
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
    let last = sink
        .wait_for(before + count, Duration::from_secs(60))
        .await?;
    Ok(rate(count, started, last))
}

/// About the size of an invitation email: text and HTML alternatives.
fn sample_message() -> anyhow::Result<Message> {
    let text = "We would like to work with you as an indirect reseller. ".repeat(10);
    let html = format!(
        "<html><body><p>{text}</p><a href=\"https://example.test\">Review</a></body></html>"
    );
    Ok(Message::builder()
        .from("Partner Center <no-reply@partner-center.example>".parse()?)
        .to("prospect@bench.example".parse()?)
        .subject("Partner with Provider 1 Ltd")
        .multipart(MultiPart::alternative_plain_html(text, html))?)
}

fn rate(count: u64, started: Instant, last: Instant) -> EmailResult {
    let seconds = last.duration_since(started).as_secs_f64();
    EmailResult {
        emails: count,
        seconds,
        emails_per_second: count as f64 / seconds,
    }
}

/// `count` invitations requested through the API (16 at a time, across providers) until the
/// sink has accepted every email, with `workers` worker processes running.
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
    let client = reqwest::Client::new();
    let before = sink.accepted();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, next, base, run) = (
            client.clone(),
            next.clone(),
            api.base_url.clone(),
            run.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    return anyhow::Ok(());
                }
                let email = format!("prospect-{run}-w{workers}-{i}@bench.example");
                let provider = i as usize % providers + 1;
                scenarios::request_partnership(&client, &base, provider, &email).await?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    let last = sink
        .wait_for(before + count, Duration::from_secs(300))
        .await?;
    // Exactly once: nothing more arrives once every invitation has its email.
    tokio::time::sleep(Duration::from_millis(500)).await;
    if sink.accepted() != before + count {
        bail!(
            "the sink accepted {} emails for {count} invitations",
            sink.accepted() - before
        );
    }
    drop(worker_processes);
    Ok(rate(count, started, last))
}
