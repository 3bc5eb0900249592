//! The public provider directory and profile change requests with logo uploads.

use e2e::{TestApp, e2e};
use serde_json::json;

const SUBMIT: &str = "mutation($input: SubmitProfileChangeRequestInput!) { submitProfileChangeRequest(input: $input) {
  request { id status companyName hasLogo submittedAt dueBy locations { country targetUrl } } userErrors { code field message } } }";
const RESOLVE: &str = "mutation($id: ID!, $d: ProfileRequestDecision!, $r: String) { resolveProfileChangeRequest(input: {requestId: $id, decision: $d, reason: $r}) {
  request { status rejectionReason resolvedAt } userErrors { code } } }";
const DIRECTORY: &str =
    "query($c: String) { providerDirectory(first: 10, country: $c) { totalCount edges { node {
  companyName logoUrl locations { country targetUrl } } } } }";

/// A real 3x2 PNG, as an image editor would export it.
fn png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(3, 2, image::Rgba([0, 103, 184, 255]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn input(name: &str, locations: serde_json::Value) -> serde_json::Value {
    json!({ "input": { "companyName": name, "locations": locations } })
}

async fn profile_change_lifecycle_and_public_directory(app: TestApp) {
    let (_, provider) = app
        .active_partner(
            "INDIRECT_PROVIDER",
            "Contoso Distribution",
            "admin@contoso.test",
        )
        .await;
    let (_, _pending) = app
        .enroll(
            "INDIRECT_PROVIDER",
            "Pending Provider",
            "admin@pending.test",
        )
        .await;
    let locations = json!([
        { "country": "US", "targetUrl": "https://contoso.example/us" },
        { "country": "de", "targetUrl": "https://contoso.example/de" }
    ]);
    let res = app
        .gql_upload(
            SUBMIT,
            input("Contoso Cloud Distribution", locations.clone()),
            Some(("logo.png", "image/png", png())),
            Some(&provider),
        )
        .await;
    let request = res.data()["submitProfileChangeRequest"]["request"].clone();
    assert_eq!(request["status"], "SUBMITTED");
    assert_eq!(request["hasLogo"], true);
    let submitted =
        chrono::DateTime::parse_from_rfc3339(request["submittedAt"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(request["dueBy"].as_str().unwrap()).unwrap();
    assert_eq!((due - submitted).num_days(), 21);
    let id = request["id"].as_str().unwrap().to_owned();

    // Nothing public changes before completion; no token is needed to look.
    let public = app.gql(DIRECTORY, json!({}), None).await;
    assert_eq!(public.data()["providerDirectory"]["totalCount"], 0);
    // One open request at a time.
    let second = app
        .gql_upload(SUBMIT, input("Again", json!([])), None, Some(&provider))
        .await;
    assert_eq!(
        second.data()["submitProfileChangeRequest"]["userErrors"][0]["code"],
        "OPEN_REQUEST_EXISTS"
    );

    // Platform queue: open requests, earliest due first; providers cannot resolve.
    let admin = app.platform_admin_token().await;
    let queue = app.gql("{ profileChangeRequests(first: 10, filter: {status: SUBMITTED}) { totalCount edges { node { id providerName } } } }", json!({}), Some(&admin)).await;
    assert_eq!(
        queue.data()["profileChangeRequests"]["edges"][0]["node"]["providerName"],
        "Contoso Distribution"
    );
    assert_eq!(
        app.gql(
            RESOLVE,
            json!({ "id": id, "d": "START_REVIEW" }),
            Some(&provider)
        )
        .await
        .error_code(),
        "FORBIDDEN"
    );
    let early = app
        .gql(RESOLVE, json!({ "id": id, "d": "COMPLETE" }), Some(&admin))
        .await;
    assert_eq!(
        early.data()["resolveProfileChangeRequest"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let review = app
        .gql(
            RESOLVE,
            json!({ "id": id, "d": "START_REVIEW" }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        review.data()["resolveProfileChangeRequest"]["request"]["status"],
        "IN_REVIEW"
    );
    let done = app
        .gql(RESOLVE, json!({ "id": id, "d": "COMPLETE" }), Some(&admin))
        .await;
    assert_eq!(
        done.data()["resolveProfileChangeRequest"]["request"]["status"],
        "COMPLETED"
    );

    // The directory now shows the new name, logo and links; the pending provider never.
    let public = app.gql(DIRECTORY, json!({}), None).await;
    let entry = &public.data()["providerDirectory"]["edges"][0]["node"];
    assert_eq!(public.data()["providerDirectory"]["totalCount"], 1);
    assert_eq!(entry["companyName"], "Contoso Cloud Distribution");
    assert_eq!(
        entry["locations"],
        json!([
            { "country": "DE", "targetUrl": "https://contoso.example/de" },
            { "country": "US", "targetUrl": "https://contoso.example/us" }
        ])
    );
    assert_eq!(
        app.gql(DIRECTORY, json!({ "c": "de" }), None).await.data()["providerDirectory"]["totalCount"],
        1
    );
    assert_eq!(
        app.gql(DIRECTORY, json!({ "c": "JP" }), None).await.data()["providerDirectory"]["totalCount"],
        0
    );

    // The logo is served with its checked type and caching headers.
    let logo_url = entry["logoUrl"].as_str().unwrap().to_owned();
    let logo = app.client.get(&logo_url).send().await.unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
    assert!(
        logo.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let etag = logo.headers()["etag"].to_str().unwrap().to_owned();
    // What is served is the decoded image written again: the same picture.
    let served = image::load_from_memory(&logo.bytes().await.unwrap()).unwrap();
    assert_eq!((served.width(), served.height()), (3, 2));
    let again = app
        .client
        .get(&logo_url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A rejected request changes nothing and tells the provider why.
    let next = app
        .gql_upload(
            SUBMIT,
            input("Contoso Renamed", json!([])),
            None,
            Some(&provider),
        )
        .await;
    let next_id = next.data()["submitProfileChangeRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        RESOLVE,
        json!({ "id": next_id, "d": "START_REVIEW" }),
        Some(&admin),
    )
    .await;
    let no_reason = app
        .gql(
            RESOLVE,
            json!({ "id": next_id, "d": "REJECT" }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        no_reason.data()["resolveProfileChangeRequest"]["userErrors"][0]["code"],
        "INVALID"
    );
    let rejected = app
        .gql(
            RESOLVE,
            json!({ "id": next_id, "d": "REJECT", "r": "The name is not registered." }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        rejected.data()["resolveProfileChangeRequest"]["request"]["status"],
        "REJECTED"
    );
    let mine = app
        .gql(
            "{ profileChangeRequests(first: 5) { edges { node { status rejectionReason } } } }",
            json!({}),
            Some(&provider),
        )
        .await;
    assert_eq!(
        mine.data()["profileChangeRequests"]["edges"][0]["node"],
        json!({ "status": "REJECTED", "rejectionReason": "The name is not registered." })
    );
    let public = app.gql(DIRECTORY, json!({}), None).await;
    assert_eq!(
        public.data()["providerDirectory"]["edges"][0]["node"]["companyName"],
        "Contoso Cloud Distribution"
    );

    // Other providers and resellers see nothing of these requests.
    let (_, other) = app
        .active_partner("INDIRECT_PROVIDER", "Litware", "admin@litware.test")
        .await;
    assert_eq!(
        app.gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
            Some(&other)
        )
        .await
        .error_code(),
        "NOT_FOUND"
    );
    let (_, reseller) = app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "admin@fabrikam.test")
        .await;
    assert_eq!(
        app.gql_upload(SUBMIT, input("X", json!([])), None, Some(&reseller))
            .await
            .error_code(),
        "FORBIDDEN"
    );
}
e2e!(profile_change_lifecycle_and_public_directory);

async fn bad_uploads_are_refused_and_nothing_is_stored(app: TestApp) {
    let (_, provider) = app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "admin@contoso.test")
        .await;
    let one = json!([{ "country": "US", "targetUrl": "https://contoso.example" }]);
    let cases: Vec<(serde_json::Value, Option<e2e::UploadFile>, &str)> = vec![
        (
            input("C", one.clone()),
            Some((
                "logo.png",
                "image/png",
                b"GIF89a\x01\x00\x01\x00 disguised".to_vec(),
            )),
            "INVALID_LOGO",
        ),
        (
            input("C", one.clone()),
            Some(("logo.png", "image/png", {
                let mut big = png();
                big.resize(300 * 1024, 0);
                big
            })),
            "LOGO_TOO_LARGE",
        ),
        (
            input("C", one.clone()),
            Some(("logo.png", "image/png", {
                // The PNG signature in front of a page: only the signature was checked.
                let mut polyglot = b"\x89PNG\r\n\x1a\n".to_vec();
                polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
                polyglot
            })),
            "INVALID_LOGO",
        ),
        (
            input("C", one.clone()),
            Some((
                "logo.svg",
                "image/svg+xml",
                b"<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>"
                    .to_vec(),
            )),
            "UNSAFE_SVG",
        ),
        (
            input(
                "C",
                json!([{ "country": "US", "targetUrl": "http://contoso.example" }]),
            ),
            None,
            "INSECURE_URL",
        ),
        (
            input(
                "C",
                json!([{ "country": "US", "targetUrl": "https://a.example" }, { "country": "us", "targetUrl": "https://b.example" }]),
            ),
            None,
            "DUPLICATE_COUNTRY",
        ),
    ];
    for (vars, file, code) in cases {
        let res = app.gql_upload(SUBMIT, vars, file, Some(&provider)).await;
        assert_eq!(
            res.data()["submitProfileChangeRequest"]["userErrors"][0]["code"],
            code
        );
        assert_eq!(
            res.data()["submitProfileChangeRequest"]["request"],
            json!(null)
        );
    }
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::profile_change_request::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        entity::logo::Entity::find().count(&app.db).await.unwrap(),
        0
    );
    // An SVG with a drawing is accepted, and what is stored is the drawing only: script,
    // handlers, CSS and external references (also in CSS) do not survive usvg's rewrite.
    let hostile = br#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">
        <style>@import url(https://evil.example/a.css);</style>
        <script>alert(1)</script>
        <rect width="8" height="8" onload="alert(1)" style="fill:url(https://evil.example/p#x)"/>
        <circle cx="4" cy="4" r="2" fill="url(https://evil.example/q#y)" stroke="red"/>
        <image href="https://evil.example/t.png" width="1" height="1"/>
    </svg>"#;
    let ok = app
        .gql_upload(
            SUBMIT,
            input("C", one),
            Some(("logo.svg", "image/svg+xml", hostile.to_vec())),
            Some(&provider),
        )
        .await;
    assert_eq!(
        ok.data()["submitProfileChangeRequest"]["request"]["hasLogo"],
        true
    );
    let stored = entity::logo::Entity::find().all(&app.db).await.unwrap();
    let svg = String::from_utf8(stored[0].bytes.clone()).unwrap();
    assert_eq!(stored[0].content_type, "image/svg+xml");
    for gone in ["script", "onload", "evil.example", "@import", "<style"] {
        assert!(!svg.contains(gone), "{gone} was stored: {svg}");
    }
    assert!(svg.contains("<path"), "the drawing is kept: {svg}");
}
e2e!(bad_uploads_are_refused_and_nothing_is_stored);
