//! What a logo upload becomes, for each kind of input.

use super::*;

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(width, height, image::Rgba([0, 103, 184, 255]))
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn stored_svg(svg: &str) -> String {
    let logo = check(svg.as_bytes()).unwrap_or_else(|e| panic!("{svg}: {e:?}"));
    assert_eq!(logo.content_type, "image/svg+xml");
    String::from_utf8(logo.bytes).unwrap()
}

#[test]
fn raster_logos_are_decoded_whole_and_written_again() {
    let good = png(4, 3);
    let logo = check(&good).unwrap();
    assert_eq!(logo.content_type, "image/png");
    let back = image::load_from_memory(&logo.bytes).unwrap();
    assert_eq!((back.width(), back.height()), (4, 3));

    let mut polyglot = good.clone();
    polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let cleaned = check(&polyglot).unwrap();
    assert!(!String::from_utf8_lossy(&cleaned.bytes).contains("<script"));

    let mut signature_only = b"\x89PNG\r\n\x1a\n".to_vec();
    signature_only.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert_eq!(check(&signature_only), Err(LogoProblem::NotAnImage));
    assert_eq!(
        check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
        Err(LogoProblem::NotAnImage)
    );
    assert_eq!(check(b"GIF89a...."), Err(LogoProblem::NotAnImage));
    assert_eq!(check(b"MZ\x90\x00 an exe"), Err(LogoProblem::NotAnImage));
    assert_eq!(
        check(&vec![0xFF; MAX_LOGO_BYTES + 1]),
        Err(LogoProblem::TooLarge)
    );
    assert_eq!(check(&png(MAX_SIDE + 1, 1)), Err(LogoProblem::NotAnImage));
}

#[test]
fn svg_is_stored_as_usvg_writes_it() {
    let out = stored_svg(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
            <style>@import url(https://evil.example/x.css); rect { fill: url(https://evil.example/p.svg#x) }</style>
            <rect width="5" height="5" style="fill: url('https://evil.example/a.png'); stroke: red"
                  onclick="alert(1)" filter="url(https://evil.example/f.svg#f)"/>
            <script>alert(1)</script>
            <a href="javascript:alert(1)"><circle cx="5" cy="5" r="2"/></a>
            <image href="https://evil.example/x.png" width="1" height="1"/>
            <image href="/etc/passwd" width="1" height="1"/>
            <use href="https://evil.example/sprite.svg#logo"/>
            <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
        </svg>"##,
    );
    for gone in [
        "evil.example",
        "script",
        "onclick",
        "javascript",
        "@import",
        "passwd",
        "foreignObject",
        "<style",
        "xhtml",
    ] {
        assert!(!out.contains(gone), "{gone} survived: {out}");
    }
    assert!(out.contains("<path"), "the drawing is kept: {out}");
}

#[test]
fn embedded_images_are_kept_only_as_clean_raster() {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(png(2, 2));
    let out = stored_svg(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><image width="2" height="2" href="data:image/png;base64,{data}"/></svg>"#
    ));
    assert!(out.contains("data:image/png;base64,"), "{out}");
    let html = base64::engine::general_purpose::STANDARD.encode("<html><script>1</script>");
    let out = stored_svg(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><image width="2" height="2" href="data:text/html;base64,{html}"/></svg>"#
    ));
    assert!(!out.contains("data:"), "{out}");
}

#[test]
fn svg_that_cannot_be_rewritten_safely_is_refused() {
    assert!(matches!(
        check(
            br#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#
        ),
        Err(LogoProblem::UnsafeSvg(_))
    ));
    assert!(matches!(
        check(br#"<svg xmlns="http://www.w3.org/2000/svg"><text>Contoso</text></svg>"#),
        Err(LogoProblem::UnsafeSvg(_))
    ));
    assert_eq!(check(b"<html><svg/></html>"), Err(LogoProblem::NotAnImage));
    assert_eq!(check(b"<svg"), Err(LogoProblem::NotAnImage));
}
