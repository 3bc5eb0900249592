//! Every element of the schema explains itself (GraphiQL's docs pane, generated clients).
//!
//! Most descriptions are doc comments on the Rust items. The types async-graphql generates
//! for us (one connection and one edge type per paginated list) cannot carry a doc comment,
//! so their descriptions are registered here when the schema is built; the test below
//! fails on any type, field, argument, input field or enum value left without one.
//!
//! The library's own scalars get a description here too: `DateTime` (chrono) and `Upload`
//! already carry a `specifiedByURL`, which the exported SDL shows as `@specifiedBy`.

use super::connection::{KeyCursor, Page};
use async_graphql::connection::{Edge, EmptyFields};
use async_graphql::{SchemaBuilder, Upload};
use chrono::{DateTime, Utc};

/// Registers the descriptions of the types async-graphql generates (connections, edges)
/// and of the library scalars, whose Rust definitions we cannot annotate.
pub fn generated_types<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S> {
    /// One connection type and its edge type per paginated node type.
    macro_rules! pages {
        ($builder:expr, $( $node:ty => $what:literal ),+ $(,)?) => {{
            let mut builder = $builder;
            $(
                builder = builder
                    .override_output_type_description::<Page<$node>>(concat!(
                        "A page of ", $what, ": `edges` (or just `nodes`), `pageInfo` to ",
                        "fetch the neighbouring pages, and `totalCount`, how many match over ",
                        "all pages. Pages hold at most 100 items."
                    ))
                    .override_output_type_description::<Edge<KeyCursor, $node, EmptyFields>>(
                        concat!("One item of a page of ", $what, ", with its opaque cursor."),
                    );
            )+
            builder
        }};
    }
    let builder = pages!(builder,
        crate::accounts::User => "an organization's users",
        crate::partners::Partner => "partner organizations",
        crate::catalog::Offer => "catalog offers",
        crate::partnerships::graphql::PartnershipInvitation => "partnership invitations",
        crate::partnerships::graphql::Partnership => "partnerships",
        crate::customers::graphql::Customer => "customers",
        crate::directory::graphql::DirectoryProvider => "the public provider directory",
        crate::directory::ProfileChangeRequest => "profile change requests",
        crate::audit::graphql::AuditEntry => "audit log entries",
        crate::webhooks::graphql::WebhookEndpoint => "webhook endpoints",
        crate::webhooks::graphql::WebhookDelivery => "webhook deliveries",
        crate::api_clients::ApiClient => "API clients",
        crate::admin_relationships::graphql::AdminRelationship => "admin relationships",
        crate::price_lists::PriceList => "price lists",
        crate::price_lists::ResellerPrice => "reseller price versions",
        crate::trusted_documents::TrustedDocument => "trusted documents",
        crate::customer_imports::CustomerImport => "customer imports",
        crate::customer_imports::CustomerImportRow => "rows of a customer import",
    );
    builder
        .override_output_type_description::<DateTime<Utc>>(
            "A point in time: an RFC 3339 date-time string with a UTC offset. Answers are in \
             UTC, e.g. `2025-03-01T09:30:00+00:00` (fractional seconds, 3, 6 or 9 digits, \
             only when not zero); inputs may use any offset (`Z`, `+08:00`) and are \
             converted to UTC.",
        )
        .override_input_type_description::<Upload>(
            "A file sent with the request as a GraphQL multipart request \
             (https://github.com/jaydenseric/graphql-multipart-request-spec): a \
             `multipart/form-data` POST with `operations` (the file's variable set to \
             null), `map` and one part per file. Browsers must also send a non-empty \
             `apollo-require-preflight` (or `x-apollo-operation-name`) header. Input only.",
        )
}

#[cfg(test)]
mod tests {
    use async_graphql::Positioned;
    use async_graphql::parser::parse_schema;
    use async_graphql::parser::types::{
        FieldDefinition, InputValueDefinition, TypeKind, TypeSystemDefinition,
    };

    /// Scalars the GraphQL specification defines (and describes itself).
    const STANDARD_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];
    /// Directives the GraphQL specification defines.
    const STANDARD_DIRECTIVES: &[&str] = &["include", "skip", "deprecated", "specifiedBy", "oneOf"];

    fn missing(description: &Option<Positioned<String>>) -> bool {
        description
            .as_ref()
            .is_none_or(|d| d.node.trim().is_empty())
    }

    fn check_arguments(
        owner: &str,
        arguments: &[Positioned<InputValueDefinition>],
        out: &mut Vec<String>,
    ) {
        for arg in arguments {
            if missing(&arg.node.description) {
                out.push(format!("argument {owner}({}:)", arg.node.name.node));
            }
        }
    }

    fn check_fields(
        type_name: &str,
        fields: &[Positioned<FieldDefinition>],
        out: &mut Vec<String>,
    ) {
        for field in fields {
            let path = format!("{type_name}.{}", field.node.name.node);
            if missing(&field.node.description) {
                out.push(format!("field {path}"));
            }
            check_arguments(&path, &field.node.arguments, out);
        }
    }

    /// Every element of the SDL that has no description.
    fn undescribed(sdl: &str) -> Vec<String> {
        let doc = parse_schema(sdl).expect("the exported SDL parses");
        let mut out = Vec::new();
        for def in &doc.definitions {
            match def {
                TypeSystemDefinition::Schema(_) => {}
                TypeSystemDefinition::Directive(d) => {
                    let name = d.node.name.node.as_str();
                    if STANDARD_DIRECTIVES.contains(&name) {
                        continue;
                    }
                    if missing(&d.node.description) {
                        out.push(format!("directive @{name}"));
                    }
                    check_arguments(&format!("@{name}"), &d.node.arguments, &mut out);
                }
                TypeSystemDefinition::Type(t) => {
                    let name = t.node.name.node.as_str();
                    if name.starts_with("__") || STANDARD_SCALARS.contains(&name) {
                        continue;
                    }
                    let kind = match &t.node.kind {
                        TypeKind::Scalar => "scalar",
                        TypeKind::Object(_) => "type",
                        TypeKind::Interface(_) => "interface",
                        TypeKind::Union(_) => "union",
                        TypeKind::Enum(_) => "enum",
                        TypeKind::InputObject(_) => "input",
                    };
                    if missing(&t.node.description) {
                        out.push(format!("{kind} {name}"));
                    }
                    match &t.node.kind {
                        TypeKind::Object(o) => check_fields(name, &o.fields, &mut out),
                        TypeKind::Interface(i) => check_fields(name, &i.fields, &mut out),
                        TypeKind::Enum(e) => {
                            for value in &e.values {
                                if missing(&value.node.description) {
                                    out.push(format!(
                                        "enum value {name}.{}",
                                        value.node.value.node
                                    ));
                                }
                            }
                        }
                        TypeKind::InputObject(i) => {
                            for field in &i.fields {
                                if missing(&field.node.description) {
                                    out.push(format!(
                                        "input field {name}.{}",
                                        field.node.name.node
                                    ));
                                }
                            }
                        }
                        TypeKind::Scalar | TypeKind::Union(_) => {}
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_check_finds_undescribed_elements() {
        let sdl = r#"
            "Described."
            type A { "Described." a(x: Int): Int b: Int }
            enum E { "Described." X Y }
            input I { i: Int }
            scalar S
            type B { "   " c: String }
        "#;
        assert_eq!(
            undescribed(sdl),
            [
                "argument A.a(x:)",
                "field A.b",
                "enum E",
                "enum value E.Y",
                "input I",
                "input field I.i",
                "scalar S",
                "type B",
                "field B.c",
            ]
        );
    }

    #[test]
    fn every_schema_element_is_described() {
        let missing = undescribed(&crate::graphql::sdl());
        assert!(
            missing.is_empty(),
            "{} schema elements have no description (add a `///` doc comment, or \
             `#[graphql(desc = \"...\")]` on an argument):\n  {}",
            missing.len(),
            missing.join("\n  ")
        );
    }
}
