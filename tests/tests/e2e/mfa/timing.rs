//! Sign-in timing stays even: a known user with a wrong password, an unknown email, and a
//! user with a second factor (whose right password gets a challenge) answer in median
//! times within 25 % of each other. Reports the medians; compares medians, never absolute
//! times.

use super::MfaApp;
use e2e::Backend;
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_timing_does_not_tell_accounts_or_factors_apart() {
    let t = MfaApp::spawn_with(Backend::Sqlite, |s| {
        // Timing, not throttling, is under test.
        s.login_throttle.per_account = 10_000;
        s.login_throttle.per_address = 10_000;
    })
    .await;
    let (_, plain) = t
        .app
        .active_partner("INDIRECT_PROVIDER", "Contoso", "plain@contoso.test")
        .await;
    let _ = plain;
    let (_, guarded) = t
        .app
        .active_partner("INDIRECT_RESELLER", "Fabrikam", "guarded@fabrikam.test")
        .await;
    t.turn_on(&guarded).await;

    let cases: [(&str, &str, &str); 3] = [
        ("wrong password", "plain@contoso.test", "not-the-password"),
        ("unknown email", "nobody@nowhere.test", "password-123"),
        ("second factor", "guarded@fabrikam.test", "password-123"),
    ];
    // One warm-up each, then rounds interleaved so drifts of the machine hit all alike.
    for (_, email, password) in cases {
        t.login(email, password).await;
    }
    let mut samples = vec![Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..ROUNDS {
        for (i, (_, email, password)) in cases.iter().enumerate() {
            let started = Instant::now();
            let answer = t.login(email, password).await;
            samples[i].push(started.elapsed());
            if i == 2 {
                assert!(answer["mfaChallenge"]["token"].is_string(), "{answer}");
            } else {
                assert_eq!(answer["userErrors"][0]["code"], "INVALID_CREDENTIALS");
            }
        }
    }
    let medians: Vec<Duration> = samples.into_iter().map(median).collect();
    for ((name, _, _), m) in cases.iter().zip(&medians) {
        eprintln!("sign-in median, {name}: {m:?} over {ROUNDS} attempts");
    }
    let fastest = *medians.iter().min().unwrap();
    let slowest = *medians.iter().max().unwrap();
    assert!(
        slowest.as_secs_f64() <= fastest.as_secs_f64() * 1.25,
        "medians differ by more than 25 %: {medians:?}"
    );
}
