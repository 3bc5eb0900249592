//! A `Partner` in a prepared plan (a partnership's parties): its fields as selected, its
//! columns read by position from a joined `partners` row, and its JSON. Every field but
//! `users` is a column.

use super::Fallback;
use super::json::{Key, Out, object};
use super::select::{Doc, Sel};
use crate::graphql::ids::{self, NodeType};
use async_graphql::ScalarType;
use async_graphql::resolver_utils::enum_value;
use entity::enums::{EnrollmentStatus, PartnerKind};
use entity::partner;
use sea_orm::QueryResult;

#[derive(Debug)]
pub enum PartnerField {
    Typename,
    Id,
    Kind,
    CompanyName,
    Country,
    PartnerNetworkId,
    EnrollmentStatus,
    CreatedAt,
    ApprovedAt,
    MfaRequired,
}

/// The partner columns read for a party, in statement order.
pub const PARTNER_COLUMNS: [partner::Column; 9] = [
    partner::Column::Id,
    partner::Column::Kind,
    partner::Column::CompanyName,
    partner::Column::Country,
    partner::Column::PartnerNetworkId,
    partner::Column::EnrollmentStatus,
    partner::Column::CreatedAt,
    partner::Column::ApprovedAt,
    partner::Column::MfaRequired,
];

/// Recognizes a `Partner` selection of leaf fields the plan answers.
pub fn partner_fields<'a>(doc: &Doc<'a>, sel: &Sel<'a>) -> Option<Vec<(Key, PartnerField)>> {
    let mut members = Vec::new();
    for f in doc.fields(&sel.object()?, "Partner")? {
        if !f.leaf() {
            return None;
        }
        let field = match f.name {
            "__typename" => PartnerField::Typename,
            "id" => PartnerField::Id,
            "kind" => PartnerField::Kind,
            "companyName" => PartnerField::CompanyName,
            "country" => PartnerField::Country,
            "partnerNetworkId" => PartnerField::PartnerNetworkId,
            "enrollmentStatus" => PartnerField::EnrollmentStatus,
            "createdAt" => PartnerField::CreatedAt,
            "approvedAt" => PartnerField::ApprovedAt,
            "mfaRequired" => PartnerField::MfaRequired,
            _ => return None,
        };
        members.push((f.json_key(), field));
    }
    Some(members)
}

/// A party's columns from position `at` (none when the join found no row).
pub fn party_at(r: &QueryResult, at: usize) -> Result<Option<partner::Model>, sea_orm::DbErr> {
    let Some(id) = r.try_get_by_index::<Option<i32>>(at)? else {
        return Ok(None);
    };
    Ok(Some(partner::Model {
        id,
        kind: r.try_get_by_index::<PartnerKind>(at + 1)?,
        company_name: r.try_get_by_index(at + 2)?,
        country: r.try_get_by_index(at + 3)?,
        partner_network_id: r.try_get_by_index(at + 4)?,
        enrollment_status: r.try_get_by_index::<EnrollmentStatus>(at + 5)?,
        created_at: r.try_get_by_index(at + 6)?,
        approved_at: r.try_get_by_index(at + 7)?,
        mfa_required: r.try_get_by_index(at + 8)?,
    }))
}

/// A party; a missing row is left to the general path (it answers `NOT_FOUND`).
pub fn party(
    out: &mut Out,
    fields: &[(Key, PartnerField)],
    p: Option<&partner::Model>,
) -> Result<(), Fallback> {
    let p = p.ok_or(Fallback("missing row"))?;
    object(out, fields, |out, f| {
        match f {
            PartnerField::Typename => out.string("Partner"),
            PartnerField::Id => out.string(&ids::encode(NodeType::Partner, p.id).0),
            PartnerField::Kind => out.value(&enum_value(p.kind)),
            PartnerField::CompanyName => out.string(&p.company_name),
            PartnerField::Country => out.string(&p.country),
            PartnerField::PartnerNetworkId => out.string(&p.partner_network_id),
            PartnerField::EnrollmentStatus => out.value(&enum_value(p.enrollment_status)),
            PartnerField::CreatedAt => out.value(&p.created_at.to_value()),
            PartnerField::ApprovedAt => match p.approved_at {
                Some(at) => out.value(&at.to_value()),
                None => out.raw("null"),
            },
            PartnerField::MfaRequired => out.bool(p.mfa_required),
        }
        Ok(())
    })
}
