//! `schema.graphql` at the repository root must match the running schema.

#[test]
fn committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = api::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date. Regenerate it with:\n\n    cargo run -p api -- export-schema --output schema.graphql\n"
    );
}
