# Summaries of audit entries and events (auditLog, live events), one per kind of change.
# Stored as id and arguments and written in the reader's language when read.

audit-signed-in = { $email } signed in
audit-signed-out = { $email } signed out
audit-password-changed = Password changed; other sessions ended
audit-preferred-language = { $email }: preferred language { $language }
audit-user-added = { $email } added as { $role }
audit-user-updated = { $email } is now { $role } named { $name }
audit-user-removed = { $email } removed; sessions ended

audit-partner-enrolled = { $partner } enrolled as { $kind ->
    [INDIRECT_PROVIDER] an indirect provider
   *[other] an indirect reseller
}, enrollment PENDING
audit-enrollment-approved = Enrollment of { $partner } approved: ACTIVE
audit-partner-suspended = { $partner } suspended

audit-partnership-requested = Partnership requested with { $email }
audit-partnership-drafted = Partnership requested with { $email } (draft only)
audit-invitation-resent = Invitation to { $email } re-sent with a new link
audit-invitation-revoked = Invitation to { $email } revoked
audit-invitation-accepted = { $reseller } accepted the partnership invitation
audit-invitation-declined = { $reseller } declined the partnership invitation
audit-invitation-expired = Invitation to { $email } expired unanswered
audit-partnership-ended = Partnership ended
audit-email-sent = Email to { $email } sent
audit-email-failed = Email to { $email } failed after { $attempts } attempts: { $error }

audit-customer-created = Customer { $customer } ({ $domain }) created with its admin account
audit-customer-admin-password-reset = { $customer }: new temporary password for { $email }; its sessions ended
audit-order-placed = Order placed for { $customer }
audit-relationship-requested = { $customer } asked to accept { $reseller } as reseller
audit-relationship-accepted = { $customer } accepted its new reseller
audit-relationship-accepted-by-customer = { $customer } accepted you as its reseller
audit-relationship-expired = Customer relationship request expired unanswered
audit-tenant-owner-granted = { $customer }: Azure tenant owner role granted
audit-subscription-suspended = { $customer }: subscription suspended
audit-subscription-reactivated = { $customer }: subscription reactivated

audit-subscription-quantity = { $customer }: { $quantity } licenses of { $offer } (was { $was })
audit-subscription-upgraded = { $customer }: upgraded to { $offer } ({ $quantity } licenses)
audit-partner-of-record-set = { $customer }: { $partner ->
    [none] partner of record removed
   *[other] partner of record set to { $partner }
}
audit-support-contact-set = { $customer }: support contact set to { $partner }

audit-profile-change-requested = Profile change requested: { $partner }
audit-profile-change-in-review = Profile change request taken into review
audit-profile-updated = Profile updated: { $partner }
audit-profile-change-rejected = Profile change rejected: { $reason }

# Webhook summaries name no URL: every member reads the audit log, endpoints are
# their ADMINs' (a URL often carries a token).
audit-webhook-endpoint-registered = Webhook endpoint registered
audit-webhook-endpoint-updated = Webhook endpoint updated
audit-webhook-endpoint-deleted = Webhook endpoint deleted
audit-webhook-secret-rotated = Signing secret of a webhook endpoint rotated
audit-webhook-test = Test event for a webhook endpoint
audit-webhook-delivery-requeued = Webhook delivery queued again
audit-webhook-endpoint-disabled = Webhook endpoint disabled after failing for too long
webhook-disabled-by-admin = Disabled by an administrator
webhook-disabled-failing = Disabled after failing since before { $since }: { $error }

audit-subscription-cancelled = { $customer }: subscription cancelled
audit-admin-relationship-requested = { $customer } asked to approve { $reseller } as administrator ({ $roles }) for { $days } days
audit-admin-relationship-approved = { $customer }: admin relationship approved for { $days } days
audit-admin-relationship-declined = { $customer }: admin relationship declined
audit-admin-relationship-terminated = { $customer }: admin relationship terminated
audit-admin-relationship-auto-extend-on = Admin relationship set to extend automatically
audit-admin-relationship-auto-extend-off = Admin relationship set to end without extending
audit-admin-relationship-expired = Admin relationship expired
audit-admin-relationship-extended = Admin relationship extended by 180 days
audit-admin-relationship-expiring = Admin relationship ends in { $days } days
audit-tenant-owner-revoked = { $customer }: Azure tenant owner role revoked
audit-partnership-offboarded = Reseller offboarded and partnership ended: { $relationships } admin relationships terminated, { $moved } designations moved, { $cleared } cleared, { $revoked } tenant ownerships revoked
# API clients: the name is the ADMIN's label, never the secret.
audit-api-client-created = API client created: { $name }
audit-api-client-secret-rotated = Secret of API client rotated: { $name }
audit-api-client-revoked = API client revoked: { $name }
audit-api-client-signed-out = API client's access token ended: { $name }
## Multi-factor sign-in (issue 23)
audit-mfa-enabled = Authenticator app codes turned on for { $email }
audit-mfa-disabled = Authenticator app codes turned off for { $email }
audit-mfa-reset = Second factors of { $email } reset by an administrator
audit-recovery-code-used = { $email } signed in with a recovery code ({ $left } left)
audit-passkey-added = Passkey "{ $name }" added for { $email }
audit-passkey-removed = Passkey "{ $name }" removed for { $email }
audit-mfa-required-on = Second factor now required for every user of the organization
audit-mfa-required-off = Second factor no longer required for the organization's users
# Price lists: what a reseller pays its provider.
audit-price-list-created = Price list created: { $name }
audit-reseller-price-set = Price list { $name }: new price for { $offer } from { $from }
audit-price-list-assigned = Price list { $name } assigned to { $count } resellers
audit-subscription-renewed = { $customer }: subscription renewed for another term, until { $date }
audit-subscription-expired = { $customer }: subscription ended with its term (no automatic renewal)
audit-subscription-auto-renew-on = { $customer }: automatic renewal turned on
audit-subscription-auto-renew-off = { $customer }: automatic renewal turned off
audit-subscription-term-ending = { $customer }: subscription term ends in { $days } days
audit-trusted-document-added = Trusted document added: { $id }
audit-trusted-document-removed = Trusted document removed: { $id }
# Bulk customer import.
audit-customer-import-progress = Customer import: { $processed } of { $total } rows done
audit-customer-import-finished = Customer import finished ({ $status }): { $succeeded } rows succeeded, { $failed } failed
audit-customer-import-deleted = Customer import deleted ({ $rows } rows, { $succeeded } succeeded); its customers stay
