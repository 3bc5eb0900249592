//! Demo data for the quick start and guides: a platform admin, an ACTIVE provider and four
//! ACTIVE resellers with fixed logins (one reads Traditional Chinese, for the zh-TW
//! walkthrough), and a delegation with roles (`demo_delegation`). Idempotent: existing
//! accounts are left alone.
//! Only runs when asked (`--demo` or `seed-demo`).

use crate::accounts::validate;
use crate::admin;
use crate::error::ApiError;
use crate::partners::service as partners;
use chrono::Utc;
use entity::enums::{EnrollmentStatus, PartnerKind, UserRole};
use entity::user;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

pub const PASSWORD: &str = "demo-password";

struct DemoPartner {
    email: &'static str,
    name: &'static str,
    company: &'static str,
    country: &'static str,
    kind: PartnerKind,
    language: &'static str,
}

const PARTNERS: &[DemoPartner] = &[
    DemoPartner {
        email: "provider@demo.test",
        name: "Pat Provider",
        company: "Contoso Distribution",
        country: "US",
        kind: PartnerKind::IndirectProvider,
        language: "en",
    },
    DemoPartner {
        email: "reseller1@demo.test",
        name: "Riley Reseller",
        company: "Fabrikam Solutions",
        country: "US",
        kind: PartnerKind::IndirectReseller,
        language: "en",
    },
    DemoPartner {
        email: "reseller2@demo.test",
        name: "Robin Reseller",
        company: "Northwind IT",
        country: "GB",
        kind: PartnerKind::IndirectReseller,
        language: "en",
    },
    DemoPartner {
        email: "reseller4@demo.test",
        name: "Taylor Reseller",
        company: "Tailspin Partners",
        country: "US",
        kind: PartnerKind::IndirectReseller,
        language: "en",
    },
    DemoPartner {
        email: "reseller3@demo.test",
        name: "林雅婷",
        company: "台灣雲端服務股份有限公司",
        country: "TW",
        kind: PartnerKind::IndirectReseller,
        language: "zh-TW",
    },
];

#[derive(Debug, thiserror::Error)]
#[error("seeding demo data: {0}")]
pub struct SeedError(String);

impl From<ApiError> for SeedError {
    fn from(e: ApiError) -> Self {
        Self(format!("{e:?}"))
    }
}

impl From<sea_orm::DbErr> for SeedError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self(e.to_string())
    }
}

pub async fn seed(db: &DatabaseConnection) -> Result<(), SeedError> {
    admin::ensure_platform_admin(db, "platform@demo.test", "Dana Platform", PASSWORD).await?;
    for p in PARTNERS {
        let exists = user::Entity::find()
            .filter(user::Column::Email.eq(p.email))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let hash = validate::hash_password(PASSWORD.to_owned()).await?;
        let txn = migration::database::begin_write(db).await?;
        let partner = partners::insert_partner(
            &txn,
            p.kind,
            p.company.into(),
            p.country.into(),
            EnrollmentStatus::Active,
        )
        .await?;
        user::ActiveModel {
            email: Set(p.email.into()),
            name: Set(p.name.into()),
            password_hash: Set(hash),
            role: Set(UserRole::Admin),
            preferred_language: Set(p.language.into()),
            partner_id: Set(Some(partner.id)),
            must_change_password: Set(false),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
    }
    crate::trusted_documents::service::seed_demo(db, DEMO_TRUSTED_DOCUMENT).await?;
    crate::demo_delegation::seed(db, PASSWORD).await?;
    crate::demo_terms::seed(db).await?;
    Ok(())
}

/// A trusted document of the demo: clients send its id instead of its text (README,
/// "Trusted documents").
pub const DEMO_TRUSTED_DOCUMENT: &str = "query DemoOffers { offers(first: 10) { totalCount \
    edges { node { name monthlyUnitPrice { formatted } } } } }";

/// The start-up banner of `serve --demo`; `mailbox` when mail is written to files.
pub fn print_logins(public_url: &str, mailbox: bool) {
    println!();
    println!("Partner Center API is running.");
    println!("  GraphiQL:       {public_url}/graphiql");
    println!("  GraphQL:        {public_url}/graphql");
    println!(
        "  Subscriptions:  {}/graphql/ws",
        public_url.replacen("http", "ws", 1)
    );
    if mailbox {
        println!("  Mailbox:        {public_url}/dev/mailbox   (the emails the server \"sent\")");
    }
    println!("  Jobs:           {public_url}/admin/jobs   (platform administrators)");
    println!();
    println!("Demo logins (password for all: {PASSWORD}):");
    println!("  platform@demo.test   platform administrator");
    println!(
        "  admin@wideworldimporters.demo  customer admin (Tailspin administers it: reader, orders)"
    );
    for p in PARTNERS {
        let kind = match p.kind {
            PartnerKind::IndirectProvider => "indirect provider",
            PartnerKind::IndirectReseller => "indirect reseller",
        };
        println!("  {:<20} {kind}, {} ({})", p.email, p.company, p.language);
    }
    println!();
    println!("Sign in from GraphiQL:");
    println!(
        "  mutation {{ login(input: {{email: \"provider@demo.test\", password: \"{PASSWORD}\"}}) {{ token userErrors {{ code message }} }} }}"
    );
    println!("then add the header  {{\"Authorization\": \"Bearer <token>\"}}  and run:");
    println!(
        "  {{ offers(first: 10) {{ totalCount edges {{ node {{ name monthlyUnitPrice {{ formatted }} }} }} }} }}"
    );
    println!(
        "or the same as a trusted document (POST /graphql):  {{\"documentId\": \"{}\"}}",
        crate::trusted_documents::document_id(DEMO_TRUSTED_DOCUMENT)
    );
    println!();
}
