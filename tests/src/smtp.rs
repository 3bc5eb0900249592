//! A real SMTP server for tests (mailin-embedded on a loopback port). It can be started
//! after the app, on a port reserved up front, to play "SMTP down, then up", and it can
//! refuse its first messages after a delay, to hold a send in flight that then fails.

use mailin_embedded::{Handler, Response, Server, response};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and body) as transmitted.
    pub data: String,
}

impl ReceivedMail {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The text with quoted-printable soft line breaks and `=3D` undone.
    pub fn decoded(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }
}

/// What the sink saw, shared between its connection threads and the test.
#[derive(Default)]
struct Seen {
    /// Messages accepted (answered 250).
    inbox: Mutex<Vec<ReceivedMail>>,
    /// Messages refused at the end of DATA (answered 421).
    refused: Mutex<Vec<ReceivedMail>>,
    /// Messages whose DATA began: a send is in flight from then until it is answered.
    started: AtomicUsize,
    /// How many of the next messages to refuse.
    failures_left: AtomicUsize,
}

#[derive(Clone)]
struct Collector {
    seen: Arc<Seen>,
    current: Option<ReceivedMail>,
    delay: Duration,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail {
            from: from.to_owned(),
            to: to.to_vec(),
            data: String::new(),
        });
        self.seen.started.fetch_add(1, Ordering::SeqCst);
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        std::thread::sleep(self.delay);
        let refuse = self
            .seen
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        let Some(mail) = self.current.take() else {
            return response::OK;
        };
        if refuse {
            self.seen.refused.lock().unwrap().push(mail);
            // A transient failure that also closes the connection: mailin would otherwise
            // stay in its DATA state after an error reply and swallow the client's next
            // commands until its five-minute timeout.
            response::NO_SERVICE
        } else {
            self.seen.inbox.lock().unwrap().push(mail);
            response::OK
        }
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    seen: Arc<Seen>,
}

/// A free loopback port (nothing listens on it until a sink is started there).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_on(free_port(), Duration::ZERO)
    }

    /// Starts on `port`; `delay` slows every accepted message down (to catch work in flight).
    pub fn start_on(port: u16, delay: Duration) -> Self {
        Self::start_refusing(port, delay, 0)
    }

    /// Starts on `port`; every message is slowed down by `delay`, and the first `failures`
    /// messages are then refused with `421` (a send that is in flight, then fails).
    pub fn start_refusing(port: u16, delay: Duration, failures: usize) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("SMTP port free");
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen {
            failures_left: AtomicUsize::new(failures),
            ..Seen::default()
        });
        let collector = Collector {
            seen: seen.clone(),
            current: None,
            delay,
        };
        std::thread::spawn(move || {
            let mut server = Server::new(collector);
            server
                .with_name("sink.test")
                .with_num_threads(8)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Self { addr, seen }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Messages accepted.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.seen.inbox.lock().unwrap().clone()
    }

    /// Messages refused (see `start_refusing`).
    pub fn refused(&self) -> Vec<ReceivedMail> {
        self.seen.refused.lock().unwrap().clone()
    }

    /// Messages whose DATA began, answered or not yet.
    pub fn started(&self) -> usize {
        self.seen.started.load(Ordering::SeqCst)
    }
}
