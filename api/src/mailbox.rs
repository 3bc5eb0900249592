//! `/dev/mailbox`: in embedded mode mail is written to `DATA_DIR/outbox/*.eml` instead of
//! being sent; the mailbox lists those files newest first (recipient, subject, time, the
//! delivery status and what the email is about) and shows one with its text and its HTML.
//! The HTML is served from its own URL into a sandboxed frame, with a policy of its own: no
//! script runs, and its links open in a new tab. Only mounted when no `SMTP_URL` is set.

use crate::http::AppState;
use crate::pages::{self, PageQuery, Reader};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use entity::partnership_invitation as invitation;
use entity::{customer_relationship_request as relationship, outbound_email};
use mailparse::{MailHeaderMap, ParsedMail};
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::path::PathBuf;

/// The page policy, plus the mailbox's own frames.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// An email's HTML: no script, styles and embedded images only, framed by the mailbox only.
const EMAIL_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     base-uri 'self'; form-action 'none'; frame-ancestors 'self'; \
     sandbox allow-popups allow-popups-to-escape-sandbox";

#[derive(Serialize)]
struct Listed {
    file: String,
    to: String,
    subject: String,
    time: String,
    delivery: Option<String>,
    about: Option<About>,
}

fn outbox(state: &AppState) -> PathBuf {
    state.settings.data_dir.join("outbox")
}

/// A file name as lettre writes them (`<uuid>.eml`), nothing that could leave the outbox.
fn valid_file(name: &str) -> bool {
    name.ends_with(".eml")
        && name.len() < 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !name.starts_with('.')
}

pub async fn list(State(state): State<AppState>, query: PageQuery, headers: HeaderMap) -> Response {
    let reader = Reader::of("/dev/mailbox", query, &headers);
    let dir = outbox(&state);
    let mut files: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let modified = e.metadata().ok()?.modified().ok()?;
                    valid_file(&name).then_some((modified, name))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut emails = Vec::new();
    for (modified, file) in files.into_iter().take(200) {
        let Ok(raw) = std::fs::read(dir.join(&file)) else {
            continue;
        };
        let Ok(mail) = mailparse::parse_mail(&raw) else {
            continue;
        };
        let (delivery, about) = status(&state, &mail).await;
        let time: chrono::DateTime<chrono::Utc> = modified.into();
        emails.push(Listed {
            to: mail.headers.get_first_value("To").unwrap_or_default(),
            subject: mail.headers.get_first_value("Subject").unwrap_or_default(),
            time: time.to_rfc3339(),
            delivery,
            about,
            file,
        });
    }
    let page = pages::render_for(
        &reader,
        "mailbox.html",
        minijinja::context! {
            outbox => dir.display().to_string(),
            emails => pages::value(&emails),
        },
    );
    with_csp(page, PAGE_CSP)
}

pub async fn message(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: PageQuery,
    headers: HeaderMap,
) -> Response {
    let path = format!("/dev/mailbox/{file}");
    let reader = Reader::of(&path, query, &headers);
    let Some(raw) = read(&state, &file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(mail) = mailparse::parse_mail(&raw) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (delivery, about) = status(&state, &mail).await;
    let text = part(&mail, "text/plain").unwrap_or_default();
    let page = pages::render_for(
        &reader,
        "mailbox_message.html",
        minijinja::context! {
            file,
            subject => mail.headers.get_first_value("Subject").unwrap_or_default(),
            from => mail.headers.get_first_value("From").unwrap_or_default(),
            to => mail.headers.get_first_value("To").unwrap_or_default(),
            date => mail.headers.get_first_value("Date").unwrap_or_default(),
            delivery,
            about => pages::value(about),
            html => part(&mail, "text/html").is_some(),
            text => pages::value(linkified(&text)),
        },
    );
    with_csp(page, PAGE_CSP)
}

/// The email's own HTML, for the sandboxed frame; links open in a new tab.
pub async fn html(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(raw) = read(&state, &file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(body) = mailparse::parse_mail(&raw)
        .ok()
        .and_then(|mail| part(&mail, "text/html"))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = format!("<base target=\"_blank\">\n{body}");
    (
        [
            (header::CONTENT_SECURITY_POLICY, EMAIL_CSP),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        ],
        Html(body),
    )
        .into_response()
}

fn with_csp(mut page: Response, csp: &'static str) -> Response {
    page.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(csp),
    );
    page
}

fn read(state: &AppState, file: &str) -> Option<Vec<u8>> {
    valid_file(file)
        .then(|| std::fs::read(outbox(state).join(file)).ok())
        .flatten()
}

/// The decoded body of the first part of `mime` type.
fn part(mail: &ParsedMail<'_>, mime: &str) -> Option<String> {
    if mail.subparts.is_empty() {
        return (mail.ctype.mimetype == mime)
            .then(|| mail.get_body().ok())
            .flatten();
    }
    mail.subparts.iter().find_map(|p| part(p, mime))
}

#[derive(Serialize)]
struct Piece {
    text: String,
    link: Option<String>,
}

/// Text split into plain pieces and `http(s)://` links (rendered as links, escaped).
fn linkified(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = ["http://", "https://"]
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
    {
        let end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |e| start + e);
        pieces.push(Piece {
            text: rest[..start].to_owned(),
            link: None,
        });
        pieces.push(Piece {
            text: String::new(),
            link: Some(rest[start..end].to_owned()),
        });
        rest = &rest[end..];
    }
    pieces.push(Piece {
        text: rest.to_owned(),
        link: None,
    });
    pieces
}

/// What an email is about: `kind` names the message (`invitation`, `relationship`) and
/// `status` is the status code of the invitation or request.
#[derive(Serialize)]
struct About {
    kind: &'static str,
    status: String,
}

/// The delivery status code of the email's outbox row and what it is about, found through
/// its `Message-ID` (`<outbound-<row id>.…>`).
async fn status(state: &AppState, mail: &ParsedMail<'_>) -> (Option<String>, Option<About>) {
    let id: Option<i32> = mail.headers.get_first_value("Message-ID").and_then(|m| {
        m.trim_start_matches("<outbound-")
            .split('.')
            .next()?
            .parse()
            .ok()
    });
    let Some(id) = id else {
        return (None, None);
    };
    let db = &state.db;
    let delivery = outbound_email::Entity::find_by_id(id)
        .one(db)
        .await
        .ok()
        .flatten()
        .map(|e| e.status.to_value());
    let about = match invitation::Entity::find()
        .filter(invitation::Column::OutboundEmailId.eq(id))
        .one(db)
        .await
    {
        Ok(Some(inv)) => Some(About {
            kind: "invitation",
            status: crate::partnerships::invitations::effective_status(&inv).to_value(),
        }),
        _ => relationship::Entity::find()
            .filter(relationship::Column::OutboundEmailId.eq(id))
            .one(db)
            .await
            .ok()
            .flatten()
            .map(|r| About {
                kind: "relationship",
                status: r.status.to_value(),
            }),
    };
    (delivery, about)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_outbox_file_names() {
        assert!(valid_file("3f2a-9c.eml"));
        for bad in [
            "../x.eml",
            "a/b.eml",
            ".eml",
            "x.txt",
            "%2e%2e.eml",
            "x .eml",
        ] {
            assert!(!valid_file(bad), "{bad}");
        }
    }

    #[test]
    fn links_are_pieces_of_their_own() {
        let pieces = linkified("Open https://pc.example/a?token=x now");
        assert_eq!(
            pieces[1].link.as_deref(),
            Some("https://pc.example/a?token=x")
        );
        assert_eq!(pieces[2].text, " now");
    }
}
