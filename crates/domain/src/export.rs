//! What goes into an exported spreadsheet cell (issue 13 §5): text is kept as text, never a
//! formula. A cell is written as an inline string, so the spreadsheet never evaluates it; one that
//! begins as a formula would (`=`, `+`, `-`, `@`, a tab or a carriage return — OWASP "CSV
//! Injection") is also marked "quote prefix", so that editing it in Excel or WPS, or saving the
//! sheet as CSV and opening it again, keeps it text.

/// A cell's text as exported, and whether it must carry the quote prefix.
pub fn cell_text(s: &str) -> (String, bool) {
    // XML 1.0 allows no control characters but tab, line feed and carriage return: a stray one
    // pasted into a narrative would make the whole file unreadable.
    let text: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let guarded = text.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);
    (text, guarded)
}

/// The column name of a 0-based index: A … Z, AA … .
pub fn column(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_stays_text() {
        for f in [
            "=1+1",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "=HYPERLINK(\"http://x\",\"点我\")",
            "＝1＋1",
        ] {
            assert!(cell_text(f).1, "{f:?}");
        }
        for ok in ["王建国", "1+1=2", "13993650001", "", "甘州检信〔2026〕1号"] {
            assert!(!cell_text(ok).1, "{ok:?}");
        }
        assert_eq!(cell_text("a\u{0}b\u{1b}c\nd").0, "abc\nd");
    }

    #[test]
    fn columns_are_lettered() {
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
        assert_eq!(column(27), "AB");
        assert_eq!(column(701), "ZZ");
        assert_eq!(column(702), "AAA");
    }
}
