//! Logo uploads. The type comes from the bytes, never from the file name or the declared
//! content type, and what is stored is what a maintained library wrote, not what was sent:
//! - PNG and JPEG are decoded whole by `image` (bounded in size and memory) and encoded
//!   again, so trailing data, polyglot payloads and metadata (EXIF, GPS) never survive;
//! - SVG is parsed by `usvg` and written back by it: drawing only. Scripts, event
//!   handlers, CSS, external references of any kind, fonts and foreign content do not exist
//!   in what it writes. References to files are never resolved, embedded raster images are
//!   kept only as PNG or JPEG that decode (and are re-encoded the same way), and documents
//!   with a DTD are refused before anything else reads them. Text is refused with a
//!   request to convert it to outlines, since the server has no fonts to draw it with.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::sync::Arc;

pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// Largest logo side, in pixels, and the memory a decode may take.
const MAX_SIDE: u32 = 4096;
const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum LogoProblem {
    TooLarge,
    Empty,
    /// Not a PNG, JPEG or SVG that decodes, whatever its name says.
    NotAnImage,
    /// An SVG that cannot be made safe by re-writing it (a DTD, text to draw): the id of the
    /// message saying so.
    UnsafeSvg(&'static str),
}

/// A logo as it will be stored and served.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckedLogo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Checks an upload and returns what to store instead of it.
pub fn check(bytes: &[u8]) -> Result<CheckedLogo, LogoProblem> {
    if bytes.is_empty() {
        return Err(LogoProblem::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoProblem::TooLarge);
    }
    match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg)) => {
            let bytes = reencode(bytes, format).ok_or(LogoProblem::NotAnImage)?;
            let content_type = match format {
                ImageFormat::Png => "image/png",
                _ => "image/jpeg",
            };
            Ok(CheckedLogo {
                content_type,
                bytes,
            })
        }
        Ok(_) => Err(LogoProblem::NotAnImage),
        Err(_) => svg(bytes),
    }
}

/// Decodes the whole raster image and encodes it again in the same format.
fn reencode(bytes: &[u8], format: ImageFormat) -> Option<Vec<u8>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoded = reader.decode().ok()?;
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let rgb = decoded.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                .encode_image(&rgb)
                .ok()?;
        }
        _ => decoded.write_to(&mut out, ImageFormat::Png).ok()?,
    }
    Some(out.into_inner())
}

fn svg(bytes: &[u8]) -> Result<CheckedLogo, LogoProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| LogoProblem::NotAnImage)?;
    // Parsed once without DTD support: entity tricks are refused, not expanded.
    let document = roxmltree::Document::parse(text).map_err(|e| match e {
        roxmltree::Error::DtdDetected => LogoProblem::UnsafeSvg("error-svg-dtd"),
        _ => LogoProblem::NotAnImage,
    })?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        return Err(LogoProblem::NotAnImage);
    }
    if root
        .descendants()
        .any(|n| n.is_element() && n.tag_name().name() == "text")
    {
        return Err(LogoProblem::UnsafeSvg("error-svg-text"));
    }
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|mime, data: Arc<Vec<u8>>, _| {
                let format = match mime {
                    "image/png" => ImageFormat::Png,
                    "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
                    _ => return None,
                };
                let clean = Arc::new(reencode(&data, format)?);
                Some(match format {
                    ImageFormat::Png => usvg::ImageKind::PNG(clean),
                    _ => usvg::ImageKind::JPEG(clean),
                })
            }),
            // Never a file, never a URL.
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(text, &options).map_err(|_| LogoProblem::NotAnImage)?;
    let written = tree.to_string(&usvg::WriteOptions::default());
    if written.len() > MAX_LOGO_BYTES * 2 {
        return Err(LogoProblem::TooLarge);
    }
    Ok(CheckedLogo {
        content_type: "image/svg+xml",
        bytes: written.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
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
}
