//! What introspection lists can hold in this schema, for the guard's `values` figure
//! (see `count`). Measured once from the schema itself at start-up ([`measure`]).
//!
//! A list's children count once per item it can hold. Where the parents are each schema
//! item exactly once (the elements of `__schema { types }`, their `fields`, those fields'
//! `args`, …) a list holds on average the schema's total over its parents (all fields of
//! all types are ΣF, whatever their spread), so the figure is exact for GraphiQL's own
//! introspection; anywhere else (below `type`, `ofType`, `interfaces`, or `__type(name:)`)
//! a parent may be any item, even the same one again and again, and the list counts as the
//! largest of its kind. Either way the figure bounds what the answer can hold.

use async_graphql::{ObjectType, Schema, SubscriptionType};
use serde_json::Value;
use std::sync::OnceLock;

/// What the parents of a selection set are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parents {
    /// Any objects, possibly the same ones many times.
    Any,
    /// Every type of the schema, each once.
    EachType,
    /// Every field of every type, each once.
    EachField,
    /// Every directive, each once.
    EachDirective,
}

/// How one list field multiplies its children: by `per / of` (items per parent), and what
/// its items are.
pub struct Step {
    pub per: usize,
    pub of: usize,
    pub items: Parents,
}

/// Totals and maxima of the schema's lists.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub types: usize,
    pub directives: usize,
    /// Σ and max over types.
    pub fields: (usize, usize),
    pub input_fields: (usize, usize),
    pub enum_values: (usize, usize),
    pub interfaces: (usize, usize),
    pub possible_types: (usize, usize),
    /// Σ over fields, Σ over directives, max over both.
    pub field_args: usize,
    pub directive_args: usize,
    pub max_args: usize,
}

/// Until measured (unit tests without a schema): generous guesses.
const UNMEASURED: Sizes = Sizes {
    types: 1_000,
    directives: 20,
    fields: (20_000, 100),
    input_fields: (10_000, 100),
    enum_values: (10_000, 100),
    interfaces: (1_000, 20),
    possible_types: (10_000, 100),
    field_args: 20_000,
    directive_args: 100,
    max_args: 20,
};

static SIZES: OnceLock<Sizes> = OnceLock::new();

fn sizes() -> Sizes {
    SIZES.get().copied().unwrap_or(UNMEASURED)
}

/// The step of field `name` selected on `parents` (every other field: ×1, any parents).
pub fn step(name: &str, parents: Parents) -> Step {
    let s = sizes();
    let per_type = |(total, max): (usize, usize), items| match parents {
        Parents::EachType => Step {
            per: total,
            of: s.types,
            items,
        },
        _ => Step {
            per: max,
            of: 1,
            items: Parents::Any,
        },
    };
    match name {
        "types" => Step {
            per: s.types,
            of: 1,
            items: Parents::EachType,
        },
        "directives" => Step {
            per: s.directives,
            of: 1,
            items: Parents::EachDirective,
        },
        "fields" => per_type(s.fields, Parents::EachField),
        "inputFields" => per_type(s.input_fields, Parents::Any),
        "enumValues" => per_type(s.enum_values, Parents::Any),
        "interfaces" => per_type(s.interfaces, Parents::Any),
        "possibleTypes" => per_type(s.possible_types, Parents::Any),
        "args" => match parents {
            Parents::EachField => Step {
                per: s.field_args,
                of: s.fields.0,
                items: Parents::Any,
            },
            Parents::EachDirective => Step {
                per: s.directive_args,
                of: s.directives,
                items: Parents::Any,
            },
            _ => Step {
                per: s.max_args,
                of: 1,
                items: Parents::Any,
            },
        },
        _ => Step {
            per: 1,
            of: 1,
            items: Parents::Any,
        },
    }
}

const QUERY: &str = "{ __schema { directives { args { name } } types { \
    fields(includeDeprecated: true) { args { name } } inputFields { name } \
    interfaces { name } possibleTypes { name } enumValues(includeDeprecated: true) { name } } } }";

/// Measures the schema's lists (once per process: every schema it builds is the same).
/// Without introspection nothing is measured, and nothing needs to be.
pub async fn measure<Q, M, S>(schema: &Schema<Q, M, S>)
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    if SIZES.get().is_some() {
        return;
    }
    let response = schema.execute(QUERY).await;
    if !response.errors.is_empty() {
        return;
    }
    let Ok(data) = response.data.into_json() else {
        return;
    };
    let _ = SIZES.set(sizes_of(&data["__schema"]));
}

fn items(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

fn sizes_of(schema: &Value) -> Sizes {
    let types = items(&schema["types"]);
    let directives = items(&schema["directives"]);
    let over_types = |list: &str| {
        let lens = types.iter().map(|t| items(&t[list]).len());
        (lens.clone().sum(), lens.max().unwrap_or(0))
    };
    let fields = types.iter().flat_map(|t| items(&t["fields"]));
    let args_of = |f: &Value| items(&f["args"]).len();
    Sizes {
        types: types.len(),
        directives: directives.len(),
        fields: over_types("fields"),
        input_fields: over_types("inputFields"),
        enum_values: over_types("enumValues"),
        interfaces: over_types("interfaces"),
        possible_types: over_types("possibleTypes"),
        field_args: fields.clone().map(args_of).sum(),
        directive_args: directives.iter().map(args_of).sum(),
        max_args: fields.chain(directives).map(args_of).max().unwrap_or(0),
    }
}

/// The measured sizes (tests check what was measured).
pub fn measured() -> Option<Sizes> {
    SIZES.get().copied()
}
