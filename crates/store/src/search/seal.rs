//! What touches a minor is found by its label alone: a case involving a minor by its number, a
//! grid visit with a minor finding by its visitor and place — never by the names, narratives,
//! replies, hearings or aid applications that could name the child (Minor Protection Law Art.
//! 103, DOMAIN.md §6.1 "minors in cases": never disclose a minor's name or other identifying data).
//! A duplicate merged into another case is sealed the same way: its number still leads to it (and
//! from it to the case it went into), its words lead to the case that carries on.
//! Sealing runs after every write of the index, so it holds whichever of a case, its parties or
//! its findings is written first.

use std::collections::BTreeSet;

use gongzhi_domain::search;
use sqlx::AnyConnection;

use super::index::{Doc, Kind, remove_docs, write};
use crate::Result;
use crate::rows::select_in;

/// A stored document read back, to be written again with fewer words.
#[derive(sqlx::FromRow)]
struct Stored {
    kind: String,
    entity_id: String,
    case_id: Option<String>,
    agency_id: Option<String>,
    recipient_id: Option<String>,
    shared: i64,
    state: String,
    place_id: Option<String>,
    number: String,
    title: String,
    at: i64,
}

impl Stored {
    fn into_doc(self, tokens: BTreeSet<String>) -> Option<Doc> {
        Some(Doc {
            kind: Kind::parse(&self.kind)?,
            entity_id: self.entity_id,
            case_id: self.case_id,
            agency_id: self.agency_id,
            recipient_id: self.recipient_id,
            shared: self.shared != 0,
            state: self.state,
            place_id: self.place_id,
            number: self.number,
            title: self.title,
            at: self.at,
            tokens,
        })
    }
}

const STORED: &str = "SELECT kind, entity_id, case_id, agency_id, recipient_id, shared, state, place_id, \
    number, title, at FROM search_doc";

/// Seals the cases among `cases` that involve a minor — marked so, or with a party who is one —
/// or that are merged into another: everything of theirs leaves the index but the case itself,
/// found by its number only.
pub async fn seal_cases(conn: &mut AnyConnection, cases: &[&str]) -> Result<()> {
    let minor: Vec<(String,)> = select_in(
        conn,
        "SELECT c.id FROM dispute_case c WHERE c.id IN ({in}) AND (c.minor_involved <> 0 \
         OR c.merged_into IS NOT NULL OR EXISTS (SELECT 1 FROM case_party p WHERE p.case_id = c.id AND p.minor <> 0))",
        cases,
    )
    .await?;
    let minor: Vec<&str> = minor.iter().map(|(id,)| id.as_str()).collect();
    if minor.is_empty() {
        return Ok(());
    }
    let labels = stored(conn, Kind::Case, &minor).await?;
    let all: Vec<(String, String)> = select_in(
        conn,
        "SELECT kind, entity_id FROM search_doc WHERE case_id IN ({in})",
        &minor,
    )
    .await?;
    remove_docs(
        conn,
        all.iter()
            .filter_map(|(k, id)| Kind::parse(k).map(|k| (k, id.as_str()))),
    )
    .await?;
    relabel(conn, labels, |s| &s.number).await
}

/// Seals the visits among `visits` with a finding about a minor: found by their title (the
/// visitor and the place) only.
pub async fn seal_visits(conn: &mut AnyConnection, visits: &[&str]) -> Result<()> {
    let minor: Vec<(String,)> = select_in(
        conn,
        "SELECT DISTINCT visit_id FROM grid_finding WHERE kind = 'minor' AND visit_id IN ({in})",
        visits,
    )
    .await?;
    let minor: Vec<&str> = minor.iter().map(|(id,)| id.as_str()).collect();
    if minor.is_empty() {
        return Ok(());
    }
    let labels = stored(conn, Kind::Visit, &minor).await?;
    relabel(conn, labels, |s| &s.title).await
}

/// The stored documents of `kind` for these things.
async fn stored(conn: &mut AnyConnection, kind: Kind, ids: &[&str]) -> Result<Vec<Stored>> {
    select_in(
        conn,
        &format!(
            "{STORED} WHERE kind = '{}' AND entity_id IN ({{in}})",
            kind.code()
        ),
        ids,
    )
    .await
}

/// Writes the documents again, found by the words of `label` alone.
async fn relabel(conn: &mut AnyConnection, docs: Vec<Stored>, label: fn(&Stored) -> &str) -> Result<()> {
    let docs: Vec<Doc> = docs
        .into_iter()
        .filter_map(|s| {
            let mut t = BTreeSet::new();
            search::add_tokens(&mut t, label(&s));
            s.into_doc(t)
        })
        .collect();
    write(conn, &docs).await
}
