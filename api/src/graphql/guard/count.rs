//! The expanded size of a document, computed with one memoized pass per fragment.
//!
//! Two figures per selection set:
//! - `selections`: fields, fragment spreads, inline fragments, directives and arguments,
//!   aliases included, each fragment counted at every spread (validation and execution
//!   walk them expanded); an argument that names a variable costs the size of that
//!   variable's value, which validation and execution copy at each use;
//! - `values`: the same, but the children of an introspection list (`types`, `fields`,
//!   `possibleTypes`, …) count once per item that list can hold in this schema
//!   (`introspection::step`), as a connection's children count once per `first`. A field
//!   counts once however long its list, so without this `interfaces { possibleTypes {
//!   interfaces … } }` stands for a response that grows ×13 every two levels.
//! - `cost`: what the request costs from the caller's budget (`budget`): every field 1 plus
//!   its children, the children of a connection once per `first`/`last` (100 when not
//!   given, as `connection::cost`), those of `nodes` once per id — the schema's own
//!   complexity figures, computed here before anything validates or runs.

use super::Refusal;
use super::introspection::{self, Parents};
use super::values::{check_directive_values, check_value};
use async_graphql::Name;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql_value::Value;
use std::collections::HashMap;
use worker::msg;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Size {
    pub selections: usize,
    pub values: usize,
    pub cost: usize,
}

impl Size {
    fn plus(self, other: Size) -> Size {
        Size {
            selections: self.selections.saturating_add(other.selections),
            values: self.values.saturating_add(other.values),
            cost: self.cost.saturating_add(other.cost),
        }
    }

    fn flat(n: usize) -> Size {
        Size {
            selections: n,
            values: n,
            cost: 0,
        }
    }
}

pub struct Counter<'a> {
    doc: &'a ExecutableDocument,
    variable_sizes: &'a HashMap<String, usize>,
    /// The request's variables, for page sizes given as variables (`cost`).
    variables: Option<&'a async_graphql::Variables>,
    /// Expanded size of each fragment already counted (on parents of that kind).
    memo: HashMap<(&'a str, Parents), Size>,
    /// Fragments being counted (a cycle is refused; validation would refuse it too).
    in_progress: Vec<&'a str>,
}

impl<'a> Counter<'a> {
    pub fn new(doc: &'a ExecutableDocument, variable_sizes: &'a HashMap<String, usize>) -> Self {
        Self {
            doc,
            variable_sizes,
            variables: None,
            memo: HashMap::new(),
            in_progress: Vec::new(),
        }
    }

    /// Page sizes given as variables are read from `variables`.
    pub fn with_variables(mut self, variables: &'a async_graphql::Variables) -> Self {
        self.variables = Some(variables);
        self
    }

    /// The fragments no operation reached, counted as well: validation walks every
    /// definition of the document (overlapping fields, for one, compares each selection
    /// set's expanded fields), used or not.
    pub fn unreached_fragments(&mut self) -> Result<Size, Refusal> {
        let mut total = Size::default();
        for name in self.doc.fragments.keys() {
            if !self.memo.keys().any(|(known, _)| *known == name.as_str()) {
                total = total.plus(self.fragment(name, Parents::Any)?);
            }
        }
        Ok(total)
    }

    pub fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        parents: Parents,
    ) -> Result<Size, Refusal> {
        let mut total = Size::default();
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let mut arguments = 0usize;
                    for (_, value) in &field.arguments {
                        check_value(&value.node)?;
                        arguments = arguments.saturating_add(self.argument_cost(&value.node));
                    }
                    check_directive_values(&field.directives)?;
                    let own = (1 + field.directives.len()).saturating_add(arguments);
                    let step = introspection::step(field.name.node.as_str(), parents);
                    let children = self.selection_set(&field.selection_set.node, step.items)?;
                    let values = children
                        .values
                        .saturating_mul(step.per)
                        .div_ceil(step.of.max(1));
                    Size {
                        selections: own.saturating_add(children.selections),
                        values: own.saturating_add(values),
                        cost: children
                            .cost
                            .saturating_mul(self.multiplier(field))
                            .saturating_add(1),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    check_directive_values(&spread.directives)?;
                    Size::flat(1 + spread.directives.len())
                        .plus(self.fragment(&spread.fragment_name.node, parents)?)
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    check_directive_values(&inline.directives)?;
                    Size::flat(1 + inline.directives.len())
                        .plus(self.selection_set(&inline.selection_set.node, parents)?)
                }
            };
            total = total.plus(cost);
        }
        Ok(total)
    }

    /// How many times a field's children count in `cost`: a connection's page size, the
    /// ids of `nodes`, else once.
    fn multiplier(&self, field: &async_graphql::parser::types::Field) -> usize {
        let max = crate::graphql::connection::MAX_PAGE_SIZE as i64;
        let argument = |name: &str| {
            field
                .arguments
                .iter()
                .find(|(n, _)| n.node.as_str() == name)
                .map(|(_, v)| self.resolved(&v.node))
        };
        let page = match (argument("first"), argument("last")) {
            (Some(Some(ConstLike::Int(n))), _) | (_, Some(Some(ConstLike::Int(n)))) => Some(n),
            (None, None) => None,
            _ => Some(max),
        };
        if let Some(n) = page {
            return n.clamp(0, max) as usize;
        }
        if field.name.node.as_str() == "nodes"
            && let Some(Some(ConstLike::List(n))) = argument("ids")
        {
            return n;
        }
        1
    }

    /// An argument's value where it matters for `cost`, variables looked up.
    fn resolved(&self, value: &Value) -> Option<ConstLike> {
        use async_graphql_value::ConstValue;
        let from_const = |value: &ConstValue| match value {
            ConstValue::Number(n) => n.as_i64().map(ConstLike::Int),
            ConstValue::List(items) => Some(ConstLike::List(items.len())),
            _ => None,
        };
        match value {
            Value::Number(n) => n.as_i64().map(ConstLike::Int),
            Value::List(items) => Some(ConstLike::List(items.len())),
            Value::Variable(name) => self
                .variables
                .and_then(|v| v.get(name))
                .and_then(from_const),
            _ => None,
        }
    }

    /// 1 for a literal; 1 plus the variable's size for each variable it names.
    fn argument_cost(&self, value: &Value) -> usize {
        match value {
            Value::Variable(name) => {
                1 + self.variable_sizes.get(name.as_str()).copied().unwrap_or(0)
            }
            Value::List(items) => 1 + items.iter().map(|v| self.argument_cost(v)).sum::<usize>(),
            Value::Object(fields) => {
                1 + fields
                    .values()
                    .map(|v| self.argument_cost(v))
                    .sum::<usize>()
            }
            _ => 1,
        }
    }

    fn fragment(&mut self, name: &'a Name, parents: Parents) -> Result<Size, Refusal> {
        let key = name.as_str();
        if let Some(&known) = self.memo.get(&(key, parents)) {
            return Ok(known);
        }
        // An unknown fragment is for validation to report.
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Ok(Size::default());
        };
        if self.in_progress.contains(&key) {
            return Err(Refusal::Invalid(msg!(
                "error-fragment-cycle",
                fragment = key
            )));
        }
        self.in_progress.push(key);
        let size = self.selection_set(&fragment.node.selection_set.node, parents)?;
        self.in_progress.pop();
        self.memo.insert((key, parents), size);
        Ok(size)
    }
}

/// A value as `cost` reads it.
enum ConstLike {
    Int(i64),
    List(usize),
}

/// The root fields a selection set runs, also those selected through fragment spreads and
/// inline fragments (a mutation hidden in a fragment is still that mutation).
pub fn root_fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    visiting: &mut Vec<&'a str>,
    out: &mut Vec<String>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => out.push(field.node.name.node.to_string()),
            Selection::InlineFragment(inline) => {
                root_fields(doc, &inline.node.selection_set.node, visiting, out);
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                // Each fragment is walked once per operation (its root fields are the same
                // wherever it is spread): no loop on cycles, and no exponential walk of
                // fragments that spread each other many times (every operation type
                // is walked, for the second-factor rule).
                if visiting.contains(&name.as_str()) {
                    continue;
                }
                if let Some(fragment) = doc.fragments.get(name) {
                    visiting.push(name.as_str());
                    root_fields(doc, &fragment.node.selection_set.node, visiting, out);
                }
            }
        }
    }
}
