-- Issue 13 §1: one search index over cases, parties, replies, meetings, hearings, suggestions, aid
-- cases and grid visits. A row per searchable thing, written by the store in the same transaction
-- as the thing itself; its tokens (domain::search: jieba words, bigrams, pinyin of names) are
-- indexed by the database's own full-text search — FTS5 on SQLite, a GIN-indexed tsvector on
-- PostgreSQL. Scope is a predicate on these columns (and on the case they belong to), so a query
-- never returns what its user may not open. A statement marked /*sqlite*/ or /*postgres*/ runs on
-- that database only.
CREATE TABLE search_doc (
    -- The FTS5 row's id on SQLite (given by the store, one writer at a time); on PostgreSQL drawn
    -- from a sequence, as servers write at once.
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    case_id TEXT,
    agency_id TEXT,
    recipient_id TEXT,
    shared BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT '',
    place_id TEXT,
    number TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    at BIGINT NOT NULL
);
/*postgres*/ CREATE SEQUENCE search_doc_seq;
/*postgres*/ ALTER TABLE search_doc ALTER COLUMN seq SET DEFAULT nextval('search_doc_seq');
/*postgres*/ ALTER TABLE search_doc ADD COLUMN tsv TSVECTOR NOT NULL;
CREATE UNIQUE INDEX search_doc_entity ON search_doc (kind, entity_id);
CREATE INDEX search_doc_case ON search_doc (case_id);
-- Exact lookup by a case's, a suggestion's or an aid case's number.
CREATE INDEX search_doc_number ON search_doc (number);
/*postgres*/ CREATE INDEX search_doc_tsv ON search_doc USING GIN (tsv);
-- Contentless: the tokens are kept only as the index; the text stays in its own table.
/*sqlite*/ CREATE VIRTUAL TABLE search_fts USING fts5 (tokens, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');

-- Exact lookup of a phone number through a blind index, as the identity number already is.
ALTER TABLE case_party ADD COLUMN phone_index TEXT;
CREATE INDEX case_party_phone_index ON case_party (phone_index);
