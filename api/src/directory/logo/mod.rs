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
//!   What usvg would expand (`<use>`, masks, markers, CSS...) is measured before it is
//!   expanded ([`expansion`]), and embedded images share one decoding budget.
//!
//! Decoding is CPU work of up to a few hundred milliseconds: [`check_off_thread`] runs it on
//! the blocking pool, a few at a time, with a time bound, never on the request threads.

pub mod expansion;
mod scan;
mod svg;

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::time::Duration;

pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// Largest logo side, in pixels, and the memory a decode may take.
const MAX_SIDE: u32 = 4096;
const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoProblem {
    TooLarge,
    Empty,
    /// Not a PNG, JPEG or SVG that decodes, whatever its name says.
    NotAnImage,
    /// An SVG that cannot be made safe by re-writing it (a DTD, text to draw): the id of the
    /// message saying so.
    UnsafeSvg(&'static str),
    /// Checking took longer than [`CHECK_TIME`].
    TooSlow,
}

/// How long a logo check may take; the bounds above keep a real one far below it.
pub const CHECK_TIME: Duration = Duration::from_secs(10);

/// Checks run at once: each may hold up to [`MAX_DECODE_BYTES`] and a core.
const CONCURRENT_CHECKS: usize = 2;

/// [`check`] on the blocking pool, at most [`CONCURRENT_CHECKS`] at a time, within `limit`
/// (waiting for a turn included). A check that overruns is answered [`LogoProblem::TooSlow`]
/// at once; it keeps its turn until it ends, so overruns never add up to more at a time.
pub async fn check_off_thread(bytes: Vec<u8>, limit: Duration) -> Result<CheckedLogo, LogoProblem> {
    static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_CHECKS);
    let run = async {
        let turn = TURNS.acquire().await.map_err(|_| LogoProblem::TooSlow)?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            check(&bytes)
        })
        .await
        .unwrap_or_else(|e| {
            // A decoder that panics has met input it cannot read.
            tracing::warn!(error = %e, "logo check did not finish");
            Err(LogoProblem::NotAnImage)
        })
    };
    let deadline = tokio::time::Instant::now() + limit;
    match tokio::time::timeout_at(deadline, run).await {
        // The timer only fires on its next millisecond tick, so a check can finish "in
        // time" after its bound has passed: what arrives at or past the bound is late.
        Ok(result) if tokio::time::Instant::now() < deadline => result,
        _ => Err(LogoProblem::TooSlow),
    }
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
        Err(_) => svg::check(bytes),
    }
}

/// Decodes the whole raster image and encodes it again in the same format.
pub(crate) fn reencode(bytes: &[u8], format: ImageFormat) -> Option<Vec<u8>> {
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

#[cfg(test)]
mod bombs;
#[cfg(test)]
mod tests;
