//! Generated from the exported schema: every root field has exactly one declaration, and
//! no declaration names a field the schema does not have.

use super::*;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

/// The root fields of the exported schema, per root type.
fn schema_roots() -> Vec<(OperationType, Vec<String>)> {
    let sdl = crate::graphql::sdl();
    let doc = parse_schema(&sdl).expect("the exported schema parses");
    let mut roots = Vec::new();
    for (root, type_name) in [
        (OperationType::Query, "QueryRoot"),
        (OperationType::Mutation, "MutationRoot"),
        (OperationType::Subscription, "SubscriptionRoot"),
    ] {
        let fields = doc
            .definitions
            .iter()
            .find_map(|d| match d {
                TypeSystemDefinition::Type(t) if t.node.name.node.as_str() == type_name => {
                    match &t.node.kind {
                        TypeKind::Object(o) => Some(
                            o.fields
                                .iter()
                                .map(|f| f.node.name.node.to_string())
                                .collect::<Vec<_>>(),
                        ),
                        _ => None,
                    }
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{type_name} in the schema"));
        roots.push((root, fields));
    }
    roots
}

#[test]
fn every_root_field_is_declared() {
    for (root, fields) in schema_roots() {
        for field in &fields {
            let count = declared(root).iter().filter(|(n, _)| n == field).count();
            assert_eq!(
                count, 1,
                "{root:?}.{field} needs exactly one declaration in graphql/policy/table.rs \
                 (its scope for API clients and whether it is exempt from MFA enrolment)"
            );
        }
        for (name, _) in declared(root) {
            assert!(
                fields.iter().any(|f| f == name),
                "{root:?}.{name} is declared but not in the schema"
            );
        }
    }
}

#[test]
fn people_only_fields_are_the_accounts_and_the_clients() {
    for field in ["viewer", "apiClients"] {
        assert_eq!(
            of(OperationType::Query, field).unwrap().need,
            Need::PeopleOnly
        );
    }
    for field in ["login", "changePassword", "addUser", "createApiClient"] {
        assert_eq!(
            of(OperationType::Mutation, field).unwrap().need,
            Need::PeopleOnly
        );
    }
    assert_eq!(node_need(NodeType::User), Need::PeopleOnly);
}

#[test]
fn a_client_needs_every_scope_of_a_field() {
    use crate::api_clients::Scopes;
    let client = |scopes: &[ApiScope]| ClientRef {
        id: 1,
        scopes: Scopes::of(scopes.iter().copied()),
        token_id: 1,
    };
    let need = of(OperationType::Mutation, "placeOrder").unwrap().need;
    assert_eq!(
        check(&client(&[ApiScope::CustomersWrite]), need),
        Err(Refused::Scope(ApiScope::OrdersWrite))
    );
    assert_eq!(
        check(
            &client(&[ApiScope::CustomersWrite, ApiScope::OrdersWrite]),
            need
        ),
        Ok(())
    );
}
