//! The partnership request email as the provider sees it before it is sent: the text
//! comes from `worker::compose` (in the recipient's language, with the provider's edits;
//! the personalized link is always kept), and the dashboard's two ways to send it
//! themselves: the `mailto:` URI for "Open in email" and the text for "Copy to clipboard".

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Draft {
    pub to: String,
    pub subject: String,
    /// Plain text; always contains the link.
    pub body: String,
}

/// RFC 6068: everything but unreserved characters percent-encoded as UTF-8 (spaces as %20).
const MAILTO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Draft {
    pub fn mailto_uri(&self) -> String {
        // Line breaks in a mailto body are CRLF.
        let body = self.body.replace("\r\n", "\n").replace('\n', "\r\n");
        format!(
            "mailto:{}?subject={}&body={}",
            utf8_percent_encode(&self.to, MAILTO),
            utf8_percent_encode(&self.subject, MAILTO),
            utf8_percent_encode(&body, MAILTO)
        )
    }

    /// What "Copy to clipboard" copies: the subject line and the message.
    pub fn clipboard_text(&self) -> String {
        format!("Subject: {}\n\n{}", self.subject, self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_is_percent_encoded_utf8() {
        let d = Draft {
            to: "r@x.test".into(),
            subject: "A & B 合作".into(),
            body: "line 1\nline 2".into(),
        };
        assert_eq!(
            d.mailto_uri(),
            "mailto:r%40x.test?subject=A%20%26%20B%20%E5%90%88%E4%BD%9C&body=line%201%0D%0Aline%202"
        );
    }
}
