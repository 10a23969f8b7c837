//! What may be attached to a case: a file whose content is one of a few document and image types
//! and whose name says the same type, with no characters that disguise it (control characters,
//! right-to-left overrides that turn `fdp.exe` into `exe.pdf` on screen).

/// Why a file is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileError {
    /// The content is none of the accepted types.
    Type,
    /// The name's extension is not the content's type (an `x.html` that starts like a PDF).
    Extension,
    /// The name holds control or direction-changing characters.
    Name,
}

impl FileError {
    pub fn message_key(self) -> &'static str {
        match self {
            FileError::Type => "attachment-type",
            FileError::Extension => "attachment-extension",
            FileError::Name => "attachment-name",
        }
    }
}

/// Characters a file name may not hold: what no text may (see `text`), every control, and the
/// invisible format characters that hide or reorder a name when it is shown (soft hyphen, Arabic
/// letter mark, zero-width and joiner characters, line and paragraph separators, marks, BOM,
/// interlinear annotations).
pub fn is_disguising(c: char) -> bool {
    crate::text::is_forbidden(c)
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// The MIME type of an acceptable file, judged by its content first and then by its name.
pub fn check(filename: &str, data: &[u8]) -> Result<&'static str, FileError> {
    if filename.chars().any(is_disguising) {
        return Err(FileError::Name);
    }
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (mime, extensions): (&'static str, &[&str]) = if data.starts_with(b"%PDF-") {
        ("application/pdf", &["pdf"])
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        ("image/png", &["png"])
    } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
        ("image/jpeg", &["jpg", "jpeg"])
    } else if data.starts_with(b"PK\x03\x04") {
        // A zip: only the Office formats, told apart by the name.
        match ext.as_str() {
            "docx" => (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &["docx"],
            ),
            "xlsx" => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &["xlsx"],
            ),
            _ => return Err(FileError::Type),
        }
    } else if std::str::from_utf8(data).is_ok() && !data.contains(&0) {
        ("text/plain; charset=utf-8", &["txt"])
    } else {
        return Err(FileError::Type);
    };
    if extensions.contains(&ext.as_str()) {
        Ok(mime)
    } else {
        Err(FileError::Extension)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_and_name_must_agree() {
        assert_eq!(check("协议书.PDF", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(check("x.html", b"%PDF-1.7 <script>"), Err(FileError::Extension));
        assert_eq!(check("photo.jpeg", &[0xff, 0xd8, 0xff, 0xe0]), Ok("image/jpeg"));
        assert_eq!(check("a.zip", b"PK\x03\x04"), Err(FileError::Type));
        assert_eq!(
            check("note.txt", "情况说明".as_bytes()),
            Ok("text/plain; charset=utf-8")
        );
        assert_eq!(check("page.html", b"<html>"), Err(FileError::Extension));
        assert_eq!(check("x.bin", &[0, 1, 2]), Err(FileError::Type));
    }

    #[test]
    fn names_that_disguise_themselves_are_refused() {
        assert_eq!(check("invoice\u{202E}fdp.exe", b"%PDF-"), Err(FileError::Name));
        assert_eq!(check("a\u{0}.pdf", b"%PDF-"), Err(FileError::Name));
        for c in [
            '\u{061C}', '\u{2028}', '\u{00AD}', '\u{2060}', '\u{180E}', '\u{FFF9}',
        ] {
            assert_eq!(
                check(&format!("判决{c}书.pdf"), b"%PDF-"),
                Err(FileError::Name),
                "{c:?}"
            );
        }
    }
}
