//! Free-text filters: one rule for every `search` argument, and a case-insensitive
//! "contains" that behaves the same on SQLite and PostgreSQL.
//!
//! A term only reaches SQL as a [`SearchTerm`], so no filter can skip the rule: at most
//! [`SearchTerm::MAX_CHARS`] characters (SQLite refuses long `LIKE` patterns; nobody types
//! more) and no control characters (a NUL cuts the pattern short on SQLite and is refused by
//! PostgreSQL). A blank term means "no filter".

use crate::error::ApiError;
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use worker::msg;

/// A checked, trimmed, non-empty search text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm(String);

impl SearchTerm {
    pub const MAX_CHARS: usize = 200;

    /// `None` for an absent or blank term; `BAD_USER_INPUT` (reason `INVALID`) for a term
    /// that breaks the rule, naming the argument.
    pub fn parse(raw: Option<&str>, argument: &str) -> Result<Option<Self>, ApiError> {
        let Some(text) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if text.chars().count() > Self::MAX_CHARS {
            return Err(ApiError::Invalid(msg!(
                "error-search-too-long",
                argument = argument,
                max = Self::MAX_CHARS
            )));
        }
        if text.chars().any(char::is_control) {
            return Err(ApiError::Invalid(msg!(
                "error-search-control",
                argument = argument
            )));
        }
        Ok(Some(Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `LOWER(column) LIKE '%term%'`, with `%`, `_` and `\` in the term matched literally.
pub fn contains(column: impl ColumnTrait, term: &SearchTerm) -> Expr {
    let escaped = term
        .0
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(column.into_expr()))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_no_filter_and_bad_terms_are_refused() {
        assert_eq!(SearchTerm::parse(None, "search").unwrap(), None);
        assert_eq!(SearchTerm::parse(Some("  "), "search").unwrap(), None);
        assert_eq!(
            SearchTerm::parse(Some(" fab "), "search")
                .unwrap()
                .unwrap()
                .as_str(),
            "fab"
        );
        for bad in ["\0", "a\u{0}b", "tab\there", "\u{7f}"] {
            assert!(SearchTerm::parse(Some(bad), "search").is_err(), "{bad:?}");
        }
        let long = "x".repeat(SearchTerm::MAX_CHARS + 1);
        assert!(SearchTerm::parse(Some(&long), "search").is_err());
        let fits = "é".repeat(SearchTerm::MAX_CHARS);
        assert!(SearchTerm::parse(Some(&fits), "search").is_ok());
    }
}
