//! Multi-factor sign-in (issue 23): a user's authenticator (TOTP) secret, its single-use
//! recovery codes (hashed), its passkeys, the short-lived challenges between the password
//! step and the second factor, and the organization's rule (`partners.mfa_required`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum MfaTotp {
    Table,
    UserId,
    Secret,
    ConfirmedAt,
    LastUsedStep,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MfaRecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MfaPasskeys {
    Table,
    Id,
    UserId,
    Name,
    CredentialId,
    Passkey,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MfaChallenges {
    Table,
    Id,
    TokenHash,
    UserId,
    Purpose,
    State,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

fn to_user(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Alias::new("users"), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MfaTotp::Table)
                    .col(integer(MfaTotp::UserId).primary_key())
                    .col(string_len(MfaTotp::Secret, 64))
                    .col(timestamp_with_time_zone_null(MfaTotp::ConfirmedAt))
                    .col(big_integer_null(MfaTotp::LastUsedStep))
                    .col(timestamp_with_time_zone(MfaTotp::CreatedAt))
                    .foreign_key(&mut to_user(MfaTotp::Table, MfaTotp::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaRecoveryCodes::Table)
                    .col(pk_auto(MfaRecoveryCodes::Id))
                    .col(integer(MfaRecoveryCodes::UserId))
                    .col(string_len(MfaRecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(MfaRecoveryCodes::UsedAt))
                    .col(timestamp_with_time_zone(MfaRecoveryCodes::CreatedAt))
                    .foreign_key(&mut to_user(
                        MfaRecoveryCodes::Table,
                        MfaRecoveryCodes::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaPasskeys::Table)
                    .col(pk_auto(MfaPasskeys::Id))
                    .col(integer(MfaPasskeys::UserId))
                    .col(string_len(MfaPasskeys::Name, 100))
                    .col(string_len(MfaPasskeys::CredentialId, 1024).unique_key())
                    .col(text(MfaPasskeys::Passkey))
                    .col(timestamp_with_time_zone(MfaPasskeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(MfaPasskeys::LastUsedAt))
                    .foreign_key(&mut to_user(MfaPasskeys::Table, MfaPasskeys::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaChallenges::Table)
                    .col(pk_auto(MfaChallenges::Id))
                    .col(string_len(MfaChallenges::TokenHash, 64).unique_key())
                    .col(integer(MfaChallenges::UserId))
                    .col(string_len(MfaChallenges::Purpose, 32))
                    .col(text_null(MfaChallenges::State))
                    .col(timestamp_with_time_zone(MfaChallenges::CreatedAt))
                    .col(timestamp_with_time_zone(MfaChallenges::ExpiresAt))
                    .col(timestamp_with_time_zone_null(MfaChallenges::UsedAt))
                    .foreign_key(&mut to_user(MfaChallenges::Table, MfaChallenges::UserId))
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            (
                "idx_mfa_recovery_codes_user",
                MfaRecoveryCodes::Table.into_iden(),
                MfaRecoveryCodes::UserId.into_iden(),
            ),
            (
                "idx_mfa_passkeys_user",
                MfaPasskeys::Table.into_iden(),
                MfaPasskeys::UserId.into_iden(),
            ),
            (
                "idx_mfa_challenges_user",
                MfaChallenges::Table.into_iden(),
                MfaChallenges::UserId.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE partners ADD COLUMN mfa_required BOOLEAN NOT NULL DEFAULT FALSE",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the multi-factor migration is not reversible".into(),
        ))
    }
}
