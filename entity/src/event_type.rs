//! What happened: the action of every audit entry, which is also its event type. One list,
//! so nothing can be recorded that clients cannot subscribe to. The dotted name is what the
//! audit log stores and webhooks carry (`partnership_invitation.accepted`); the GraphQL
//! enum value is the same in upper snake case (`PARTNERSHIP_INVITATION_ACCEPTED`).

macro_rules! event_types {
    ($( $(#[$doc:meta])* $variant:ident => $dotted:literal, )+) => {
        /// The type of an event: the action of an audit entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        pub enum EventType {
            $( $(#[$doc])* $variant, )+
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[ $( EventType::$variant, )+ ];

            /// The dotted name stored in the audit log and sent in webhooks.
            pub fn dotted(self) -> &'static str {
                match self {
                    $( EventType::$variant => $dotted, )+
                }
            }

            /// The type of a stored action, if it is one.
            pub fn from_dotted(action: &str) -> Option<Self> {
                match action {
                    $( $dotted => Some(EventType::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    /// An organization enrolled (PENDING).
    PartnerEnrolled => "partner.enrolled",
    /// The platform approved an enrollment (ACTIVE).
    PartnerApproved => "partner.approved",
    /// The platform suspended a partner (SUSPENDED).
    PartnerSuspended => "partner.suspended",
    /// A user signed in (target: the user).
    SessionStarted => "session.started",
    /// A user signed out (target: the user).
    SessionEnded => "session.ended",
    /// An ADMIN added (or brought back) a user of its organization.
    UserAdded => "user.added",
    /// An ADMIN renamed a user or changed its role.
    UserUpdated => "user.updated",
    /// A user was removed from its organization (deactivated, sessions ended).
    UserRemoved => "user.removed",
    /// A user changed its password (its other sessions ended).
    UserPasswordChanged => "user.password_changed",
    /// A user turned on a second factor (authenticator app codes).
    UserMfaEnabled => "user.mfa_enabled",
    /// A user's authenticator app was turned off (by the user, or reset by an ADMIN or the
    /// platform).
    UserMfaDisabled => "user.mfa_disabled",
    /// A user signed in with one of its single-use recovery codes.
    UserRecoveryCodeUsed => "user.recovery_code_used",
    /// A user registered a passkey.
    UserPasskeyAdded => "user.passkey_added",
    /// A passkey of a user was removed.
    UserPasskeyRemoved => "user.passkey_removed",
    /// An ADMIN turned the organization's second-factor requirement on or off.
    OrganizationMfaRequiredChanged => "organization.mfa_required_changed",
    /// A provider invited a reseller email to a partnership.
    PartnershipInvitationRequested => "partnership_invitation.requested",
    /// A provider re-sent an invitation with a new link.
    PartnershipInvitationResent => "partnership_invitation.resent",
    /// A provider withdrew a pending invitation.
    PartnershipInvitationRevoked => "partnership_invitation.revoked",
    /// A reseller accepted an invitation (the partnership is ACTIVE).
    PartnershipInvitationAccepted => "partnership_invitation.accepted",
    /// A reseller declined an invitation.
    PartnershipInvitationDeclined => "partnership_invitation.declined",
    /// An invitation passed its expiry unanswered (recorded by the worker).
    PartnershipInvitationExpired => "partnership_invitation.expired",
    /// Either side ended a partnership.
    PartnershipEnded => "partnership.ended",
    /// An invitation or relationship request email went out (target: the invitation or
    /// request).
    EmailSent => "email.sent",
    /// Every attempt to send an invitation or relationship request email failed.
    EmailFailed => "email.failed",
    /// A provider created a customer with its admin account and first order.
    CustomerCreated => "customer.created",
    /// A provider gave the customer's reseller the tenant-owner role on its Azure tenant.
    CustomerAzureTenantOwnerGranted => "customer.azure_tenant_owner_granted",
    /// A provider issued a new temporary password for a customer's admin account.
    CustomerAdminPasswordReset => "customer.admin_password_reset",
    /// A provider asked a customer to accept a reseller (target: the request).
    CustomerRelationshipRequested => "customer_relationship.requested",
    /// A customer accepted a reseller as its delegated administrator (target: the request).
    CustomerRelationshipAccepted => "customer_relationship.accepted",
    /// A relationship request passed its expiry unanswered (recorded by the worker).
    CustomerRelationshipRequestExpired => "customer_relationship_request.expired",
    /// An order was placed for a customer (target: the order).
    OrderPlaced => "order.placed",
    /// A subscription's number of licenses changed.
    SubscriptionQuantityChanged => "subscription.quantity_changed",
    /// A subscription was suspended.
    SubscriptionSuspended => "subscription.suspended",
    /// A suspended subscription was reactivated.
    SubscriptionReactivated => "subscription.reactivated",
    /// A subscription was upgraded (target: the new subscription).
    SubscriptionUpgraded => "subscription.upgraded",
    /// A subscription's partner of record was set or removed.
    SubscriptionPartnerOfRecordSet => "subscription.partner_of_record_set",
    /// A subscription's support contact was set.
    SubscriptionSupportContactSet => "subscription.support_contact_set",
    /// A provider or a reseller with `SUBSCRIPTION_MANAGER` cancelled a subscription.
    SubscriptionCancelled => "subscription.cancelled",
    /// A provider revoked a reseller's Azure tenant ownership of a customer.
    CustomerAzureTenantOwnerRevoked => "customer.azure_tenant_owner_revoked",
    /// A provider asked a customer to approve an admin relationship with a reseller.
    AdminRelationshipRequested => "admin_relationship.requested",
    /// The customer's admin approved an admin relationship (ACTIVE).
    AdminRelationshipApproved => "admin_relationship.approved",
    /// The customer's admin declined an admin relationship.
    AdminRelationshipDeclined => "admin_relationship.declined",
    /// The provider changed an admin relationship (auto-extend).
    AdminRelationshipUpdated => "admin_relationship.updated",
    /// An auto-extending admin relationship reached its end and was extended (worker).
    AdminRelationshipExtended => "admin_relationship.extended",
    /// An admin relationship that will not extend ends soon; its parties were told (worker).
    AdminRelationshipExpiring => "admin_relationship.expiring",
    /// An admin relationship reached its end, or was not approved in time (worker).
    AdminRelationshipExpired => "admin_relationship.expired",
    /// The provider, the reseller or the customer terminated an admin relationship.
    AdminRelationshipTerminated => "admin_relationship.terminated",
    /// A provider submitted a profile change request.
    ProfileChangeRequestSubmitted => "profile_change_request.submitted",
    /// The platform took a profile change request into review.
    ProfileChangeRequestInReview => "profile_change_request.in_review",
    /// The platform completed a profile change request (the profile changed).
    ProfileChangeRequestCompleted => "profile_change_request.completed",
    /// The platform rejected a profile change request.
    ProfileChangeRequestRejected => "profile_change_request.rejected",
    /// An ADMIN registered a webhook endpoint.
    WebhookEndpointCreated => "webhook_endpoint.created",
    /// An ADMIN changed a webhook endpoint (URL, types, description or state).
    WebhookEndpointUpdated => "webhook_endpoint.updated",
    /// An ADMIN deleted a webhook endpoint.
    WebhookEndpointDeleted => "webhook_endpoint.deleted",
    /// An ADMIN rotated a webhook endpoint's signing secret.
    WebhookEndpointSecretRotated => "webhook_endpoint.secret_rotated",
    /// A delivery was queued again by `redeliverWebhook`.
    WebhookDeliveryRequeued => "webhook_delivery.requeued",
    /// An endpoint failed for too long and was disabled.
    WebhookEndpointDisabled => "webhook_endpoint.disabled",
    /// The test event of `sendTestWebhook`: delivered to the one endpoint it names.
    WebhookTest => "webhook.test",
    /// An ADMIN created an API client.
    ApiClientCreated => "api_client.created",
    /// An ADMIN rotated an API client's secret.
    ApiClientSecretRotated => "api_client.secret_rotated",
    /// An ADMIN revoked an API client (its tokens stop working).
    ApiClientRevoked => "api_client.revoked",
    /// An API client ended its own access token (`logout`).
    ApiClientSignedOut => "api_client.signed_out",
    /// A provider created a price list.
    PriceListCreated => "price_list.created",
    /// A provider set a new version of a reseller price on one of its lists.
    ResellerPriceSet => "reseller_price.set",
    /// A provider assigned a price list to resellers.
    PriceListAssigned => "price_list.assigned",
    /// A subscription's term ended and it renewed for another, with a RENEWAL order line at
    /// the prices then in force (worker).
    SubscriptionRenewed => "subscription.renewed",
    /// A subscription's term ended without renewal: it is CANCELLED (worker).
    SubscriptionExpired => "subscription.expired",
    /// A subscription's automatic renewal was turned on or off.
    SubscriptionAutoRenewSet => "subscription.auto_renew_set",
    /// A subscription's term ends soon (30 or 7 days); the provider and the reseller were
    /// told whether it renews (worker).
    SubscriptionTermEnding => "subscription.term_ending",
    /// A platform administrator added a trusted document (clients may now name it by its
    /// hash).
    TrustedDocumentAdded => "trusted_document.added",
    /// A platform administrator removed a trusted document.
    TrustedDocumentRemoved => "trusted_document.removed",
    /// A customer import went on: one per batch of rows (target: the import).
    CustomerImportProgress => "customer_import.progress",
    /// A customer import ended (SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, VALIDATED or
    /// CANCELLED).
    CustomerImportFinished => "customer_import.finished",
    /// A finished customer import was deleted with its rows (its customers stay).
    CustomerImportDeleted => "customer_import.deleted",
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.dotted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for t in EventType::ALL {
            assert_eq!(EventType::from_dotted(t.dotted()), Some(*t));
            assert!(seen.insert(t.dotted()), "{t} twice");
        }
    }

    #[cfg(feature = "graphql")]
    #[test]
    fn graphql_names_are_the_dotted_names_in_upper_snake_case() {
        use async_graphql::resolver_utils::EnumType;
        for item in EventType::items() {
            assert_eq!(
                item.name,
                item.value.dotted().replace('.', "_").to_uppercase(),
                "{}",
                item.value
            );
        }
    }
}
