//! Every page renders in every language (a message id missing in a template is an error),
//! escapes what it shows, and its script's words are valid JSON.

use super::{TEMPLATES, environment};
use worker::i18n::Lang;

/// A context that reaches every branch the pages have.
fn sample(lang: Lang) -> minijinja::Value {
    let about = minijinja::context! { kind => "invitation", status => "PENDING" };
    let email = minijinja::context! {
        file => "a.eml", to => "r@example.com", subject => "<b>Hi</b>",
        time => "2026-11-24T08:00:00+00:00", delivery => "SENT", about => about.clone(),
        // The dashboard's rows.
        id => 7, what => "PARTNERSHIP_INVITATION", status => "FAILED", attempts => 2,
        last_error => "<b>Hi</b>", created_at => "2026-11-24T08:00:00+00:00",
    };
    let asset = minijinja::context! { name => "x.js", integrity => "sha384-x" };
    minijinja::context! {
        lang => lang.tag(),
        switches => vec![minijinja::context! { tag => "xx", name => "X", href => "/p?lang=xx" }],
        outbox => "<script>", emails => vec![email],
        file => "a.eml", subject => "<b>Hi</b>", from => "a@example.com", to => "b@example.com",
        date => "today", delivery => "FAILED", about => about,
        html => true, text => vec![minijinja::context! { text => "see ", link => "https://x.test/a?b=1&c=2" }],
        why => "<npm missing>", css => asset.clone(), scripts => vec![asset],
        refused => true,
        queue => minijinja::context! {
            stats => vec![minijinja::context! { title => "PENDING_JOBS", value => "<b>Hi</b>" }],
            workers => vec![minijinja::context! { id => "send-email-1", last_heartbeat => "2026-11-24T08:00:00+00:00" }],
            given_up => vec![minijinja::context! { id => "01J", status => "Killed", attempts => 1 }],
        },
        email_counts => vec![minijinja::context! { status => "FAILED", count => 2 }],
        delivery_counts => vec![minijinja::context! { status => "PENDING", count => 1 }],
        deliveries => vec![minijinja::context! {
            id => 1, to => "https://hooks.example.com/<b>Hi</b>", what => "500", status => "FAILED",
            attempts => 3, last_error => "<b>Hi</b>", created_at => "2026-11-24T08:00:00+00:00",
        }],
    }
}

#[test]
fn every_page_renders_in_every_language_and_escapes() {
    let env = environment();
    // Partials (`_name.html`) are rendered inside the pages that include them.
    for (name, _) in TEMPLATES.iter().filter(|(n, _)| !n.starts_with('_')) {
        let rendered: Vec<String> = Lang::ALL
            .iter()
            .map(|lang| {
                let html = env
                    .get_template(name)
                    .and_then(|t| t.render(sample(*lang)))
                    .unwrap_or_else(|e| panic!("{name} in {}: {e:#}", lang.tag()));
                assert!(
                    html.contains(&format!("<html lang=\"{}\">", lang.tag())),
                    "{name}"
                );
                assert!(
                    !html.contains("<b>Hi") && !html.contains("<script>\""),
                    "{name}"
                );
                assert!(!html.contains("<npm"), "{name}");
                html
            })
            .collect();
        if *name != "layout.html" {
            assert_ne!(
                rendered[0], rendered[1],
                "{name} reads the same in every language"
            );
        }
    }
}

#[test]
fn a_scripts_words_are_json_in_its_language() {
    let env = environment();
    for name in ["invitation.html", "relationship.html"] {
        let html = env
            .get_template(name)
            .unwrap()
            .render(sample(Lang::ZhTw))
            .unwrap();
        let start = html.find("id=\"messages\">").unwrap() + "id=\"messages\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let words: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        let all = words.to_string();
        assert!(all.contains("權杖"), "{name}: {all}");
    }
}
