//! The guard's rules, checked on documents alone (no server).

use super::*;

fn limits(max_selections: usize) -> Limits {
    Limits {
        max_selections,
        max_introspection_values: 100_000,
        max_cost: usize::MAX,
    }
}

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
    inspect(&doc, &HashMap::new(), limits(max))
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
    let shape = inspect_text("mutation { login(x: 1) { token } b: logout { ok } }", 100).unwrap();
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
    let mut request = async_graphql::Request::new(format!("query($ids: [ID!]!) {{ {aliases} }}"))
        .variables(async_graphql::Variables::from_json(
            serde_json::json!({ "ids": ids }),
        ));
    assert!(matches!(
        prepare(&mut request, limits(1000)),
        Err(Refusal::TooComplex(_))
    ));
    let many: Vec<u32> = (0..20_000).collect();
    let mut request = async_graphql::Request::new("query($x: [Int!]) { a }").variables(
        async_graphql::Variables::from_json(serde_json::json!({ "x": many })),
    );
    assert!(matches!(
        prepare(&mut request, limits(100_000)),
        Err(Refusal::TooComplex(_))
    ));
    let mut request = async_graphql::Request::new("query($s: String) { a }").variables(
        async_graphql::Variables::from_json(serde_json::json!({ "s": "a\u{0}" })),
    );
    assert!(matches!(
        prepare(&mut request, limits(100)),
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

/// Values in an answer: every field's value and every list item.
fn answered(value: &async_graphql::Value) -> usize {
    match value {
        async_graphql::Value::List(items) => items.iter().map(answered).sum(),
        async_graphql::Value::Object(fields) => fields.values().map(|v| 1 + answered(v)).sum(),
        _ => 0,
    }
}

#[tokio::test]
async fn the_introspection_estimate_bounds_the_answer() {
    let settings = std::sync::Arc::new(crate::settings::Settings::default());
    let schema = crate::graphql::build(None, settings);
    introspection::measure(&schema).await;
    assert!(introspection::measured().is_some_and(|s| s.types > 50));
    for text in [
        "{ __schema { types { name fields { name args { name type { name ofType { name } } } } } } }",
        "{ __schema { types { interfaces { possibleTypes { name fields { name } } } } } }",
        "{ __schema { directives { args { name } } types { enumValues { name } inputFields { name } } } }",
        "{ a: __type(name: \"QueryRoot\") { fields { type { fields { name } } } } }",
    ] {
        let doc = async_graphql::parser::parse_query(text).unwrap();
        let variables = HashMap::new();
        let mut counter = count::Counter::new(&doc, &variables);
        let (_, op) = doc.operations.iter().next().unwrap();
        let estimate = counter
            .selection_set(&op.node.selection_set.node, introspection::Parents::Any)
            .unwrap()
            .values;
        let response = schema.execute(text).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let real = answered(&response.data);
        assert!(real <= estimate, "{text}: {real} > {estimate}");
        println!("{real:>7} answered, {estimate:>7} estimated: {text}");
    }
}

#[test]
fn nested_introspection_lists_are_refused() {
    let probe = format!(
        "{{ __schema {{ types {{ {}name{} }} }} }}",
        "interfaces { possibleTypes { ".repeat(7),
        " } }".repeat(7)
    );
    assert!(matches!(
        inspect_text(&probe, 2_000),
        Err(Refusal::TooComplex(_))
    ));
}

#[test]
fn unreached_fragments_count() {
    let fields: String = (0..100).map(|i| format!("f{i}: __typename ")).collect();
    let spreads = "... on Query { ...Wide } ".repeat(100);
    let doc = format!(
        "{{ __typename }} fragment Unused on Query {{ {spreads}}} fragment Wide on Query {{ {fields}}}"
    );
    assert!(matches!(
        inspect_text(&doc, 2_000),
        Err(Refusal::TooComplex(_))
    ));
}

/// The budget's cost: fields 1 each, a connection's children once per `first` (a variable
/// too), `nodes`' once per id, fragments expanded; only the operation that runs.
#[test]
fn cost_multiplies_connections_by_their_page_size() {
    let cost = |query: &str, variables: serde_json::Value| {
        let mut request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        prepare(&mut request, limits(10_000)).unwrap().cost
    };
    assert_eq!(cost("{ __typename }", serde_json::json!({})), 1);
    // customers(1) + 10 × (edges(1) + node(1) + id(1))
    assert_eq!(
        cost(
            "{ customers(first: 10) { edges { node { id } } } }",
            serde_json::json!({})
        ),
        31
    );
    assert_eq!(
        cost(
            "query($n: Int) { customers(first: $n) { ...F } } fragment F on CustomerConnection { totalCount }",
            serde_json::json!({ "n": 5 })
        ),
        6
    );
    // Without a page size a field counts once: a connection refuses to run without one.
    assert_eq!(cost("{ offers { totalCount } }", serde_json::json!({})), 2);
    // A page size given as null or a variable not sent counts as the largest page.
    assert_eq!(
        cost(
            "query($n: Int) { offers(first: $n) { totalCount } }",
            serde_json::json!({})
        ),
        101
    );
    assert_eq!(
        cost(
            r#"{ nodes(ids: ["a", "b"]) { id } }"#,
            serde_json::json!({})
        ),
        3
    );
    // Only the operation that runs counts.
    let mut two = async_graphql::Request::new(
        "query A { __typename } query B { offers(first: 2) { totalCount } }",
    )
    .operation_name("A");
    assert_eq!(prepare(&mut two, limits(10_000)).unwrap().cost, 1);
    let mut over = async_graphql::Request::new("{ offers(first: 100) { edges { node { id } } } }");
    let limits = Limits {
        max_cost: 100,
        ..limits(10_000)
    };
    assert!(matches!(
        prepare(&mut over, limits),
        Err(Refusal::TooComplex(_))
    ));
}
