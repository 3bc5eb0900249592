//! What an ADMIN may give an endpoint: a target URL by the delivery rules
//! (`worker::webhooks::target`, the same the worker applies again at every delivery), a
//! bounded description, event types. What is checked is what is stored.

use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use entity::event_type::EventType;
use entity::webhook_endpoint::encode_event_types;
use worker::msg;
use worker::webhooks::WebhookSettings;
use worker::webhooks::target::{self, TargetProblem};

pub const MAX_DESCRIPTION: usize = 500;

/// Checks a target URL with the delivery rules (`worker::webhooks::target`), resolving its
/// name now as the worker will again at every delivery.
pub(super) async fn checked_url(raw: &str, settings: &WebhookSettings) -> ApiResult<String> {
    let field: &[&str] = &["input", "url"];
    let url = target::check_url(
        raw,
        settings.allow_insecure_targets,
        settings.max_url_length,
    )
    .map_err(|problem| url_error(problem, field))?;
    if !settings.allow_insecure_targets
        && let Some(url::Host::Domain(host)) = url.host()
    {
        target::resolve_public(host)
            .await
            .map_err(|problem| url_error(problem, field))?;
    }
    Ok(url.to_string())
}

fn url_error(problem: TargetProblem, field: &[&str]) -> ApiError {
    let code = match problem {
        TargetProblem::NotHttps => UserErrorCode::InsecureUrl,
        TargetProblem::TooLong(_) => UserErrorCode::OutOfRange,
        TargetProblem::NotPublic(_) | TargetProblem::NoPublicAddress(_) => {
            UserErrorCode::TargetNotAllowed
        }
        TargetProblem::Unparsable | TargetProblem::Host => UserErrorCode::Invalid,
    };
    let message = match problem {
        TargetProblem::Unparsable => msg!("error-webhook-url"),
        TargetProblem::TooLong(max) => msg!("error-webhook-url-long", max = max),
        TargetProblem::NotHttps => msg!("error-webhook-https"),
        TargetProblem::Host => msg!("error-webhook-host"),
        TargetProblem::NotPublic(ip) => msg!("error-webhook-private", address = ip.to_string()),
        TargetProblem::NoPublicAddress(host) => msg!("error-webhook-private", address = host),
    };
    ApiError::user(code, field, message)
}

pub(super) fn checked_description(raw: Option<String>) -> ApiResult<Option<String>> {
    let text = raw.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if text
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            &["input", "description"],
            msg!("error-description-too-long", max = MAX_DESCRIPTION),
        ));
    }
    Ok(text)
}

pub(super) fn stored_types(types: &[EventType]) -> String {
    encode_event_types(types.iter().map(|t| t.dotted()))
}
