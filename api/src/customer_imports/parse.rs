//! Reading an import file: bounded before it is parsed (bytes by the caller; rows and
//! field length by a first scan that also checks the quoting strictly, RFC 4180, because
//! the `csv` crate itself accepts stray quotes), then parsed by `csv`. UTF-8 with or
//! without a BOM; the header names the documented columns, each once, in any order. Every
//! refusal is a `userError` on `["input", "file"]` whose message names line and column.

use super::columns::{COLUMNS, RowData};
use crate::error::{ApiError, ApiResult};
use crate::graphql::user_error::UserErrorCode;
use worker::i18n::Message;
use worker::msg;

const FILE: &[&str] = &["input", "file"];

fn invalid(message: Message) -> ApiError {
    ApiError::user(UserErrorCode::InvalidCsv, FILE, message)
}

/// The limits of one file.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub max_rows: usize,
    pub max_field_chars: usize,
}

/// The data rows of `bytes`, each with its 1-based line (the header is line 1).
pub fn rows(bytes: &[u8], bounds: Bounds) -> ApiResult<Vec<(i32, RowData)>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let (line, column) = position(bytes, e.valid_up_to());
        return Err(invalid(msg!(
            "error-import-csv-utf8",
            line = line,
            column = column
        )));
    }
    scan(bytes, bounds)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(csv_error(&e)),
        None => {
            return Err(invalid(msg!(
                "error-import-csv-empty",
                line = 1,
                column = 1
            )));
        }
    };
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    // Where each documented column is in the file.
    let mut order = Vec::with_capacity(COLUMNS.len());
    for (i, name) in names.iter().enumerate() {
        if !COLUMNS.contains(name) || names[..i].contains(name) {
            return Err(invalid(msg!(
                "error-import-csv-header",
                line = 1,
                column = i + 1,
                name = *name
            )));
        }
    }
    for column in COLUMNS {
        match names.iter().position(|n| *n == column) {
            Some(at) => order.push(at),
            None => {
                return Err(invalid(msg!(
                    "error-import-csv-missing-column",
                    line = 1,
                    column = names.len() + 1,
                    name = column
                )));
            }
        }
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line()) as i32;
        if record.len() != names.len() {
            return Err(invalid(msg!(
                "error-import-csv-columns",
                line = line,
                column = record.len().min(names.len()) + 1,
                expected = names.len(),
                found = record.len()
            )));
        }
        let values = order.iter().map(|&at| record[at].to_owned()).collect();
        rows.push((line, RowData(values)));
    }
    if rows.is_empty() {
        return Err(invalid(msg!(
            "error-import-csv-no-rows",
            line = 2,
            column = 1
        )));
    }
    Ok(rows)
}

fn csv_error(e: &csv::Error) -> ApiError {
    let (line, column) = match e.kind() {
        csv::ErrorKind::Utf8 { pos, err } => {
            (pos.as_ref().map_or(0, |p| p.line()), err.field() + 1)
        }
        csv::ErrorKind::UnequalLengths { pos, len, .. } => {
            (pos.as_ref().map_or(0, |p| p.line()), *len as usize + 1)
        }
        _ => (0, 1),
    };
    invalid(msg!(
        "error-import-csv-unreadable",
        line = line as i64,
        column = column
    ))
}

/// Line and column (1-based, columns counted by commas) of byte `offset`.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = before[start..].iter().filter(|b| **b == b',').count() + 1;
    (line, column)
}

/// The strict first pass: quoting as RFC 4180 has it, at most `max_rows` data rows, no
/// value longer than `max_field_chars`. Nothing is allocated per row.
fn scan(bytes: &[u8], bounds: Bounds) -> ApiResult<()> {
    let (mut line, mut column, mut records) = (1usize, 1usize, 0usize);
    let (mut quoted, mut field_start, mut chars, mut empty_line) = (false, true, 0usize, true);
    let (mut quote_line, mut quote_column) = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                match bytes.get(i + 1) {
                    Some(b'"') => {
                        chars += 1;
                        i += 1;
                    }
                    None | Some(b',' | b'\r' | b'\n') => quoted = false,
                    Some(_) => return Err(bad_quote(line, column)),
                }
            } else {
                if b == b'\n' {
                    line += 1;
                }
                // Count characters, not bytes: UTF-8 continuation bytes are skipped.
                if b & 0xC0 != 0x80 {
                    chars += 1;
                }
            }
        } else {
            match b {
                b'"' if field_start => {
                    quoted = true;
                    (quote_line, quote_column) = (line, column);
                    empty_line = false;
                }
                b'"' => return Err(bad_quote(line, column)),
                b',' => {
                    column += 1;
                    chars = 0;
                    field_start = true;
                    empty_line = false;
                    i += 1;
                    continue;
                }
                b'\n' | b'\r' => {
                    if b == b'\n' {
                        if !empty_line {
                            records += 1;
                            if records > bounds.max_rows + 1 {
                                return Err(ApiError::user(
                                    UserErrorCode::OutOfRange,
                                    FILE,
                                    msg!("error-import-too-many-rows", max = bounds.max_rows),
                                ));
                            }
                        }
                        line += 1;
                        empty_line = true;
                    }
                    column = 1;
                    chars = 0;
                    field_start = true;
                    i += 1;
                    continue;
                }
                _ => {
                    if b & 0xC0 != 0x80 {
                        chars += 1;
                    }
                    empty_line = false;
                }
            }
        }
        field_start = false;
        if chars > bounds.max_field_chars {
            return Err(ApiError::user(
                UserErrorCode::OutOfRange,
                FILE,
                msg!(
                    "error-import-field-too-long",
                    line = line,
                    column = column,
                    max = bounds.max_field_chars
                ),
            ));
        }
        i += 1;
    }
    if quoted {
        return Err(invalid(msg!(
            "error-import-csv-unclosed-quote",
            line = quote_line,
            column = quote_column
        )));
    }
    if !empty_line && records + 1 > bounds.max_rows + 1 {
        return Err(ApiError::user(
            UserErrorCode::OutOfRange,
            FILE,
            msg!("error-import-too-many-rows", max = bounds.max_rows),
        ));
    }
    Ok(())
}

fn bad_quote(line: usize, column: usize) -> ApiError {
    invalid(msg!("error-import-csv-quote", line = line, column = column))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Bounds = Bounds {
        max_rows: 3,
        max_field_chars: 25,
    };

    fn header() -> String {
        COLUMNS.join(",")
    }

    fn line(domain: &str) -> String {
        format!(
            "Fourth Coffee,{domain},US,1 Main St,,Seattle,98101,Ana,a@b.test,,en-US,,T2ZmZXI6MQ,3,"
        )
    }

    fn code(result: ApiResult<Vec<(i32, RowData)>>) -> (String, String) {
        match result {
            Err(ApiError::User(e)) => (
                e.code.as_str().to_owned(),
                e.message.render(worker::i18n::Lang::En),
            ),
            other => panic!("{:?}", other.map(|r| r.len())),
        }
    }

    #[test]
    fn reads_rows_with_or_without_bom() {
        let text = format!(
            "{}\n{}\n\"Quoted, \"\"Inc\"\"\"\r\n",
            header(),
            line("a.test")
        );
        let text = text.replace("\"Quoted, \"\"Inc\"\"\"\r\n", "");
        for prefix in ["", "\u{feff}"] {
            let rows = rows(format!("{prefix}{text}").as_bytes(), BOUNDS).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].0, 2);
            assert_eq!(rows[0].1.get("domain"), "a.test");
        }
    }

    #[test]
    fn refuses_malformed_files_naming_line_and_column() {
        let bad_quote = format!("{}\n{}\nx,y\"z\n", header(), line("a.test"));
        let (c, m) = code(rows(bad_quote.as_bytes(), BOUNDS));
        assert_eq!(c, "INVALID_CSV");
        assert!(m.contains('3') && m.contains('2'), "{m}");
        let columns = format!("{}\n{}\nonly,three,values\n", header(), line("a.test"));
        let (c, m) = code(rows(columns.as_bytes(), BOUNDS));
        assert_eq!(c, "INVALID_CSV");
        assert!(m.contains('3'), "{m}");
        let mut utf8 = format!("{}\n", header()).into_bytes();
        utf8.extend_from_slice(b"Caf\xE9,x\n");
        assert_eq!(code(rows(&utf8, BOUNDS)).0, "INVALID_CSV");
        assert_eq!(code(rows(header().as_bytes(), BOUNDS)).0, "INVALID_CSV");
        let unclosed = format!("{}\n\"open\n", header());
        assert_eq!(code(rows(unclosed.as_bytes(), BOUNDS)).0, "INVALID_CSV");
    }

    #[test]
    fn bounds_come_before_parsing() {
        let many = format!(
            "{}\n{}",
            header(),
            (0..4)
                .map(|i| line(&format!("d{i}.test")) + "\n")
                .collect::<String>()
        );
        assert_eq!(code(rows(many.as_bytes(), BOUNDS)).0, "OUT_OF_RANGE");
        let long = format!("{}\n{}\n", header(), line(&"x".repeat(30)));
        assert_eq!(code(rows(long.as_bytes(), BOUNDS)).0, "OUT_OF_RANGE");
    }
}
