//! A created admin's temporary password, kept in plain text only until the importing user
//! downloads the import's credentials once (or `IMPORTS__CREDENTIALS_TTL_HOURS` pass):
//! both delete the row.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_import_credentials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub import_id: i32,
    pub row_index: i32,
    pub company_name: String,
    pub domain: String,
    pub admin_user_name: String,
    pub temporary_password: String,
}

/// Never print the password (logs, panics).
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("import_id", &self.import_id)
            .field("row_index", &self.row_index)
            .field("admin_user_name", &self.admin_user_name)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
