//! The one pricing rule of price lists (issue 24), where both the API (orders, previews,
//! `resellerPrice`) and the worker (renewals) reach it: which list a reseller buys at,
//! which version is in force at a moment, and the unit price it gives (markup arithmetic
//! in integers), and a book of many prices read at once (`book`, for renewals).
//! `api::price_lists` re-exports `markup` and `resolve`.

pub mod book;
pub mod markup;
pub mod resolve;
