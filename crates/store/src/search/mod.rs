//! Search (issue 13 §1): one query over the index of every searchable thing, its scope and filters
//! in the same SQL as the match, so that nothing the user may not open is ever counted or returned.

mod index;
mod rebuild;
mod seal;

use gongzhi_domain::Id;
use gongzhi_domain::search::{Query, Term};
use sqlx::AnyConnection;

pub(crate) use index::{CaseText, put_cases};
pub use index::{Doc, Kind, put, remove_docs};
pub use rebuild::{needs_rebuild, phones_to_index, rebuild, reindex_case, set_phone_index};
pub use seal::{seal_cases, seal_visits};

use crate::Result;
use crate::rows::{Arg, Filter};

/// A match count stops here; beyond it the answer is "10,000+" (ARCHITECTURE.md: capped counts are
/// fine when honest).
pub const COUNT_CAP: i64 = 10_000;

/// What the user may see, kind by kind; a kind left `None` is not searched at all.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Cases, their parties, replies and meetings: `Some(None)` every case, `Some(Some(a))` the
    /// cases agency `a` owns or has been referred (and not revoked).
    pub cases: Option<Option<Id>>,
    /// Hearings of this agency.
    pub hearings: Option<Id>,
    /// Aid cases of this agency.
    pub aid: Option<Id>,
    /// Suggestions this agency issues.
    pub suggestions_issued: Option<Id>,
    /// Suggestions served on this agency.
    pub suggestions_received: Option<Id>,
    /// Grid visits: `Some(None)` all, `Some(Some(a))` agency `a`'s.
    pub visits: Option<Option<Id>>,
}

#[derive(Clone, Debug, Default)]
pub struct SearchFilter {
    pub kind: Option<Kind>,
    /// The state code of the kind searched (a case's status for the kinds of a case).
    pub state: Option<String>,
    pub category: Option<String>,
    /// The division-code prefix of a township or village.
    pub place_prefix: Option<String>,
    pub agency: Option<Id>,
    /// UTC milliseconds, from inclusive and before exclusive.
    pub from: Option<i64>,
    pub before: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// What is looked for: words, or things found exactly (by number, identity number or phone).
#[derive(Clone, Debug)]
pub enum Match {
    Text(Query),
    Exact(Vec<(Kind, String)>),
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Hit {
    pub kind: String,
    pub entity_id: String,
    pub case_id: Option<String>,
    pub number: String,
    pub title: String,
    pub at: i64,
    pub score: f64,
}

fn postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

fn quoted(t: &str, pg: bool) -> String {
    // Tokens are letters and digits only (domain::search); quoting keeps them text whatever they are.
    if pg {
        format!("'{}'", t.replace('\'', "''").replace('\\', ""))
    } else {
        format!("\"{}\"", t.replace('"', "\"\""))
    }
}

/// The query in the database's own syntax: FTS5's `AND`/`OR`/`"…"*`, or a tsquery's `&`/`|`/`:*`.
pub fn expression(q: &Query, pg: bool) -> String {
    let (and, or) = if pg { (" & ", " | ") } else { (" AND ", " OR ") };
    let all = |ts: &[String]| ts.iter().map(|t| quoted(t, pg)).collect::<Vec<_>>().join(and);
    q.terms
        .iter()
        .map(|t| match t {
            Term::Han { words, bigrams, .. } if words.is_empty() || words == bigrams => {
                format!("({})", all(bigrams))
            }
            Term::Han { words, bigrams, .. } => format!("(({}){or}({}))", all(words), all(bigrams)),
            Term::Prefix(p) if pg => format!("{}:*", quoted(p, pg)),
            Term::Prefix(p) => format!("{}*", quoted(p, pg)),
        })
        .collect::<Vec<_>>()
        .join(and)
}

const CASE_KINDS: &str = "('case', 'party', 'reply', 'meeting')";

/// The scope as one condition: an OR over the kinds the user may see, `1 = 0` for none.
fn scope_where(w: &mut Filter, s: &Scope) {
    let mut parts: Vec<(String, Vec<Arg>)> = Vec::new();
    match s.cases {
        Some(None) => parts.push((format!("d.kind IN {CASE_KINDS}"), vec![])),
        Some(Some(a)) => parts.push((
            format!(
                "(d.kind IN {CASE_KINDS} AND (c.owner_agency_id = $? OR EXISTS (SELECT 1 FROM referral r \
                 WHERE r.case_id = d.case_id AND r.to_agency_id = $? AND r.state <> 'revoked')))"
            ),
            vec![a.to_string().into(), a.to_string().into()],
        )),
        None => {}
    }
    let own = |kind: &str, a: Option<Id>, parts: &mut Vec<(String, Vec<Arg>)>| {
        if let Some(a) = a {
            parts.push((
                format!("(d.kind = '{kind}' AND d.agency_id = $?)"),
                vec![a.to_string().into()],
            ));
        }
    };
    own("hearing", s.hearings, &mut parts);
    own("aid", s.aid, &mut parts);
    own("suggestion", s.suggestions_issued, &mut parts);
    if let Some(a) = s.suggestions_received {
        parts.push((
            "(d.kind = 'suggestion' AND d.recipient_id = $? AND d.shared = 1)".into(),
            vec![a.to_string().into()],
        ));
    }
    match s.visits {
        Some(None) => parts.push(("d.kind = 'visit'".into(), vec![])),
        Some(Some(a)) => own("visit", Some(a), &mut parts),
        None => {}
    }
    w.and_any(parts);
}

fn filter_where(w: &mut Filter, f: &SearchFilter) {
    if let Some(k) = f.kind {
        w.and("d.kind = $?", k.code());
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and(
            &format!("(CASE WHEN d.kind IN {CASE_KINDS} THEN c.status ELSE d.state END) = $?"),
            s,
        );
    }
    if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
        // A category is a case's: the kinds of a case only (a hearing's or aid case's own case is
        // not theirs to filter by, or a filter could tell what the user may not open).
        w.and(&format!("d.kind IN {CASE_KINDS} AND c.category_code = $?"), cat);
    }
    if let Some(p) = f.place_prefix.as_deref().filter(|s| !s.is_empty()) {
        w.and(
            &format!(
                "EXISTS (SELECT 1 FROM org_unit p WHERE p.id = \
                 (CASE WHEN d.kind IN {CASE_KINDS} THEN c.place_id ELSE d.place_id END) AND p.code LIKE $?)"
            ),
            format!("{p}%"),
        );
    }
    if let Some(a) = f.agency {
        w.and(
            &format!("(CASE WHEN d.kind IN {CASE_KINDS} THEN c.owner_agency_id ELSE d.agency_id END) = $?"),
            a.to_string(),
        );
    }
    if let Some(t) = f.from {
        w.and("d.at >= $?", t);
    }
    if let Some(t) = f.before {
        w.and("d.at < $?", t);
    }
}

/// A page of hits, best first, and how many there are up to [`COUNT_CAP`] + 1.
pub async fn search(
    conn: &mut AnyConnection,
    m: &Match,
    scope: &Scope,
    f: &SearchFilter,
) -> Result<(Vec<Hit>, i64)> {
    let pg = postgres(conn);
    let mut w = Filter::default();
    let (from, score) = match m {
        Match::Text(q) if pg => {
            w.and("d.tsv @@ CAST($? AS tsquery)", expression(q, true));
            (
                "search_doc d",
                // ts_rank over the matched document: more of the query's tokens, higher.
                "CAST(ts_rank(d.tsv, CAST($1 AS tsquery)) AS DOUBLE PRECISION)",
            )
        }
        Match::Text(q) => {
            w.and("search_fts MATCH $?", expression(q, false));
            (
                "search_fts f JOIN search_doc d ON d.seq = f.rowid",
                "-bm25(search_fts)",
            )
        }
        Match::Exact(things) => {
            if things.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let parts = things
                .iter()
                .map(|(k, id)| {
                    (
                        format!("(d.kind = '{}' AND d.entity_id = $?)", k.code()),
                        vec![Arg::from(id.as_str())],
                    )
                })
                .collect();
            w.and_any(parts);
            ("search_doc d", "CAST(1 AS DOUBLE PRECISION)")
        }
    };
    scope_where(&mut w, scope);
    filter_where(&mut w, f);
    let from = format!("{from} LEFT JOIN dispute_case c ON c.id = d.case_id");
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {} LIMIT {}) x",
        w.sql(),
        COUNT_CAP + 1
    );
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    if total == 0 {
        return Ok((Vec::new(), 0));
    }
    let sql = format!(
        "SELECT d.kind, d.entity_id, d.case_id, COALESCE(c.number, d.number) AS number, d.title, d.at, \
         {score} AS score FROM {from} WHERE {} ORDER BY score DESC, d.at DESC, d.seq DESC LIMIT {} OFFSET {}",
        w.sql(),
        f.limit.clamp(1, 100),
        f.offset.clamp(0, COUNT_CAP)
    );
    let hits: Vec<Hit> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok((hits, total))
}

/// What is found exactly: things numbered `number` (a case, a suggestion, an aid case) and the
/// parties whose identity number or phone has the given blind index.
pub async fn exact(
    conn: &mut AnyConnection,
    number: &str,
    id_index: Option<&str>,
    phone_index: Option<&str>,
) -> Result<Vec<(Kind, String)>> {
    let mut out = Vec::new();
    if !number.is_empty() {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, entity_id FROM search_doc WHERE number = $1 AND kind IN ('case', 'suggestion', 'aid')")
                .bind(number)
                .fetch_all(&mut *conn)
                .await?;
        out.extend(
            rows.into_iter()
                .filter_map(|(k, id)| Kind::parse(&k).map(|k| (k, id))),
        );
    }
    for (column, value) in [("id_index", id_index), ("phone_index", phone_index)] {
        if let Some(v) = value {
            // Never a minor's: a child is not found by identity number or phone outside the minors'
            // records.
            let rows: Vec<(String,)> = sqlx::query_as(&format!(
                "SELECT id FROM case_party WHERE {column} = $1 AND minor = 0"
            ))
            .bind(v)
            .fetch_all(&mut *conn)
            .await?;
            out.extend(rows.into_iter().map(|(id,)| (Kind::Party, id)));
        }
    }
    Ok(out)
}

/// The text a hit's snippet is cut from, by kind, for the hits of one page: (entity id, text).
pub async fn texts(conn: &mut AnyConnection, kind: Kind, ids: &[String]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (table, text) = match kind {
        Kind::Case => ("dispute_case", "narrative"),
        Kind::Party => ("case_party x JOIN dispute_case c ON c.id = x.case_id", "c.title"),
        Kind::Reply => ("reply", "body"),
        Kind::Meeting => ("meeting", "conclusions"),
        Kind::Hearing => ("hearing", "topic || ' ' || proposed_handling"),
        Kind::Suggestion => ("suggestion", "facts || ' ' || problems || ' ' || proposals"),
        Kind::Aid => ("aid_case", "clue || ' ' || hardship"),
        Kind::Visit => ("grid_visit", "place || ' ' || people_met || ' ' || notes"),
    };
    let alias = if kind == Kind::Party { "x." } else { "" };
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {alias}id, {text} FROM {table} WHERE {alias}id IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query_as(&sql);
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(conn).await?)
}
