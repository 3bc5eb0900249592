//! The organization's rule, decided in this one place and applied once to every request
//! before it runs, over HTTP (`http::graphql`) and WebSocket (`http::ws::operation`): while
//! an organization requires a second factor, its users who hold none may use only the root
//! fields listed here; any other root field refuses the whole request with `FORBIDDEN`,
//! `extensions.reason = "MFA_ENROLLMENT_REQUIRED"`. Because it runs before execution, this
//! refusal comes before any role refusal. API clients are not people: the rule is about
//! users' sessions only.

use super::service;
use crate::auth::Actor;
use crate::error::ApiResult;
use sea_orm::ConnectionTrait;

pub const REASON: &str = "MFA_ENROLLMENT_REQUIRED";

/// Root fields (of queries, mutations and subscriptions) that a user who must enrol may
/// still use. Everything else is refused until the user holds a second factor.
pub const MFA_EXEMPT_ROOT_FIELDS: &[&str] = &[
    // Enrolment.
    "enrollTotp",
    "confirmTotp",
    "beginPasskeyRegistration",
    "finishPasskeyRegistration",
    // The user's own account.
    "viewer",
    "logout",
    "changePassword",
    "updateViewerPreferences",
    // Public fields (they need no sign-in at all).
    "login",
    "verifyMfa",
    "beginPasskeySignIn",
    "enrollPartner",
    "invitationByToken",
    "providerDirectory",
    // Introspection and the type name.
    "__typename",
    "__schema",
    "__type",
];

/// True when `field` is exempt from the rule.
pub fn is_exempt(field: &str) -> bool {
    MFA_EXEMPT_ROOT_FIELDS.contains(&field)
}

/// `Err(Forbidden(MFA_ENROLLMENT_REQUIRED))` when `actor`'s organization requires a second
/// factor, `actor` holds none, and a root field of the request is not exempt. Costs a
/// lookup only for users of organizations with the rule on.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    root_fields: &[String],
) -> ApiResult<()> {
    let required = actor.partner.as_ref().is_some_and(|p| p.mfa_required);
    if !required || root_fields.iter().all(|f| is_exempt(f)) {
        return Ok(());
    }
    if service::factors(db, actor.user.id).await?.any() {
        return Ok(());
    }
    Err(crate::error::ApiError::Forbidden(REASON))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list names fields that exist: a renamed field cannot silently fall out of it.
    #[test]
    fn every_exempt_field_is_a_root_field_of_the_schema() {
        let sdl = crate::graphql::sdl();
        for field in MFA_EXEMPT_ROOT_FIELDS
            .iter()
            .filter(|f| !f.starts_with("__"))
        {
            assert!(
                sdl.contains(&format!("\t{field}(")) || sdl.contains(&format!("\t{field}:")),
                "{field} is not in the schema"
            );
        }
    }
}
