//! Authenticator codes end to end: enrolment, the two-step sign-in at the clock-step edges,
//! replay, recovery codes, the challenge's single use and lifetime, turning it off, and
//! throttling of wrong codes.

use super::otp::code_at_step;
use super::{MfaApp, actions, subjects_to};
use crate::events::both;
use e2e::Backend;
use serde_json::{Value, json};

const EMAIL: &str = "boss@contoso.test";
const PASSWORD: &str = "password-123";

async fn totp_sign_in_with_edges_replay_and_recovery(backend: Backend) {
    let mut t = MfaApp::spawn(backend).await;
    let (_, admin) = t
        .app
        .active_partner("INDIRECT_PROVIDER", "Contoso", EMAIL)
        .await;

    // Enrolment: the URI names the product and the user; enrolling again replaces the
    // secret until a code confirms it.
    let (uri, first) = t.enroll(&admin).await;
    assert!(
        uri.starts_with("otpauth://totp/Partner%20Center:boss%40contoso%2Etest?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={first}")), "{uri}");
    let (_, secret) = t.enroll(&admin).await;
    assert_ne!(first, secret);
    let step = t.step();
    let stale = t.confirm(&admin, &code_at_step(&first, step)).await;
    assert_eq!(
        stale["data"]["confirmTotp"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    let body = t.confirm(&admin, &code_at_step(&secret, step)).await;
    let recovery: Vec<String> = body["data"]["confirmTotp"]["recoveryCodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    // On now: enrolling again is refused; the session that enrolled stays valid.
    let again = t
        .app
        .gql(
            "mutation { enrollTotp { secret userErrors { code } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        again.data()["enrollTotp"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let me = t
        .app
        .gql(
            "{ viewer { user { mfaMethods } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        me.data()["viewer"]["user"]["mfaMethods"],
        json!(["TOTP", "RECOVERY_CODE"])
    );

    // The password step now gives a challenge, not a session.
    let login = t.login(EMAIL, PASSWORD).await;
    assert_eq!(login["token"], Value::Null);
    assert_eq!(login["user"], Value::Null);
    assert_eq!(
        login["mfaChallenge"]["methods"],
        json!(["TOTP", "RECOVERY_CODE"])
    );
    let expires =
        chrono::DateTime::parse_from_rfc3339(login["mfaChallenge"]["expiresAt"].as_str().unwrap())
            .unwrap();
    assert_eq!(expires.timestamp(), t.now + 300);
    let challenge = login["mfaChallenge"]["token"].as_str().unwrap().to_owned();

    // The code that confirmed enrolment was accepted once: within its step it is refused.
    assert_eq!(
        t.refused(&challenge, "code", &code_at_step(&secret, step))
            .await,
        "INVALID_CREDENTIALS"
    );

    // Edges at the start of step S = step + 3: S-1 and S+1 are accepted, S±2 are not.
    let s = step + 3;
    t.set(s * 30);
    for far in [s - 2, s + 2] {
        assert_eq!(
            t.refused(&challenge, "code", &code_at_step(&secret, far))
                .await,
            "INVALID_CREDENTIALS"
        );
    }
    // Wrong codes did not use the challenge up.
    let token = t
        .verified(&challenge, "code", &code_at_step(&secret, s - 1))
        .await;
    let viewer = t
        .app
        .gql("{ viewer { user { email } } }", json!({}), Some(&token))
        .await;
    assert_eq!(viewer.data()["viewer"]["user"]["email"], EMAIL);
    // The challenge is single use.
    assert_eq!(
        t.refused(&challenge, "code", &code_at_step(&secret, s))
            .await,
        "INVALID_CREDENTIALS"
    );

    let c2 = t.challenge(EMAIL, PASSWORD).await;
    assert_eq!(
        t.refused(&c2, "code", &code_at_step(&secret, s - 1)).await,
        "INVALID_CREDENTIALS"
    );
    t.verified(&c2, "code", &code_at_step(&secret, s + 1)).await;
    // Once S+1 was used, S (earlier) is refused too; at the last second of S+1 the code of
    // S+2 is one step ahead and accepted.
    let c3 = t.challenge(EMAIL, PASSWORD).await;
    assert_eq!(
        t.refused(&c3, "code", &code_at_step(&secret, s)).await,
        "INVALID_CREDENTIALS"
    );
    t.set((s + 2) * 30 - 1);
    t.verified(&c3, "code", &code_at_step(&secret, s + 2)).await;

    // Recovery codes work once each (case, spaces and dashes do not matter).
    let c4 = t.challenge(EMAIL, PASSWORD).await;
    t.verified(&c4, "recoveryCode", &recovery[0]).await;
    let c5 = t.challenge(EMAIL, PASSWORD).await;
    assert_eq!(
        t.refused(&c5, "recoveryCode", &recovery[0]).await,
        "INVALID_CREDENTIALS"
    );
    let typed = recovery[1].to_uppercase().replace('-', " ");
    t.verified(&c5, "recoveryCode", &typed).await;

    // Exactly one factor.
    let c6 = t.challenge(EMAIL, PASSWORD).await;
    let both_given = t
        .app
        .gql(
            "mutation($input: VerifyMfaInput!) { verifyMfa(input: $input) { token userErrors { code } } }",
            json!({ "input": { "challengeToken": c6, "code": "123456", "recoveryCode": recovery[2] } }),
            None,
        )
        .await;
    assert_eq!(
        both_given.data()["verifyMfa"]["userErrors"][0]["code"],
        "INVALID"
    );
    // A challenge lives five minutes on the server's clock.
    t.set(t.now + 301);
    let now_code = code_at_step(&secret, t.step());
    assert_eq!(
        t.refused(&c6, "code", &now_code).await,
        "INVALID_CREDENTIALS"
    );

    // Turning it off takes the password and a code.
    let disable =
        "mutation($p: String!, $c: String!) { disableTotp(input: {password: $p, code: $c}) {
        success userErrors { code field } } }";
    let wrong_password = t
        .app
        .gql(
            disable,
            json!({ "p": "not-the-password", "c": now_code }),
            Some(&token),
        )
        .await;
    assert_eq!(
        wrong_password.data()["disableTotp"]["userErrors"][0]["field"],
        json!(["input", "password"])
    );
    let off = t
        .app
        .gql(
            disable,
            json!({ "p": PASSWORD, "c": now_code }),
            Some(&token),
        )
        .await;
    assert_eq!(off.data()["disableTotp"]["success"], true, "{}", off.body);
    let login = t.login(EMAIL, PASSWORD).await;
    assert!(login["token"].is_string(), "{login}");
    assert_eq!(login["mfaChallenge"], Value::Null);

    // Every change is an audit entry (hence an event) and an email to the user.
    let actions = actions(&t.app).await;
    for action in [
        "user.mfa_enabled",
        "user.recovery_code_used",
        "user.mfa_disabled",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "user.recovery_code_used")
            .count(),
        2
    );
    let subjects = subjects_to(&t.app, EMAIL).await;
    assert!(
        subjects.iter().any(|s| s.contains("now on")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("recovery code")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("turned off")),
        "{subjects:?}"
    );
}
both!(totp_sign_in_with_edges_replay_and_recovery);

async fn wrong_codes_are_throttled_like_passwords(backend: Backend) {
    let t = MfaApp::spawn(backend).await;
    let (_, admin) = t
        .app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "ann@fabrikam.test")
        .await;
    let (secret, _) = t.turn_on(&admin).await;
    let challenge = t.challenge("ann@fabrikam.test", PASSWORD).await;
    // Five wrong codes per account and window (the password limit), then RATE_LIMITED,
    // even for the right code: the attempt is reserved before the code is checked.
    for _ in 0..5 {
        assert_eq!(
            t.refused(&challenge, "code", "000000").await,
            "INVALID_CREDENTIALS"
        );
    }
    let right = code_at_step(&secret, t.step() + 1);
    let limited = t.verify(&challenge, "code", &right).await;
    assert_eq!(limited.error_code(), "RATE_LIMITED", "{}", limited.body);
    assert!(limited.body["errors"][0]["extensions"]["retryAfterSeconds"].is_number());
}
both!(wrong_codes_are_throttled_like_passwords);

async fn an_admin_resets_a_locked_out_member(backend: Backend) {
    let t = MfaApp::spawn(backend).await;
    let (_, admin) = t
        .app
        .active_partner("INDIRECT_PROVIDER", "Contoso", EMAIL)
        .await;
    let (_, other_admin) = t
        .app
        .active_partner("INDIRECT_PROVIDER", "Northwind", "nw@northwind.test")
        .await;
    let member = super::rule::add_member(&t.app, &admin, "sam@contoso.test").await;
    let sam = t.app.login("sam@contoso.test", "sam-password-1").await;
    t.turn_on(&sam).await;
    let listed = t
        .app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on User { mfaMethods } } }",
            json!({ "id": member }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        listed.data()["node"]["mfaMethods"],
        json!(["TOTP", "RECOVERY_CODE"])
    );
    let reset = "mutation($id: ID!) { resetUserMfa(input: {userId: $id}) {
        user { mfaMethods } userErrors { code } } }";
    // Another organization's ADMIN: exactly as a missing user.
    let foreign = t
        .app
        .gql(reset, json!({ "id": member }), Some(&other_admin))
        .await;
    assert_eq!(foreign.error_code(), "NOT_FOUND");
    let done = t
        .app
        .gql(reset, json!({ "id": member }), Some(&admin))
        .await;
    assert_eq!(done.data()["resetUserMfa"]["user"]["mfaMethods"], json!([]));
    // Sam's sessions ended; the password alone signs in again.
    let old = t
        .app
        .gql("{ viewer { user { email } } }", json!({}), Some(&sam))
        .await;
    assert_eq!(old.error_code(), "UNAUTHENTICATED");
    let login = t.login("sam@contoso.test", "sam-password-1").await;
    assert!(login["token"].is_string(), "{login}");
    assert!(subjects_to(&t.app, "sam@contoso.test").await.len() >= 2);
}
both!(an_admin_resets_a_locked_out_member);
