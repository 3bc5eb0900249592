//! Subscription terms (issue 24): the term a subscription is bought for, its end and
//! automatic renewal, and the cancellation window (cancellation and fewer licenses only
//! until purchase or last renewal + `SUBSCRIPTIONS__CANCELLATION_WINDOW_DAYS`). Owns
//! `setSubscriptionAutoRenew` and the window rule the subscription changes call; the
//! renewals and term ends themselves run on the worker (`worker::terms`).

pub mod graphql;
pub mod service;

pub use graphql::TermsMutation;
