-- The benchmark dataset, generated set-based in PostgreSQL (psql variables: providers,
-- resellers, customers, invitations). Run on a freshly migrated, empty database after
-- `create-platform-admin` has created platform@bench.example (its password hash is reused
-- so every seeded user can sign in with the same password).
--
-- Layout (ids are fixed so the harness can name things without asking):
--   partners 1..P are ACTIVE indirect providers, P+1..P+R ACTIVE indirect resellers;
--   user n is the ADMIN of partner n; session token `bench-provider-n` signs in as user n;
--   reseller r (0-based) partners with provider r % P + 1 and (r * 7 + 3) % P + 1;
--   customer c belongs to provider c % P + 1; 4 in 5 are delegated to one of its partners;
--   3 subscriptions per customer (1 in 20 SUSPENDED, 1 in 20 CANCELLED), each with an order;
--   invitations: 6 in 10 ACCEPTED, 2 EXPIRED, 1 DECLINED, 1 PENDING (not yet due);
--   every invitation has its SENT email, every customer and invitation an audit entry.
\set ON_ERROR_STOP on
BEGIN;

CREATE TEMP TABLE bench_hash AS
  SELECT password_hash FROM users WHERE email = 'platform@bench.example';

INSERT INTO partners (id, kind, company_name, country, partner_network_id, enrollment_status, created_at, approved_at)
SELECT n,
       CASE WHEN n <= :providers THEN 'INDIRECT_PROVIDER' ELSE 'INDIRECT_RESELLER' END,
       CASE WHEN n <= :providers THEN 'Provider ' ELSE 'Reseller ' END || n || ' Ltd',
       (ARRAY['US','GB','DE','FR','NL'])[n % 5 + 1],
       'B' || lpad(n::text, 9, '0'),
       'ACTIVE', now() - interval '400 days', now() - interval '399 days'
FROM generate_series(1, :providers + :resellers) AS n;

INSERT INTO users (id, email, name, password_hash, role, partner_id, customer_id, must_change_password, created_at)
SELECT n + 1000,
       CASE WHEN n <= :providers THEN 'provider-' ELSE 'reseller-' END || n || '@bench.example',
       'Admin ' || n, (SELECT password_hash FROM bench_hash), 'ADMIN', n, NULL, false,
       now() - interval '399 days'
FROM generate_series(1, :providers + :resellers) AS n;
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));

INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
SELECT encode(sha256(convert_to(
         CASE WHEN n <= :providers THEN 'bench-provider-' || n
              ELSE 'bench-reseller-' || (n - :providers) END, 'UTF8')), 'hex'),
       n + 1000, now(), now() + interval '7 days'
FROM generate_series(1, :providers + :resellers) AS n;

INSERT INTO partnerships (provider_id, reseller_id, status, invitation_id, created_at, ended_at)
SELECT DISTINCT p, :providers + 1 + r, 'ACTIVE', NULL::int, now() - interval '300 days', NULL::timestamptz
FROM generate_series(0, :resellers - 1) AS r,
     LATERAL (VALUES (r % :providers + 1), ((r * 7 + 3) % :providers + 1)) AS v(p);

-- Customer c: provider c % P + 1; reseller k-th partner (r = k * P + provider - 1) of it.
INSERT INTO customers (id, provider_id, reseller_id, company_name, domain, country, address_line1,
  address_line2, city, postal_code, billing_contact_name, billing_contact_email,
  billing_contact_phone, language, idempotency_key, azure_tenant_owner_id, created_at)
SELECT c, c % :providers + 1,
       CASE WHEN c % 5 = 0 THEN NULL
            ELSE :providers + 1 + ((c / :providers) % (:resellers / :providers)) * :providers + c % :providers END,
       'Customer ' || c || ' Inc', 'customer' || c || '.bench.example', 'US',
       c || ' Main Street', NULL, 'Redmond', '98052', 'Billing Contact ' || c,
       'billing@customer' || c || '.bench.example', NULL, 'en-US', 'seed-' || c, NULL,
       now() - (c || ' minutes')::interval
FROM generate_series(1, :customers) AS c;

INSERT INTO users (email, name, password_hash, role, partner_id, customer_id, must_change_password, created_at)
SELECT 'admin@customer' || c || '.bench.example', 'Customer admin ' || c,
       (SELECT password_hash FROM bench_hash), 'CUSTOMER_ADMIN', NULL, c, true, now()
FROM generate_series(1, :customers) AS c;

INSERT INTO orders (id, customer_id, provider_id, placed_by_user_id, on_behalf_of_reseller_id, created_at)
SELECT id, id, provider_id, provider_id + 1000, reseller_id, created_at FROM customers;

-- Subscription 3c - k (k = 0, 1, 2) of customer c; offers taken in turn from the catalog.
CREATE TEMP TABLE bench_offer AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, min_quantity, max_quantity,
         monthly_unit_price_minor, currency FROM offers WHERE NOT is_add_on;
-- Each on a one-year term from its creation (issue 24), renewing.
INSERT INTO subscriptions (id, customer_id, offer_id, quantity, status, partner_of_record_id,
  support_contact_partner_id, upgraded_from_id, created_at, updated_at, term, term_started_at,
  term_ends_at, auto_renew, term_number)
SELECT 3 * c.id - k, c.id, o.id,
       greatest(o.min_quantity, least(o.max_quantity, 5 + (c.id + k) % 40)),
       CASE (3 * c.id - k) % 20 WHEN 0 THEN 'SUSPENDED' WHEN 1 THEN 'CANCELLED' ELSE 'ACTIVE' END,
       c.reseller_id, coalesce(c.reseller_id, c.provider_id), NULL, c.created_at, c.created_at,
       'P1Y', c.created_at, c.created_at + interval '1 year', TRUE, 1
FROM customers c, generate_series(0, 2) AS k,
     LATERAL (SELECT * FROM bench_offer
              WHERE i = (c.id * 3 + k) % (SELECT count(*) FROM bench_offer)) o;

INSERT INTO order_lines (order_id, kind, subscription_id, offer_id, quantity_change, monthly_unit_price_minor, currency)
SELECT s.customer_id, 'NEW', s.id, s.offer_id, s.quantity, o.monthly_unit_price_minor, o.currency
FROM subscriptions s JOIN offers o ON o.id = s.offer_id;

INSERT INTO outbound_emails (id, kind, to_address, subject, text_body, html_body, status, attempts,
  last_error, created_at, next_attempt_at, locked_until, sent_at, scrub_after_send, retry_after)
SELECT i, 'partnership_invitation', 'prospect' || i || '@bench.example',
       'Partner with Provider ' || (i % :providers + 1) || ' Ltd', '[sent]', '[sent]', 'SENT', 1,
       NULL, now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval, NULL,
       now() - (i || ' minutes')::interval, NULL, NULL
FROM generate_series(1, :invitations) AS i;

INSERT INTO partnership_invitations (id, provider_id, reseller_email, token_hash, status, subject,
  body, created_by_user_id, created_at, expires_at, responded_at, responded_by_partner_id,
  outbound_email_id)
SELECT i, i % :providers + 1, 'prospect' || i || '@bench.example',
       md5('bench-invitation-' || i) || md5('token-' || i),
       CASE WHEN i % 10 < 6 THEN 'ACCEPTED' WHEN i % 10 < 8 THEN 'EXPIRED'
            WHEN i % 10 = 8 THEN 'DECLINED' ELSE 'PENDING' END,
       'Partner with Provider ' || (i % :providers + 1) || ' Ltd',
       'We would like to work with you as an indirect reseller of our cloud offers. '
         || 'Select the link to review and accept the partnership.',
       i % :providers + 1001,
       CASE WHEN i % 10 = 9 THEN now() - interval '1 day' ELSE now() - (i || ' minutes')::interval - interval '40 days' END,
       CASE WHEN i % 10 = 9 THEN now() + interval '29 days' ELSE now() - (i || ' minutes')::interval - interval '10 days' END,
       CASE WHEN i % 10 < 6 OR i % 10 = 8 THEN now() - interval '35 days' END,
       NULL, i
FROM generate_series(1, :invitations) AS i;

INSERT INTO audit_entries (occurred_at, request_id, actor_user_id, actor_partner_id, action,
  target_type, target_id, summary, subject_partner_id)
SELECT created_at, 'seed', provider_id + 1000, provider_id, 'customer.created', 'Customer',
       translate(encode(convert_to('Customer:' || id, 'UTF8'), 'base64'), '+/=', '-_'),
       'Created customer ' || company_name, reseller_id
FROM customers
UNION ALL
SELECT created_at, 'seed', created_by_user_id, provider_id, 'partnership_invitation.requested',
       'PartnershipInvitation',
       translate(encode(convert_to('PartnershipInvitation:' || id, 'UTF8'), 'base64'), '+/=', '-_'),
       'Invited ' || reseller_email, NULL
FROM partnership_invitations;

-- Rows above were given explicit ids: move each sequence past them.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partners','users','customers','orders','subscriptions',
                           'outbound_emails','partnership_invitations'] LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT max(id) FROM %I))', t, t);
  END LOOP;
END $$;
COMMIT;
