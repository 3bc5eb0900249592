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
    PartnerSuspended => "partner.suspended",
    SessionStarted => "session.started",
    SessionEnded => "session.ended",
    UserAdded => "user.added",
    UserUpdated => "user.updated",
    /// A user was removed from its organization (deactivated, sessions ended).
    UserRemoved => "user.removed",
    UserPasswordChanged => "user.password_changed",
    PartnershipInvitationRequested => "partnership_invitation.requested",
    PartnershipInvitationResent => "partnership_invitation.resent",
    PartnershipInvitationRevoked => "partnership_invitation.revoked",
    PartnershipInvitationAccepted => "partnership_invitation.accepted",
    PartnershipInvitationDeclined => "partnership_invitation.declined",
    PartnershipInvitationExpired => "partnership_invitation.expired",
    PartnershipEnded => "partnership.ended",
    /// An invitation or relationship request email went out (target: the invitation or
    /// request).
    EmailSent => "email.sent",
    /// Every attempt to send an invitation or relationship request email failed.
    EmailFailed => "email.failed",
    CustomerCreated => "customer.created",
    CustomerAzureTenantOwnerGranted => "customer.azure_tenant_owner_granted",
    CustomerAdminPasswordReset => "customer.admin_password_reset",
    CustomerRelationshipRequested => "customer_relationship.requested",
    CustomerRelationshipAccepted => "customer_relationship.accepted",
    CustomerRelationshipRequestExpired => "customer_relationship_request.expired",
    OrderPlaced => "order.placed",
    SubscriptionQuantityChanged => "subscription.quantity_changed",
    SubscriptionSuspended => "subscription.suspended",
    SubscriptionReactivated => "subscription.reactivated",
    SubscriptionUpgraded => "subscription.upgraded",
    SubscriptionPartnerOfRecordSet => "subscription.partner_of_record_set",
    SubscriptionSupportContactSet => "subscription.support_contact_set",
    ProfileChangeRequestSubmitted => "profile_change_request.submitted",
    ProfileChangeRequestInReview => "profile_change_request.in_review",
    ProfileChangeRequestCompleted => "profile_change_request.completed",
    ProfileChangeRequestRejected => "profile_change_request.rejected",
    WebhookEndpointCreated => "webhook_endpoint.created",
    WebhookEndpointUpdated => "webhook_endpoint.updated",
    WebhookEndpointDeleted => "webhook_endpoint.deleted",
    WebhookEndpointSecretRotated => "webhook_endpoint.secret_rotated",
    /// A delivery was queued again by `redeliverWebhook`.
    WebhookDeliveryRequeued => "webhook_delivery.requeued",
    /// An endpoint failed for too long and was disabled.
    WebhookEndpointDisabled => "webhook_endpoint.disabled",
    /// The test event of `sendTestWebhook`: delivered to the one endpoint it names.
    WebhookTest => "webhook.test",
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
