//! Keyset cursors: the values of a row's sort key, opaque to clients.
//!
//! A cursor is base64url of a JSON array: the list's tag (table and order, e.g.
//! `audit_entries:-id`), then one value per key column. The tag makes a cursor from another
//! list (or an offset cursor from before keyset paging) a clear `BAD_USER_INPUT` instead of
//! a silently wrong page; each value is checked against its column's type before it reaches
//! SQL.

use super::Key;
use crate::error::ApiError;
use async_graphql::connection::CursorType;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::ColumnType;
use sea_orm::{ColumnTrait, EntityTrait, IdenStatic, ModelTrait, Value};
use serde_json::Value as Json;
use worker::msg;

/// An edge's cursor, already encoded.
pub struct KeyCursor(pub String);

impl CursorType for KeyCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        RawCursor::parse(s).map(|_| Self(s.to_owned()))
    }

    fn encode_cursor(&self) -> String {
        self.0.clone()
    }
}

/// A cursor argument, decoded but not yet checked against a list.
#[derive(Debug, Clone)]
pub struct RawCursor {
    /// `after` or `before`, to name it in an error.
    argument: &'static str,
    tag: String,
    values: Vec<Json>,
}

impl RawCursor {
    fn parse(s: &str) -> Result<(String, Vec<Json>), &'static str> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "invalid cursor")?;
        let mut items = match serde_json::from_slice(&bytes) {
            Ok(Json::Array(items)) => items.into_iter(),
            _ => return Err("invalid cursor"),
        };
        match items.next() {
            Some(Json::String(tag)) => Ok((tag, items.collect())),
            _ => Err("invalid cursor"),
        }
    }

    /// Decodes the `argument` cursor `s`; `BAD_USER_INPUT` when it is not one of ours.
    pub fn decode(argument: &'static str, s: &str) -> Result<Self, ApiError> {
        let (tag, values) = Self::parse(s)
            .map_err(|_| ApiError::BadUserInput(msg!("error-cursor", argument = argument)))?;
        Ok(Self {
            argument,
            tag,
            values,
        })
    }

    /// The key values, if this cursor belongs to a list ordered by `order`.
    pub fn values_for<E: EntityTrait>(
        &self,
        order: &[Key<E::Column>],
    ) -> Result<Vec<Value>, ApiError> {
        let invalid = || ApiError::BadUserInput(msg!("error-cursor", argument = self.argument));
        if self.tag != tag::<E>(order) || self.values.len() != order.len() {
            return Err(invalid());
        }
        order
            .iter()
            .zip(&self.values)
            .map(|(key, json)| from_json(key.column(), json).ok_or_else(invalid))
            .collect()
    }
}

/// Names a list by its table and order, so cursors of other lists are refused.
pub fn tag<E: EntityTrait>(order: &[Key<E::Column>]) -> String {
    let mut tag = format!("{}:", E::default().table_name());
    for (i, key) in order.iter().enumerate() {
        if i > 0 {
            tag.push(',');
        }
        if !key.ascending() {
            tag.push('-');
        }
        tag.push_str(key.column().as_str());
    }
    tag
}

/// The values of `row`'s sort key.
pub fn key_of<E: EntityTrait>(row: &E::Model, order: &[Key<E::Column>]) -> Vec<Value> {
    order.iter().map(|key| row.get(key.column())).collect()
}

/// The cursor of a row whose key is `values`.
pub fn encode(tag: &str, values: &[Value]) -> Result<String, ApiError> {
    let mut items = vec![Json::String(tag.to_owned())];
    for value in values {
        items.push(to_json(value).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "a sort key of {tag} has no cursor form: {value:?}"
            ))
        })?);
    }
    Ok(URL_SAFE_NO_PAD.encode(Json::Array(items).to_string()))
}

fn to_json(value: &Value) -> Option<Json> {
    Some(match value {
        Value::Int(Some(n)) => Json::from(*n),
        Value::BigInt(Some(n)) => Json::from(*n),
        Value::String(Some(s)) => Json::from(s.as_str()),
        // Nanoseconds kept, so the cursor names exactly the stored instant.
        Value::ChronoDateTimeUtc(Some(t)) => {
            Json::from(t.to_rfc3339_opts(SecondsFormat::Nanos, true))
        }
        _ => return None,
    })
}

fn from_json<C: ColumnTrait>(column: C, json: &Json) -> Option<Value> {
    Some(match column.def().get_column_type() {
        ColumnType::Integer => Value::Int(Some(i32::try_from(json.as_i64()?).ok()?)),
        ColumnType::BigInteger => Value::BigInt(Some(json.as_i64()?)),
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => {
            Value::String(Some(json.as_str()?.to_owned()))
        }
        ColumnType::TimestampWithTimeZone => Value::ChronoDateTimeUtc(Some(
            DateTime::parse_from_rfc3339(json.as_str()?)
                .ok()?
                .with_timezone(&Utc),
        )),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::{audit_entry, profile_change_request as request};

    #[test]
    fn a_cursor_names_its_list_and_round_trips_its_key() {
        let order = [
            Key::Asc(request::Column::DueBy),
            Key::Asc(request::Column::Id),
        ];
        let due = DateTime::parse_from_rfc3339("2025-03-01T09:30:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let key = [Value::ChronoDateTimeUtc(Some(due)), Value::Int(Some(42))];
        let tag = tag::<request::Entity>(&order);
        assert_eq!(tag, "profile_change_requests:due_by,id");
        let encoded = encode(&tag, &key).unwrap();
        let raw = RawCursor::decode("after", &encoded).unwrap();
        assert_eq!(raw.values_for::<request::Entity>(&order).unwrap(), key);

        // The same cursor means nothing to another list, or to another order of this one.
        let newest_first = [Key::Desc(request::Column::Id)];
        assert!(raw.values_for::<request::Entity>(&newest_first).is_err());
        let audit = [Key::Desc(audit_entry::Column::Id)];
        assert!(raw.values_for::<audit_entry::Entity>(&audit).is_err());
    }

    #[test]
    fn malformed_and_mistyped_cursors_are_refused() {
        let order = [Key::Desc(audit_entry::Column::Id)];
        let forge = |json: &str| URL_SAFE_NO_PAD.encode(json);
        for bad in [
            "",
            "bogus",
            "%%%",
            &forge("offset:5"),
            &forge("[]"),
            &forge("{}"),
        ] {
            assert!(RawCursor::decode("after", bad).is_err(), "{bad}");
        }
        for mistyped in [
            r#"["audit_entries:-id","7"]"#,
            r#"["audit_entries:-id",1.5]"#,
            r#"["audit_entries:-id",99999999999]"#,
            r#"["audit_entries:-id"]"#,
            r#"["audit_entries:-id",1,2]"#,
        ] {
            let raw = RawCursor::decode("before", &forge(mistyped)).unwrap();
            assert!(
                raw.values_for::<audit_entry::Entity>(&order).is_err(),
                "{mistyped}"
            );
        }
        let raw = RawCursor::decode("before", &forge(r#"["audit_entries:-id",7]"#)).unwrap();
        assert_eq!(
            raw.values_for::<audit_entry::Entity>(&order).unwrap(),
            [Value::Int(Some(7))]
        );
    }
}
