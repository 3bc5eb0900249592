//! Outgoing mail through lettre: pooled SMTP in production (`SMTP_URL`: `smtp://` plain,
//! `smtp://...?tls=required` STARTTLS, `smtps://` TLS), `.eml` files in embedded mode.

use entity::outbound_email;
use lettre::Address;
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
    #[error("invalid recipient {address:?}: {problem}")]
    Recipient {
        address: String,
        problem: AddressProblem,
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

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressProblem {
    #[error("the address is empty or longer than 254 characters")]
    Length,
    /// Control, format (zero-width, bidirectional overrides) or space characters: they
    /// render invisibly or reorder text, and mail servers refuse them.
    #[error("the address contains invisible or control characters")]
    Invisible,
    #[error("the address is not of the form name@example.com")]
    Syntax,
}

/// Unicode format characters (general category Cf) that can hide in an address: soft
/// hyphen, Arabic and Syriac marks, zero-width spaces and joiners, bidirectional marks,
/// embeddings, overrides and isolates, invisible operators, the byte-order mark and the
/// interlinear annotation controls.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The one rule for email addresses, used by the API when one is entered and by the worker
/// when it sends: what the API accepts, the mailer can address. Trimmed and lower-cased,
/// then parsed by lettre (RFC 5321/6531 local parts, IDNA domains); a domain needs a dot.
pub fn parse_address(raw: &str) -> Result<Address, AddressProblem> {
    let text = raw.trim().to_lowercase();
    if text.is_empty() || text.chars().count() > 254 {
        return Err(AddressProblem::Length);
    }
    if text
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || is_format_char(c))
    {
        return Err(AddressProblem::Invisible);
    }
    let address: Address = text.parse().map_err(|_| AddressProblem::Syntax)?;
    let domain = address.domain();
    if !domain.contains('.') || domain.starts_with('[') {
        return Err(AddressProblem::Syntax);
    }
    Ok(address)
}

/// Multipart text + HTML message for an outbox row.
pub fn build_message(email: &outbound_email::Model, from: &str) -> Result<Message, MailError> {
    let from = from
        .parse::<Mailbox>()
        .map_err(|source| MailError::Address {
            address: from.to_owned(),
            source,
        })?;
    let to = parse_address(&email.to_address)
        .map(|address| Mailbox::new(None, address))
        .map_err(|problem| MailError::Recipient {
            address: email.to_address.clone(),
            problem,
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_addresses() {
        assert_eq!(
            parse_address(" Ana@Fourthcoffee.Example ")
                .unwrap()
                .to_string(),
            "ana@fourthcoffee.example"
        );
        assert!(
            parse_address("經銷商@例子.台灣").is_ok(),
            "internationalized"
        );
        for (bad, why) in [
            ("", AddressProblem::Length),
            (
                "ana@fourthcoffee.example\u{202E}",
                AddressProblem::Invisible,
            ),
            (
                "a\u{200B}na@fourthcoffee.example",
                AddressProblem::Invisible,
            ),
            (
                "ana@four\u{FEFF}thcoffee.example",
                AddressProblem::Invisible,
            ),
            ("ana @fourthcoffee.example", AddressProblem::Invisible),
            ("ana\u{0}@fourthcoffee.example", AddressProblem::Invisible),
            ("ana@localhost", AddressProblem::Syntax),
            ("ana@@x.example", AddressProblem::Syntax),
            ("Ana <ana@x.example>", AddressProblem::Invisible),
            ("<ana@x.example>", AddressProblem::Syntax),
            ("ana@[127.0.0.1]", AddressProblem::Syntax),
            ("@x.example", AddressProblem::Syntax),
        ] {
            assert_eq!(parse_address(bad).unwrap_err(), why, "{bad:?}");
        }
    }
}
