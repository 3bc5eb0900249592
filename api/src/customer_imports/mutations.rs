//! `importCustomers`, `cancelCustomerImport`, `deleteCustomerImport` and `customerImports`:
//! thin resolvers over `service` and `ending`.

use super::columns::RowData;
use super::graphql::CustomerImport;
use super::service::{self, NewImport, Source};
use crate::audit::Who;
use crate::auth;
use crate::error::ApiError;
use crate::graphql::connection::{self, Key, Page, PageArgs};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use entity::customer_import::{self, ErrorPolicy};
use std::io::Read;
use worker::msg;

/// One row sent as JSON: the CSV columns (see README, "Bulk customer import").
#[derive(InputObject)]
pub struct CustomerImportRowInput {
    /// The CSV column `company_name`.
    company_name: String,
    /// Consecutive rows with the same domain are one customer with several subscriptions.
    domain: String,
    /// ISO 3166-1 alpha-2.
    country: String,
    /// `address_line1`.
    address_line1: String,
    /// `address_line2` (optional).
    address_line2: Option<String>,
    /// `city`.
    city: String,
    /// `postal_code`.
    postal_code: String,
    /// `billing_contact_name`.
    billing_contact_name: String,
    /// `billing_contact_email`.
    billing_contact_email: String,
    /// `billing_contact_phone` (optional).
    billing_contact_phone: Option<String>,
    /// BCP 47; "en-US" when absent.
    language: Option<String>,
    /// An ACTIVE partner reseller to administer the customer (as `createCustomer`).
    indirect_reseller_id: Option<ID>,
    /// `offer_id`: one subscription of the customer.
    offer_id: ID,
    /// `quantity`: its licenses.
    quantity: i32,
    /// `partner_of_record_id` (optional).
    partner_of_record_id: Option<ID>,
}

impl From<CustomerImportRowInput> for RowData {
    fn from(r: CustomerImportRowInput) -> Self {
        let id = |id: Option<ID>| id.map(|i| i.0).unwrap_or_default();
        RowData(vec![
            r.company_name,
            r.domain,
            r.country,
            r.address_line1,
            r.address_line2.unwrap_or_default(),
            r.city,
            r.postal_code,
            r.billing_contact_name,
            r.billing_contact_email,
            r.billing_contact_phone.unwrap_or_default(),
            r.language.unwrap_or_default(),
            id(r.indirect_reseller_id),
            r.offer_id.0,
            r.quantity.to_string(),
            id(r.partner_of_record_id),
        ])
    }
}

/// Input of `importCustomers`: exactly one of `file` and `rows`.
#[derive(InputObject)]
pub struct ImportCustomersInput {
    /// A CSV file (UTF-8, a BOM allowed) with the documented header, sent as a GraphQL
    /// multipart request; at most `IMPORTS__MAX_ROWS` (10,000) data rows.
    file: Option<Upload>,
    /// Or the rows as JSON.
    rows: Option<Vec<CustomerImportRowInput>>,
    /// REJECT_FAILED_ROWS (default) or REJECT_EVERYTHING.
    #[graphql(default_with = "ErrorPolicy::RejectFailedRows")]
    error_policy: ErrorPolicy,
    /// Check every row against the database and write nothing (ends VALIDATED).
    #[graphql(default)]
    dry_run: bool,
    /// The same key for a re-upload answers the first import. 1 to 128 characters.
    idempotency_key: String,
}

/// Result of `importCustomers`.
#[derive(SimpleObject)]
pub struct ImportCustomersPayload {
    /// The import (QUEUED; or the first one with this key); null on failure.
    import: Option<CustomerImport>,
    /// `INVALID_CSV` (at `["input", "file"]`, naming line and column), `OUT_OF_RANGE`
    /// (too many rows, a file or value too long), `INVALID`, `PROVIDER_NOT_ACTIVE`.
    user_errors: Vec<UserError>,
}

/// Names one of the provider's imports.
#[derive(InputObject)]
pub struct CustomerImportIdInput {
    /// The import's global id.
    import_id: ID,
}

/// Result of `cancelCustomerImport`.
#[derive(SimpleObject)]
pub struct CancelCustomerImportPayload {
    /// The import, CANCELLED; null on failure.
    import: Option<CustomerImport>,
    /// `INVALID_STATE`: the import had already finished.
    user_errors: Vec<UserError>,
}

/// Result of `deleteCustomerImport`.
#[derive(SimpleObject)]
pub struct DeleteCustomerImportPayload {
    /// The id of the deleted import; null on failure.
    deleted_import_id: Option<ID>,
    /// `INVALID_STATE`: the import is still QUEUED or RUNNING (cancel it first).
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CustomerImportQuery;

#[Object]
impl CustomerImportQuery {
    /// A provider's users: its customer imports, newest first. Others: `FORBIDDEN` (reason
    /// `PROVIDER_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn customer_imports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<CustomerImport>> {
        let provider = service::provider_of(auth::actor(ctx)?)?;
        let args = PageArgs::new(after, before, first, last)?;
        Ok(connection::paginate(
            db(ctx),
            service::list(provider),
            &[Key::Desc(customer_import::Column::Id)],
            args,
            CustomerImport,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct CustomerImportMutation;

#[Object]
impl CustomerImportMutation {
    /// Provider ADMIN or SALES_AGENT: imports customers from a CSV file or JSON rows. The
    /// shape is checked and the import stored at once (QUEUED); a worker then creates each
    /// customer exactly as `createCustomer` would (admin account, reseller relationship,
    /// subscriptions), in batches, with `CUSTOMER_IMPORT_PROGRESS` events and a
    /// `CUSTOMER_IMPORT_FINISHED` one. Temporary passwords: `GET
    /// /imports/{id}/credentials.csv`, once.
    ///
    /// userErrors: `INVALID_CSV`, `OUT_OF_RANGE`, `INVALID`, `PROVIDER_NOT_ACTIVE`.
    /// Top-level: `FORBIDDEN` (reason `PROVIDER_ONLY` or `SALES_ONLY`), `BAD_USER_INPUT`
    /// (the upload cannot be read).
    async fn import_customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file or rows, the error policy, dry run and idempotency key.")]
        input: ImportCustomersInput,
    ) -> Result<ImportCustomersPayload> {
        let actor = auth::actor(ctx)?;
        let settings = &crate::graphql::settings(ctx).imports;
        let both = input.file.is_some() && input.rows.is_some();
        let source = match (input.file, input.rows) {
            (Some(upload), _) => {
                let value = upload
                    .value(ctx)
                    .map_err(|_| ApiError::BadUserInput(msg!("error-upload-unreadable")))?;
                let mut bytes = Vec::new();
                // One byte over the bound is enough to refuse it.
                value
                    .into_read()
                    .take(settings.max_file_bytes as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| ApiError::internal("reading the upload", e))?;
                Some(Source::File(bytes))
            }
            (None, Some(rows)) => Some(Source::Rows(rows.into_iter().map(RowData::from).collect())),
            (None, None) => None,
        };
        let new = NewImport {
            source,
            both,
            error_policy: input.error_policy,
            dry_run: input.dry_run,
            idempotency_key: input.idempotency_key,
        };
        let (import, user_errors) = split(service::start(db(ctx), actor, settings, new).await)?;
        Ok(ImportCustomersPayload {
            import: import.map(CustomerImport),
            user_errors,
        })
    }

    /// Provider ADMIN or SALES_AGENT: stops a QUEUED or RUNNING import. The customers
    /// created until then stay (each can be cancelled as any other); the rest of the rows
    /// stay PENDING. A batch in progress finishes first; the worker writes nothing after
    /// it. Ends with a `CUSTOMER_IMPORT_FINISHED` event (status CANCELLED).
    ///
    /// userErrors: `INVALID_STATE` (already finished). Top-level: `FORBIDDEN` (reason
    /// `PROVIDER_ONLY` or `SALES_ONLY`), `NOT_FOUND` (also another provider's import).
    async fn cancel_customer_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The import to stop.")] input: CustomerImportIdInput,
    ) -> Result<CancelCustomerImportPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(NodeType::CustomerImport, &input.import_id)?;
        let who = Who::of(ctx, actor);
        let now = crate::graphql::settings(ctx).clock.now();
        let (import, user_errors) =
            split(super::ending::cancel(db(ctx), actor, &who, id, now).await)?;
        Ok(CancelCustomerImportPayload {
            import: import.map(CustomerImport),
            user_errors,
        })
    }

    /// Provider ADMIN or SALES_AGENT: deletes a finished import with its rows and any
    /// temporary passwords not downloaded. Its customers stay. Audited
    /// (`CUSTOMER_IMPORT_DELETED`).
    ///
    /// userErrors: `INVALID_STATE` (still QUEUED or RUNNING). Top-level: `FORBIDDEN`
    /// (reason `PROVIDER_ONLY` or `SALES_ONLY`), `NOT_FOUND` (also another provider's).
    async fn delete_customer_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The import to delete.")] input: CustomerImportIdInput,
    ) -> Result<DeleteCustomerImportPayload> {
        let actor = auth::actor(ctx)?;
        let id = ids::decode_as(NodeType::CustomerImport, &input.import_id)?;
        let who = Who::of(ctx, actor);
        let (deleted, user_errors) = split(super::ending::delete(db(ctx), actor, &who, id).await)?;
        Ok(DeleteCustomerImportPayload {
            deleted_import_id: deleted.map(|()| input.import_id),
            user_errors,
        })
    }
}
