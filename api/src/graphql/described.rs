//! Every element of the schema explains itself (GraphiQL's docs pane, generated clients).
//!
//! Most descriptions are doc comments on the Rust items. The types async-graphql generates
//! for us (one connection and one edge type per paginated list) cannot carry a doc comment,
//! so their descriptions are registered here when the schema is built; the test below
//! fails on any type, field, argument, input field or enum value left without one.

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
