//! Bracket nesting of the raw text, checked before anything recursive (the parser,
//! validation) touches the document.

use super::Refusal;
use worker::msg;

/// Deepest bracket nesting (`{`, `[`, `(`) a document may have. GraphiQL's introspection
/// query nests 13 deep; the depth limit on fields is lower than this anyway.
pub const MAX_NESTING: usize = 64;

/// Checks the raw text's nesting (before parsing).
pub fn check_nesting(query: &str) -> Result<(), Refusal> {
    let mut depth = 0usize;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                // A comment runs to the end of the line.
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => skip_string(&mut chars),
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Refusal::TooComplex(msg!(
                        "error-nested-too-deep",
                        max = MAX_NESTING
                    )));
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Skips a string literal whose opening quote was just read (a block string `"""…"""`
/// or a plain one with backslash escapes).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if chars.peek() == Some(&'"') {
        chars.next();
        if chars.peek() != Some(&'"') {
            return; // the empty string ""
        }
        chars.next();
        let mut quotes = 0;
        let mut escaped = false;
        for c in chars.by_ref() {
            match c {
                '"' if !escaped => {
                    quotes += 1;
                    if quotes == 3 {
                        return;
                    }
                }
                '\\' => {
                    escaped = true;
                    quotes = 0;
                    continue;
                }
                _ => quotes = 0,
            }
            escaped = false;
        }
        return;
    }
    let mut escaped = false;
    for c in chars.by_ref() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return,
            '\n' | '\r' => return,
            _ => escaped = false,
        }
    }
}
