//! What every GraphQL document must satisfy before the library validates or runs it, with
//! work bounded by the document's size:
//!
//! - nesting: brackets nest at most [`MAX_NESTING`] deep, checked on the raw text before
//!   anything recursive (the parser, validation) touches it;
//! - size after fragment expansion: fragments that spread each other can make a 1 KB
//!   document stand for billions of selections, and validation walks them expanded. The
//!   expanded count (fields, fragment spreads, inline fragments, directives and arguments,
//!   aliases included; an argument that names a variable costs the size of that variable's
//!   value, which validation and execution copy at each use) is computed with one memoized
//!   pass per fragment and must stay within the configured bound
//!   (`GRAPHQL__MAX_SELECTIONS`);
//! - at most [`MAX_FRAGMENTS`] fragment definitions (validation follows chains of unused
//!   fragments recursively) and at most [`MAX_VARIABLE_VALUES`] values in the variables;
//! - no NUL character in any string value, in the document or in the variables: PostgreSQL
//!   refuses it and SQLite cuts text at it, so it can only ever do harm.
//!
//! The parsed document is handed to the executor, so a request is parsed once.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Name, Positioned};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashMap;
use worker::i18n::Message;
use worker::msg;

/// Deepest bracket nesting (`{`, `[`, `(`) a document may have. GraphiQL's introspection
/// query nests 13 deep; the depth limit on fields is lower than this anyway.
pub const MAX_NESTING: usize = 64;

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
}

/// What the handler needs to know about a checked document.
#[derive(Debug, Default)]
pub struct Shape {
    /// Whether an operation is a mutation or a subscription (GET runs queries only).
    pub has_non_query: bool,
    /// Root fields of the mutation operations (for the suspended-partner rule).
    pub mutation_fields: Vec<String>,
    /// Whether an operation is a subscription (which only `/graphql/ws` runs).
    pub has_subscription: bool,
    /// Whether an operation is a query or a mutation (which `/graphql/ws` does not run).
    pub has_request: bool,
    /// The operation that runs: its name (if any) and type (for metrics); no type when
    /// the document does not parse or names no such operation.
    pub operation: Option<(Option<String>, &'static str)>,
}

/// Checks one request and attaches its parsed document, so the executor does not parse it
/// again. A document that does not parse is left to the executor, which reports why.
pub fn prepare(
    request: &mut async_graphql::Request,
    max_selections: usize,
) -> Result<Shape, Refusal> {
    check_nesting(&request.query)?;
    let mut sizes = HashMap::new();
    let mut values = 0usize;
    for (name, value) in request.variables.iter() {
        check_const(value)?;
        let size = value_count(value);
        values = values.saturating_add(size);
        sizes.insert(name.as_str().to_owned(), size);
    }
    if values > MAX_VARIABLE_VALUES {
        return Err(Refusal::TooComplex(msg!(
            "error-too-many-values",
            max = MAX_VARIABLE_VALUES
        )));
    }
    let Ok(doc) = super::documents::parse(&request.query) else {
        return Ok(Shape::default());
    };
    let mut shape = inspect(&doc, &sizes, max_selections)?;
    shape.operation = doc
        .operations
        .iter()
        .find(|(name, _)| match &request.operation_name {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .map(|(name, op)| {
            let kind = match op.node.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            };
            (name.map(|n| n.to_string()), kind)
        });
    request.set_parsed_query(doc);
    Ok(shape)
}

/// How many values `value` holds (itself, list items and object fields, recursively).
fn value_count(value: &ConstValue) -> usize {
    1 + match value {
        ConstValue::List(items) => items.iter().map(value_count).sum(),
        ConstValue::Object(fields) => fields.values().map(value_count).sum(),
        _ => 0,
    }
}

/// Checks the raw text's nesting (before parsing).
pub fn check_nesting(query: &str) -> Result<(), Refusal> {
    let mut depth = 0usize;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                // A comment runs to the end of the line.
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => skip_string(&mut chars),
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Refusal::TooComplex(msg!(
                        "error-nested-too-deep",
                        max = MAX_NESTING
                    )));
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Skips a string literal whose opening quote was just read (a block string `"""…"""`
/// or a plain one with backslash escapes).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if chars.peek() == Some(&'"') {
        chars.next();
        if chars.peek() != Some(&'"') {
            return; // the empty string ""
        }
        chars.next();
        let mut quotes = 0;
        let mut escaped = false;
        for c in chars.by_ref() {
            match c {
                '"' if !escaped => {
                    quotes += 1;
                    if quotes == 3 {
                        return;
                    }
                }
                '\\' => {
                    escaped = true;
                    quotes = 0;
                    continue;
                }
                _ => quotes = 0,
            }
            escaped = false;
        }
        return;
    }
    let mut escaped = false;
    for c in chars.by_ref() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return,
            '\n' | '\r' => return,
            _ => escaped = false,
        }
    }
}

/// Checks a parsed document against `max_selections` (`variable_sizes`: values held by
/// each variable) and returns its shape.
pub fn inspect(
    doc: &ExecutableDocument,
    variable_sizes: &HashMap<String, usize>,
    max_selections: usize,
) -> Result<Shape, Refusal> {
    if doc.fragments.len() > MAX_FRAGMENTS {
        return Err(Refusal::TooComplex(msg!(
            "error-too-many-fragments",
            max = MAX_FRAGMENTS
        )));
    }
    let mut counter = Counter {
        doc,
        variable_sizes,
        memo: HashMap::new(),
        in_progress: Vec::new(),
    };
    let mut total = 0usize;
    for fragment in doc.fragments.values() {
        check_directive_values(&fragment.node.directives)?;
    }
    let mut shape = Shape::default();
    for (_, operation) in doc.operations.iter() {
        let op = &operation.node;
        check_directive_values(&op.directives)?;
        for variable in &op.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                check_const(&default.node)?;
            }
        }
        total = total.saturating_add(counter.selection_set(&op.selection_set.node)?);
        if op.ty != OperationType::Query {
            shape.has_non_query = true;
        }
        if op.ty == OperationType::Subscription {
            shape.has_subscription = true;
        } else {
            shape.has_request = true;
        }
        if op.ty == OperationType::Mutation {
            root_fields(
                doc,
                &op.selection_set.node,
                &mut Vec::new(),
                &mut shape.mutation_fields,
            );
        }
        if total > max_selections {
            return Err(too_many(max_selections));
        }
    }
    Ok(shape)
}

/// The root fields a selection set runs, also those selected through fragment spreads and
/// inline fragments (a mutation hidden in a fragment is still that mutation).
fn root_fields<'a>(
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
                // Cycles are refused by the count; do not loop on them here either.
                if visiting.contains(&name.as_str()) {
                    continue;
                }
                if let Some(fragment) = doc.fragments.get(name) {
                    visiting.push(name.as_str());
                    root_fields(doc, &fragment.node.selection_set.node, visiting, out);
                    visiting.pop();
                }
            }
        }
    }
}

fn too_many(max: usize) -> Refusal {
    Refusal::TooComplex(msg!("error-too-many-selections", max = max))
}

struct Counter<'a> {
    doc: &'a ExecutableDocument,
    variable_sizes: &'a HashMap<String, usize>,
    /// Expanded size of each fragment already counted.
    memo: HashMap<&'a str, usize>,
    /// Fragments being counted (a cycle is refused; validation would refuse it too).
    in_progress: Vec<&'a str>,
}

impl<'a> Counter<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<usize, Refusal> {
        let mut total = 0usize;
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
                    (1 + field.directives.len())
                        .saturating_add(arguments)
                        .saturating_add(self.selection_set(&field.selection_set.node)?)
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    check_directive_values(&spread.directives)?;
                    1 + spread.directives.len() + self.fragment(&spread.fragment_name.node)?
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    check_directive_values(&inline.directives)?;
                    1 + inline.directives.len() + self.selection_set(&inline.selection_set.node)?
                }
            };
            total = total.saturating_add(cost);
        }
        Ok(total)
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

    fn fragment(&mut self, name: &'a Name) -> Result<usize, Refusal> {
        let key = name.as_str();
        if let Some(&known) = self.memo.get(key) {
            return Ok(known);
        }
        // An unknown fragment is for validation to report.
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Ok(0);
        };
        if self.in_progress.contains(&key) {
            return Err(Refusal::Invalid(msg!(
                "error-fragment-cycle",
                fragment = key
            )));
        }
        self.in_progress.push(key);
        let size = self.selection_set(&fragment.node.selection_set.node)?;
        self.in_progress.pop();
        self.memo.insert(key, size);
        Ok(size)
    }
}

fn check_directive_values(
    directives: &[Positioned<async_graphql::parser::types::Directive>],
) -> Result<(), Refusal> {
    for directive in directives {
        for (_, value) in &directive.node.arguments {
            check_value(&value.node)?;
        }
    }
    Ok(())
}

fn nul() -> Refusal {
    Refusal::Invalid(msg!("error-nul"))
}

/// Refuses a NUL character anywhere in a value written in the document.
fn check_value(value: &Value) -> Result<(), Refusal> {
    match value {
        Value::String(text) if text.contains('\0') => Err(nul()),
        Value::List(items) => items.iter().try_for_each(check_value),
        Value::Object(fields) => fields.values().try_for_each(check_value),
        _ => Ok(()),
    }
}

/// Refuses a NUL character anywhere in a variable's value (or a default).
pub fn check_const(value: &ConstValue) -> Result<(), Refusal> {
    match value {
        ConstValue::String(text) if text.contains('\0') => Err(nul()),
        ConstValue::List(items) => items.iter().try_for_each(check_const),
        ConstValue::Object(fields) => fields.values().try_for_each(check_const),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fan_out(levels: usize) -> String {
        let mut doc = String::from("query { ...G0 }\nfragment G0 on Query { __typename }\n");
        for n in 1..=levels {
            let prev = n - 1;
            doc.push_str(&format!(
                "fragment G{n} on Query {{ ...G{prev} ...G{prev} }}\n"
            ));
        }
        doc.replace("query { ...G0 }", &format!("query {{ ...G{levels} }}"))
    }

    fn inspect_text(text: &str, max: usize) -> Result<Shape, Refusal> {
        check_nesting(text)?;
        let doc = async_graphql::parser::parse_query(text).expect("parses");
        inspect(&doc, &HashMap::new(), max)
    }

    #[test]
    fn fragment_fan_out_is_counted_without_expanding() {
        assert!(inspect_text(&fan_out(5), 1000).is_ok());
        let started = std::time::Instant::now();
        assert!(matches!(
            inspect_text(&fan_out(30), 1000),
            Err(Refusal::TooComplex(_))
        ));
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }

    #[test]
    fn aliases_and_directives_count() {
        let fields: String = (0..600)
            .map(|i| format!("a{i}: __typename @include(if: true) "))
            .collect();
        assert!(matches!(
            inspect_text(&format!("{{ {fields} }}"), 1000),
            Err(Refusal::TooComplex(_))
        ));
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let deep = format!("{}{}", "{a".repeat(100), "}".repeat(100));
        assert!(matches!(check_nesting(&deep), Err(Refusal::TooComplex(_))));
        let list = format!("{{ a(x: {}1{}) }}", "[".repeat(100), "]".repeat(100));
        assert!(matches!(check_nesting(&list), Err(Refusal::TooComplex(_))));
        // Brackets inside strings and comments do not count.
        let quoted = format!("{{ a(x: \"{}\") }} # {}", "{".repeat(100), "[".repeat(100));
        assert!(check_nesting(&quoted).is_ok());
        let block = format!("{{ a(x: \"\"\"{}\\\"\"\" more\"\"\") }}", "(".repeat(100));
        assert!(check_nesting(&block).is_ok());
    }

    #[test]
    fn nul_is_refused_anywhere() {
        for doc in [
            r#"{ a(x: "\u0000") }"#,
            r#"{ a(x: ["ok", {y: "\u0000"}]) }"#,
            r#"{ a @include(if: true) @skip(if: false) @x(y: "\u0000") }"#,
            r#"query($v: String = "\u0000") { a }"#,
        ] {
            assert!(
                matches!(inspect_text(doc, 1000), Err(Refusal::Invalid(_))),
                "{doc}"
            );
        }
    }

    #[test]
    fn shape_names_mutation_fields() {
        let shape =
            inspect_text("mutation { login(x: 1) { token } b: logout { ok } }", 100).unwrap();
        assert!(shape.has_non_query);
        assert_eq!(shape.mutation_fields, ["login", "logout"]);
        assert!(!inspect_text("{ a }", 100).unwrap().has_non_query);
        let hidden = inspect_text(
            "mutation { ...M ... on MutationRoot { c } } fragment M on MutationRoot { a ...N } \
             fragment N on MutationRoot { b }",
            100,
        )
        .unwrap();
        assert_eq!(hidden.mutation_fields, ["a", "b", "c"]);
    }

    #[test]
    fn variables_are_bounded_and_cost_what_they_hold() {
        let ids: Vec<_> = (0..200).map(|i| i.to_string()).collect();
        let aliases: String = (0..10)
            .map(|i| format!("n{i}: nodes(ids: $ids) {{ id }} "))
            .collect();
        let mut request =
            async_graphql::Request::new(format!("query($ids: [ID!]!) {{ {aliases} }}")).variables(
                async_graphql::Variables::from_json(serde_json::json!({ "ids": ids })),
            );
        assert!(matches!(
            prepare(&mut request, 1000),
            Err(Refusal::TooComplex(_))
        ));
        let many: Vec<u32> = (0..20_000).collect();
        let mut request = async_graphql::Request::new("query($x: [Int!]) { a }").variables(
            async_graphql::Variables::from_json(serde_json::json!({ "x": many })),
        );
        assert!(matches!(
            prepare(&mut request, 100_000),
            Err(Refusal::TooComplex(_))
        ));
        let mut request = async_graphql::Request::new("query($s: String) { a }").variables(
            async_graphql::Variables::from_json(serde_json::json!({ "s": "a\u{0}" })),
        );
        assert!(matches!(
            prepare(&mut request, 100),
            Err(Refusal::Invalid(_))
        ));
    }

    #[test]
    fn too_many_fragments_are_refused() {
        let fragments: String = (0..300)
            .map(|i| format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1))
            .collect();
        let doc = format!("{{ __typename }}\n{fragments}fragment F300 on Query {{ a }}");
        assert!(matches!(
            inspect_text(&doc, 100_000),
            Err(Refusal::TooComplex(_))
        ));
    }

    #[test]
    fn cycles_are_refused() {
        let doc = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(matches!(inspect_text(doc, 1000), Err(Refusal::Invalid(_))));
    }
}
