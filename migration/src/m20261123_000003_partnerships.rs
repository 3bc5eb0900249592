//! Partnership invitations, partnerships and the outbound email outbox.

use crate::m20261123_000001_accounts::{Partners, Users};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboundEmails::Table)
                    .col(pk_auto(OutboundEmails::Id))
                    .col(string_len(OutboundEmails::Kind, 64))
                    .col(string(OutboundEmails::ToAddress))
                    .col(string(OutboundEmails::Subject))
                    .col(text(OutboundEmails::TextBody))
                    .col(text(OutboundEmails::HtmlBody))
                    .col(string_len(OutboundEmails::Status, 16))
                    .col(integer(OutboundEmails::Attempts))
                    .col(text_null(OutboundEmails::LastError))
                    .col(timestamp_with_time_zone(OutboundEmails::CreatedAt))
                    .col(timestamp_with_time_zone(OutboundEmails::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(OutboundEmails::LockedUntil))
                    .col(timestamp_with_time_zone_null(OutboundEmails::SentAt))
                    .col(string_len_null(OutboundEmails::ScrubAfterSend, 128))
                    .col(timestamp_with_time_zone_null(OutboundEmails::RetryAfter))
                    .to_owned(),
            )
            .await?;
        // The relay scans unsent rows that are due.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbound_emails_due")
                    .table(OutboundEmails::Table)
                    .col(OutboundEmails::Status)
                    .col(OutboundEmails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(pk_auto(Invitations::Id))
                    .col(integer(Invitations::ProviderId))
                    .col(string(Invitations::ResellerEmail))
                    .col(string_len_uniq(Invitations::TokenHash, 64))
                    .col(string_len(Invitations::Status, 16))
                    .col(string(Invitations::Subject))
                    .col(text(Invitations::Body))
                    .col(integer(Invitations::CreatedByUserId))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::RespondedAt))
                    .col(integer_null(Invitations::RespondedByPartnerId))
                    .col(integer_null(Invitations::OutboundEmailId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::ProviderId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::CreatedByUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::RespondedByPartnerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::OutboundEmailId)
                            .to(OutboundEmails::Table, OutboundEmails::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_invitations_provider",
                vec![
                    Invitations::ProviderId,
                    Invitations::Status,
                    Invitations::Id,
                ],
            ),
            // The expiry job's set-based update.
            (
                "idx_invitations_expiry",
                vec![Invitations::Status, Invitations::ExpiresAt],
            ),
        ] {
            let mut index = Index::create()
                .name(name)
                .table(Invitations::Table)
                .to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Partnerships::Table)
                    .col(pk_auto(Partnerships::Id))
                    .col(integer(Partnerships::ProviderId))
                    .col(integer(Partnerships::ResellerId))
                    .col(string_len(Partnerships::Status, 16))
                    .col(integer_null(Partnerships::InvitationId))
                    .col(timestamp_with_time_zone(Partnerships::CreatedAt))
                    .col(timestamp_with_time_zone_null(Partnerships::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Partnerships::Table, Partnerships::ProviderId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Partnerships::Table, Partnerships::ResellerId)
                            .to(Partners::Table, Partners::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Partnerships::Table, Partnerships::InvitationId)
                            .to(Invitations::Table, Invitations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partnerships_reseller")
                    .table(Partnerships::Table)
                    .col(Partnerships::ResellerId)
                    .col(Partnerships::Status)
                    .to_owned(),
            )
            .await?;
        // At most one ACTIVE partnership per pair, enforced by the database so concurrent
        // acceptances cannot create two. Partial indexes read the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_partnerships_active_pair \
                 ON partnerships (provider_id, reseller_id) WHERE status = 'ACTIVE'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Partnerships::Table.into_iden(),
            Invitations::Table.into_iden(),
            OutboundEmails::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OutboundEmails {
    Table,
    Id,
    Kind,
    ToAddress,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    LastError,
    CreatedAt,
    NextAttemptAt,
    LockedUntil,
    SentAt,
    ScrubAfterSend,
    RetryAfter,
}

#[derive(DeriveIden)]
enum Invitations {
    #[sea_orm(iden = "partnership_invitations")]
    Table,
    Id,
    ProviderId,
    ResellerEmail,
    TokenHash,
    Status,
    Subject,
    Body,
    CreatedByUserId,
    CreatedAt,
    ExpiresAt,
    RespondedAt,
    RespondedByPartnerId,
    OutboundEmailId,
}

#[derive(DeriveIden)]
enum Partnerships {
    Table,
    Id,
    ProviderId,
    ResellerId,
    Status,
    InvitationId,
    CreatedAt,
    EndedAt,
}
