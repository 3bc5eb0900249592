//! What a SUSPENDED partner organization may still do, decided in this one place and
//! applied to every request before it runs (`http::graphql`): its users may sign in, read
//! what they could read before, sign out, change their password and their preferences.
//! Every other mutation is refused with `FORBIDDEN` (reason `PARTNER_SUSPENDED`), so no
//! feature can forget the rule. (Counterparties are checked where they are named: a
//! suspended provider's invitations cannot be accepted, a suspended reseller cannot be
//! designated.)

use super::Actor;
use entity::enums::EnrollmentStatus;

/// Mutations a suspended organization's users keep.
pub const ALLOWED_WHILE_SUSPENDED: &[&str] = &[
    "login",
    "logout",
    "changePassword",
    "updateViewerPreferences",
];

/// True when `actor` belongs to a suspended organization and one of `mutation_fields` is
/// not allowed to it.
pub fn refuses(actor: &Actor, mutation_fields: &[String]) -> bool {
    let suspended = actor
        .partner
        .as_ref()
        .is_some_and(|p| p.enrollment_status == EnrollmentStatus::Suspended);
    suspended
        && mutation_fields
            .iter()
            .any(|field| !ALLOWED_WHILE_SUSPENDED.contains(&field.as_str()))
}
