//! Writing the search index: a document per searchable thing, replaced whenever the thing is
//! written, in the caller's transaction (the store's own write functions call [`put`]).

use std::collections::BTreeSet;

use chrono::Datelike;
use gongzhi_domain::search;
use sqlx::AnyConnection;

use super::seal::{seal_cases, seal_visits};
use crate::aid::AidRow;
use crate::case::{Case, Party};
use crate::grid::VisitRow;
use crate::hearing::HearingRow;
use crate::meeting::Meeting;
use crate::reply::Reply;
use crate::rows::{IN_BATCH, insert_many, insert_sql, select_in};
use crate::suggestion::SuggestionRow;
use crate::{Result, StoreError};

/// What one search hit is of. The kinds of a case (its parties, replies and meetings too) are
/// seen by whoever may open the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Case,
    Party,
    Reply,
    Meeting,
    Hearing,
    Suggestion,
    Aid,
    Visit,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Case,
        Kind::Party,
        Kind::Reply,
        Kind::Meeting,
        Kind::Hearing,
        Kind::Suggestion,
        Kind::Aid,
        Kind::Visit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Case => "case",
            Kind::Party => "party",
            Kind::Reply => "reply",
            Kind::Meeting => "meeting",
            Kind::Hearing => "hearing",
            Kind::Suggestion => "suggestion",
            Kind::Aid => "aid",
            Kind::Visit => "visit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Seen as its case is seen; its state, category and place are its case's.
    pub fn of_case(self) -> bool {
        matches!(self, Kind::Case | Kind::Party | Kind::Reply | Kind::Meeting)
    }
}

/// What a case is found by.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct CaseText {
    pub id: String,
    pub number: String,
    pub title: String,
    pub narrative: String,
    pub received_at: i64,
    pub place_id: Option<String>,
}

impl From<&Case> for CaseText {
    fn from(c: &Case) -> Self {
        Self {
            id: c.id.to_string(),
            number: c.number.clone(),
            title: c.title.clone(),
            narrative: c.narrative.clone(),
            received_at: c.received_at.timestamp_millis(),
            place_id: c.place_id.map(|p| p.to_string()),
        }
    }
}

/// Indexes cases, each with the names of its place and the place's township.
pub(crate) async fn put_cases(conn: &mut AnyConnection, cases: &[CaseText]) -> Result<()> {
    let mut places: Vec<&str> = cases.iter().filter_map(|c| c.place_id.as_deref()).collect();
    places.sort_unstable();
    places.dedup();
    let names: std::collections::HashMap<String, String> = select_in(
        conn,
        "SELECT u.id, u.name || ' ' || COALESCE(t.name, '') FROM org_unit u \
         LEFT JOIN org_unit t ON t.id = u.parent_id WHERE u.id IN ({in})",
        &places,
    )
    .await?
    .into_iter()
    .collect();
    let docs: Vec<Doc> = cases
        .iter()
        .map(|c| {
            let place = c
                .place_id
                .as_ref()
                .and_then(|p| names.get(p))
                .map_or("", String::as_str);
            Doc::case_of(c, place)
        })
        .collect();
    put(conn, &docs).await
}

/// What a party is found by.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct PartyName {
    pub id: String,
    pub case_id: String,
    pub name: String,
    pub birth_year: Option<i64>,
    pub minor: i64,
}

impl From<&Party> for PartyName {
    fn from(p: &Party) -> Self {
        Self {
            id: p.id.clone(),
            case_id: p.case_id.clone(),
            name: p.name.clone(),
            birth_year: p.birth_year,
            minor: p.minor,
        }
    }
}

/// One row of the index.
#[derive(Clone, Debug)]
pub struct Doc {
    pub kind: Kind,
    pub entity_id: String,
    pub case_id: Option<String>,
    /// The agency the thing belongs to (a case's is read from the case itself).
    pub agency_id: Option<String>,
    /// A suggestion's recipient, who sees it once it is served (`shared`).
    pub recipient_id: Option<String>,
    pub shared: bool,
    /// The state of a thing not of a case (a case's own is read from the case).
    pub state: String,
    /// A visit's township (a case's place is read from the case).
    pub place_id: Option<String>,
    pub number: String,
    pub title: String,
    pub at: i64,
    pub tokens: BTreeSet<String>,
}

fn tokens_of(parts: &[&str]) -> BTreeSet<String> {
    let mut t = BTreeSet::new();
    for p in parts {
        search::add_tokens(&mut t, p);
    }
    t
}

impl Doc {
    fn new(kind: Kind, id: &str, title: &str, at: i64, tokens: BTreeSet<String>) -> Self {
        Self {
            kind,
            entity_id: id.to_owned(),
            case_id: None,
            agency_id: None,
            recipient_id: None,
            shared: false,
            state: String::new(),
            place_id: None,
            number: String::new(),
            title: title.to_owned(),
            at,
            tokens,
        }
    }

    fn in_case(mut self, case: &str) -> Self {
        self.case_id = Some(case.to_owned());
        self
    }

    /// A case by its number, title, narrative and the names of its village and township.
    fn case_of(c: &CaseText, place: &str) -> Self {
        Doc::new(
            Kind::Case,
            &c.id,
            &c.title,
            c.received_at,
            tokens_of(&[&c.number, &c.title, &c.narrative, place]),
        )
        .in_case(&c.id)
        .numbered(&c.number)
    }

    fn numbered(mut self, number: &str) -> Self {
        self.number = number.to_owned();
        self
    }

    /// A party by name and its pinyin — never a minor's (issue 12: a child is not found by name
    /// outside the minors' records): `None` for one marked a minor, or born less than 18 years
    /// before the year of the case (`at`).
    pub(crate) fn party(p: &PartyName, at: i64) -> Option<Self> {
        let year = i64::from(chrono::DateTime::from_timestamp_millis(at).map_or(0, |t| t.year()));
        if p.minor != 0 || p.birth_year.is_some_and(|b| year - b < 18) {
            return None;
        }
        let mut t = BTreeSet::new();
        search::add_name(&mut t, &p.name);
        Some(Doc::new(Kind::Party, &p.id, &p.name, at, t).in_case(&p.case_id))
    }

    pub fn reply(r: &Reply) -> Self {
        let title = r.body.chars().take(40).collect::<String>();
        Doc::new(Kind::Reply, &r.id, &title, r.sent_at, tokens_of(&[&r.body])).in_case(&r.case_id)
    }

    /// A meeting, found from the first of its cases.
    pub fn meeting(m: &Meeting, case: &str) -> Self {
        Doc::new(
            Kind::Meeting,
            &m.id,
            &m.title,
            m.held_at,
            tokens_of(&[&m.title, &m.place, &m.conclusions]),
        )
        .in_case(case)
    }

    /// A hearing — not one on a minor, which is held in closed session (DOMAIN.md §3.6).
    pub fn hearing(h: &HearingRow) -> Option<Self> {
        if h.minor != 0 {
            return None;
        }
        let mut d = Doc::new(
            Kind::Hearing,
            &h.id,
            &h.topic,
            h.created_at,
            tokens_of(&[&h.topic, &h.proposed_handling, &h.venue, &h.place, &h.applicant]),
        )
        .in_case(&h.case_id);
        d.agency_id = Some(h.agency_id.clone());
        d.state = h.state.clone();
        Some(d)
    }

    pub fn suggestion(s: &SuggestionRow) -> Self {
        let number = s.number.clone().unwrap_or_default();
        let mut d = Doc::new(
            Kind::Suggestion,
            &s.id,
            &s.title,
            s.created_at,
            tokens_of(&[
                &number,
                &s.title,
                &s.facts,
                &s.problems,
                &s.proposals,
                &s.legal_basis,
            ]),
        );
        d.agency_id = Some(s.agency_id.clone());
        d.recipient_id = Some(s.recipient_agency_id.clone());
        d.shared = s.received_on.is_some();
        d.state = s.state.clone();
        d.number = number;
        d
    }

    pub fn aid(a: &AidRow) -> Self {
        let mut d = Doc::new(
            Kind::Aid,
            &a.id,
            &a.applicant_name,
            a.created_at,
            tokens_of(&[&a.applicant_name, &a.clue, &a.hardship]),
        )
        .in_case(&a.case_id);
        search::add_name(&mut d.tokens, &a.applicant_name);
        d.agency_id = Some(a.agency_id.clone());
        d.state = a.state.clone();
        d.number = a.number.clone().unwrap_or_default();
        d
    }

    /// A visit, dated by its day (planned, then visited).
    pub fn visit(v: &VisitRow) -> Self {
        let title = match v.place.trim() {
            "" => format!("{}走访", v.visitor_name),
            place => format!("{}走访 · {place}", v.visitor_name),
        };
        let at = chrono::NaiveDate::parse_from_str(&v.day, "%Y-%m-%d").map_or(v.created_at, |d| {
            gongzhi_domain::time::to_millis(gongzhi_domain::time::start_of_local_day(d))
        });
        let mut d = Doc::new(
            Kind::Visit,
            &v.id,
            &title,
            at,
            tokens_of(&[&v.place, &v.people_met, &v.notes, &v.visitor_name]),
        );
        d.agency_id = Some(v.agency_id.clone());
        d.state = v.state.clone();
        d.place_id = Some(v.township_id.clone());
        d
    }
}

fn postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// `'a' 'b'`: a tsvector literal, its lexemes quoted (tokens hold letters and digits only, but a
/// quote would be doubled all the same).
pub(crate) fn lexemes(tokens: &BTreeSet<String>) -> String {
    tokens
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "''").replace('\\', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

const COLUMNS: [&str; 12] = [
    "kind",
    "entity_id",
    "case_id",
    "agency_id",
    "recipient_id",
    "shared",
    "state",
    "place_id",
    "number",
    "title",
    "at",
    "tsv",
];

/// Rows per statement: well inside both databases' limits on bound values.
const BATCH: usize = IN_BATCH;

/// Writes the documents, replacing any earlier ones of the same things, then seals what touches
/// a minor ([`super::seal`]).
pub async fn put(conn: &mut AnyConnection, docs: &[Doc]) -> Result<()> {
    write(conn, docs).await?;
    let mut cases: Vec<&str> = docs.iter().filter_map(|d| d.case_id.as_deref()).collect();
    cases.sort_unstable();
    cases.dedup();
    seal_cases(conn, &cases).await?;
    let visits: Vec<&str> = docs
        .iter()
        .filter(|d| d.kind == Kind::Visit)
        .map(|d| d.entity_id.as_str())
        .collect();
    seal_visits(conn, &visits).await
}

/// Writes the documents as they are.
pub(super) async fn write(conn: &mut AnyConnection, docs: &[Doc]) -> Result<()> {
    for chunk in docs.chunks(BATCH) {
        remove_docs(conn, chunk.iter().map(|d| (d.kind, d.entity_id.as_str()))).await?;
        if postgres(conn) {
            let mut sql = insert_sql("search_doc", &COLUMNS, chunk.len());
            // The tokens go in as a tsvector literal, never through a parser that could split them.
            for i in 0..chunk.len() {
                let n = (i + 1) * COLUMNS.len();
                sql = sql.replacen(&format!("${n})"), &format!("CAST(${n} AS tsvector))"), 1);
            }
            let mut q = sqlx::query(&sql);
            for d in chunk {
                q = bind_doc(q, d).bind(lexemes(&d.tokens));
            }
            q.execute(&mut *conn).await.map_err(StoreError::from_write)?;
        } else {
            let (last,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM search_doc")
                .fetch_one(&mut *conn)
                .await?;
            // SQLite writes one transaction at a time, so the next numbers are this one's.
            let rows: Vec<(i64, &Doc)> = chunk
                .iter()
                .enumerate()
                .map(|(i, d)| (last + 1 + i as i64, d))
                .collect();
            let mut cols = vec!["seq"];
            cols.extend(&COLUMNS[..COLUMNS.len() - 1]);
            insert_many(conn, "search_doc", &cols, &rows, |q, (seq, d)| {
                bind_doc(q.bind(*seq), d)
            })
            .await?;
            insert_many(conn, "search_fts", &["rowid", "tokens"], &rows, |q, (seq, d)| {
                q.bind(*seq)
                    .bind(d.tokens.iter().cloned().collect::<Vec<_>>().join(" "))
            })
            .await?;
        }
    }
    Ok(())
}

fn bind_doc<'q>(q: crate::rows::AnyQuery<'q>, d: &'q Doc) -> crate::rows::AnyQuery<'q> {
    q.bind(d.kind.code())
        .bind(&d.entity_id)
        .bind(d.case_id.as_deref())
        .bind(d.agency_id.as_deref())
        .bind(d.recipient_id.as_deref())
        .bind(i64::from(d.shared))
        .bind(&d.state)
        .bind(d.place_id.as_deref())
        .bind(&d.number)
        .bind(&d.title)
        .bind(d.at)
}

/// Takes things out of the index (a merged case's documents, say): for each kind, one `IN` list of
/// ids at a time (an index seek per list on either database, where an `OR` of pairs would be
/// planned as hundreds of scans).
pub async fn remove_docs<'a>(
    conn: &mut AnyConnection,
    things: impl IntoIterator<Item = (Kind, &'a str)>,
) -> Result<()> {
    let mut by_kind: std::collections::BTreeMap<Kind, Vec<&str>> = std::collections::BTreeMap::new();
    for (k, id) in things {
        by_kind.entry(k).or_default().push(id);
    }
    let pg = postgres(conn);
    for (kind, ids) in by_kind {
        for chunk in ids.chunks(IN_BATCH) {
            let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let cond = format!("kind = $1 AND entity_id IN ({})", marks.join(", "));
            let mut statements = Vec::new();
            if !pg {
                statements.push(format!(
                    "DELETE FROM search_fts WHERE rowid IN (SELECT seq FROM search_doc WHERE {cond})"
                ));
            }
            statements.push(format!("DELETE FROM search_doc WHERE {cond}"));
            for sql in &statements {
                let mut q = sqlx::query(sql).bind(kind.code());
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}
