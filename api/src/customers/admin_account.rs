//! The customer's admin account as the provider manages it: when the temporary password of
//! `createCustomer` was lost (a retried submit answers `replayed: true` without it), the
//! provider issues a new one. Shown once, stored only as a hash, audited; the admin's
//! sessions end and it must choose its own password at the next sign-in.

use super::access::{self, Standing};
use super::eligibility::ordering_provider;
use super::mutations::SetupInfo;
use crate::audit::{self, Change, Who};
use crate::auth::{self, Actor, password};
use crate::error::{ApiError, ApiResult};
use crate::graphql::db;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::split;
use crate::graphql::user_error::UserError;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::enums::{AdminRole, UserRole};
use entity::event_type::EventType;
use entity::user;
use migration::database::begin_write;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use worker::msg;

/// Provider (ADMIN or SALES_AGENT), or a reseller with `USER_ADMINISTRATOR`: a new
/// temporary password for the customer's admin.
pub async fn reset_admin_password(
    db: &DatabaseConnection,
    who: &Who,
    actor: &Actor,
    customer_id: i32,
) -> ApiResult<(String, String)> {
    let txn = begin_write(db).await?;
    // The provider, or a reseller whose relationships grant USER_ADMINISTRATOR.
    let (cust, standing) = access::lock_customer(&txn, actor, customer_id).await?;
    match standing {
        Standing::Provider => {
            ordering_provider(actor)?;
        }
        Standing::DelegatedReseller(_) => crate::admin_relationships::access::check(
            actor,
            standing,
            AdminRole::UserAdministrator,
        )?,
        Standing::Customer => return Err(ApiError::Forbidden("PROVIDER_ONLY")),
    }
    let admin = user::Entity::find()
        .filter(user::Column::CustomerId.eq(cust.id))
        .filter(user::Column::Role.eq(UserRole::CustomerAdmin))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let temporary = password::generate_temporary();
    let mut active = admin.clone().into_active_model();
    active.password_hash = Set(password::hash_temporary(&temporary));
    active.must_change_password = Set(true);
    active.update(&txn).await?;
    crate::accounts::session::end_all_for_user(&txn, admin.id, None).await?;
    audit::record(
        &txn,
        who,
        Change {
            action: EventType::CustomerAdminPasswordReset,
            target: NodeType::Customer,
            target_id: cust.id,
            summary: msg!(
                "audit-customer-admin-password-reset",
                customer = &cust.company_name,
                email = &admin.email
            ),
            subject_partner_id: super::subscriptions::other_party(who, &cust),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((admin.email, temporary))
}

/// Input of `resetCustomerAdminPassword`.
#[derive(InputObject)]
pub struct ResetCustomerAdminPasswordInput {
    /// The provider's customer whose admin account gets a new temporary password.
    customer_id: ID,
}

/// Result of `resetCustomerAdminPassword`.
#[derive(SimpleObject)]
pub struct ResetCustomerAdminPasswordPayload {
    /// The admin account and its new temporary password, shown only here.
    setup_info: Option<SetupInfo>,
    /// `PROVIDER_NOT_ACTIVE` when the provider's enrollment is not ACTIVE.
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CustomerAdminMutation;

#[Object]
impl CustomerAdminMutation {
    /// Provider ADMIN or SALES_AGENT: issues a new temporary password for the customer's
    /// admin account (the one from `createCustomer` cannot be shown again), ends its
    /// sessions, and returns it once. `NOT_FOUND` for a customer the caller does not own.
    ///
    /// userErrors: `PROVIDER_NOT_ACTIVE`. Top-level: `NOT_FOUND`, `FORBIDDEN` (reason
    /// `PROVIDER_ONLY` or `SALES_ONLY`).
    async fn reset_customer_admin_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer.")] input: ResetCustomerAdminPasswordInput,
    ) -> Result<ResetCustomerAdminPasswordPayload> {
        let actor = auth::actor(ctx)?;
        let customer_id = ids::decode_as(NodeType::Customer, &input.customer_id)?;
        let who = Who::of(ctx, actor);
        let (reset, user_errors) =
            split(reset_admin_password(db(ctx), &who, actor, customer_id).await)?;
        Ok(ResetCustomerAdminPasswordPayload {
            setup_info: reset.map(|(admin_user_name, temporary)| SetupInfo {
                admin_user_name,
                temporary_password: Some(temporary),
            }),
            user_errors,
        })
    }
}
