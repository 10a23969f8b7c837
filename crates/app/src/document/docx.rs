//! Word documents as zip packages: the built-in templates, reading an uploaded one with limits
//! (a zip bomb or a stray file is refused, not unpacked), and filling every text part.

use std::io::{Cursor, Read, Write};

use gongzhi_domain::document::{self as rules, DocumentKind, FillError, layout};
use zip::write::SimpleFileOptions;

/// The largest template accepted, and the most its parts may unpack to.
pub const MAX_UPLOAD: usize = 2 * 1024 * 1024;
const MAX_UNPACKED: u64 = 20 * 1024 * 1024;
const MAX_PARTS: usize = 400;

/// Why a file is not a usable template.
#[derive(Debug, PartialEq, Eq)]
pub enum DocxError {
    /// Not a zip, or no `word/document.xml`: not a Word document.
    NotDocx,
    TooLarge,
    Unknown(Vec<String>),
}

impl From<FillError> for DocxError {
    fn from(e: FillError) -> Self {
        match e {
            FillError::Unknown(names) => DocxError::Unknown(names),
        }
    }
}

/// The parts a marker may stand in: the body, headers and footers.
fn fillable(name: &str) -> bool {
    name == "word/document.xml"
        || ((name.starts_with("word/header") || name.starts_with("word/footer")) && name.ends_with(".xml"))
}

/// A package's parts, in order, with their bytes.
fn parts(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, DocxError> {
    if bytes.len() > MAX_UPLOAD {
        return Err(DocxError::TooLarge);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| DocxError::NotDocx)?;
    if zip.len() > MAX_PARTS {
        return Err(DocxError::TooLarge);
    }
    let mut out = Vec::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(|_| DocxError::NotDocx)?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().to_owned();
        let mut data = Vec::new();
        // Read at most what is left of the budget, whatever the entry claims its size is.
        f.take(MAX_UNPACKED - total + 1)
            .read_to_end(&mut data)
            .map_err(|_| DocxError::NotDocx)?;
        total += u64::try_from(data.len()).unwrap_or(u64::MAX);
        if total > MAX_UNPACKED {
            return Err(DocxError::TooLarge);
        }
        out.push((name, data));
    }
    if !out.iter().any(|(n, _)| n == "word/document.xml") {
        return Err(DocxError::NotDocx);
    }
    Ok(out)
}

fn pack(parts: &[(String, Vec<u8>)]) -> Result<Vec<u8>, DocxError> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(name.as_str(), opts)
            .map_err(|_| DocxError::NotDocx)?;
        w.write_all(data).map_err(|_| DocxError::NotDocx)?;
    }
    Ok(w.finish().map_err(|_| DocxError::NotDocx)?.into_inner())
}

/// The markers a template uses, each once, in order.
pub fn markers(bytes: &[u8]) -> Result<Vec<String>, DocxError> {
    let mut out: Vec<String> = Vec::new();
    for (name, data) in parts(bytes)? {
        if fillable(&name) {
            let xml = String::from_utf8(data).map_err(|_| DocxError::NotDocx)?;
            for p in rules::markers_in(&xml) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

/// A template with its markers filled by `value`.
pub fn render(template: &[u8], value: &dyn Fn(&str) -> Option<String>) -> Result<Vec<u8>, DocxError> {
    let mut all = parts(template)?;
    for (name, data) in &mut all {
        if fillable(name) {
            let xml = std::str::from_utf8(data).map_err(|_| DocxError::NotDocx)?;
            *data = rules::fill(xml, value)?.into_bytes();
        }
    }
    pack(&all)
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
</Relationships>";

/// A kind's built-in template, as a .docx an administrator may download, edit and upload back.
pub fn default_template(kind: DocumentKind) -> Result<Vec<u8>, DocxError> {
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
<dc:title>{}</dc:title><dc:creator>共治</dc:creator></cp:coreProperties>",
        kind.title()
    );
    pack(&[
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("word/_rels/document.xml.rels".into(), DOCUMENT_RELS.into()),
        ("word/document.xml".into(), layout::document(kind).into_bytes()),
        ("word/styles.xml".into(), layout::styles().into_bytes()),
        ("word/footer1.xml".into(), layout::footer().into_bytes()),
        ("docProps/core.xml".into(), core.into_bytes()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_template_round_trips_through_its_own_reader() {
        for kind in DocumentKind::ALL {
            let t = default_template(*kind).unwrap();
            let used = markers(&t).unwrap();
            assert!(used.iter().all(|p| kind.allows(p)), "{kind}: {used:?}");
            let filled = render(&t, &|n| Some(format!("〈{n}〉"))).unwrap();
            assert!(markers(&filled).unwrap().is_empty());
            let body = parts(&filled).unwrap();
            let doc = body.iter().find(|(n, _)| n == "word/document.xml").unwrap();
            assert!(String::from_utf8_lossy(&doc.1).contains("〈机关〉"));
        }
    }

    #[test]
    fn what_is_not_a_word_document_is_refused() {
        assert_eq!(markers(b"PK not really"), Err(DocxError::NotDocx));
        let zip_without_body = pack(&[("a.txt".into(), b"x".to_vec())]).unwrap();
        assert_eq!(markers(&zip_without_body), Err(DocxError::NotDocx));
        assert_eq!(markers(&vec![0u8; MAX_UPLOAD + 1]), Err(DocxError::TooLarge));
        // A small file that unpacks to more than the budget (a zip bomb) is refused unread.
        let bomb = pack(&[
            ("word/document.xml".into(), b"<w:document/>".to_vec()),
            ("word/media/a.bin".into(), vec![0u8; 21 * 1024 * 1024]),
        ])
        .unwrap();
        assert!(bomb.len() < MAX_UPLOAD);
        assert_eq!(markers(&bomb), Err(DocxError::TooLarge));
    }
}
