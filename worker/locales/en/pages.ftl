# The server's own pages: invitation landing pages, the dev mailbox, GraphiQL.

page-suffix = Partner Center
# The language's own name, on the links to a page in the other languages.
language-name = English
page-render-failed = The page could not be rendered.
sign-in-email = Email
sign-in-password = Password
sign-in = Sign in
unreachable = The Partner Center could not be reached. Try again in a moment.
temporary-password = Your account still has a temporary password. Change it in the Partner Dashboard, then open this link again.

invitation-page-title = Partnership invitation
invitation-loading = Loading the invitation…
invitation-invites = invites your organization to partner with them as an indirect reseller.
invitation-partner-id = (partner ID { $id })
invitation-status = Status:
invitation-valid-until = valid until
invitation-sign-in-hint = Sign in with your indirect reseller account to answer.
invitation-signed-in-as = Signed in as
invitation-accept = Accept partnership
invitation-decline = Decline
invitation-your-providers = Your indirect providers:
invitation-no-token = This link has no invitation token. Open the link from the invitation email.
invitation-not-valid = This invitation link is not valid. Ask the provider to send a new one.
invitation-expired = This invitation has expired. Ask the provider to send it again.
invitation-revoked = The provider has withdrawn this invitation.
invitation-accepted = This invitation has already been accepted.
invitation-declined = This invitation has been declined.
invitation-unusable = This invitation can no longer be used.
invitation-you-declined = You declined the invitation.
invitation-now-partners = You are now partners with { $provider }.
status-PENDING = PENDING
status-ACCEPTED = ACCEPTED
status-DECLINED = DECLINED
status-REVOKED = REVOKED
status-EXPIRED = EXPIRED

relationship-page-title = Reseller relationship request
relationship-explain = Your provider asks you to accept a reseller with delegated administration of your subscriptions. Sign in with your administrator account to accept.
relationship-sign-in-accept = Sign in and accept
relationship-sign-in-failed = Sign-in failed.
relationship-temporary-password = Change your temporary password first, then open this link again.
relationship-no-token = This link has no request token. Open the link from the email.
relationship-done = { $reseller } now administers your subscriptions.

mailbox-title = Mailbox
mailbox-explain = Emails the server wrote to { $outbox } (embedded mode: nothing is sent to a mail server), newest first. Open one to read it and follow its links.
mailbox-received = Received
mailbox-to = To
mailbox-subject = Subject
mailbox-delivery = Delivery
mailbox-about = About
mailbox-empty = No email yet. Request a partnership in GraphiQL and it appears here.
mailbox-back = ← Mailbox
mailbox-from = From
mailbox-date = Date
mailbox-html = HTML
mailbox-html-sandboxed = Shown in a sandbox: no script runs; links open in a new tab.
mailbox-html-frame = The email's HTML
mailbox-text = Text
delivery-QUEUED = QUEUED
delivery-SENT = SENT
delivery-FAILED = FAILED
delivery-CANCELLED = CANCELLED
mailbox-about-invitation = Partnership invitation: { $status }
mailbox-about-relationship = Reseller relationship request: { $status }

graphiql-title = Partner Center API · GraphiQL
graphiql-loading = Loading GraphiQL…
graphiql-missing-title = GraphiQL is not built into this server
graphiql-missing = Its files are fetched from the npm registry when the server is built, and that did not work: { $why }.
graphiql-missing-hint = The API itself works: send GraphQL to POST /graphql with any client, or rebuild with Node.js and npm available.
