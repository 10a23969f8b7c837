//! A workbook as Office Open XML (ECMA-376): a zip of a few XML parts, written directly — each
//! sheet a header row (bold, frozen) and rows of inline strings and numbers. No formula is ever
//! written (`domain::export::cell_text`).

use std::io::{Cursor, Write};

use gongzhi_domain::document::escape;
use gongzhi_domain::export::{cell_text, column};
use zip::write::SimpleFileOptions;

use crate::AppError;

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n)
    }
}

/// One sheet: its tab's name, the header and the rows, with each column's width in characters.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub widths: Vec<u32>,
    pub rows: Vec<Vec<Cell>>,
}

// Styles: 0 plain, 1 the header (bold), 2 text kept as text (quote prefix).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

fn cell_xml(out: &mut String, r: usize, c: usize, cell: &Cell, header: bool) {
    let at = format!("{}{}", column(c), r + 1);
    match cell {
        Cell::Number(n) => out.push_str(&format!(r#"<c r="{at}"><v>{n}</v></c>"#)),
        Cell::Text(t) => {
            let (text, guarded) = cell_text(t);
            let style = if header {
                " s=\"1\""
            } else if guarded {
                " s=\"2\""
            } else {
                ""
            };
            out.push_str(&format!(
                r#"<c r="{at}" t="inlineStr"{style}><is><t xml:space="preserve">{}</t></is></c>"#,
                escape(&text)
            ));
        }
    }
}

fn sheet_xml(s: &Sheet) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#,
    );
    if !s.widths.is_empty() {
        out.push_str("<cols>");
        for (i, w) in s.widths.iter().enumerate() {
            out.push_str(&format!(
                r#"<col min="{0}" max="{0}" width="{w}" customWidth="1"/>"#,
                i + 1
            ));
        }
        out.push_str("</cols>");
    }
    out.push_str("<sheetData>");
    let header: Vec<Cell> = s.header.iter().map(|h| Cell::Text(h.clone())).collect();
    for (r, row) in std::iter::once(&header).chain(&s.rows).enumerate() {
        out.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            cell_xml(&mut out, r, c, cell, r == 0);
        }
        out.push_str("</row>");
    }
    out.push_str("</sheetData></worksheet>");
    out
}

/// A sheet's tab name as Excel takes it: at most 31 characters, none of `[]:*?/\`.
fn tab_name(name: &str, i: usize) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        format!("Sheet{}", i + 1)
    } else {
        clean
    }
}

/// The workbook's bytes.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    let mut book = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut parts: Vec<(String, String)> = Vec::new();
    for (i, s) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
        book.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            escape(&tab_name(&s.name, i))
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        parts.push((format!("xl/worksheets/sheet{n}.xml"), sheet_xml(s)));
    }
    let styles = sheets.len() + 1;
    rels.push_str(&format!(
        r#"<Relationship Id="rId{styles}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
    ));
    types.push_str("</Types>");
    book.push_str("</sheets></workbook>");
    let mut all = vec![
        ("[Content_Types].xml".to_owned(), types),
        (
            "_rels/.rels".to_owned(),
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                .to_owned(),
        ),
        ("xl/workbook.xml".to_owned(), book),
        ("xl/_rels/workbook.xml.rels".to_owned(), rels),
        ("xl/styles.xml".to_owned(), STYLES.to_owned()),
    ];
    all.extend(parts);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(format!("xlsx: {e}"));
    for (name, xml) in all {
        w.start_file(name, opts).map_err(|e| fail(&e))?;
        w.write_all(xml.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
}
