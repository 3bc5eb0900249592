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
use crate::graphql::policy;
use sea_orm::ConnectionTrait;

pub const REASON: &str = "MFA_ENROLLMENT_REQUIRED";

/// True when the root field `field` is exempt from the rule: its row in the per-field policy
/// table (`graphql::policy`, the one place where cross-cutting rules are declared) says so,
/// or it is introspection. Root field names are unique across the three root types.
pub fn is_exempt(field: &str) -> bool {
    use async_graphql::parser::types::OperationType::*;
    field.starts_with("__")
        || [Query, Mutation, Subscription]
            .into_iter()
            .any(|root| policy::of(root, field).is_some_and(|p| p.mfa_exempt))
}

/// `Err(Forbidden(MFA_ENROLLMENT_REQUIRED))` when `actor`'s organization requires a second
/// factor, `actor` holds none, and a root field of the request is not exempt. Costs a
/// lookup only for users of organizations with the rule on.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    root_fields: &[String],
) -> ApiResult<()> {
    // API clients are not people: the rule is about users' sessions only.
    if actor.client().is_some() {
        return Ok(());
    }
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

    /// The exempt fields are exactly those DESIGN.md names ("Multi-factor sign-in"):
    /// enrolment, passkey registration, the user's own account, and the public fields.
    #[test]
    fn the_exempt_fields_are_the_designed_ones() {
        use async_graphql::parser::types::OperationType::*;
        let mut exempt: Vec<&str> = [Query, Mutation, Subscription]
            .into_iter()
            .flat_map(|root| policy::declared(root).iter())
            .filter(|(_, p)| p.mfa_exempt)
            .map(|(name, _)| *name)
            .collect();
        exempt.sort_unstable();
        let mut designed = vec![
            "enrollTotp",
            "confirmTotp",
            "beginPasskeyRegistration",
            "finishPasskeyRegistration",
            "viewer",
            "logout",
            "changePassword",
            "updateViewerPreferences",
            "login",
            "verifyMfa",
            "beginPasskeySignIn",
            "enrollPartner",
            "invitationByToken",
            "providerDirectory",
        ];
        designed.sort_unstable();
        assert_eq!(exempt, designed);
        assert!(is_exempt("__schema") && !is_exempt("customers"));
    }
}
