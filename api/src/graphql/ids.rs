//! Opaque global ids: base64url of `Type:id`. Clients must treat them as opaque strings.
//! An id that does not decode, names another type, or names a row the caller may not see
//! all answer `NOT_FOUND`, so ids reveal nothing.

use crate::error::ApiError;
use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Partner,
    User,
    Offer,
    PartnershipInvitation,
    Partnership,
    Customer,
    Subscription,
    Order,
    CustomerRelationshipRequest,
    ProfileChangeRequest,
    Event,
    WebhookEndpoint,
    WebhookDelivery,
    AdminRelationship,
    ApiClient,
    PriceList,
    CustomerImport,
}

impl NodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partner => "Partner",
            Self::User => "User",
            Self::Offer => "Offer",
            Self::PartnershipInvitation => "PartnershipInvitation",
            Self::Partnership => "Partnership",
            Self::Customer => "Customer",
            Self::Subscription => "Subscription",
            Self::Order => "Order",
            Self::CustomerRelationshipRequest => "CustomerRelationshipRequest",
            Self::ProfileChangeRequest => "ProfileChangeRequest",
            Self::Event => "Event",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::WebhookDelivery => "WebhookDelivery",
            Self::AdminRelationship => "AdminRelationship",
            Self::ApiClient => "ApiClient",
            Self::PriceList => "PriceList",
            Self::CustomerImport => "CustomerImport",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Partner" => Self::Partner,
            "User" => Self::User,
            "Offer" => Self::Offer,
            "PartnershipInvitation" => Self::PartnershipInvitation,
            "Partnership" => Self::Partnership,
            "Customer" => Self::Customer,
            "Subscription" => Self::Subscription,
            "Order" => Self::Order,
            "CustomerRelationshipRequest" => Self::CustomerRelationshipRequest,
            "ProfileChangeRequest" => Self::ProfileChangeRequest,
            "Event" => Self::Event,
            "WebhookEndpoint" => Self::WebhookEndpoint,
            "WebhookDelivery" => Self::WebhookDelivery,
            "AdminRelationship" => Self::AdminRelationship,
            "ApiClient" => Self::ApiClient,
            "PriceList" => Self::PriceList,
            "CustomerImport" => Self::CustomerImport,
            _ => return None,
        })
    }
}

pub fn encode(node_type: NodeType, id: i32) -> ID {
    ID(entity::audit_entry::global_id(node_type.as_str(), id))
}

pub fn decode(id: &ID) -> Result<(NodeType, i32), ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .map_err(|_| ApiError::NotFound)?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::NotFound)?;
    let (kind, raw) = text.split_once(':').ok_or(ApiError::NotFound)?;
    let kind = NodeType::parse(kind).ok_or(ApiError::NotFound)?;
    let raw: i32 = raw.parse().map_err(|_| ApiError::NotFound)?;
    Ok((kind, raw))
}

/// Decodes an id that must be of `expected` type.
pub fn decode_as(expected: NodeType, id: &ID) -> Result<i32, ApiError> {
    match decode(id)? {
        (kind, raw) if kind == expected => Ok(raw),
        _ => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_other_types() {
        let id = encode(NodeType::Partner, 42);
        assert_eq!(decode(&id).unwrap(), (NodeType::Partner, 42));
        assert!(matches!(
            decode_as(NodeType::User, &id),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            decode(&ID("not-base64!".into())),
            Err(ApiError::NotFound)
        ));
    }
}
