//! Drawings that expand to far more than they weigh are refused before usvg expands them,
//! in work that does not grow with the expansion; ordinary reuse is measured exactly and
//! accepted.

use super::expansion::{Expanded, LIMITS, TooComplex, measure};
use super::{LogoProblem, check, check_off_thread};
use std::io::Cursor;
use std::time::Duration;

const NS: &str = r#"xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#;
const TOO_COMPLEX: LogoProblem = LogoProblem::UnsafeSvg("error-svg-too-complex");

fn measured(svg: &str) -> Result<Expanded, TooComplex> {
    measure(&roxmltree::Document::parse(svg).unwrap(), &LIMITS)
}

/// CPU time this thread has used, in clock ticks (1/100 s), from the kernel's counters.
fn thread_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // After the command name: state is field 3, utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// `levels` levels of `<{tag} id="aN">` each using the level below `k` times: k^levels.
fn use_bomb(tag: &str, href: &str, levels: usize, k: usize) -> String {
    let mut svg = format!(r#"<svg {NS}><defs><{tag} id="a0"><rect width="1" height="1"/></{tag}>"#);
    for n in 1..=levels {
        let uses = format!(r##"<use {href}="#a{}"/>"##, n - 1).repeat(k);
        svg.push_str(&format!(r#"<{tag} id="a{n}">{uses}</{tag}>"#));
    }
    svg + &format!(r##"</defs><use href="#a{levels}"/></svg>"##)
}

/// `levels` levels of `<{tag}>` whose `k` shapes each refer to the level below (`refer`
/// writes the attribute that does): k^levels conversions.
fn reference_bomb(tag: &str, extra: &str, refer: fn(usize) -> String, levels: usize) -> String {
    let mut svg =
        format!(r#"<svg {NS}><defs><{tag} id="c0" {extra}><rect width="1" height="1"/></{tag}>"#);
    for n in 1..=levels {
        let shapes = format!(r#"<rect width="1" height="1" {}/>"#, refer(n - 1)).repeat(10);
        svg.push_str(&format!(r#"<{tag} id="c{n}" {extra}>{shapes}</{tag}>"#));
    }
    svg + &format!(
        r#"</defs><rect width="9" height="9" {}/></svg>"#,
        refer(levels)
    )
}

fn bombs() -> Vec<(&'static str, String, TooComplex)> {
    let path: String = (0..60).map(|i| format!(" L{i} {}", i % 2)).collect();
    let mut markers = format!(r#"<svg {NS}><defs><marker id="m0"><path d="M0 0L1 1"/></marker>"#);
    for n in 1..=3 {
        markers.push_str(&format!(
            r#"<marker id="m{n}"><path d="M0 0{path}" marker-mid="url(#m{})"/></marker>"#,
            n - 1
        ));
    }
    markers.push_str(&format!(
        r#"</defs><path d="M0 0{path}" marker-mid="url(#m3)"/></svg>"#
    ));
    let mut filters = format!(r#"<svg {NS}><defs><g id="g0"><rect width="1" height="1"/></g>"#);
    for n in 1..=5 {
        let shapes = format!(r#"<rect width="1" height="1" filter="url(#f{n})"/>"#).repeat(10);
        filters.push_str(&format!(
            r##"<filter id="f{n}"><feImage href="#g{}"/></filter><g id="g{n}">{shapes}</g>"##,
            n - 1
        ));
    }
    filters.push_str(r##"</defs><use href="#g5"/></svg>"##);
    let classes: String = (0..=5)
        .map(|n| format!(".m{n}{{mask:url(#c{n})}}"))
        .collect();
    let css_masks = reference_bomb("mask", "", |n| format!(r#"class="m{n}""#), 5).replacen(
        "<defs>",
        &format!("<style>{classes}</style><defs>"),
        1,
    );
    let selector = format!("h {}", ["g"; 25].join(" "));
    let backtracking = format!(
        r#"<svg {NS}><style>{selector}{{fill:red}}</style>{}<rect width="1" height="1"/>{}</svg>"#,
        "<g>".repeat(60),
        "</g>".repeat(60)
    );
    let rects = r#"<rect width="1" height="1"/>"#.repeat(5);
    let inherited = format!(
        r#"<svg {NS}><defs><marker id="m">{rects}</marker></defs><g marker-mid="url(#m)">{}</g></svg>"#,
        format!(r#"<path d="M0 0{path}{path}"/>"#).repeat(20)
    );
    let big_path: String = (0..5000).map(|i| format!("L{i} {i}")).collect();
    let reused_path = format!(
        r##"<svg {NS}><defs><path id="p" d="M0 0{big_path}"/></defs>{}</svg>"##,
        r##"<use href="#p"/>"##.repeat(60)
    );
    vec![
        (
            "nested <use> of groups",
            use_bomb("g", "href", 5, 10),
            TooComplex::Elements,
        ),
        (
            "nested <use> by xlink:href",
            use_bomb("g", "xlink:href", 5, 10),
            TooComplex::Elements,
        ),
        (
            "nested <use> of symbols",
            use_bomb("symbol", "href", 5, 10),
            TooComplex::Elements,
        ),
        (
            "nested masks",
            reference_bomb("mask", "", |n| format!(r#"mask="url(#c{n})""#), 5),
            TooComplex::Elements,
        ),
        (
            "nested bounding-box clip paths",
            reference_bomb(
                "clipPath",
                r#"clipPathUnits="objectBoundingBox""#,
                |n| format!(r#"clip-path="url(#c{n})""#),
                5,
            ),
            TooComplex::Elements,
        ),
        ("filters showing elements", filters, TooComplex::Elements),
        ("nested markers", markers, TooComplex::Elements),
        ("masks set by CSS classes", css_masks, TooComplex::Elements),
        (
            "markers inherited from a group",
            inherited,
            TooComplex::Elements,
        ),
        (
            "a backtracking CSS selector",
            backtracking,
            TooComplex::CssSteps,
        ),
        ("a long path used 60 times", reused_path, TooComplex::Bytes),
        (
            "a use cycle",
            format!(
                r##"<svg {NS}><g id="a"><use href="#b"/></g><g id="b"><use href="#c"/></g><g id="c"><use href="#a"/></g></svg>"##
            ),
            TooComplex::Cycle,
        ),
        (
            "a group using itself",
            format!(
                r##"<svg {NS}><g id="a"><rect width="1" height="1"/><use href="#a"/></g></svg>"##
            ),
            TooComplex::Cycle,
        ),
        (
            "200 nested groups",
            format!(
                "<svg {NS}>{}{}</svg>",
                "<g>".repeat(200),
                "</g>".repeat(200)
            ),
            TooComplex::Depth,
        ),
    ]
}

#[test]
fn drawings_that_expand_are_refused_before_usvg_expands_them() {
    let started = thread_cpu_ticks();
    for (what, svg, bound) in bombs() {
        assert!(svg.len() < 64 * 1024, "{what}: {} bytes", svg.len());
        assert_eq!(measured(&svg), Err(bound), "{what}");
        assert_eq!(check(svg.as_bytes()), Err(TOO_COMPLEX), "{what}");
    }
    // Before the measure, the first bomb alone (1.1 KB) took seconds and 280 MB in usvg,
    // and the nested markers or the CSS selector more than a minute.
    let spent = thread_cpu_ticks() - started;
    assert!(spent < 100, "{spent} ticks of CPU for the whole set");
}

#[test]
fn ordinary_reuse_is_measured_exactly_and_kept() {
    // svg, defs, g and its two circles, then three copies of g with its circles.
    let dots = format!(
        r##"<svg {NS} width="20" height="4"><defs><g id="dot"><circle r="1"/><circle cx="2" r="1"/></g></defs>
        <use href="#dot"/><use href="#dot" x="5"/><use xlink:href="#dot" x="10"/></svg>"##
    );
    assert_eq!(measured(&dots).map(|e| e.elements), Ok(5 + 3 * 4), "{dots}");
    let logo = check(dots.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(logo.bytes)
            .unwrap()
            .matches("<path")
            .count(),
        6
    );

    // As design tools export it: classes for a clip path and a gradient, and an arrow.
    let exported = format!(
        r##"<svg {NS} viewBox="0 0 40 20"><defs><style>.cls-1{{fill:none}}.cls-2{{clip-path:url(#clip)}}.cls-3{{fill:url(#grad)}}</style>
        <clipPath id="clip"><rect class="cls-1" width="40" height="20"/></clipPath>
        <linearGradient id="grad"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#0067b8"/></linearGradient>
        <marker id="arrow" markerWidth="4" markerHeight="4"><path d="M0 0L4 2L0 4z"/></marker></defs>
        <g class="cls-2">{}</g><line x1="0" y1="18" x2="30" y2="18" stroke="#000" marker-end="url(#arrow)"/></svg>"##,
        r#"<path class="cls-3" d="M0 0h10v10h-10z"/>"#.repeat(200)
    );
    let size = measured(&exported).unwrap();
    assert!(size.elements < 1000, "{size:?}");
    assert!(check(exported.as_bytes()).is_ok());
}

#[test]
fn measuring_takes_bounded_work_whatever_the_document() {
    let started = thread_cpu_ticks();
    // 3,000 elements share one id that 3,000 others refer to: each reference is measured
    // once per id, not once per element with the id.
    let shared = format!(
        r##"<svg {NS}>{}{}</svg>"##,
        r#"<g id="x"/>"#.repeat(3000),
        r#"<rect width="1" height="1" mask="url(#x)"/>"#.repeat(3000)
    );
    assert_eq!(measured(&shared).map(|e| e.elements), Ok(1 + 3 * 3000));
    // 500 CSS rules give each of 1,000 paths 250 markers.
    let rules: String = (0..250)
        .map(|n| format!("path:not(.x{n}){{marker-mid:url(#m{n})}}path{{marker-start:url(#m{n})}}"))
        .collect();
    let markers: String = (0..250)
        .map(|n| format!(r#"<marker id="m{n}"><rect width="1" height="1"/></marker>"#))
        .collect();
    let many = format!(
        r#"<svg {NS}><style>{rules}</style><defs>{markers}</defs>{}</svg>"#,
        r#"<path d="M0 0L1 1L2 0"/>"#.repeat(1000)
    );
    assert!(measured(&many).is_err());
    let spent = thread_cpu_ticks() - started;
    assert!(spent < 100, "{spent} ticks of CPU");
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(width, height, image::Rgba([0, 103, 184, 255]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

#[test]
fn embedded_images_share_one_decoding_budget() {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(png(1, 1));
    let image = format!(r#"<image width="1" height="1" href="data:image/png;base64,{data}"/>"#);
    let copies = |levels: usize| {
        let mut svg = format!(r#"<svg {NS} width="4" height="4"><defs><g id="i0">{image}</g>"#);
        for n in 1..=levels {
            let uses = format!(r##"<use href="#i{}"/>"##, n - 1).repeat(11);
            svg.push_str(&format!(r#"<g id="i{n}">{uses}</g>"#));
        }
        svg + &format!(r##"</defs><use href="#i{levels}"/></svg>"##)
    };
    // 121 copies decode; 1,331 would pass the budget of one raster logo.
    assert!(check(copies(2).as_bytes()).is_ok());
    assert!(measured(&copies(3)).is_ok());
    assert_eq!(check(copies(3).as_bytes()), Err(TOO_COMPLEX));
}

#[tokio::test]
async fn checks_run_off_the_request_threads_within_a_time_bound() {
    let picture = png(256, 256);
    let logo = check_off_thread(picture.clone(), Duration::from_secs(60)).await;
    assert_eq!(logo.map(|l| l.content_type), Ok("image/png"));
    // A check that overruns is answered at once with a reason, not left to run the request.
    assert_eq!(
        check_off_thread(picture, Duration::ZERO).await,
        Err(LogoProblem::TooSlow)
    );
}
