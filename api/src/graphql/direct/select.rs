//! Reading an operation the way validation and CollectFields would: each selection set
//! reduced to its response keys in order (fragments merged in where they apply, repeated
//! keys merged), every variable and fragment accounted for. Anything validation could
//! refuse, or that needs more than the executor knows (directives, abstract types,
//! list or object arguments), makes recognition fail, and the request keeps the general
//! path, which answers it as before.

use super::json::Key;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::{Name, Positioned};
use async_graphql_value::{ConstValue, Value};
use std::cell::RefCell;
use std::collections::HashSet;

/// The document of one operation, and what recognition has used of it.
pub struct Doc<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a [Positioned<VariableDefinition>],
    used_fragments: RefCell<HashSet<&'a str>>,
    used_variables: RefCell<HashSet<&'a str>>,
    visiting: RefCell<Vec<&'a str>>,
}

/// One response key of a selection set, fragments merged in.
pub struct Sel<'a> {
    pub key: &'a Name,
    pub name: &'a str,
    arguments: &'a [(Positioned<Name>, Positioned<Value>)],
    sets: Vec<&'a SelectionSet>,
}

/// A scalar argument: absent, given in the document, or a variable (with its default).
#[derive(Debug, Clone)]
pub enum Arg {
    Absent,
    Literal(ConstValue),
    Variable {
        name: Name,
        default: Option<ConstValue>,
        non_null: bool,
    },
}

/// The scalar types an argument of the hot shapes takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    Int,
    String,
}

impl Scalar {
    fn name(self) -> &'static str {
        match self {
            Scalar::Int => "Int",
            Scalar::String => "String",
        }
    }

    /// Whether `value` is a valid literal of this (nullable) type.
    fn accepts(self, value: &ConstValue) -> bool {
        match (self, value) {
            (_, ConstValue::Null) => true,
            (Scalar::Int, ConstValue::Number(n)) => {
                n.as_i64().is_some_and(|n| i32::try_from(n).is_ok())
            }
            (Scalar::String, ConstValue::String(_)) => true,
            _ => false,
        }
    }
}

impl<'a> Doc<'a> {
    /// The only operation of `doc`, if it is a query named as asked (`operation_name`);
    /// `None` for anything else (several operations: validation looks at all of them).
    pub fn query(
        doc: &'a ExecutableDocument,
        operation_name: Option<&str>,
    ) -> Option<(Self, &'a SelectionSet)> {
        use async_graphql::parser::types::{DocumentOperations, OperationType};
        let operation = match (&doc.operations, operation_name) {
            (DocumentOperations::Single(op), None) => op,
            (DocumentOperations::Multiple(ops), wanted) if ops.len() == 1 => {
                let (name, op) = ops.iter().next()?;
                if wanted.is_some_and(|w| w != name.as_str()) {
                    return None;
                }
                op
            }
            _ => return None,
        };
        let op = &operation.node;
        if op.ty != OperationType::Query || !op.directives.is_empty() {
            return None;
        }
        let mut names = HashSet::new();
        for variable in &op.variable_definitions {
            let v = &variable.node;
            if !v.directives.is_empty() || !names.insert(v.name.node.as_str()) {
                return None;
            }
        }
        let this = Self {
            doc,
            variables: &op.variable_definitions,
            used_fragments: RefCell::default(),
            used_variables: RefCell::default(),
            visiting: RefCell::default(),
        };
        Some((this, &op.selection_set.node))
    }

    /// Validation's "all fragments used" and "all variables used", after recognition.
    pub fn all_used(&self) -> bool {
        let fragments = self.used_fragments.borrow();
        let variables = self.used_variables.borrow();
        self.doc
            .fragments
            .keys()
            .all(|name| fragments.contains(name.as_str()))
            && self
                .variables
                .iter()
                .all(|v| variables.contains(v.node.name.node.as_str()))
    }

    /// The response keys of `sets` on the object type `on`, in order.
    pub fn fields(&self, sets: &[&'a SelectionSet], on: &str) -> Option<Vec<Sel<'a>>> {
        let mut out: Vec<Sel<'a>> = Vec::new();
        for set in sets {
            self.collect(set, on, &mut out)?;
        }
        Some(out)
    }

    fn collect(&self, set: &'a SelectionSet, on: &str, out: &mut Vec<Sel<'a>>) -> Option<()> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if !field.directives.is_empty() {
                        return None;
                    }
                    let key = &field.response_key().node;
                    let name = field.name.node.as_str();
                    let mut seen = HashSet::new();
                    if !field
                        .arguments
                        .iter()
                        .all(|(n, _)| seen.insert(n.node.as_str()))
                    {
                        return None;
                    }
                    match out.iter_mut().find(|s| s.key == key) {
                        Some(existing) => {
                            // Validation's "fields can merge": same field, same arguments.
                            if existing.name != name
                                || !same_arguments(existing.arguments, &field.arguments)
                            {
                                return None;
                            }
                            existing.sets.push(&field.selection_set.node);
                        }
                        None => out.push(Sel {
                            key,
                            name,
                            arguments: &field.arguments,
                            sets: vec![&field.selection_set.node],
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    let name = spread.fragment_name.node.as_str();
                    let fragment = &self.doc.fragments.get(&spread.fragment_name.node)?.node;
                    if !spread.directives.is_empty()
                        || !fragment.directives.is_empty()
                        || fragment.type_condition.node.on.node.as_str() != on
                        || self.visiting.borrow().contains(&name)
                    {
                        return None;
                    }
                    self.used_fragments.borrow_mut().insert(name);
                    self.visiting.borrow_mut().push(name);
                    let collected = self.collect(&fragment.selection_set.node, on, out);
                    self.visiting.borrow_mut().pop();
                    collected?;
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let applies = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|t| t.node.on.node.as_str() == on);
                    if !inline.directives.is_empty() || !applies {
                        return None;
                    }
                    self.collect(&inline.selection_set.node, on, out)?;
                }
            }
        }
        Some(())
    }

    /// A scalar argument `name` of `sel` of type `ty` (nullable in the schema).
    pub fn arg(&self, sel: &Sel<'a>, name: &str, ty: Scalar) -> Option<Arg> {
        let Some((_, value)) = sel.arguments.iter().find(|(n, _)| n.node.as_str() == name) else {
            return Some(Arg::Absent);
        };
        match &value.node {
            Value::Variable(variable) => {
                let definition = self
                    .variables
                    .iter()
                    .find(|v| v.node.name.node == *variable)?;
                let d = &definition.node;
                let BaseType::Named(type_name) = &d.var_type.node.base else {
                    return None;
                };
                if type_name.as_str() != ty.name() {
                    return None;
                }
                let default = d.default_value.as_ref().map(|v| v.node.clone());
                if default.as_ref().is_some_and(|v| !ty.accepts(v)) {
                    return None;
                }
                self.used_variables
                    .borrow_mut()
                    .insert(definition.node.name.node.as_str());
                Some(Arg::Variable {
                    name: variable.clone(),
                    default,
                    non_null: !d.var_type.node.nullable,
                })
            }
            other => {
                let value = other.clone().into_const()?;
                ty.accepts(&value).then_some(Arg::Literal(value))
            }
        }
    }
}

impl<'a> Sel<'a> {
    /// The selections below this key (each occurrence's), for an object field; `None`
    /// when an occurrence selects nothing (validation requires a selection).
    pub fn object(&self) -> Option<Vec<&'a SelectionSet>> {
        self.sets
            .iter()
            .all(|s| !s.items.is_empty())
            .then(|| self.sets.clone())
    }

    /// True for a leaf field: no selection, no arguments.
    pub fn leaf(&self) -> bool {
        self.arguments.is_empty() && self.sets.iter().all(|s| s.items.is_empty())
    }

    /// Only these argument names (validation refuses unknown ones).
    pub fn arguments_among(&self, known: &[&str]) -> bool {
        self.arguments
            .iter()
            .all(|(n, _)| known.contains(&n.node.as_str()))
    }

    pub fn json_key(&self) -> Key {
        Key::new(self.key.as_str())
    }
}

fn same_arguments(
    a: &[(Positioned<Name>, Positioned<Value>)],
    b: &[(Positioned<Name>, Positioned<Value>)],
) -> bool {
    a.len() == b.len()
        && a.iter().all(|(name, value)| {
            b.iter()
                .any(|(n, v)| n.node == name.node && v.node == value.node)
        })
}

/// An argument's value for this request: `Ok(None)` for absent or null, `Err` when the
/// variable's value is not of its type (the general path then reports it).
pub fn resolve(
    arg: &Arg,
    variables: &async_graphql::Variables,
    ty: Scalar,
) -> Result<Option<ConstValue>, ()> {
    let value = match arg {
        Arg::Absent => return Ok(None),
        Arg::Literal(v) => v.clone(),
        Arg::Variable {
            name,
            default,
            non_null,
        } => match variables.get(name) {
            Some(v) => {
                if *non_null && matches!(v, ConstValue::Null) {
                    return Err(());
                }
                v.clone()
            }
            None if *non_null && default.is_none() => return Err(()),
            None => default.clone().unwrap_or(ConstValue::Null),
        },
    };
    if !ty.accepts(&value) {
        return Err(());
    }
    Ok((!matches!(value, ConstValue::Null)).then_some(value))
}
