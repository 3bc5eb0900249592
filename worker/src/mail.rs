//! Outgoing mail through lettre: pooled SMTP in production (`SMTP_URL`: `smtp://` plain,
//! `smtp://...?tls=required` STARTTLS, `smtps://` TLS), `.eml` files in embedded mode.

use entity::outbound_email;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid SMTP_URL: {0}")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("invalid address {address:?}")]
    Address {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("building the message")]
    Build(#[source] lettre::error::Error),
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error("writing the .eml file failed: {0}")]
    File(#[source] lettre::transport::file::Error),
    #[error("creating the outbox directory {0}")]
    OutboxDir(String, #[source] std::io::Error),
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn smtp(url: &str, pool_size: u32) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(MailError::SmtpUrl)?
            .timeout(Some(Duration::from_secs(15)))
            .pool_config(PoolConfig::new().max_size(pool_size))
            .build();
        Ok(Self::Smtp(transport))
    }

    pub fn files(outbox_dir: &Path) -> Result<Self, MailError> {
        std::fs::create_dir_all(outbox_dir)
            .map_err(|e| MailError::OutboxDir(outbox_dir.display().to_string(), e))?;
        Ok(Self::File(AsyncFileTransport::new(outbox_dir)))
    }

    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self {
            Self::Smtp(t) => t.send(message).await.map(drop).map_err(MailError::Smtp),
            Self::File(t) => t.send(message).await.map(drop).map_err(MailError::File),
        }
    }
}

/// The stable Message-ID of an outbox row: a re-send of the same row carries the same id,
/// so a receiver can drop a duplicate.
pub fn message_id(email: &outbound_email::Model, from: &Mailbox) -> String {
    format!(
        "<outbound-{}.{}@{}>",
        email.id,
        email.created_at.timestamp(),
        from.email.domain()
    )
}

/// Multipart text + HTML message for an outbox row.
pub fn build_message(email: &outbound_email::Model, from: &str) -> Result<Message, MailError> {
    let parse = |address: &str| {
        address
            .parse::<Mailbox>()
            .map_err(|source| MailError::Address {
                address: address.to_owned(),
                source,
            })
    };
    let from = parse(from)?;
    let to = parse(&email.to_address)?;
    Message::builder()
        .message_id(Some(message_id(email, &from)))
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            email.text_body.clone(),
            email.html_body.clone(),
        ))
        .map_err(MailError::Build)
}
