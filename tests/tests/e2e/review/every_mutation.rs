//! Every mutation of the schema, found by introspection, as a document a client could send
//! (so a mutation added later is covered by the tests that walk them all), and a snapshot
//! of what the database holds, to tell that a refused mutation changed nothing.

use e2e::TestApp;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Map, Value, json};

/// One mutation field, ready to send.
pub struct Mutation {
    pub name: String,
    /// `mutation($input: XInput!) { x(input: $input) { __typename } }`
    pub document: String,
    pub variables: Value,
}

/// Every mutation field of the schema as `token` sees it, with the `input` of `known`
/// for the fields it names and well-typed placeholders for the others.
pub async fn every_mutation(
    app: &TestApp,
    token: &str,
    known: &Map<String, Value>,
) -> Vec<Mutation> {
    let (fields, types) = introspect(app, token).await;
    fields
        .iter()
        .map(|field| {
            let name = field["name"].as_str().unwrap().to_owned();
            let args = field["args"].as_array().unwrap();
            let arg = |a: &Value| a["name"].as_str().unwrap().to_owned();
            let defs: Vec<String> = args
                .iter()
                .map(|a| format!("${}: {}", arg(a), type_text(&a["type"])))
                .collect();
            let uses: Vec<String> = args.iter().map(|a| format!("{0}: ${0}", arg(a))).collect();
            let variables: Map<String, Value> = args
                .iter()
                .map(|a| {
                    let value = match (arg(a).as_str(), known.get(&name)) {
                        ("input", Some(input)) => input.clone(),
                        _ => placeholder(&a["type"], &types),
                    };
                    (arg(a), value)
                })
                .collect();
            let document = if args.is_empty() {
                format!("mutation {{ {name} {{ __typename }} }}")
            } else {
                format!(
                    "mutation({}) {{ {name}({}) {{ __typename }} }}",
                    defs.join(", "),
                    uses.join(", ")
                )
            };
            Mutation {
                name,
                document,
                variables: Value::Object(variables),
            }
        })
        .collect()
}

const TYPE_REF: &str = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";

/// Every mutation field with its arguments, and every type (for input objects and enums).
async fn introspect(app: &TestApp, token: &str) -> (Vec<Value>, Map<String, Value>) {
    let query = format!(
        "{{ __schema {{ mutationType {{ fields {{ name args {{ name type {{ {TYPE_REF} }} }} }} }}
           types {{ name kind enumValues {{ name }} inputFields {{ name defaultValue type {{ {TYPE_REF} }} }} }} }} }}"
    );
    let res = app.gql(&query, json!({}), Some(token)).await;
    let schema = &res.data()["__schema"];
    let types = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    (
        schema["mutationType"]["fields"].as_array().unwrap().clone(),
        types,
    )
}

/// `String!`, `[ID!]`, ... as written in a variable definition.
fn type_text(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_text(&t["ofType"])),
        "LIST" => format!("[{}]", type_text(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

/// A well-typed value for an argument the caller gave none for (a mutation added later):
/// required fields only, placeholders for scalars.
fn placeholder(t: &Value, types: &Map<String, Value>) -> Value {
    let named = || &types[t["name"].as_str().unwrap()];
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => placeholder(&t["ofType"], types),
        "LIST" => json!([]),
        "ENUM" => named()["enumValues"][0]["name"].clone(),
        "INPUT_OBJECT" => Value::Object(
            named()["inputFields"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["type"]["kind"] == "NON_NULL" && f["defaultValue"].is_null())
                .map(|f| {
                    (
                        f["name"].as_str().unwrap().to_owned(),
                        placeholder(&f["type"], types),
                    )
                })
                .collect(),
        ),
        _ => match t["name"].as_str().unwrap() {
            "Int" => json!(1),
            "Float" => json!(1.0),
            "Boolean" => json!(false),
            "DateTime" => json!("2030-01-01T00:00:00Z"),
            _ => json!("x"),
        },
    }
}

/// What the database holds, as far as any mutation could change it: the rows of the main
/// tables, and how many rows every table has (so tables added later count too). Sessions
/// and rate-limit counters aside.
pub async fn snapshot(app: &TestApp) -> String {
    use entity::*;
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.db;
    macro_rules! rows {
        ($($m:ident),*) => {
            vec![$(format!("{:?}", $m::Entity::find().order_by_asc($m::Column::Id).all(db).await.unwrap())),*]
        };
    }
    let mut state = rows!(
        user,
        partner,
        customer,
        order,
        order_line,
        subscription,
        partnership,
        partnership_invitation,
        customer_relationship_request,
        profile_change_request,
        outbound_email,
        audit_entry
    );
    let backend = db.get_database_backend();
    let tables = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'"
        }
        _ => "SELECT name AS t FROM sqlite_master WHERE type = 'table'",
    };
    let tables = db
        .query_all_raw(Statement::from_string(backend, tables))
        .await
        .unwrap();
    for row in tables {
        let table: String = row.try_get("", "t").unwrap();
        if ["sessions", "rate_limit_hits"].contains(&table.as_str()) {
            continue;
        }
        let count = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        let n: i64 = db
            .query_one_raw(Statement::from_string(backend, count))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap();
        state.push(format!("{table}: {n}"));
    }
    state.sort();
    state.join("\n")
}
