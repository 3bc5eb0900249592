//! Commitment terms (issue 24): the durations an offer is sold for, stored on the offer as
//! a comma-separated list (its first is the default) and on each subscription, and the
//! calendar arithmetic of a term's end. One definition for the API, the worker and the
//! migration's tests.

use chrono::{DateTime, Months, Utc};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How long a subscription commits for before it renews or ends (ISO 8601 durations).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[allow(clippy::upper_case_acronyms)]
pub enum TermDuration {
    /// One month.
    #[sea_orm(string_value = "P1M")]
    #[cfg_attr(feature = "graphql", graphql(name = "P1M"))]
    P1M,
    /// One year.
    #[sea_orm(string_value = "P1Y")]
    #[cfg_attr(feature = "graphql", graphql(name = "P1Y"))]
    P1Y,
    /// Three years (multi-year reservations).
    #[sea_orm(string_value = "P3Y")]
    #[cfg_attr(feature = "graphql", graphql(name = "P3Y"))]
    P3Y,
}

impl TermDuration {
    pub fn months(self) -> u32 {
        match self {
            Self::P1M => 1,
            Self::P1Y => 12,
            Self::P3Y => 36,
        }
    }

    /// The stored (and ISO 8601) name.
    pub fn code(self) -> &'static str {
        match self {
            Self::P1M => "P1M",
            Self::P1Y => "P1Y",
            Self::P3Y => "P3Y",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "P1M" => Some(Self::P1M),
            "P1Y" => Some(Self::P1Y),
            "P3Y" => Some(Self::P3Y),
            _ => None,
        }
    }

    /// The end of a term of this duration starting at `start`: the same day and time so
    /// many calendar months later, or the month's last day when it has no such day (a term
    /// from 31 January ends on 28 or 29 February).
    pub fn end_of_term_from(self, start: DateTime<Utc>) -> DateTime<Utc> {
        start
            .checked_add_months(Months::new(self.months()))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// The terms of a stored comma-separated list, in order, unknown names skipped.
pub fn parse_list(stored: &str) -> Vec<TermDuration> {
    stored.split(',').filter_map(TermDuration::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn terms_end_on_the_same_day_or_the_months_last() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 9, 30, 0).unwrap();
        assert_eq!(
            TermDuration::P1M.end_of_term_from(at(2026, 1, 15)),
            at(2026, 2, 15)
        );
        assert_eq!(
            TermDuration::P1M.end_of_term_from(at(2026, 1, 31)),
            at(2026, 2, 28)
        );
        assert_eq!(
            TermDuration::P1Y.end_of_term_from(at(2028, 2, 29)),
            at(2029, 2, 28)
        );
        assert_eq!(
            TermDuration::P3Y.end_of_term_from(at(2026, 12, 6)),
            at(2029, 12, 6)
        );
        assert_eq!(
            parse_list("P1Y,P1M,bad"),
            [TermDuration::P1Y, TermDuration::P1M]
        );
    }
}
