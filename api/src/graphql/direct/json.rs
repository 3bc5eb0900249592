//! Writing the response body by hand, byte for byte as the general path's serializer
//! (serde_json over async-graphql's `ConstValue`) writes it: compact, strings escaped by
//! serde_json itself, fields in selection-set order.

use std::io::Write;

/// The body being written.
pub struct Out {
    pub bytes: Vec<u8>,
}

impl Out {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(n),
        }
    }

    #[inline]
    pub fn raw(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
    }

    #[inline]
    pub fn byte(&mut self, b: u8) {
        self.bytes.push(b);
    }

    /// A JSON string, escaped exactly as serde_json escapes it.
    #[inline]
    pub fn string(&mut self, s: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.bytes, s);
    }

    pub fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.raw("null"),
        }
    }

    pub fn int(&mut self, n: i64) {
        let _ = write!(self.bytes, "{n}");
    }

    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    /// Any value as the general path writes it (for the few scalars whose text form is
    /// the library's: date-times, enums, the budget's report).
    pub fn value(&mut self, value: &async_graphql::Value) {
        let _ = serde_json::to_writer(&mut self.bytes, value);
    }

    /// `,` before every member but the first of an object or list.
    #[inline]
    pub fn comma(&mut self, first: &mut bool) {
        if !std::mem::take(first) {
            self.bytes.push(b',');
        }
    }
}

/// A response key as written before its value: `"key":`, escaped once when the plan is
/// prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(Box<str>);

impl Key {
    pub fn new(name: &str) -> Self {
        let mut s = serde_json::to_string(name).unwrap_or_default();
        s.push(':');
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A list of `(key, what)` written as one object: `{` then each member, then `}`.
pub fn object<T>(
    out: &mut Out,
    members: &[(Key, T)],
    mut member: impl FnMut(&mut Out, &T) -> Result<(), super::Fallback>,
) -> Result<(), super::Fallback> {
    out.byte(b'{');
    let mut first = true;
    for (key, what) in members {
        out.comma(&mut first);
        out.raw(key.as_str());
        member(out, what)?;
    }
    out.byte(b'}');
    Ok(())
}
