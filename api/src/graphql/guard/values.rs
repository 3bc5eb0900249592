//! Values written in the document or sent as variables: their size (what validation and
//! execution copy at each use) and the NUL rule (PostgreSQL refuses NUL and SQLite cuts
//! text at it, so it can only ever do harm).

use super::Refusal;
use async_graphql::Positioned;
use async_graphql::parser::types::Directive;
use async_graphql_value::{ConstValue, Value};
use worker::msg;

/// How many values `value` holds (itself, list items and object fields, recursively).
pub fn value_count(value: &ConstValue) -> usize {
    1 + match value {
        ConstValue::List(items) => items.iter().map(value_count).sum(),
        ConstValue::Object(fields) => fields.values().map(value_count).sum(),
        _ => 0,
    }
}

pub fn check_directive_values(directives: &[Positioned<Directive>]) -> Result<(), Refusal> {
    for directive in directives {
        for (_, value) in &directive.node.arguments {
            check_value(&value.node)?;
        }
    }
    Ok(())
}

fn nul() -> Refusal {
    Refusal::Invalid(msg!("error-nul"))
}

/// Refuses a NUL character anywhere in a value written in the document.
pub fn check_value(value: &Value) -> Result<(), Refusal> {
    match value {
        Value::String(text) if text.contains('\0') => Err(nul()),
        Value::List(items) => items.iter().try_for_each(check_value),
        Value::Object(fields) => fields.values().try_for_each(check_value),
        _ => Ok(()),
    }
}

/// Refuses a NUL character anywhere in a variable's value (or a default).
pub fn check_const(value: &ConstValue) -> Result<(), Refusal> {
    match value {
        ConstValue::String(text) if text.contains('\0') => Err(nul()),
        ConstValue::List(items) => items.iter().try_for_each(check_const),
        ConstValue::Object(fields) => fields.values().try_for_each(check_const),
        _ => Ok(()),
    }
}
