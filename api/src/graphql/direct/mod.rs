//! Prepared plans: the hot shapes executed without async-graphql's per-field machinery.
//!
//! A document is recognized once ([`prepare`]): when its operation is a query whose every
//! field is one this executor knows (the customers page: `customers` with its page info,
//! cursors, customers and their subscriptions; the partnership lists `indirectResellers`
//! and `indirectProviders` with both parties; `auditLog`), the result is a [`DirectPlan`], a
//! typed tree of what to write in selection-set order, with aliases resolved and fragments
//! merged in as CollectFields would. [`execute`] then runs the page's statement (one where
//! the general path sends three), reads the rows by position and writes the response body
//! straight into bytes, without a value tree. The answer is byte for byte the general
//! path's (e2e `direct::*` compare them); anything the plan does not cover — an error, an
//! argument out of range, a viewer who may not list customers, a missing row — returns
//! [`Fallback`] before anything is sent, and the request takes the general path, which
//! answers it as before.
//!
//! Recognition implies validation: a plan is only made for a document with one query
//! operation, no directives, every fragment and variable used, variables typed as the
//! arguments they feed, and fields that exist with the arguments they take. The guard,
//! policy table and cost budget run before either path, unchanged.
//!
//! The HTTP handler keeps recognitions by document text ([`lookup`], [`remember`]); trusted documents
//! call [`prepare`] once per document.

mod audit_log;
mod connection;
mod customers;
mod json;
mod partner;
mod partnerships;
mod select;

use crate::auth::Actor;
use crate::budget::Report;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use json::{Key, Out};
use sea_orm::DatabaseConnection;
use select::Doc;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// A recognized operation, ready to run for any variables and viewer.
#[derive(Debug)]
pub struct DirectPlan {
    members: Vec<(Key, Root)>,
    /// Fields nested along the deepest path (async-graphql's depth limit counts these).
    pub depth: usize,
}

#[derive(Debug)]
enum Root {
    Typename,
    Customers(Box<customers::CustomersPlan>),
    Partnerships(Box<partnerships::PartnershipsPlan>),
    AuditLog(Box<audit_log::AuditLogPlan>),
}

/// Why a plan did not answer: the general path will (the reason is for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback(pub &'static str);

/// What a plan runs with: the database, the caller, the language of the request
/// (`Accept-Language`) and the budget's report for `extensions.cost`.
pub struct Request<'a> {
    pub db: &'a DatabaseConnection,
    pub actor: Option<&'a Actor>,
    pub lang: worker::i18n::Lang,
    pub cost: Option<&'a Report>,
}

/// Recognizes the operation `operation_name` (or the only one) of `doc`.
pub fn prepare(doc: &ExecutableDocument, operation_name: Option<&str>) -> Option<DirectPlan> {
    let (d, set) = Doc::query(doc, operation_name)?;
    let mut members = Vec::new();
    for f in d.fields(&[set], "Query")? {
        let root = match f.name {
            "__typename" if f.leaf() => Root::Typename,
            "customers" => Root::Customers(Box::new(customers::recognize(&d, &f)?)),
            "indirectResellers" => Root::Partnerships(Box::new(partnerships::recognize(
                &d,
                &f,
                partnerships::List::Resellers,
            )?)),
            "indirectProviders" => Root::Partnerships(Box::new(partnerships::recognize(
                &d,
                &f,
                partnerships::List::Providers,
            )?)),
            "auditLog" => Root::AuditLog(Box::new(audit_log::recognize(&d, &f)?)),
            _ => return None,
        };
        members.push((f.json_key(), root));
    }
    if !d.all_used() {
        return None;
    }
    Some(DirectPlan {
        members,
        depth: depth(doc, set, &mut Vec::new()),
    })
}

/// Runs `plan`: the whole response body (`data`, and `extensions.cost` when charged).
pub async fn execute(
    plan: &DirectPlan,
    variables: &async_graphql::Variables,
    request: &Request<'_>,
) -> Result<Vec<u8>, Fallback> {
    let mut out = Out::with_capacity(4096);
    out.raw("{\"data\":{");
    let mut first = true;
    for (key, root) in &plan.members {
        out.comma(&mut first);
        out.raw(key.as_str());
        match root {
            Root::Typename => out.string("QueryRoot"),
            Root::Customers(p) => p.write(&mut out, variables, request).await?,
            Root::Partnerships(p) => p.write(&mut out, variables, request).await?,
            Root::AuditLog(p) => p.write(&mut out, variables, request).await?,
        }
    }
    out.byte(b'}');
    if let Some(report) = request.cost {
        out.raw(",\"extensions\":{\"cost\":");
        out.value(&report.value());
        out.byte(b'}');
    }
    out.byte(b'}');
    Ok(out.bytes)
}

/// Nesting of fields, fragments followed (a cycle stops: recognition refused it anyway).
fn depth<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    visiting: &mut Vec<&'a str>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => 1 + depth(doc, &f.node.selection_set.node, visiting),
            Selection::InlineFragment(i) => depth(doc, &i.node.selection_set.node, visiting),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                match doc.fragments.get(&s.node.fragment_name.node) {
                    Some(f) if !visiting.contains(&name) => {
                        visiting.push(name);
                        let d = depth(doc, &f.node.selection_set.node, visiting);
                        visiting.pop();
                        d
                    }
                    _ => 0,
                }
            }
        })
        .max()
        .unwrap_or(0)
}

/// Texts longer than this are not kept (applications send a few KB).
const MAX_TEXT: usize = 8 * 1024;
/// Recognitions kept; the least recently used goes first.
const MAX_ENTRIES: usize = 256;

/// One text's recognition, for the operation it was asked with.
struct Entry {
    operation: Option<Box<str>>,
    plan: Option<Arc<DirectPlan>>,
    used: u64,
}

#[derive(Default)]
struct Plans {
    entries: HashMap<Box<str>, Entry>,
    tick: u64,
}

static PLANS: LazyLock<Mutex<Plans>> = LazyLock::new(Default::default);

/// The recognition kept for `text` (operation `operation_name`): `None` when the text
/// was never seen, `Some(None)` when it is not a shape the plans answer.
pub fn lookup(text: &str, operation_name: Option<&str>) -> Option<Option<Arc<DirectPlan>>> {
    let mut plans = PLANS.lock().unwrap_or_else(|e| e.into_inner());
    plans.tick += 1;
    let tick = plans.tick;
    let entry = plans.entries.get_mut(text)?;
    if entry.operation.as_deref() != operation_name {
        return None;
    }
    entry.used = tick;
    Some(entry.plan.clone())
}

/// Keeps the recognition of `text`, dropping the least recently used when full.
pub fn remember(text: &str, operation_name: Option<&str>, plan: Option<Arc<DirectPlan>>) {
    if text.len() > MAX_TEXT {
        return;
    }
    let mut plans = PLANS.lock().unwrap_or_else(|e| e.into_inner());
    if plans.entries.len() >= MAX_ENTRIES
        && !plans.entries.contains_key(text)
        && let Some(oldest) = plans
            .entries
            .iter()
            .min_by_key(|(_, e)| e.used)
            .map(|(k, _)| k.clone())
    {
        plans.entries.remove(&oldest);
    }
    let tick = plans.tick;
    let entry = Entry {
        operation: operation_name.map(Into::into),
        plan,
        used: tick,
    };
    plans.entries.insert(text.into(), entry);
}
