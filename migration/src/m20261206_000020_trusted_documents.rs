//! Trusted documents (issue 26): the GraphQL documents a client may name by their SHA-256
//! (`documentId`, Apollo's `persistedQuery`) instead of sending their text. Those of the
//! manifest file (`GRAPHQL__TRUSTED_DOCUMENTS_FILE`, source FILE) are written here at start,
//! those platform administrators add through the API (source API) stay until removed; every
//! replica reads them from this one table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_auto(Documents::Id))
                    // `sha256:` and 64 hex digits.
                    .col(string_len_uniq(Documents::DocumentId, 71))
                    .col(text(Documents::Document))
                    .col(string_len(Documents::Source, 8))
                    .col(integer_null(Documents::AddedByUserId))
                    .col(timestamp_with_time_zone(Documents::AddedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::AddedByUserId)
                            .to(Alias::new("users"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    #[sea_orm(iden = "trusted_documents")]
    Table,
    Id,
    DocumentId,
    Document,
    Source,
    AddedByUserId,
    AddedAt,
}
