//! What a reseller manages on a provider's behalf: the `PARTNERSHIP_IN_USE` rule counts it
//! before a partnership may end.
//!
//! Customers and subscriptions arrive with the customers feature; until then a reseller
//! cannot manage anything of a provider, and both counts are zero by construction.

use crate::error::ApiResult;
use sea_orm::ConnectionTrait;

#[derive(Debug, Default, Clone, Copy)]
pub struct Usage {
    pub customers: u64,
    pub subscriptions: u64,
}

impl Usage {
    pub fn any(&self) -> bool {
        self.customers > 0 || self.subscriptions > 0
    }
}

pub async fn reseller_serves_provider<C: ConnectionTrait>(
    _db: &C,
    _provider_id: i32,
    _reseller_id: i32,
) -> ApiResult<Usage> {
    Ok(Usage::default())
}
