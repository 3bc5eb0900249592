//! Logo uploads: the type comes from the bytes (PNG, JPEG or SVG), never from the file name
//! or the declared content type; SVG that can carry script or fetch other content is refused
//! rather than "cleaned", so what is served is exactly what was checked.

pub const MAX_LOGO_BYTES: usize = 256 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum LogoProblem {
    TooLarge,
    Empty,
    /// Not a PNG, JPEG or SVG, whatever its name says.
    NotAnImage,
    /// An SVG with script, event handlers, external references or embedded documents.
    UnsafeSvg(&'static str),
}

/// The content type of acceptable logo bytes.
pub fn check(bytes: &[u8]) -> Result<&'static str, LogoProblem> {
    if bytes.is_empty() {
        return Err(LogoProblem::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoProblem::TooLarge);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    let text = std::str::from_utf8(bytes).map_err(|_| LogoProblem::NotAnImage)?;
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    if !lower.starts_with('<') || !lower.contains("<svg") {
        return Err(LogoProblem::NotAnImage);
    }
    check_svg(&lower)?;
    Ok("image/svg+xml")
}

fn check_svg(lower: &str) -> Result<(), LogoProblem> {
    const FORBIDDEN: &[(&str, &str)] = &[
        ("<script", "script elements"),
        ("javascript:", "javascript: URLs"),
        ("<foreignobject", "embedded HTML"),
        ("<iframe", "embedded documents"),
        ("<embed", "embedded documents"),
        ("<object", "embedded documents"),
        ("<!entity", "XML entities"),
        ("data:text/html", "embedded HTML"),
    ];
    for (needle, why) in FORBIDDEN {
        if lower.contains(needle) {
            return Err(LogoProblem::UnsafeSvg(why));
        }
    }
    if has_event_handler(lower) {
        return Err(LogoProblem::UnsafeSvg("event handler attributes"));
    }
    // References may only point inside the document (`#id`) or to embedded images.
    for attr in ["href=", "href ="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..]
                .trim_start()
                .trim_start_matches(['"', '\'']);
            if !(value.starts_with('#') || value.starts_with("data:image/")) {
                return Err(LogoProblem::UnsafeSvg("external references"));
            }
        }
    }
    Ok(())
}

/// `onload=`, `onclick =`... where an attribute can start inside a tag.
fn has_event_handler(lower: &str) -> bool {
    lower
        .split('<')
        .skip(1)
        .filter_map(|chunk| chunk.split('>').next())
        .any(tag_has_event_handler)
}

fn tag_has_event_handler(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    tag.match_indices("on").any(|(i, _)| {
        let starts_attribute = i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'/');
        let name_len = bytes[i + 2..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let rest = tag[i + 2 + name_len..].trim_start();
        starts_attribute && name_len > 0 && rest.starts_with('=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_bytes() {
        assert_eq!(check(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Ok("image/jpeg"));
        assert_eq!(
            check(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>"),
            Ok("image/svg+xml")
        );
        assert_eq!(check(b"GIF89a...."), Err(LogoProblem::NotAnImage));
        assert_eq!(
            check(b"MZ\x90\x00 an exe named logo.png"),
            Err(LogoProblem::NotAnImage)
        );
        assert_eq!(
            check(&vec![0xFF; MAX_LOGO_BYTES + 1]),
            Err(LogoProblem::TooLarge)
        );
    }

    #[test]
    fn unsafe_svg_is_refused() {
        for svg in [
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=\"alert(1)\"></svg>",
            "<svg><rect ONCLICK = 'x'/></svg>",
            "<svg><a href=\"javascript:alert(1)\"/></svg>",
            "<svg><image href=\"https://evil.example/x.png\"/></svg>",
            "<svg><foreignObject><div/></foreignObject></svg>",
            "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>",
        ] {
            assert!(
                matches!(check(svg.as_bytes()), Err(LogoProblem::UnsafeSvg(_))),
                "{svg}"
            );
        }
        assert_eq!(
            check(b"<svg><use href=\"#a\"/><g font='bold'/></svg>"),
            Ok("image/svg+xml")
        );
        assert_eq!(
            check(b"<svg><text>contains the word onion = tasty</text></svg>"),
            Ok("image/svg+xml")
        );
    }
}
