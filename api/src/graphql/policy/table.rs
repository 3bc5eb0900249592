//! The declarations: one row per root field of `QueryRoot`, `MutationRoot` and
//! `SubscriptionRoot`. A field added to the schema without a row here fails
//! `policy::tests::every_root_field_is_declared` (and the e2e scope matrix, which is
//! generated from this table and the schema).

use super::Need::{Open, PeopleOnly, Scopes};
use super::Policy;
use crate::api_clients::ApiScope::*;

/// A row: the field, what an API client needs, whether it is exempt from the second-factor
/// enrolment rule ("Multi-factor sign-in": enrolment, passkey registration, `viewer`,
/// `logout`, `changePassword`, `updateViewerPreferences` and the public fields).
const fn row(need: super::Need, mfa_exempt: bool) -> Policy {
    Policy { need, mfa_exempt }
}

pub static QUERY: &[(&str, Policy)] = &[
    // Each object still needs its domain's read scope (`policy::node_need`).
    ("node", row(Open, false)),
    ("nodes", row(Open, false)),
    ("viewer", row(PeopleOnly, true)),
    // Platform administration: never a partner's client.
    ("partners", row(PeopleOnly, false)),
    ("offers", row(Open, false)),
    ("invitationByToken", row(Open, true)),
    (
        "partnershipInvitations",
        row(Scopes(&[PartnershipsRead]), false),
    ),
    ("indirectResellers", row(Scopes(&[PartnershipsRead]), false)),
    ("indirectProviders", row(Scopes(&[PartnershipsRead]), false)),
    ("customers", row(Scopes(&[CustomersRead]), false)),
    ("domainAvailable", row(Scopes(&[CustomersRead]), false)),
    ("previewOrder", row(Scopes(&[CustomersRead]), false)),
    ("providerDirectory", row(Open, true)),
    (
        "profileChangeRequests",
        row(Scopes(&[DirectoryWrite]), false),
    ),
    ("auditLog", row(Scopes(&[AuditRead]), false)),
    ("webhookEndpoints", row(Scopes(&[WebhooksManage]), false)),
    ("apiClients", row(PeopleOnly, false)),
    ("currentApiClient", row(Open, false)),
    ("rateLimit", row(Open, false)),
    ("adminRelationships", row(Scopes(&[CustomersRead]), false)),
    // The approval page's preview for the customer's admin, a person.
    ("adminRelationshipByToken", row(PeopleOnly, false)),
    // A provider's prices to its resellers are partnership business.
    ("priceLists", row(Scopes(&[PartnershipsRead]), false)),
    // Platform administration: never a partner's client.
    ("trustedDocuments", row(PeopleOnly, false)),
    ("customerImports", row(Scopes(&[CustomersRead]), false)),
];

pub static MUTATION: &[(&str, Policy)] = &[
    ("login", row(PeopleOnly, true)),
    ("logout", row(Open, true)),
    ("changePassword", row(PeopleOnly, true)),
    ("updateViewerPreferences", row(PeopleOnly, true)),
    ("addUser", row(PeopleOnly, false)),
    ("updateUser", row(PeopleOnly, false)),
    ("removeUser", row(PeopleOnly, false)),
    ("enrollPartner", row(PeopleOnly, true)),
    ("approveEnrollment", row(PeopleOnly, false)),
    ("suspendPartner", row(PeopleOnly, false)),
    (
        "requestPartnership",
        row(Scopes(&[PartnershipsWrite]), false),
    ),
    (
        "resendPartnershipInvitation",
        row(Scopes(&[PartnershipsWrite]), false),
    ),
    (
        "revokePartnershipInvitation",
        row(Scopes(&[PartnershipsWrite]), false),
    ),
    (
        "acceptPartnershipInvitation",
        row(Scopes(&[PartnershipsWrite]), false),
    ),
    (
        "declinePartnershipInvitation",
        row(Scopes(&[PartnershipsWrite]), false),
    ),
    ("endPartnership", row(Scopes(&[PartnershipsWrite]), false)),
    (
        "createCustomer",
        row(Scopes(&[CustomersWrite, OrdersWrite]), false),
    ),
    // Ending an import writes no customer: the customers' write scope is enough.
    (
        "cancelCustomerImport",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "deleteCustomerImport",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "placeOrder",
        row(Scopes(&[CustomersWrite, OrdersWrite]), false),
    ),
    (
        "updateSubscriptionQuantity",
        row(Scopes(&[CustomersWrite]), false),
    ),
    ("upgradeSubscription", row(Scopes(&[CustomersWrite]), false)),
    ("suspendSubscription", row(Scopes(&[CustomersWrite]), false)),
    (
        "reactivateSubscription",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "setSubscriptionPartnerOfRecord",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "grantAzureTenantOwner",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "setSubscriptionSupportContact",
        row(Scopes(&[CustomersWrite]), false),
    ),
    // A person's password, even a customer admin's.
    ("resetCustomerAdminPassword", row(PeopleOnly, false)),
    (
        "requestCustomerResellerRelationship",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "acceptCustomerResellerRelationship",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "submitProfileChangeRequest",
        row(Scopes(&[DirectoryWrite]), false),
    ),
    ("resolveProfileChangeRequest", row(PeopleOnly, false)),
    (
        "createWebhookEndpoint",
        row(Scopes(&[WebhooksManage]), false),
    ),
    (
        "updateWebhookEndpoint",
        row(Scopes(&[WebhooksManage]), false),
    ),
    (
        "deleteWebhookEndpoint",
        row(Scopes(&[WebhooksManage]), false),
    ),
    ("rotateWebhookSecret", row(Scopes(&[WebhooksManage]), false)),
    ("sendTestWebhook", row(Scopes(&[WebhooksManage]), false)),
    ("redeliverWebhook", row(Scopes(&[WebhooksManage]), false)),
    ("createApiClient", row(PeopleOnly, false)),
    ("rotateApiClientSecret", row(PeopleOnly, false)),
    ("revokeApiClient", row(PeopleOnly, false)),
    // Second factors: a person's own, never a client's. Enrolment and the sign-in steps are
    // exempt from the organization's rule (a user who must enrol can still do so).
    ("enrollTotp", row(PeopleOnly, true)),
    ("confirmTotp", row(PeopleOnly, true)),
    ("disableTotp", row(PeopleOnly, false)),
    ("verifyMfa", row(PeopleOnly, true)),
    ("setOrganizationMfaRequired", row(PeopleOnly, false)),
    ("resetUserMfa", row(PeopleOnly, false)),
    ("beginPasskeyRegistration", row(PeopleOnly, true)),
    ("finishPasskeyRegistration", row(PeopleOnly, true)),
    ("beginPasskeySignIn", row(PeopleOnly, true)),
    ("renamePasskey", row(PeopleOnly, false)),
    ("removePasskey", row(PeopleOnly, false)),
    ("createPriceList", row(Scopes(&[PartnershipsWrite]), false)),
    ("setResellerPrice", row(Scopes(&[PartnershipsWrite]), false)),
    ("assignPriceList", row(Scopes(&[PartnershipsWrite]), false)),
    // Creates customers and their first orders, as `createCustomer` does.
    (
        "importCustomers",
        row(Scopes(&[CustomersWrite, OrdersWrite]), false),
    ),
    (
        "createAdminRelationship",
        row(Scopes(&[CustomersWrite]), false),
    ),
    // The customer's admin approves or declines: a person, by the emailed link.
    ("approveAdminRelationship", row(PeopleOnly, false)),
    ("declineAdminRelationship", row(PeopleOnly, false)),
    (
        "terminateAdminRelationship",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "updateAdminRelationship",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "offboardReseller",
        row(Scopes(&[PartnershipsWrite, CustomersWrite]), false),
    ),
    ("cancelSubscription", row(Scopes(&[CustomersWrite]), false)),
    (
        "setSubscriptionAutoRenew",
        row(Scopes(&[CustomersWrite]), false),
    ),
    (
        "revokeAzureTenantOwner",
        row(Scopes(&[CustomersWrite]), false),
    ),
    // Platform administration: never a partner's client.
    ("addTrustedDocuments", row(PeopleOnly, false)),
    ("removeTrustedDocument", row(PeopleOnly, false)),
];

pub static SUBSCRIPTION: &[(&str, Policy)] = &[("events", row(Scopes(&[EventsRead]), false))];
