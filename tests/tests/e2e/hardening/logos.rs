//! Logo uploads whose cost is not their size (issue 20, item 3): a 1.2 KB SVG of nested
//! `<use>` stood for 111,111 elements that usvg built inside the request (seconds of CPU and
//! hundreds of MB each). It is refused with a code before anything is expanded, the check
//! runs off the request threads, and the server keeps answering meanwhile.

use e2e::{TestApp, e2e};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use std::time::Duration;

const SUBMIT: &str = "mutation($input: SubmitProfileChangeRequestInput!) { submitProfileChangeRequest(input: $input) {
  request { id hasLogo } userErrors { code field message } } }";

/// Five levels of symbols, each using the one below ten times: 10^5 rectangles.
fn use_bomb() -> Vec<u8> {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg"><defs><symbol id="a0"><rect width="1" height="1"/></symbol>"#,
    );
    for n in 1..=5 {
        let uses = format!(r##"<use href="#a{}"/>"##, n - 1).repeat(10);
        svg.push_str(&format!(r#"<symbol id="a{n}">{uses}</symbol>"#));
    }
    svg.push_str(r##"</defs><use href="#a5"/></svg>"##);
    svg.into_bytes()
}

/// CPU time the whole process (server included) has used, in clock ticks (1/100 s).
fn process_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // After the command name: state is field 3, utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn input(name: &str) -> serde_json::Value {
    json!({ "input": { "companyName": name, "locations": [] } })
}

async fn svg_use_bomb_is_refused_before_it_is_expanded(app: TestApp) {
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let bomb = use_bomb();
    assert!(bomb.len() < 1300, "{} bytes", bomb.len());
    let upload = || {
        app.gql_upload(
            SUBMIT,
            input("Contoso"),
            Some(("logo.svg", "image/svg+xml", bomb.clone())),
            Some(&provider),
        )
    };
    let started = process_cpu_ticks();
    // Two at once, as in the probe, while liveness keeps answering.
    let (first, second, health) = tokio::join!(
        upload(),
        upload(),
        app.client
            .get(format!("{}/healthz", app.address))
            .timeout(Duration::from_secs(30))
            .send()
    );
    let spent = process_cpu_ticks() - started;
    assert_eq!(health.unwrap().status(), 200);
    for res in [first, second] {
        let payload = &res.data()["submitProfileChangeRequest"];
        assert_eq!(payload["request"], json!(null));
        let error = &payload["userErrors"][0];
        assert_eq!(
            (&error["code"], &error["field"]),
            (&json!("UNSAFE_SVG"), &json!(["input", "logo"])),
            "{payload}"
        );
        assert!(
            error["message"].as_str().unwrap().contains("too complex"),
            "{error}"
        );
    }
    // Before the fix both uploads built 10^5 elements each (LOGO_TOO_LARGE after seconds of
    // CPU); now both together, with everything else this process did meanwhile, stay
    // below half a second of CPU.
    assert!(spent < 50, "{spent} ticks of CPU");
    assert_eq!(
        entity::logo::Entity::find().count(&app.db).await.unwrap(),
        0
    );

    // Ordinary reuse is still a logo: a mark drawn three times.
    let three_dots = br##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="4">
        <defs><circle id="dot" cx="2" cy="2" r="2" fill="#0067b8"/></defs>
        <use href="#dot"/><use href="#dot" x="7"/><use href="#dot" x="14"/></svg>"##;
    let res = app
        .gql_upload(
            SUBMIT,
            input("Contoso"),
            Some(("logo.svg", "image/svg+xml", three_dots.to_vec())),
            Some(&provider),
        )
        .await;
    let payload = &res.data()["submitProfileChangeRequest"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    assert_eq!(payload["request"]["hasLogo"], true);
}
e2e!(svg_use_bomb_is_refused_before_it_is_expanded);
