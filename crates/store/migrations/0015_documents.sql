-- Issue 11 §6: the documents the workflows produce, from templates an administrator replaces.

-- An uploaded .docx that replaces a kind's default template (none: the built-in GB/T 9704 layout).
CREATE TABLE document_template (
    kind TEXT PRIMARY KEY,
    body BLOB NOT NULL,
    filename TEXT NOT NULL,
    uploaded_by_name TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);

-- 司法救助决定书 are numbered when the aid is decided: 甘州检司救〔2026〕1号, gapless per agency and year.
ALTER TABLE aid_case ADD COLUMN number TEXT;
CREATE UNIQUE INDEX aid_case_number ON aid_case (number);
