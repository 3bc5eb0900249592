# Emails. The partnership invitation's paragraphs are also the provider's default draft,
# which the provider may edit before it is sent ({ $link } is always kept).

email-invitation-subject = { $provider } invites you to partner in the Cloud Solution Provider program
email-invitation-greeting = Hello,
email-invitation-intro = { $provider } (partner ID { $partnerId }) would like to partner with you as an indirect reseller in the Cloud Solution Provider program. With a partnership we can serve customers together: we can add customers and place orders on your behalf, and designate you to manage their subscriptions and earn credit for them.
email-invitation-accept = To accept, sign in to the Partner Dashboard with your indirect reseller account through this personalized link:
email-invitation-enroll = If you are not enrolled as an indirect reseller yet, enroll first, then open the link again.
email-invitation-closing = Thank you,
email-invitation-button = Accept the partnership request

email-relationship-subject = { $provider } asks you to accept { $reseller } as your reseller
email-relationship-greeting = Hello,
email-relationship-intro = { $provider } asks { $customer } to accept { $reseller } as a reseller with delegated administration: { $reseller } will manage your subscriptions and services on your behalf.
email-relationship-accept = Sign in with your administrator account and accept through this single-use link:
email-relationship-ignore = If you do not expect this request, ignore this email; the link expires on its own.
email-relationship-button = Accept the reseller relationship

email-link-fallback = If the button does not work, copy this address into your browser:

email-admin-relationship-subject = { $provider } asks you to approve { $reseller } as an administrator for { $days } days
email-admin-relationship-greeting = Hello,
email-admin-relationship-intro = { $provider } asks { $customer } to approve an admin relationship with { $reseller }: { $reseller } may act on your behalf with these roles: { $roles }, for { $days } days from your approval. You can end it at any time.
email-admin-relationship-approve = Sign in with your administrator account to review and approve or decline it through this single-use link:
email-admin-relationship-ignore = If you do not expect this request, ignore this email; the link expires after 30 days.
email-admin-relationship-button = Review the admin relationship
email-admin-relationship-expiring-subject = The admin relationship of { $reseller } with { $customer } ends in { $days } days
email-admin-relationship-expiring-intro = The admin relationship between { $customer } and { $reseller } (asked for by { $provider }) ends on { $date }, in { $days } days, and will not extend.
email-admin-relationship-expiring-renew = To keep delegated administration, { $provider } can ask for a new relationship before then; the customer's administrator approves it.
email-offboarded-subject = { $provider } ended its partnership with { $reseller }
email-offboarded-intro = { $provider } offboarded { $reseller }: { $count } admin relationships with its customers were terminated, your designations on its subscriptions were moved or cleared, and the partnership has ended.
## Account security notices (issue 23): a change to the reader's own sign-in factors.
email-security-subject-mfa-enabled = Authenticator app codes are now on for your account
email-security-subject-mfa-disabled = Authenticator app codes were turned off for your account
email-security-subject-recovery-code-used = A recovery code was used to sign in to your account
email-security-subject-passkey-added = A passkey was added to your account
email-security-subject-passkey-removed = A passkey was removed from your account
email-security-subject-changed = The sign-in settings of your account changed
email-security-greeting = Hello,
email-security-mfa-enabled = Signing in to your Partner Center account now asks for a code from your authenticator app after your password. Keep your recovery codes somewhere safe: each works once if you lose the app.
email-security-mfa-disabled = Your account no longer asks for a code from an authenticator app when you sign in.
email-security-recovery-code-used = Someone signed in to your account with one of your single-use recovery codes. That code no longer works.
email-security-passkey-added = A new passkey can now be used as the second step of signing in to your account.
email-security-passkey-removed = A passkey can no longer be used to sign in to your account.
email-security-changed = The sign-in settings of your account changed.
email-security-review = Review your sign-in methods here:
email-security-not-you = If this was not you, change your password now and ask your organization's administrator to reset your second factor.
email-security-button = Review account security
email-term-ending-subject = The { $offer } subscription of { $customer } ends its term in { $days } days
email-term-ending-intro = The current term of { $customer }'s subscription to { $offer } ({ $quantity } licenses) ends on { $date }, in { $days } days.
email-term-ending-renews = It renews automatically for another term, at { $amount } a month at the prices in force then. To end it instead, turn off automatic renewal before the term ends.
email-term-ending-ends = It will not renew: automatic renewal is off, so the subscription ends then ({ $amount } a month today). To keep it, turn automatic renewal on before the term ends.
