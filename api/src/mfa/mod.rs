//! Multi-factor sign-in (issue 23): what a user holds besides its password — authenticator
//! app codes (TOTP, RFC 6238), single-use recovery codes, passkeys — the short-lived
//! challenge between the password step and the second factor, and the organization's rule
//! that every user must hold one (`gate`, enforced once for every root field).
//!
//! - `codes`: the arithmetic of TOTP codes and the form of recovery codes (no I/O);
//! - `service`: enrolment, confirmation, turning off, an ADMIN's reset, the rule;
//! - `challenge`: the two-step sign-in (`login` → `verifyMfa`), throttled like passwords;
//! - `notify`: one audit entry (so one event) and one email per change;
//! - `passkeys`: WebAuthn registration and sign-in through webauthn-rs;
//! - `page`: `GET /account/security`;
//! - `graphql`, `passkeys_graphql`, `types`: the thin GraphQL surface.

pub mod challenge;
pub mod clock;
pub mod codes;
pub mod gate;
pub mod graphql;
pub mod notify;
pub mod page;
pub mod passkeys;
pub mod passkeys_graphql;
pub mod service;
pub mod types;

pub use clock::Clock;
pub use graphql::MfaMutation;
pub use passkeys_graphql::PasskeyMutation;

/// What a service call needs besides the database: the codes' clock, and how to send the
/// email a change causes (written to the outbox in the change's transaction, dispatched
/// after commit).
pub struct Env<'a> {
    pub db: &'a sea_orm::DatabaseConnection,
    pub settings: &'a crate::settings::Settings,
    pub dispatcher: Option<&'a crate::jobs::Dispatcher>,
    pub public_url: &'a str,
    pub request_id: String,
}

impl<'a> Env<'a> {
    pub fn clock(&self) -> &Clock {
        &self.settings.clock
    }

    /// What a resolver has.
    pub fn of(ctx: &async_graphql::Context<'a>) -> Self {
        Self {
            db: crate::graphql::db(ctx),
            settings: crate::graphql::settings(ctx),
            dispatcher: ctx.data_opt::<crate::jobs::Dispatcher>(),
            public_url: ctx
                .data_opt::<crate::jobs::PublicUrl>()
                .map_or("", |u| u.0.as_str()),
            request_id: crate::audit::request_id(ctx),
        }
    }
}
