//! What a reseller may do with a customer's objects: the union of the roles of its ACTIVE
//! admin relationships with that customer, read in the caller's transaction.
//!
//! "ACTIVE" is decided at the moment of the check, not by the worker: a relationship past
//! `ends_at` that does not auto-extend grants nothing, even before the expiry job has
//! turned it EXPIRED. In a write transaction the relationship rows are share-locked
//! (after the customer, in the one lock order: customer, subscription, relationship,
//! partnership, partner), so terminating one (which locks it for update) waits for a
//! write that was allowed by it, and a write that comes later finds it ended.

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::admin_relationship::{Column, Entity};
use entity::enums::{AdminRelationshipStatus, AdminRole, UserRole};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// A set of admin roles (a reseller's rights on one customer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles(u8);

impl Roles {
    fn bit(role: AdminRole) -> u8 {
        1 << (role as u8)
    }

    pub fn of(roles: &[AdminRole]) -> Self {
        let mut set = Self::default();
        for role in roles {
            set.0 |= Self::bit(*role);
        }
        if set.0 != 0 {
            // Every role includes reading the customer.
            set.0 |= Self::bit(AdminRole::CustomerReader);
        }
        set
    }

    pub fn has(self, role: AdminRole) -> bool {
        self.0 & Self::bit(role) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// The condition of a relationship that grants its roles at `now`.
pub fn in_force(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(Column::Status.eq(AdminRelationshipStatus::Active))
        .add(
            Condition::any()
                .add(Column::AutoExtend.eq(true))
                .add(Column::EndsAt.gt(now)),
        )
}

/// The ids of the customers on which `reseller_id` holds a relationship in force: for
/// list filters (`customer.id IN (…)`).
pub fn customers_of(reseller_id: i32, now: DateTime<Utc>) -> SelectStatement {
    Query::select()
        .column(Column::CustomerId)
        .from(Entity)
        .and_where(Column::ResellerId.eq(reseller_id))
        .cond_where(in_force(now))
        .to_owned()
}

/// The reseller's roles on the customer: the union over its relationships in force, empty
/// without one. With `lock`, those rows stay share-locked until the transaction ends.
pub async fn roles_on<C: ConnectionTrait>(
    db: &C,
    reseller_id: i32,
    customer_id: i32,
    lock: bool,
) -> ApiResult<Roles> {
    let mut select = Entity::find()
        .select_only()
        .column(Column::Roles)
        .filter(Column::CustomerId.eq(customer_id))
        .filter(Column::ResellerId.eq(reseller_id))
        .filter(in_force(Utc::now()));
    if lock {
        select = select.lock_shared();
    }
    let stored: Vec<String> = select.into_tuple().all(db).await?;
    Ok(stored
        .iter()
        .map(|s| Roles::of(&AdminRole::load(s)))
        .fold(Roles::default(), Roles::union))
}

/// The one rule for a write on a customer's objects, given the caller's standing (read in
/// the write's transaction, see `customers::access::lock_*`): the provider may (its own
/// role checks apply); a reseller needs `role` among its relationships' roles
/// (`FORBIDDEN`, reason `MISSING_ADMIN_ROLE`, `requiredRole`); the customer's own users
/// may not. Partner users also need the ADMIN or SALES_AGENT role.
pub fn check(
    actor: &Actor,
    standing: crate::customers::access::Standing,
    role: AdminRole,
) -> ApiResult<()> {
    use crate::customers::access::Standing;
    match standing {
        Standing::Customer => Err(ApiError::Forbidden("CANNOT_ADMINISTER")),
        _ if !matches!(actor.user.role, UserRole::Admin | UserRole::SalesAgent) => {
            Err(ApiError::Forbidden("CANNOT_ADMINISTER"))
        }
        Standing::Provider => Ok(()),
        Standing::DelegatedReseller(roles) if roles.has(role) => Ok(()),
        Standing::DelegatedReseller(_) => Err(ApiError::MissingAdminRole(role)),
    }
}

/// [`check`] on a customer locked in the caller's write transaction: `NOT_FOUND` without
/// any standing (no relationship in force), else the rule above. Returns the customer and
/// the standing for what the write needs next.
pub async fn require_role(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    customer_id: i32,
    role: AdminRole,
) -> ApiResult<(entity::customer::Model, crate::customers::access::Standing)> {
    let (cust, standing) = crate::customers::access::lock_customer(txn, actor, customer_id).await?;
    check(actor, standing, role)?;
    Ok((cust, standing))
}

/// The reseller that may be made the customer's Azure tenant owner: the reseller of the
/// newest relationship in force that grants `TENANT_OWNER` (share-locked).
pub async fn tenant_owner_candidate(
    txn: &sea_orm::DatabaseTransaction,
    customer_id: i32,
) -> ApiResult<Option<i32>> {
    use sea_orm::QueryOrder;
    Ok(Entity::find()
        .select_only()
        .column(Column::ResellerId)
        .filter(Column::CustomerId.eq(customer_id))
        .filter(Column::Roles.contains(AdminRole::TenantOwner.as_str()))
        .filter(in_force(Utc::now()))
        .order_by_desc(Column::ApprovedAt)
        .order_by_desc(Column::Id)
        .lock_shared()
        .into_tuple()
        .one(txn)
        .await?)
}
