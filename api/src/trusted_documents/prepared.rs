//! A trusted document prepared once, when it is loaded or added: parsed, checked by the
//! document guard (its figures kept per operation: root fields, cost, answer order) and
//! validated against the schema. A request naming it then costs a clone of the parsed tree
//! and of the figures: no parse, no guard walk, and no validation rules (it runs on the
//! schema built with `ValidationMode::Fast`, `graphql::build_trusted`).
//!
//! What still depends on the request is redone, so that a trusted document answers exactly
//! as its text would:
//! - the variables' own rules (`guard::check_variables`, nothing when there are none);
//! - an operation that declares variables: its cost can depend on them (`first: $n`), and
//!   only full validation checks their values against the arguments' types, so it gets
//!   the guard's walk of the cached tree and the schema's full validation (`Strict`);
//!   still no parse.

use crate::graphql::AppSchema;
use crate::graphql::guard::{self, Limits, Refusal, Shape};
use async_graphql::Variables;
use async_graphql::parser::types::ExecutableDocument;
use std::collections::HashMap;
use worker::i18n::Message;
use worker::msg;

/// A document ready to run.
pub struct PreparedDocument {
    /// `sha256:<hex>`.
    pub id: String,
    /// The parsed tree, handed to the executor (a clone per request).
    pub doc: ExecutableDocument,
    /// Each operation with its guard figures, in the document's order.
    pub operations: Vec<PreparedOperation>,
    /// The prepared plan of a hot shape (`graphql::direct`), made once here: a request
    /// naming this document is written straight into the body, without recognition.
    /// Plans exist for single-operation documents only.
    pub direct: Option<std::sync::Arc<crate::graphql::direct::DirectPlan>>,
}

/// One operation of a prepared document.
pub struct PreparedOperation {
    pub name: Option<String>,
    /// The guard's figures for this operation with no variables given.
    pub shape: Shape,
    /// It declares variables (its figures and validation are redone per request).
    pub has_variables: bool,
}

/// How a request on a prepared document is validated by the executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Validated when prepared: the schema of `ValidationMode::Fast` (which keeps only the
    /// depth, complexity and cache-control figures, and the fragment-cycle check).
    Done,
    /// The operation's variables still need the full rules.
    Full,
}

/// Why a document cannot be trusted: the guard's refusal, or the schema's validation.
#[derive(Debug)]
pub enum Unfit {
    Guard(Message),
    Schema(String),
}

impl Unfit {
    /// What a user error or the start-up error says.
    pub fn message(&self) -> Message {
        match self {
            Self::Guard(message) => message.clone(),
            Self::Schema(detail) => msg!("error-trusted-document-invalid", detail = detail.clone()),
        }
    }
}

impl From<Refusal> for Unfit {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::TooComplex(m) | Refusal::Invalid(m) => Self::Guard(m),
            Refusal::Syntax { message, .. } => Self::Guard(message),
        }
    }
}

impl PreparedDocument {
    /// The operation a request runs: the one named, or the only one.
    pub fn operation(&self, name: Option<&str>) -> Option<&PreparedOperation> {
        match name {
            Some(wanted) => self
                .operations
                .iter()
                .find(|op| op.name.as_deref() == Some(wanted)),
            None if self.operations.len() == 1 => self.operations.first(),
            None => None,
        }
    }

    /// The names of the document's operations (anonymous ones left out).
    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.iter().filter_map(|op| op.name.as_deref())
    }

    /// The guard's figures for one request on this document, and how it is validated.
    /// Without variables they are the prepared ones; with variables (or an operation name
    /// that matches nothing) the guard walks the cached tree, as it would the text's.
    pub fn shape(
        &self,
        operation_name: Option<&str>,
        variables: &Variables,
        limits: Limits,
    ) -> Result<(Shape, Validation), Refusal> {
        if variables.is_empty()
            && let Some(op) = self.operation(operation_name)
            && !op.has_variables
        {
            return Ok((op.shape.clone(), Validation::Done));
        }
        let sizes = guard::check_variables(variables)?;
        match self.operation(operation_name) {
            Some(op) if !op.has_variables => Ok((op.shape.clone(), Validation::Done)),
            _ => guard::shape_of(&self.doc, &sizes, variables, operation_name, limits)
                .map(|(shape, _)| (shape, Validation::Full)),
        }
    }
}

/// Parses, checks and validates `text` (whose id is `id`, already checked) once.
/// `validator` is the schema of `graphql::build_validator`, which validates and runs
/// nothing.
pub async fn prepare(
    id: &str,
    text: &str,
    validator: &AppSchema,
    limits: Limits,
) -> Result<PreparedDocument, Unfit> {
    if text.len() > super::MAX_DOCUMENT_BYTES {
        return Err(Unfit::Guard(msg!(
            "error-trusted-document-too-large",
            max = super::MAX_DOCUMENT_BYTES
        )));
    }
    guard::check_nesting(text)?;
    let doc = async_graphql::parser::parse_query(text).map_err(guard::syntax)?;
    let mut operations = Vec::new();
    for (name, operation) in doc.operations.iter() {
        let name = name.map(|n| n.to_string());
        let declared: Vec<String> = operation
            .node
            .variable_definitions
            .iter()
            .map(|v| v.node.name.node.to_string())
            .collect();
        let has_variables = !declared.is_empty();
        // A cost that depends on variables is checked per request, with their values.
        let mut op_limits = limits;
        if has_variables {
            op_limits.max_cost = usize::MAX;
        }
        let (shape, _) = guard::shape_of(
            &doc,
            &HashMap::new(),
            &Variables::default(),
            name.as_deref(),
            op_limits,
        )?;
        validate(validator, &doc, name.as_deref(), &declared).await?;
        operations.push(PreparedOperation {
            name,
            shape,
            has_variables,
        });
    }
    let direct = match operations.as_slice() {
        [_] => crate::graphql::direct::prepare(&doc, None).map(std::sync::Arc::new),
        _ => None,
    };
    Ok(PreparedDocument {
        id: id.to_owned(),
        doc,
        operations,
        direct,
    })
}

/// The schema's full validation of one operation, without running it. Variables are not
/// known yet: the complexity figures of fields whose page size is a variable say
/// "Variable n is not defined." for the operation's own variables, which is not a fault
/// of the document (requests give them).
async fn validate(
    validator: &AppSchema,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    declared: &[String],
) -> Result<(), Unfit> {
    let mut request = async_graphql::Request::new("");
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    request.set_parsed_query(doc.clone());
    let response = validator.execute(request).await;
    let unset: Vec<String> = declared
        .iter()
        .map(|v| format!("Variable {v} is not defined."))
        .collect();
    match response.errors.iter().find(|e| !unset.contains(&e.message)) {
        Some(error) => Err(Unfit::Schema(error.message.clone())),
        None => Ok(()),
    }
}
