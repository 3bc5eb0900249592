//! SVG logos: parsed once without DTD support, measured as usvg would expand them, then
//! converted by usvg from that same parsed document and written back by it.

use super::expansion::{self, LIMITS};
use super::{CheckedLogo, LogoProblem, MAX_DECODE_BYTES, MAX_LOGO_BYTES, reencode};
use image::{ImageFormat, ImageReader};
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What an embedded image costs the decoding budget at least, however small: decoding and
/// encoding one has a price of its own.
const MIN_IMAGE_COST: u64 = 64 * 1024;

pub(super) fn check(bytes: &[u8]) -> Result<CheckedLogo, LogoProblem> {
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
    let too_complex = LogoProblem::UnsafeSvg("error-svg-too-complex");
    expansion::measure(&document, &LIMITS).map_err(|_| too_complex.clone())?;

    // Every embedded image usvg converts (once per copy) draws on one budget, the memory a
    // single raster logo may take to decode.
    let budget = Arc::new(AtomicU64::new(MAX_DECODE_BYTES));
    let overspent = Arc::new(AtomicBool::new(false));
    let (images, flag) = (budget, overspent.clone());
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(move |mime, data: Arc<Vec<u8>>, _| {
                let format = match mime {
                    "image/png" => ImageFormat::Png,
                    "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
                    _ => return None,
                };
                let (width, height) = ImageReader::with_format(Cursor::new(&data[..]), format)
                    .into_dimensions()
                    .ok()?;
                let cost = (u64::from(width) * u64::from(height) * 4).max(MIN_IMAGE_COST);
                let paid = images.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(cost)
                });
                if paid.is_err() {
                    flag.store(true, Ordering::Relaxed);
                    return None;
                }
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
    let tree =
        usvg::Tree::from_xmltree(&document, &options).map_err(|_| LogoProblem::NotAnImage)?;
    if overspent.load(Ordering::Relaxed) {
        return Err(too_complex);
    }
    let written = tree.to_string(&usvg::WriteOptions::default());
    if written.len() > MAX_LOGO_BYTES * 2 {
        return Err(LogoProblem::TooLarge);
    }
    Ok(CheckedLogo {
        content_type: "image/svg+xml",
        bytes: written.into_bytes(),
    })
}
