//! Responses in the order of their selection sets. GraphQL orders a response's fields like
//! the selection set that asked for them (spec §7.1.1); caches, ETags and snapshot tests
//! depend on it. async-graphql 7.2 resolves an object's fields concurrently and keeps them
//! in the order they complete, so a field that waits for the database (`totalCount`) lands
//! after one that does not (`edges`), or before it, from one request to the next.
//!
//! [`Order`] is built once per request from the operation's selection sets (fragments
//! merged in, in the order CollectFields visits them) and [`Order::apply`] puts every
//! object of the answer in that order; objects already in order are left untouched.

use async_graphql::Name;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql_value::ConstValue;

/// The response keys of one selection set, in order, each with the order of its children.
#[derive(Debug, Default)]
pub struct Order {
    keys: Vec<(Name, Order)>,
}

impl Order {
    /// The order of the operation that runs (`operation_name`, or the only one).
    pub fn of(doc: &ExecutableDocument, operation_name: Option<&str>) -> Option<Order> {
        let (_, operation) = doc
            .operations
            .iter()
            .find(|(name, _)| match operation_name {
                Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
                None => true,
            })?;
        Some(build(doc, &[&operation.node.selection_set.node]))
    }

    /// Puts `value` (the operation's `data`, or part of it) in this order.
    pub fn apply(&self, value: &mut ConstValue) {
        if self.keys.is_empty() {
            return;
        }
        match value {
            ConstValue::List(items) => items.iter_mut().for_each(|item| self.apply(item)),
            ConstValue::Object(map) => {
                let position = |key: &Name| {
                    self.keys
                        .iter()
                        .position(|(k, _)| k == key)
                        .unwrap_or(usize::MAX)
                };
                let mut last = 0;
                let in_order = map.keys().all(|key| {
                    let at = position(key);
                    let ok = at >= last;
                    last = at;
                    ok
                });
                if !in_order {
                    map.sort_by_cached_key(|key, _| position(key));
                }
                for (key, child) in &self.keys {
                    if let Some(value) = map.get_mut(key) {
                        child.apply(value);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Merges `sets` (the selection sets of one response key, fragments included) into one
/// order. The guard has refused fragment cycles and bounded the expanded size already;
/// `visiting` still stops a spread of a fragment inside itself.
fn build(doc: &ExecutableDocument, sets: &[&SelectionSet]) -> Order {
    let mut keys: Vec<(Name, Vec<&SelectionSet>)> = Vec::new();
    let mut visiting = Vec::new();
    for set in sets {
        collect(doc, set, &mut keys, &mut visiting);
    }
    Order {
        keys: keys
            .into_iter()
            .map(|(key, children)| {
                let child = if children.iter().all(|s| s.items.is_empty()) {
                    Order::default()
                } else {
                    build(doc, &children)
                };
                (key, child)
            })
            .collect(),
    }
}

fn collect<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    keys: &mut Vec<(Name, Vec<&'a SelectionSet>)>,
    visiting: &mut Vec<&'a str>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let children = &field.node.selection_set.node;
                match keys.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sets)) => sets.push(children),
                    None => keys.push((key, vec![children])),
                }
            }
            Selection::InlineFragment(inline) => {
                collect(doc, &inline.node.selection_set.node, keys, visiting);
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if visiting.contains(&name) {
                    continue;
                }
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    visiting.push(name);
                    collect(doc, &fragment.node.selection_set.node, keys, visiting);
                    visiting.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn ordered(doc: &str, data: serde_json::Value) -> String {
        let doc = parse_query(doc).unwrap();
        let mut value = ConstValue::from_json(data).unwrap();
        Order::of(&doc, None).unwrap().apply(&mut value);
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn objects_follow_their_selection_sets() {
        let doc =
            "{ list(first: 2) { totalCount pageInfo { hasNextPage } edges { node { b a } } } }";
        let data = serde_json::json!({ "list": {
            "edges": [{ "node": { "a": 1, "b": 2 } }, { "node": { "b": 3, "a": 4 } }],
            "pageInfo": { "hasNextPage": false },
            "totalCount": 2 } });
        assert_eq!(
            ordered(doc, data),
            r#"{"list":{"totalCount":2,"pageInfo":{"hasNextPage":false},"edges":[{"node":{"b":2,"a":1}},{"node":{"b":3,"a":4}}]}}"#
        );
    }

    #[test]
    fn fragments_and_aliases_are_merged_in_visiting_order() {
        let doc = "query { x: viewer { ...F id } } fragment F on Viewer { ... on Viewer { name } id email }";
        let data = serde_json::json!({ "x": { "email": "e", "id": "i", "name": "n" } });
        assert_eq!(
            ordered(doc, data),
            r#"{"x":{"name":"n","id":"i","email":"e"}}"#
        );
    }
}
