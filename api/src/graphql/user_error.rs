//! `UserError` entries of mutation payloads: business-rule failures the user can fix.

use async_graphql::{Context, Enum, Object};
use worker::i18n::Message;

/// Stable machine-readable reasons. Clients switch on these; add, never rename.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A field is malformed (email, country code, length...).
    Invalid,
    /// A value is out of the allowed range.
    OutOfRange,
    /// Another account already uses this email address.
    EmailTaken,
    /// The email or password is not correct.
    InvalidCredentials,
    /// The new password is too short (under 10 characters), too long (over 256 bytes) or
    /// the same as the current one.
    WeakPassword,
    /// The object is not in a state that allows this (e.g. already approved).
    InvalidState,
    /// The last ADMIN of an organization cannot be removed or demoted.
    LastAdmin,
    /// A user cannot remove their own account.
    CannotRemoveSelf,
    /// The reseller's enrollment is not ACTIVE yet.
    ResellerNotEnrolled,
    /// The provider's enrollment is not ACTIVE.
    ProviderNotActive,
    /// The two organizations already have an ACTIVE partnership.
    AlreadyPartners,
    /// No invitation or request has this token (for a relationship request: none for the
    /// signed-in customer).
    InvitationNotFound,
    /// The link expired; the provider can re-send a partnership invitation.
    InvitationExpired,
    /// The provider withdrew the invitation.
    InvitationRevoked,
    /// Accepted or declined already: invitations are single use.
    InvitationAlreadyUsed,
    /// The inviting provider cannot answer its own invitation.
    CannotAnswerOwnInvitation,
    /// Only indirect resellers can accept a partnership invitation.
    NotAReseller,
    /// The reseller still manages customers or subscriptions of this provider.
    PartnershipInUse,
    /// Another customer already uses this domain.
    DomainTaken,
    /// The reseller is not an ACTIVE partner of this provider.
    ResellerNotPartner,
    /// The offer is not sold in the customer's country.
    OfferNotAvailable,
    /// The offer is not an upgrade target of the subscription's offer.
    NotAnUpgradeTarget,
    /// The customer holds no live Azure subscription.
    NotAnAzureCustomer,
    /// The customer has no reseller with delegated administration.
    NoAssociatedReseller,
    /// Not a PNG, JPEG or SVG image (judged from the bytes), or empty.
    InvalidLogo,
    /// The logo is larger than 256 KiB.
    LogoTooLarge,
    /// An SVG that cannot be stored safely: a DTD or XML entities, or text to be drawn.
    /// (Scripts, handlers, CSS and external references are removed, not refused.)
    UnsafeSvg,
    /// Target URLs must use https.
    InsecureUrl,
    /// Two target URLs for one country.
    DuplicateCountry,
    /// The provider already has a SUBMITTED or IN_REVIEW request.
    OpenRequestExists,
    /// A webhook URL on a private, loopback or link-local address (or a name resolving only
    /// to such addresses).
    TargetNotAllowed,
    /// An approval link that was used, expired, or is not the signed-in customer's.
    InvalidToken,
    /// The subscription's cancellation window (purchase or last renewal plus
    /// `SUBSCRIPTIONS__CANCELLATION_WINDOW_DAYS`) has closed: it can no longer be cancelled
    /// or lose licenses this term (licenses can still be added; turn off automatic renewal
    /// to end it with its term).
    CancellationWindowClosed,
    /// An import file that is not a well-formed CSV of the documented columns (bad quoting,
    /// wrong column count, invalid UTF-8, no data rows); the message names line and column.
    InvalidCsv,
}

impl UserErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "INVALID",
            Self::OutOfRange => "OUT_OF_RANGE",
            Self::EmailTaken => "EMAIL_TAKEN",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::WeakPassword => "WEAK_PASSWORD",
            Self::InvalidState => "INVALID_STATE",
            Self::LastAdmin => "LAST_ADMIN",
            Self::CannotRemoveSelf => "CANNOT_REMOVE_SELF",
            Self::ResellerNotEnrolled => "RESELLER_NOT_ENROLLED",
            Self::ProviderNotActive => "PROVIDER_NOT_ACTIVE",
            Self::AlreadyPartners => "ALREADY_PARTNERS",
            Self::InvitationNotFound => "INVITATION_NOT_FOUND",
            Self::InvitationExpired => "INVITATION_EXPIRED",
            Self::InvitationRevoked => "INVITATION_REVOKED",
            Self::InvitationAlreadyUsed => "INVITATION_ALREADY_USED",
            Self::CannotAnswerOwnInvitation => "CANNOT_ANSWER_OWN_INVITATION",
            Self::NotAReseller => "NOT_A_RESELLER",
            Self::PartnershipInUse => "PARTNERSHIP_IN_USE",
            Self::DomainTaken => "DOMAIN_TAKEN",
            Self::ResellerNotPartner => "RESELLER_NOT_PARTNER",
            Self::OfferNotAvailable => "OFFER_NOT_AVAILABLE",
            Self::NotAnUpgradeTarget => "NOT_AN_UPGRADE_TARGET",
            Self::NotAnAzureCustomer => "NOT_AN_AZURE_CUSTOMER",
            Self::NoAssociatedReseller => "NO_ASSOCIATED_RESELLER",
            Self::InvalidLogo => "INVALID_LOGO",
            Self::LogoTooLarge => "LOGO_TOO_LARGE",
            Self::UnsafeSvg => "UNSAFE_SVG",
            Self::InsecureUrl => "INSECURE_URL",
            Self::DuplicateCountry => "DUPLICATE_COUNTRY",
            Self::OpenRequestExists => "OPEN_REQUEST_EXISTS",
            Self::TargetNotAllowed => "TARGET_NOT_ALLOWED",
            Self::InvalidToken => "INVALID_TOKEN",
            Self::CancellationWindowClosed => "CANCELLATION_WINDOW_CLOSED",
            Self::InvalidCsv => "INVALID_CSV",
        }
    }
}

/// A business-rule failure of a mutation, which the user can fix: mutations list them in
/// their payload's `userErrors` (empty on success) instead of top-level `errors`.
#[derive(Clone, Debug)]
pub struct UserError {
    pub field: Option<Vec<String>>,
    /// Rendered in the request's language when read.
    pub message: Message,
    pub code: UserErrorCode,
}

/// A business-rule failure of a mutation, which the user can fix: mutations list them in
/// their payload's `userErrors` (empty on success) instead of top-level `errors`.
#[Object]
impl UserError {
    /// Path to the input field at fault, e.g. `["input", "email"]` or
    /// `["input", "lines", "0", "quantity"]`; null when no single field is at fault.
    async fn field(&self) -> Option<&Vec<String>> {
        self.field.as_ref()
    }
    /// What went wrong and what to do, for people, in the language of the request's
    /// `Accept-Language` (English or Traditional Chinese); the wording may change, the code
    /// does not.
    async fn message(&self, ctx: &Context<'_>) -> String {
        self.message.render(crate::language::of_request(ctx))
    }
    /// Stable machine-readable reason: switch on this, not on `message`.
    async fn code(&self) -> UserErrorCode {
        self.code
    }
}

impl UserError {
    pub fn new(code: UserErrorCode, field: &[&str], message: Message) -> Self {
        Self {
            field: (!field.is_empty()).then(|| field.iter().map(|s| (*s).to_owned()).collect()),
            message,
            code,
        }
    }
}
