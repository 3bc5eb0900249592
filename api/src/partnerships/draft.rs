//! The partnership request email: the default text, the provider's edits (the personalized
//! link is always kept), the HTML alternative, and the `mailto:` URI for "Open in email".

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Draft {
    pub to: String,
    pub subject: String,
    /// Plain text; always contains `link`.
    pub body: String,
}

pub fn default_subject(provider_name: &str) -> String {
    format!("{provider_name} invites you to partner in the Cloud Solution Provider program")
}

pub fn default_body(provider_name: &str, partner_network_id: &str, link: &str) -> String {
    format!(
        "Hello,\n\n\
         {provider_name} (partner ID {partner_network_id}) would like to partner with you as an \
         indirect reseller in the Cloud Solution Provider program. With a partnership we can \
         serve customers together: we can add customers and place orders on your behalf, and \
         designate you to manage their subscriptions and earn credit for them.\n\n\
         To accept, sign in to the Partner Dashboard with your indirect reseller account \
         through this personalized link:\n\n{link}\n\n\
         If you are not enrolled as an indirect reseller yet, enroll first, then open the \
         link again.\n\n\
         Thank you,\n{provider_name}\n"
    )
}

/// The provider's text if given (trimmed). `{link}` in it marks where the link goes (the
/// same placeholder the stored body uses, so what is stored, shown and sent agree); the
/// link is appended when the text has neither the link nor the placeholder.
pub fn compose(
    to: &str,
    subject: Option<&str>,
    body: Option<&str>,
    defaults: Draft,
    link: &str,
) -> Draft {
    let subject = subject
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or(defaults.subject, str::to_owned);
    let mut body = body
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or(defaults.body, |text| {
            text.replace(super::invitations::LINK_PLACEHOLDER, link)
        });
    if !body.contains(link) {
        body.push_str("\n\n");
        body.push_str(link);
        body.push('\n');
    }
    Draft {
        to: to.to_owned(),
        subject,
        body,
    }
}

/// RFC 6068: everything but unreserved characters percent-encoded (spaces as %20).
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

    /// The HTML alternative: the text escaped, paragraphs kept, the link a button saying
    /// `label`.
    pub fn html(&self, link: &str, label: &str) -> String {
        let escaped_link = escape(link);
        let paragraphs: String = self
            .body
            .split("\n\n")
            .map(|p| {
                let html = escape(p).replace('\n', "<br>\n").replace(
                    &escaped_link,
                    &format!(
                        "<a href=\"{escaped_link}\" style=\"color:#0067b8\">{}</a>",
                        escape(label)
                    ),
                );
                format!("<p>{html}</p>\n")
            })
            .collect();
        format!(
            "<!doctype html>\n<html><body style=\"font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222\">\n{paragraphs}<p style=\"color:#666;font-size:12px\">If the button does not work, copy this address into your browser: {escaped_link}</p>\n</body></html>\n"
        )
    }
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://pc.example/invitations/accept?token=abc";

    fn defaults() -> Draft {
        Draft {
            to: "r@x.test".into(),
            subject: default_subject("Contoso"),
            body: default_body("Contoso", "1234567", LINK),
        }
    }

    #[test]
    fn edits_keep_the_link() {
        let d = compose(
            "r@x.test",
            Some("Hi"),
            Some("Let's work together."),
            defaults(),
            LINK,
        );
        assert_eq!(d.subject, "Hi");
        assert!(d.body.starts_with("Let's work together."));
        assert!(d.body.contains(LINK));
        let d = compose(
            "r@x.test",
            None,
            Some(&format!("Click {LINK} now")),
            defaults(),
            LINK,
        );
        assert_eq!(d.body.matches(LINK).count(), 1, "not appended twice");
        let d = compose("r@x.test", Some("  "), None, defaults(), LINK);
        assert_eq!(d.subject, default_subject("Contoso"));
        let d = compose(
            "r@x.test",
            None,
            Some("Join here: {link} - thanks"),
            defaults(),
            LINK,
        );
        assert_eq!(
            d.body,
            format!("Join here: {LINK} - thanks"),
            "placed, not appended"
        );
    }

    #[test]
    fn mailto_is_percent_encoded() {
        let d = Draft {
            to: "r@x.test".into(),
            subject: "A & B".into(),
            body: "line 1\nline 2".into(),
        };
        assert_eq!(
            d.mailto_uri(),
            "mailto:r%40x.test?subject=A%20%26%20B&body=line%201%0D%0Aline%202"
        );
    }

    #[test]
    fn html_escapes_and_links() {
        let d = compose(
            "r@x.test",
            None,
            Some("<script>x</script>"),
            defaults(),
            LINK,
        );
        let html = d.html(LINK, "Accept");
        assert!(!html.contains("<script>"));
        assert!(html.contains(&format!("href=\"{LINK}\"")));
    }
}
