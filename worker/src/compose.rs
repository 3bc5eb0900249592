//! What an email says, in its reader's language: the partnership invitation and the
//! customer relationship request, as subject, plain text and HTML. The API uses this for
//! the drafts it shows (`requestPartnership`), and stores the [`EmailContent`] with the
//! outbox row; the worker renders it again when it sends, so a fixed template reaches
//! every email not yet sent. Texts come from `locales/*/emails.ftl`, the HTML layout from
//! `templates/email.html` (auto-escaped).

use crate::i18n::{self, Lang};
use minijinja::Environment;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Where a provider's own text puts the link (also how stored invitation bodies show it).
pub const LINK_PLACEHOLDER: &str = "{link}";

/// The data an email is rendered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum EmailContent {
    PartnershipInvitation {
        provider: String,
        partner_network_id: String,
        /// The provider's own subject, if it wrote one.
        subject: Option<String>,
        /// The provider's own text, if it wrote one; `{link}` marks where the link goes.
        body: Option<String>,
        link: String,
    },
    RelationshipRequest {
        provider: String,
        customer: String,
        reseller: String,
        link: String,
    },
    /// To the customer's admin: approve an admin relationship (roles, duration).
    AdminRelationshipRequest {
        provider: String,
        customer: String,
        reseller: String,
        /// The roles' names, comma-separated.
        roles: String,
        days: i64,
        link: String,
    },
    /// To each party: an admin relationship that will not extend ends in `days_left` days.
    AdminRelationshipExpiring {
        provider: String,
        customer: String,
        reseller: String,
        days_left: i64,
        /// The end, as a date (YYYY-MM-DD, UTC).
        ends_on: String,
    },
    /// To the reseller's ADMINs: the provider offboarded it.
    ResellerOffboarded {
        provider: String,
        reseller: String,
        relationships: i64,
    },
    /// A change to the reader's own sign-in factors (`change`: `mfa_enabled`,
    /// `mfa_disabled`, `recovery_code_used`, `passkey_added`, `passkey_removed`), with a link
    /// to the account's security page.
    AccountSecurity { change: String, link: String },
    /// To the provider's and the reseller's ADMINs: a subscription's term ends in
    /// `days_left` days, and renews (for `amount_minor` a month at the prices in force
    /// then) or ends.
    SubscriptionTermEnding {
        customer: String,
        offer: String,
        quantity: i64,
        days_left: i64,
        /// The term's end, as a date (YYYY-MM-DD, UTC).
        ends_on: String,
        renews: bool,
        /// A month of the subscription at the renewal's prices, in minor units.
        amount_minor: i64,
        currency: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    /// Plain text; always contains the link.
    pub text: String,
    pub html: String,
}

impl EmailContent {
    /// The link the email carries; empty for notices without one.
    pub fn link(&self) -> &str {
        match self {
            Self::PartnershipInvitation { link, .. }
            | Self::RelationshipRequest { link, .. }
            | Self::AdminRelationshipRequest { link, .. }
            | Self::AccountSecurity { link, .. } => link,
            Self::AdminRelationshipExpiring { .. }
            | Self::ResellerOffboarded { .. }
            | Self::SubscriptionTermEnding { .. } => "",
        }
    }

    /// The same content with the link's secret replaced (what is kept once sent).
    pub fn scrubbed(&self, secret: &str, by: &str) -> Self {
        let mut copy = self.clone();
        match &mut copy {
            Self::PartnershipInvitation { link, .. }
            | Self::RelationshipRequest { link, .. }
            | Self::AdminRelationshipRequest { link, .. }
            | Self::AccountSecurity { link, .. } => {
                *link = link.replace(secret, by);
            }
            Self::AdminRelationshipExpiring { .. }
            | Self::ResellerOffboarded { .. }
            | Self::SubscriptionTermEnding { .. } => {}
        }
        copy
    }

    pub fn compose(&self, lang: Lang) -> Composed {
        let t = |id: &str, args: &[(&str, i18n::Arg)]| i18n::text(lang, id, args);
        let (subject, text, button) = match self {
            Self::PartnershipInvitation {
                provider,
                partner_network_id,
                subject,
                body,
                link,
            } => {
                let who = [("provider", provider.into())];
                let subject = subject
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| t("email-invitation-subject", &who), str::to_owned);
                let text = match body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
                    Some(own) => with_link(own.replace(LINK_PLACEHOLDER, link), link),
                    None => [
                        t("email-invitation-greeting", &[]),
                        t(
                            "email-invitation-intro",
                            &[
                                ("provider", provider.into()),
                                ("partnerId", partner_network_id.into()),
                            ],
                        ),
                        format!("{}\n\n{link}", t("email-invitation-accept", &[])),
                        t("email-invitation-enroll", &[]),
                        format!("{}\n{provider}\n", t("email-invitation-closing", &[])),
                    ]
                    .join("\n\n"),
                };
                (subject, text, "email-invitation-button")
            }
            Self::RelationshipRequest {
                provider,
                customer,
                reseller,
                link,
            } => {
                let names = [
                    ("provider", provider.into()),
                    ("customer", customer.into()),
                    ("reseller", reseller.into()),
                ];
                let text = [
                    t("email-relationship-greeting", &[]),
                    t("email-relationship-intro", &names),
                    format!("{}\n\n{link}", t("email-relationship-accept", &[])),
                    format!("{}\n", t("email-relationship-ignore", &[])),
                ]
                .join("\n\n");
                (
                    t("email-relationship-subject", &names),
                    text,
                    "email-relationship-button",
                )
            }
            Self::AdminRelationshipRequest {
                provider,
                customer,
                reseller,
                roles,
                days,
                link,
            } => {
                let names = [
                    ("provider", provider.into()),
                    ("customer", customer.into()),
                    ("reseller", reseller.into()),
                    ("roles", roles.into()),
                    ("days", (*days).into()),
                ];
                let text = [
                    t("email-admin-relationship-greeting", &[]),
                    t("email-admin-relationship-intro", &names),
                    format!("{}\n\n{link}", t("email-admin-relationship-approve", &[])),
                    format!("{}\n", t("email-admin-relationship-ignore", &[])),
                ]
                .join("\n\n");
                (
                    t("email-admin-relationship-subject", &names),
                    text,
                    "email-admin-relationship-button",
                )
            }
            Self::AdminRelationshipExpiring {
                provider,
                customer,
                reseller,
                days_left,
                ends_on,
            } => {
                let names = [
                    ("provider", provider.into()),
                    ("customer", customer.into()),
                    ("reseller", reseller.into()),
                    ("days", (*days_left).into()),
                    ("date", ends_on.into()),
                ];
                let text = [
                    t("email-admin-relationship-greeting", &[]),
                    t("email-admin-relationship-expiring-intro", &names),
                    format!("{}\n", t("email-admin-relationship-expiring-renew", &names)),
                ]
                .join("\n\n");
                (
                    t("email-admin-relationship-expiring-subject", &names),
                    text,
                    "email-admin-relationship-button",
                )
            }
            Self::ResellerOffboarded {
                provider,
                reseller,
                relationships,
            } => {
                let names = [
                    ("provider", provider.into()),
                    ("reseller", reseller.into()),
                    ("count", (*relationships).into()),
                ];
                let text = [
                    t("email-admin-relationship-greeting", &[]),
                    format!("{}\n", t("email-offboarded-intro", &names)),
                ]
                .join("\n\n");
                (
                    t("email-offboarded-subject", &names),
                    text,
                    "email-admin-relationship-button",
                )
            }
            Self::SubscriptionTermEnding {
                customer,
                offer,
                quantity,
                days_left,
                ends_on,
                renews,
                amount_minor,
                currency,
            } => {
                // The money and the date as the reader's language writes them (ICU).
                let date = chrono::NaiveDate::parse_from_str(ends_on, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map_or_else(|| ends_on.clone(), |d| i18n::date(lang, d.and_utc()));
                let names = [
                    ("customer", customer.into()),
                    ("offer", offer.into()),
                    ("quantity", (*quantity).into()),
                    ("days", (*days_left).into()),
                    ("date", date.into()),
                    ("amount", i18n::money(lang, *amount_minor, currency).into()),
                ];
                let outcome = if *renews {
                    "email-term-ending-renews"
                } else {
                    "email-term-ending-ends"
                };
                let text = [
                    t("email-admin-relationship-greeting", &[]),
                    t("email-term-ending-intro", &names),
                    format!("{}\n", t(outcome, &names)),
                ]
                .join("\n\n");
                (
                    t("email-term-ending-subject", &names),
                    text,
                    "email-admin-relationship-button",
                )
            }
            Self::AccountSecurity { change, link } => {
                // Fluent ids are fixed words; an unknown change reads as a generic one.
                let change = match change.as_str() {
                    "mfa_enabled" | "mfa_disabled" | "recovery_code_used" | "passkey_added"
                    | "passkey_removed" => change.replace('_', "-"),
                    _ => "changed".to_owned(),
                };
                let text = [
                    t("email-security-greeting", &[]),
                    t(&format!("email-security-{change}"), &[]),
                    format!("{}\n\n{link}", t("email-security-review", &[])),
                    format!("{}\n", t("email-security-not-you", &[])),
                ]
                .join("\n\n");
                (
                    t(&format!("email-security-subject-{change}"), &[]),
                    text,
                    "email-security-button",
                )
            }
        };
        let html = html(lang, &subject, &text, self.link(), button);
        Composed {
            subject,
            text,
            html,
        }
    }
}

/// `text` with `link` appended when it does not contain it.
fn with_link(mut text: String, link: &str) -> String {
    if !text.contains(link) {
        text.push_str("\n\n");
        text.push_str(link);
        text.push('\n');
    }
    text
}

#[derive(Serialize)]
struct Piece<'a> {
    text: &'a str,
    link: bool,
}

/// The HTML alternative: the text's paragraphs and lines, escaped, the link a button.
fn html(lang: Lang, subject: &str, text: &str, link: &str, button: &str) -> String {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    let env = ENV.get_or_init(|| {
        let mut env = Environment::new();
        i18n::templates::install(&mut env);
        env.add_template("email.html", include_str!("../templates/email.html"))
            .expect("the email template compiles");
        env
    });
    let paragraphs: Vec<Vec<Vec<Piece<'_>>>> = text
        .trim_end()
        .split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(|line| {
                    let mut pieces = Vec::new();
                    let mut rest = line;
                    while let Some(at) = rest.find(link).filter(|_| !link.is_empty()) {
                        pieces.push(Piece {
                            text: &rest[..at],
                            link: false,
                        });
                        pieces.push(Piece {
                            text: "",
                            link: true,
                        });
                        rest = &rest[at + link.len()..];
                    }
                    pieces.push(Piece {
                        text: rest,
                        link: false,
                    });
                    pieces
                })
                .collect()
        })
        .collect();
    let context = minijinja::context! {
        lang => lang.tag(),
        subject,
        link,
        button,
        paragraphs => minijinja::Value::from(minijinja::value::Serde(&paragraphs)),
    };
    env.get_template("email.html")
        .and_then(|t| t.render(context))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "rendering an email");
            String::new()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://pc.example/invitations/accept?token=abc";

    fn invitation(body: Option<&str>) -> EmailContent {
        EmailContent::PartnershipInvitation {
            provider: "Contoso <Distribution>".into(),
            partner_network_id: "1234567".into(),
            subject: None,
            body: body.map(str::to_owned),
            link: LINK.into(),
        }
    }

    #[test]
    fn every_email_renders_in_every_language_with_its_link() {
        let request = EmailContent::RelationshipRequest {
            provider: "Contoso".into(),
            customer: "Fourth Coffee".into(),
            reseller: "Fabrikam".into(),
            link: LINK.into(),
        };
        for lang in Lang::ALL {
            let admin_relationship = EmailContent::AdminRelationshipRequest {
                provider: "Contoso".into(),
                customer: "Fourth Coffee".into(),
                reseller: "Fabrikam".into(),
                roles: "CUSTOMER_READER, ORDER_MANAGER".into(),
                days: 90,
                link: LINK.into(),
            };
            for content in [
                invitation(None),
                invitation(Some("Hi {link} bye")),
                request.clone(),
                admin_relationship,
            ] {
                let email = content.compose(lang);
                assert!(email.text.contains(LINK), "{lang:?}");
                assert_eq!(email.text.matches(LINK).count(), 1);
                assert!(
                    email.html.contains(&format!("href=\"{LINK}\"")),
                    "{}",
                    email.html
                );
                assert!(!email.html.contains("<Distribution>"), "escaped");
                assert!(!email.subject.is_empty());
            }
        }
        let zh = invitation(None).compose(Lang::ZhTw);
        assert!(
            zh.subject.contains("雲端解決方案提供者計畫"),
            "{}",
            zh.subject
        );
        assert!(zh.text.contains("間接經銷商") && zh.text.contains("合作夥伴儀表板"));
        assert!(zh.html.contains("接受建立合作關係要求"));
    }

    #[test]
    fn notices_without_a_link_render_in_every_language() {
        for lang in Lang::ALL {
            for content in [
                EmailContent::AdminRelationshipExpiring {
                    provider: "Contoso".into(),
                    customer: "Fourth Coffee".into(),
                    reseller: "Fabrikam".into(),
                    days_left: 7,
                    ends_on: "2027-03-01".into(),
                },
                EmailContent::ResellerOffboarded {
                    provider: "Contoso".into(),
                    reseller: "Fabrikam".into(),
                    relationships: 2,
                },
            ] {
                let email = content.compose(lang);
                assert!(email.text.contains("Fabrikam"), "{lang:?}");
                assert!(!email.html.contains("href"), "{}", email.html);
                assert!(!email.subject.is_empty());
            }
        }
        let zh = EmailContent::ResellerOffboarded {
            provider: "Contoso".into(),
            reseller: "Fabrikam".into(),
            relationships: 2,
        }
        .compose(Lang::ZhTw);
        assert!(zh.text.contains("合作關係"), "{}", zh.text);
    }

    #[test]
    fn the_providers_text_keeps_the_link_where_it_put_it() {
        let email = invitation(Some("Join: {link} - thanks")).compose(Lang::En);
        assert_eq!(email.text, format!("Join: {LINK} - thanks"));
        let email = invitation(Some("No link here")).compose(Lang::En);
        assert!(email.text.ends_with(&format!("{LINK}\n")));
    }
}
