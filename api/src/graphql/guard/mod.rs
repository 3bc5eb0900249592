//! What every GraphQL document must satisfy before the library validates or runs it, with
//! work bounded by the document's size:
//!
//! - nesting: brackets nest at most [`MAX_NESTING`] deep, checked on the raw text before
//!   anything recursive (the parser, validation) touches it (`nesting`);
//! - size after fragment expansion (`count`): fragments that spread each other can make a
//!   1 KB document stand for billions of selections, and validation walks them expanded.
//!   Every definition counts, reached from an operation or not (validation walks them
//!   all), and must stay within `GRAPHQL__MAX_SELECTIONS`;
//! - what an introspection can answer (`count`, `introspection`): its lists multiply
//!   their children by what they can hold, within `GRAPHQL__MAX_INTROSPECTION_VALUES`;
//! - at most [`MAX_FRAGMENTS`] fragment definitions and at most [`MAX_VARIABLE_VALUES`]
//!   values in the variables;
//! - no NUL character in any string value, in the document or in the variables (`values`).
//!
//! The parsed document is handed to the executor, so a request is parsed once; only a
//! document the guard accepted is kept in the parsed-document cache.

pub(crate) mod count;
pub mod introspection;
mod nesting;
mod values;

use crate::settings::GraphqlSettings;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use std::collections::HashMap;
use worker::i18n::Message;
use worker::msg;

pub use nesting::{MAX_NESTING, check_nesting};
pub use values::check_const;

/// Most fragment definitions in one document (client apps that compose fragments use tens).
pub const MAX_FRAGMENTS: usize = 256;

/// Most values (scalars, list items, object fields) in one request's variables.
pub const MAX_VARIABLE_VALUES: usize = 10_000;

#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// `QUERY_TOO_COMPLEX`
    TooComplex(Message),
    /// `BAD_USER_INPUT` with reason `INVALID`
    Invalid(Message),
    /// The text is not a GraphQL document: said in words, with where (1-based line and
    /// column) when the parser knows.
    Syntax {
        message: Message,
        at: Option<(usize, usize)>,
    },
}

/// The bounds a document is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_selections: usize,
    pub max_introspection_values: usize,
    /// The most a request may cost: the cost budget's size (a request that could never
    /// be paid for is `QUERY_TOO_COMPLEX`).
    pub max_cost: usize,
}

impl From<&GraphqlSettings> for Limits {
    fn from(settings: &GraphqlSettings) -> Self {
        Self {
            max_selections: settings.max_selections,
            max_introspection_values: settings.max_introspection_values,
            max_cost: settings.max_complexity,
        }
    }
}

impl Limits {
    /// The limits of the server: the complexity limit never above the cost budget.
    pub fn of(settings: &crate::settings::Settings) -> Self {
        let mut limits = Self::from(&settings.graphql);
        limits.max_cost = effective_max_complexity(settings);
        limits
    }
}

/// The complexity limit in force: `GRAPHQL__MAX_COMPLEXITY`, but never more than the cost
/// budget holds (a budget of 0 is off).
pub fn effective_max_complexity(settings: &crate::settings::Settings) -> usize {
    match usize::try_from(settings.rate_limits.cost_bucket) {
        Ok(0) => settings.graphql.max_complexity,
        Ok(bucket) => settings.graphql.max_complexity.min(bucket),
        Err(_) => settings.graphql.max_complexity,
    }
}

/// What the handler needs to know about a checked document.
#[derive(Debug, Default, Clone)]
pub struct Shape {
    /// Whether an operation is a mutation or a subscription (GET runs queries only).
    pub has_non_query: bool,
    /// Root fields of the mutation operations (for the suspended-partner rule).
    pub mutation_fields: Vec<String>,
    /// Root fields of every operation, of any type (for the second-factor rule,
    /// `mfa::gate`).
    pub root_fields: Vec<String>,
    /// Whether an operation is a subscription (which only `/graphql/ws` runs).
    pub has_subscription: bool,
    /// Whether an operation is a query or a mutation.
    pub has_request: bool,
    /// The operation that runs: its name (if any) and type (for metrics); no type when
    /// the document does not parse or names no such operation.
    pub operation: Option<(Option<String>, &'static str)>,
    /// The order of the answer's fields (the operation's selection sets).
    pub order: Option<std::sync::Arc<super::order::Order>>,
    /// The type of the operation that runs and the root fields it selects (through
    /// fragments too): what `graphql::policy` and the cost budget look at.
    pub root: Option<(OperationType, Vec<String>)>,
    /// What the operation that runs costs from the caller's budget (at least 1).
    pub cost: usize,
}

/// Checks one request and attaches its parsed document, so the executor does not parse it
/// again. A document that does not parse is left to the executor, which reports why.
pub fn prepare(
    request: &mut async_graphql::Request,
    limits: impl Into<Limits>,
) -> Result<Shape, Refusal> {
    let limits = limits.into();
    check_nesting(&request.query)?;
    let sizes = check_variables(&request.variables)?;
    let parsed = super::documents::parse(&request.query).map_err(syntax)?;
    let (shape, size) = shape_of(
        &parsed.doc,
        &sizes,
        &request.variables,
        request.operation_name.as_deref(),
        limits,
    )?;
    parsed.accepted(size.selections);
    request.set_parsed_query(parsed.doc);
    Ok(shape)
}

/// The variables' own rules (no NUL, at most [`MAX_VARIABLE_VALUES`] values) and the values
/// each variable holds (what an argument naming it costs in `selections`).
pub fn check_variables(
    variables: &async_graphql::Variables,
) -> Result<HashMap<String, usize>, Refusal> {
    let mut sizes = HashMap::new();
    let mut total_values = 0usize;
    for (name, value) in variables.iter() {
        check_const(value)?;
        let size = values::value_count(value);
        total_values = total_values.saturating_add(size);
        sizes.insert(name.as_str().to_owned(), size);
    }
    if total_values > MAX_VARIABLE_VALUES {
        return Err(Refusal::TooComplex(msg!(
            "error-too-many-values",
            max = MAX_VARIABLE_VALUES
        )));
    }
    Ok(sizes)
}

/// The checks and figures of a parsed document for the operation that runs
/// (`operation_name`, or the only one): what `prepare` does after parsing, and what a
/// trusted document computes once (`trusted_documents::prepared`).
pub fn shape_of(
    doc: &ExecutableDocument,
    sizes: &HashMap<String, usize>,
    variables: &async_graphql::Variables,
    operation_name: Option<&str>,
    limits: Limits,
) -> Result<(Shape, count::Size), Refusal> {
    let (mut shape, size, costs) = inspect_sized(doc, sizes, variables, limits)?;
    shape.order = super::order::Order::of(doc, operation_name).map(std::sync::Arc::new);
    let selected = doc
        .operations
        .iter()
        .zip(&costs)
        .find(|((name, _), _)| match operation_name {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .map(|(operation, cost)| {
            shape.cost = *cost;
            operation
        });
    if shape.cost > limits.max_cost {
        return Err(Refusal::TooComplex(msg!(
            "error-too-costly",
            cost = shape.cost,
            max = limits.max_cost
        )));
    }
    shape.root = selected.map(|(_, op)| {
        let mut fields = Vec::new();
        count::root_fields(
            doc,
            &op.node.selection_set.node,
            &mut Vec::new(),
            &mut fields,
        );
        (op.node.ty, fields)
    });
    shape.operation = selected.map(|(name, op)| {
        let kind = match op.node.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        (name.map(|n| n.to_string()), kind)
    });
    Ok((shape, size))
}

/// A parse error in words: the parser's own text draws the line with a caret over
/// several lines; what it expected is its last line (`= expected selection`).
pub fn syntax(err: async_graphql::parser::Error) -> Refusal {
    use async_graphql::parser::Error;
    let at = err.positions().next().map(|pos| (pos.line, pos.column));
    let detail = match &err {
        Error::Syntax { message, .. } => message
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("= "))
            .unwrap_or("unexpected input")
            .to_owned(),
        other => other.to_string(),
    };
    Refusal::Syntax {
        message: msg!("error-syntax", detail = detail),
        at,
    }
}

/// Checks a parsed document against `limits` (`variable_sizes`: values held by each
/// variable) and returns its shape (the unit tests' way in; `prepare` is the server's).
#[cfg(test)]
fn inspect(
    doc: &ExecutableDocument,
    variable_sizes: &HashMap<String, usize>,
    limits: Limits,
) -> Result<Shape, Refusal> {
    let variables = async_graphql::Variables::default();
    inspect_sized(doc, variable_sizes, &variables, limits).map(|(shape, _, _)| shape)
}

/// The shape, the document's size and each operation's cost (in `doc.operations` order).
fn inspect_sized(
    doc: &ExecutableDocument,
    variable_sizes: &HashMap<String, usize>,
    variables: &async_graphql::Variables,
    limits: Limits,
) -> Result<(Shape, count::Size, Vec<usize>), Refusal> {
    if doc.fragments.len() > MAX_FRAGMENTS {
        return Err(Refusal::TooComplex(msg!(
            "error-too-many-fragments",
            max = MAX_FRAGMENTS
        )));
    }
    let mut counter = count::Counter::new(doc, variable_sizes).with_variables(variables);
    let mut costs = Vec::new();
    for fragment in doc.fragments.values() {
        values::check_directive_values(&fragment.node.directives)?;
    }
    let mut shape = Shape::default();
    let mut total = count::Size::default();
    for (_, operation) in doc.operations.iter() {
        let op = &operation.node;
        values::check_directive_values(&op.directives)?;
        for variable in &op.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                check_const(&default.node)?;
            }
        }
        let size = counter.selection_set(&op.selection_set.node, introspection::Parents::Any)?;
        costs.push(size.cost.max(1));
        total = count::Size {
            selections: total.selections.saturating_add(size.selections),
            values: total.values.saturating_add(size.values),
            cost: total.cost.saturating_add(size.cost),
        };
        if op.ty != OperationType::Query {
            shape.has_non_query = true;
        }
        if op.ty == OperationType::Subscription {
            shape.has_subscription = true;
        } else {
            shape.has_request = true;
        }
        count::root_fields(
            doc,
            &op.selection_set.node,
            &mut Vec::new(),
            &mut shape.root_fields,
        );
        if op.ty == OperationType::Mutation {
            count::root_fields(
                doc,
                &op.selection_set.node,
                &mut Vec::new(),
                &mut shape.mutation_fields,
            );
        }
        check_size(total, limits)?;
    }
    let unreached = counter.unreached_fragments()?;
    total.selections = total.selections.saturating_add(unreached.selections);
    check_size(total, limits)?;
    Ok((shape, total, costs))
}

fn check_size(size: count::Size, limits: Limits) -> Result<(), Refusal> {
    if size.selections > limits.max_selections {
        return Err(Refusal::TooComplex(msg!(
            "error-too-many-selections",
            max = limits.max_selections
        )));
    }
    // `values` exceeds `selections` only through introspection lists.
    if size.values > size.selections && size.values > limits.max_introspection_values {
        return Err(Refusal::TooComplex(msg!(
            "error-introspection-too-large",
            max = limits.max_introspection_values
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
