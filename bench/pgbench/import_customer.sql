-- pgbench: the inserts one imported row (a customer of one subscription, delegated to a
-- partner reseller, as `importCustomers` and `createCustomer` make it) needs, one customer
-- per transaction: customer, admin user, ACTIVE admin relationship and its event, order,
-- subscription and order line, the customer's event. Run with one client, as one worker
-- imports one file. The reseller (partner id P + 1) is provider 1's first partner at any scale.
-- Variables: -D providers=50 (set by the harness).
\set provider 1
\set reseller :providers + 1
\set n random(1, 1000000000)
BEGIN;
INSERT INTO "customers" ("provider_id", "reseller_id", "company_name", "domain", "country", "address_line1", "address_line2", "city", "postal_code", "billing_contact_name", "billing_contact_email", "billing_contact_phone", "language", "idempotency_key", "azure_tenant_owner_id", "created_at") VALUES (:provider, :reseller, 'Import Customer ' || :client_id || '-' || :n, 'pgi' || :client_id || '-' || :n || '-' || txid_current() || '.bench.example', 'US', '1 Main Street', NULL, 'Redmond', '98052', 'Pat Doe', 'billing@bench.example', NULL, 'en-US', 'pgimport-' || :client_id || '-' || :n || '-' || txid_current(), NULL, now()) RETURNING "id", "domain", "company_name" \gset c_
INSERT INTO "users" ("email", "name", "password_hash", "role", "partner_id", "customer_id", "must_change_password", "created_at", "preferred_language") VALUES ('admin@' || :c_domain, 'Pat Doe administrator', 'sha256$0000000000000000000000000000000000000000000000000000000000000000', 'CUSTOMER_ADMIN', NULL, :c_id, true, now(), 'en-US') RETURNING "id" \gset u_
INSERT INTO "admin_relationships" ("customer_id", "reseller_id", "provider_id", "roles", "status", "duration_days", "auto_extend", "created_by_user_id", "created_at", "approval_expires_at", "approved_at", "ends_at") VALUES (:c_id, :reseller, :provider, 'CUSTOMER_READER,ORDER_MANAGER,SUBSCRIPTION_MANAGER,USER_ADMINISTRATOR', 'ACTIVE', 730, false, :provider + 1000, now(), now(), now(), now() + interval '730 days') RETURNING "id" \gset r_
INSERT INTO "audit_entries" ("occurred_at", "request_id", "actor_user_id", "actor_partner_id", "action", "target_type", "target_id", "summary", "subject_partner_id") VALUES (now(), 'pgbench', :provider + 1000, :provider, 'admin_relationship.approved', 'AdminRelationship', 'QWRtaW5SZWxhdGlvbnNoaXA6' || :r_id, 'Admin relationship approved', :reseller);
INSERT INTO "orders" ("customer_id", "provider_id", "placed_by_user_id", "on_behalf_of_reseller_id", "created_at") VALUES (:c_id, :provider, :provider + 1000, :reseller, now()) RETURNING "id" \gset o_
INSERT INTO "subscriptions" ("customer_id", "offer_id", "quantity", "status", "partner_of_record_id", "support_contact_partner_id", "upgraded_from_id", "created_at", "updated_at", "term", "term_started_at", "term_ends_at", "auto_renew", "term_number") VALUES (:c_id, 1, 5, 'ACTIVE', :reseller, :provider, NULL, now(), now(), 'P1M', now(), now() + interval '1 month', true, 1) RETURNING "id" \gset s_
INSERT INTO "order_lines" ("order_id", "kind", "subscription_id", "offer_id", "quantity_change", "monthly_unit_price_minor", "currency", "list_unit_price_minor", "reseller_unit_price_minor") VALUES (:o_id, 'NEW', :s_id, 1, 5, 1250, 'USD', 1250, 1250);
INSERT INTO "audit_entries" ("occurred_at", "request_id", "actor_user_id", "actor_partner_id", "action", "target_type", "target_id", "summary", "subject_partner_id") VALUES (now(), 'pgbench', :provider + 1000, :provider, 'customer.created', 'Customer', 'Q3VzdG9tZXI6' || :c_id, 'Created customer ' || :c_company_name, :reseller);
COMMIT;
