//! Case-insensitive "contains" search that behaves the same on SQLite and PostgreSQL.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};

/// `LOWER(column) LIKE '%term%'`, with `%`, `_` and `\` in the term matched literally.
pub fn contains(column: impl ColumnTrait, term: &str) -> Expr {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(column.into_expr()))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}
