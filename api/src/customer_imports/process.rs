//! One customer of an import: its rows (consecutive lines with the same domain), the
//! checks of the file itself (a domain that appeared earlier, a following line that
//! contradicts the first), then `createCustomer`'s own `prepare` (its `write` is in
//! `creating`). Errors are `userErrors` at `["rows", index, column]`.

use super::columns::{CUSTOMER_COLUMNS, RowData, column_of};
use crate::customers::eligibility;
use crate::customers::onboarding::{self, Checked, NewCustomer, Prepared};
use crate::customers::pricing::LineRequest;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::user_error::{UserError, UserErrorCode};
use async_graphql::ID;
use entity::customer_import_row;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use worker::msg;

/// A row and its values.
pub struct Row {
    pub model: customer_import_row::Model,
    pub data: RowData,
}

/// The rows `start..end` of one customer.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub start: usize,
    pub end: usize,
    /// Its place among the groups.
    pub index: usize,
    /// The group where this domain first appeared (`index` unless a repeat).
    pub first: usize,
}

/// Consecutive rows with the same domain are one customer.
pub fn groups(rows: &[Row]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut first_of: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let domain = row.data.get("domain").to_lowercase();
        if let Some(last) = groups.last_mut()
            && !domain.is_empty()
            && rows[last.start].data.get("domain").to_lowercase() == domain
        {
            last.end = i + 1;
            continue;
        }
        let index = groups.len();
        let first = if domain.is_empty() {
            index
        } else {
            *first_of.entry(domain).or_insert(index)
        };
        groups.push(Group {
            start: i,
            end: i + 1,
            index,
            first,
        });
    }
    groups
}

/// What became of one customer.
pub enum Outcome {
    /// Checked and good (dry run, or the first pass of REJECT_EVERYTHING).
    Valid,
    Created {
        customer_id: i32,
        /// The admin account and its temporary password; none on a replay.
        credential: Option<(String, String)>,
        company_name: String,
        domain: String,
    },
    /// Errors per row index.
    Failed(Vec<(usize, UserError)>),
}

fn at(index: usize, column: Option<&str>) -> Vec<String> {
    let mut field = vec!["rows".to_owned(), index.to_string()];
    field.extend(column.map(str::to_owned));
    field
}

fn error(
    index: usize,
    column: Option<&str>,
    code: UserErrorCode,
    message: worker::i18n::Message,
) -> UserError {
    UserError {
        field: Some(at(index, column)),
        message,
        code,
    }
}

/// The group fails because of `errors`: every other row of it says so too.
pub(super) fn failed(rows: &[Row], group: Group, errors: Vec<(usize, UserError)>) -> Outcome {
    let line = errors.first().map_or(0, |(i, _)| rows[*i].model.line);
    let mut all = errors;
    for i in group.start..group.end {
        if !all.iter().any(|(r, _)| *r == i) {
            all.push((
                i,
                error(
                    i,
                    None,
                    UserErrorCode::Invalid,
                    msg!("error-import-customer-failed", line = line),
                ),
            ));
        }
    }
    all.sort_by_key(|(i, _)| *i);
    Outcome::Failed(all)
}

/// A `createCustomer` refusal placed on the row and column it is about.
pub(super) fn placed(group: Group, e: UserError) -> (usize, UserError) {
    let mapped = e.field.as_deref().and_then(column_of);
    let (row, column) = match mapped {
        Some((line, column)) if group.start + line < group.end => {
            (group.start + line, Some(column))
        }
        _ => (group.start, None),
    };
    (row, error(row, column, e.code, e.message))
}

/// The file's own problems, then the input `createCustomer` takes.
// The row index is the error's position as much as the row's: a range reads best.
#[allow(clippy::needless_range_loop)]
fn input(
    import_id: i32,
    rows: &[Row],
    group: Group,
) -> Result<NewCustomer, Vec<(usize, UserError)>> {
    let first = &rows[group.start].data;
    if group.first != group.index {
        let errors = (group.start..group.end)
            .map(|i| {
                (
                    i,
                    error(
                        i,
                        Some("domain"),
                        UserErrorCode::DomainTaken,
                        msg!("error-import-domain-repeated"),
                    ),
                )
            })
            .collect();
        return Err(errors);
    }
    let mut errors = Vec::new();
    for i in group.start + 1..group.end {
        for column in CUSTOMER_COLUMNS {
            let value = rows[i].data.get(column);
            if !value.is_empty() && value != first.get(column) {
                errors.push((
                    i,
                    error(
                        i,
                        Some(column),
                        UserErrorCode::Invalid,
                        msg!("error-import-customer-column-differs"),
                    ),
                ));
            }
        }
    }
    let partner = |i: usize, column: &'static str, errors: &mut Vec<(usize, UserError)>| {
        rows[i].data.optional(column).and_then(|raw| {
            match ids::decode_as(NodeType::Partner, &ID(raw)) {
                Ok(id) => Some(id),
                Err(_) => {
                    // Not an id at all: no partner can have it.
                    errors.push((
                        i,
                        error(
                            i,
                            Some(column),
                            UserErrorCode::ResellerNotPartner,
                            msg!("error-reseller-not-partner"),
                        ),
                    ));
                    None
                }
            }
        })
    };
    let reseller_id = partner(group.start, "indirect_reseller_id", &mut errors);
    let mut lines = Vec::new();
    for i in group.start..group.end {
        let data = &rows[i].data;
        let offer_id = match ids::decode_as(NodeType::Offer, &ID(data.get("offer_id").to_owned())) {
            Ok(id) => id,
            Err(_) => {
                errors.push((
                    i,
                    error(
                        i,
                        Some("offer_id"),
                        UserErrorCode::Invalid,
                        msg!("error-no-such-offer"),
                    ),
                ));
                0
            }
        };
        let quantity = match data.get("quantity").parse::<i32>() {
            Ok(q) => q,
            Err(_) => {
                errors.push((
                    i,
                    error(
                        i,
                        Some("quantity"),
                        UserErrorCode::Invalid,
                        msg!("error-import-quantity"),
                    ),
                ));
                0
            }
        };
        let partner_of_record_id = partner(i, "partner_of_record_id", &mut errors);
        lines.push(LineRequest {
            offer_id,
            quantity,
            partner_of_record_id,
            // The import's columns name no term: the offer's first, renewing (as an order
            // line that names none).
            term: None,
            auto_renew: true,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewCustomer {
        company_name: first.get("company_name").to_owned(),
        domain: first.get("domain").to_owned(),
        country: first.get("country").to_owned(),
        address_line1: first.get("address_line1").to_owned(),
        address_line2: first.optional("address_line2"),
        city: first.get("city").to_owned(),
        postal_code: first.get("postal_code").to_owned(),
        billing_contact_name: first.get("billing_contact_name").to_owned(),
        billing_contact_email: first.get("billing_contact_email").to_owned(),
        billing_contact_phone: first.optional("billing_contact_phone"),
        language: first
            .optional("language")
            .unwrap_or_else(|| "en-US".to_owned()),
        reseller_id,
        admin_roles: None,
        admin_duration_days: None,
        lines,
        // Per-row idempotency: the import and the customer's first row. A resumed worker
        // that meets a customer it already created finds it by this key.
        idempotency_key: format!("import:{import_id}:{}", group.start),
    })
}

/// What `prepare` made of a group: ready to write, a replay, or its errors.
pub enum Ready {
    New(Box<Prepared>),
    Replay(i32),
    Failed(Outcome),
}

/// Every check of the customers `groups`, writing nothing, the reads shared by the batch
/// (`onboarding::prepare_many`). Database errors (not the rows' fault) are `Err`.
/// `partners`: also whether the named resellers are ACTIVE partners, for a check that is
/// not followed by `write` (which checks them itself, locked, with the same errors).
pub async fn check_many<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    import_id: i32,
    rows: &[Row],
    groups: &[Group],
    partners: bool,
) -> ApiResult<Vec<Ready>> {
    let mut answers: Vec<Option<Ready>> = Vec::with_capacity(groups.len());
    let mut inputs = Vec::new();
    for group in groups {
        match input(import_id, rows, *group) {
            Ok(input) => {
                inputs.push(input);
                answers.push(None);
            }
            Err(errors) => answers.push(Some(Ready::Failed(failed(rows, *group, errors)))),
        }
    }
    let mut checked = onboarding::prepare_many(db, provider_id, inputs)
        .await?
        .into_iter();
    let mut ready = Vec::with_capacity(groups.len());
    for (group, answer) in groups.iter().zip(answers) {
        if let Some(answer) = answer {
            ready.push(answer);
            continue;
        }
        let checked = checked.next().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("a customer of the batch was not checked"))
        })?;
        let answer = match checked {
            Ok(Checked::Ready(prepared)) if partners => {
                resellers_checked(db, provider_id, rows, *group, prepared).await?
            }
            Ok(Checked::Ready(prepared)) => Ready::New(prepared),
            Ok(Checked::Replay(id)) => Ready::Replay(id),
            Err(ApiError::User(e)) => Ready::Failed(failed(rows, *group, vec![placed(*group, e)])),
            Err(e) => return Err(e),
        };
        ready.push(answer);
    }
    Ok(ready)
}

/// The resellers too, so that a dry run and the first pass of REJECT_EVERYTHING find what
/// creating would.
async fn resellers_checked<C: ConnectionTrait>(
    db: &C,
    provider_id: i32,
    rows: &[Row],
    group: Group,
    prepared: Box<Prepared>,
) -> ApiResult<Ready> {
    let named = prepared.named_resellers();
    let named: Vec<(i32, Vec<&str>)> = named
        .iter()
        .map(|(id, f)| (*id, f.iter().map(String::as_str).collect()))
        .collect();
    let named: Vec<(i32, &[&str])> = named.iter().map(|(id, f)| (*id, f.as_slice())).collect();
    match eligibility::check_active_partners(db, provider_id, &named).await {
        Ok(()) => Ok(Ready::New(prepared)),
        Err(ApiError::User(e)) => Ok(Ready::Failed(failed(rows, group, vec![placed(group, e)]))),
        Err(e) => Err(e),
    }
}
