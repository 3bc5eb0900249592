//! The columns of an import row (the CSV header names, DESIGN "Bulk import"), a row's
//! values, and where `createCustomer`'s input fields land among them.

use serde::{Deserialize, Serialize};

/// The CSV columns, in the documented order.
pub const COLUMNS: [&str; 15] = [
    "company_name",
    "domain",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "billing_contact_name",
    "billing_contact_email",
    "billing_contact_phone",
    "language",
    "indirect_reseller_id",
    "offer_id",
    "quantity",
    "partner_of_record_id",
];

/// The customer's own columns: the first line of a customer gives them; its following
/// lines (more subscriptions) leave them blank or repeat them.
pub const CUSTOMER_COLUMNS: [&str; 12] = [
    "company_name",
    "domain",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "billing_contact_name",
    "billing_contact_email",
    "billing_contact_phone",
    "language",
    "indirect_reseller_id",
];

/// One row as uploaded (stored as JSON); every value a string, checked by the worker.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RowData(pub Vec<String>);

impl RowData {
    pub fn get(&self, column: &str) -> &str {
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.0.get(i))
            .map_or("", |v| v.trim())
    }

    pub fn optional(&self, column: &str) -> Option<String> {
        Some(self.get(column))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// Where a `createCustomer` input field (`["input", "address", "city"]`) lands: the line
/// of the customer's order (0 for its customer columns) and the column.
pub fn column_of(field: &[String]) -> Option<(usize, &'static str)> {
    let parts: Vec<&str> = field.iter().map(String::as_str).collect();
    let column = match parts.as_slice() {
        ["input", "companyName"] => "company_name",
        ["input", "domain"] => "domain",
        ["input", "country"] => "country",
        ["input", "address", "line1"] => "address_line1",
        ["input", "address", "line2"] => "address_line2",
        ["input", "address", "city"] => "city",
        ["input", "address", "postalCode"] => "postal_code",
        ["input", "billingContact", "name"] => "billing_contact_name",
        ["input", "billingContact", "email"] => "billing_contact_email",
        ["input", "billingContact", "phone"] => "billing_contact_phone",
        ["input", "language"] => "language",
        ["input", "indirectResellerId"] => "indirect_reseller_id",
        ["input", "lines"] => "offer_id",
        ["input", "lines", n, rest] => {
            let line = n.parse().ok()?;
            let column = match *rest {
                "offerId" => "offer_id",
                "quantity" => "quantity",
                "partnerOfRecordId" => "partner_of_record_id",
                _ => return None,
            };
            return Some((line, column));
        }
        _ => return None,
    };
    Some((0, column))
}
