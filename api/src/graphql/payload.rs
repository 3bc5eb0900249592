//! Turning a service result into a mutation payload: business-rule failures become
//! `userErrors`, everything else stays a top-level error.

use super::user_error::UserError;
use crate::error::{ApiError, ApiResult};

/// `Ok((Some(value), []))`, `Ok((None, [user error]))`, or the top-level error.
pub fn split<T>(result: ApiResult<T>) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(ApiError::User(e)) => Ok((None, vec![e])),
        Err(e) => Err(e.into()),
    }
}
