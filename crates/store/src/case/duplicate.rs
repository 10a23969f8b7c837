//! Likely earlier cases of the same grievance (issue 13 §2) and what staff decided about them.

use gongzhi_domain::Id;
use gongzhi_domain::search::simhash;
use sqlx::AnyConnection;

use crate::Result;

/// What a new (or an existing) case is compared by.
#[derive(Clone, Debug, Default)]
pub struct DuplicateQuery {
    /// The case itself, left out (and its dismissed pairs with it), once it exists.
    pub except: Option<Id>,
    /// Blind indexes of the parties' identity numbers and phones.
    pub id_indexes: Vec<String>,
    pub phone_indexes: Vec<String>,
    /// A petitioner's and a respondent's names, both in an earlier case received since `since`.
    pub petitioner: Option<String>,
    pub respondent: Option<String>,
    pub since: i64,
    pub simhash: u64,
    /// Only cases this agency owns or was referred; every case when `None`.
    pub visible_to: Option<Id>,
}

/// A likely earlier case and why.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Candidate {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub received_at: i64,
    pub simhash: i64,
    /// 1 when a party's identity number, or phone, is the same.
    pub same_identity: i64,
    pub same_phone: i64,
}

/// The most candidates of each kind looked at, newest first.
const EACH: i64 = 20;
/// The most cases sharing a band whose full SimHash is compared.
const BAND_ROWS: i64 = 500;

fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cases agency `$1` owns or was referred (and not revoked) — every case when `$1` is empty —
/// but merged duplicates.
const VISIBLE: &str = "c.merged_into IS NULL AND ($1 = '' OR c.owner_agency_id = $1 OR c.id IN \
    (SELECT r.case_id FROM referral r WHERE r.to_agency_id = $1 AND r.state <> 'revoked'))";

async fn ids(conn: &mut AnyConnection, sql: &str, agency: &str, binds: &[String]) -> Result<Vec<String>> {
    let mut q = sqlx::query_as::<_, (String,)>(sql).bind(agency.to_owned());
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(conn).await?.into_iter().map(|(id,)| id).collect())
}

/// Earlier cases by identity number or phone, by the same petitioner and respondent within the
/// window, or by a narrative within [`simhash::MAX_DISTANCE`] bits; at most a few dozen, newest
/// first, without the dismissed ones — each kind looked for among the visible cases only, so that
/// no limit is spent on cases the clerk may not open.
pub async fn candidates(
    conn: &mut AnyConnection,
    q: &DuplicateQuery,
    max_distance: u32,
) -> Result<Vec<Candidate>> {
    let agency = q.visible_to.map(|a| a.to_string()).unwrap_or_default();
    let mut found: Vec<String> = Vec::new();
    let indexes: Vec<String> = q.id_indexes.iter().chain(&q.phone_indexes).cloned().collect();
    if !indexes.is_empty() {
        let sql = format!(
            "SELECT c.id FROM dispute_case c WHERE c.id IN (SELECT case_id FROM case_party \
             WHERE id_index IN ({0}) OR phone_index IN ({0})) AND {VISIBLE} ORDER BY c.received_at DESC LIMIT {EACH}",
            marks(2, indexes.len())
        );
        found.extend(ids(conn, &sql, &agency, &indexes).await?);
    }
    if let (Some(p), Some(r)) = (q.petitioner.as_deref(), q.respondent.as_deref()) {
        let sql = format!(
            "SELECT c.id FROM dispute_case c WHERE c.received_at >= {} \
             AND c.id IN (SELECT case_id FROM case_party WHERE name = $2 AND role = 'petitioner') \
             AND c.id IN (SELECT case_id FROM case_party WHERE name = $3 AND role = 'respondent') \
             AND {VISIBLE} ORDER BY c.received_at DESC LIMIT {EACH}",
            q.since
        );
        found.extend(ids(conn, &sql, &agency, &[p.to_owned(), r.to_owned()]).await?);
    }
    if q.simhash != 0 {
        let b = simhash::bands(q.simhash);
        let sql = format!(
            "SELECT c.id, c.simhash FROM dispute_case c WHERE (c.sim_b0 = {} OR c.sim_b1 = {} OR c.sim_b2 = {} \
             OR c.sim_b3 = {}) AND {VISIBLE} ORDER BY c.received_at DESC LIMIT {BAND_ROWS}",
            b[0], b[1], b[2], b[3]
        );
        let rows: Vec<(String, i64)> = sqlx::query_as(&sql).bind(&agency).fetch_all(&mut *conn).await?;
        found.extend(
            rows.into_iter()
                .filter(|(_, h)| simhash::similar(q.simhash, simhash::from_stored(*h), max_distance))
                .map(|(id, _)| id)
                .take(EACH as usize),
        );
    }
    let except = q.except.map(|e| e.to_string()).unwrap_or_default();
    found.sort();
    found.dedup();
    found.retain(|id| *id != except);
    if found.is_empty() {
        return Ok(Vec::new());
    }
    // $1 agency, $2 the case itself, then the two index lists, then the ids. A pair decided
    // about either way round (a repeat, or not the same matter) is not suggested again.
    let (ni, np) = (q.id_indexes.len().max(1), q.phone_indexes.len().max(1));
    let id_marks = marks(3, ni);
    let phone_marks = marks(3 + ni, np);
    let first = 3 + ni + np;
    let sql = format!(
        "SELECT c.id, c.number, c.title, c.status, c.received_at, c.simhash, \
           CASE WHEN EXISTS (SELECT 1 FROM case_party p WHERE p.case_id = c.id AND p.id_index IN ({id_marks})) THEN 1 ELSE 0 END AS same_identity, \
           CASE WHEN EXISTS (SELECT 1 FROM case_party p WHERE p.case_id = c.id AND p.phone_index IN ({phone_marks})) THEN 1 ELSE 0 END AS same_phone \
         FROM dispute_case c WHERE c.id IN ({}) AND {VISIBLE} \
         AND NOT EXISTS (SELECT 1 FROM case_link l WHERE (l.case_id = $2 AND l.other_id = c.id) \
           OR (l.case_id = c.id AND l.other_id = $2)) \
         ORDER BY c.received_at DESC LIMIT {}",
        marks(first, found.len()),
        EACH * 2
    );
    let mut query = sqlx::query_as::<_, Candidate>(&sql).bind(agency).bind(except);
    for list in [&q.id_indexes, &q.phone_indexes] {
        if list.is_empty() {
            // A value no blind index has, so that the IN list is never empty.
            query = query.bind("");
        }
        for v in list {
            query = query.bind(v.clone());
        }
    }
    for id in found {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?)
}

/// What staff decided about a likely earlier case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A repeat petition (重复信访) of the earlier case.
    Repeat,
    /// Not the same matter: not suggested again.
    Dismissed,
}

impl LinkKind {
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Repeat => "repeat",
            LinkKind::Dismissed => "dismissed",
        }
    }
}

/// Records (or changes) the decision about the pair.
pub async fn put_link(
    conn: &mut AnyConnection,
    case: Id,
    other: Id,
    kind: LinkKind,
    by_name: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_link (case_id, other_id, kind, by_name, at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (case_id, other_id) DO UPDATE SET kind = excluded.kind, by_name = excluded.by_name,
         at = excluded.at",
    )
    .bind(case.to_string())
    .bind(other.to_string())
    .bind(kind.code())
    .bind(by_name)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The earlier cases this case was found a repeat of: (id, number, title, by, at), newest first.
pub async fn repeats_of(
    conn: &mut AnyConnection,
    case: Id,
) -> Result<Vec<(String, String, String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.number, c.title, l.by_name, l.at FROM case_link l JOIN dispute_case c ON c.id = l.other_id
         WHERE l.case_id = $1 AND l.kind = 'repeat' ORDER BY c.received_at DESC",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

/// The case a merged duplicate went into, with who merged it and when.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Merged {
    pub into_id: String,
    pub into_number: String,
    pub by_name: String,
    pub at: i64,
}

/// Where the case was merged, if it was.
pub async fn merged_into(conn: &mut AnyConnection, case: Id) -> Result<Option<Merged>> {
    Ok(sqlx::query_as(
        "SELECT c.merged_into AS into_id, k.number AS into_number, c.merged_by_name AS by_name, \
         COALESCE(c.merged_at, 0) AS at FROM dispute_case c JOIN dispute_case k ON k.id = c.merged_into WHERE c.id = $1",
    )
    .bind(case.to_string())
    .fetch_optional(conn)
    .await?)
}

/// The duplicates merged into the case: (id, number, title, by, at), in the order merged.
pub async fn merged_from(
    conn: &mut AnyConnection,
    case: Id,
) -> Result<Vec<(String, String, String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, number, title, merged_by_name, COALESCE(merged_at, 0) FROM dispute_case \
         WHERE merged_into = $1 ORDER BY merged_at, id",
    )
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

/// The clock states that are open (DOMAIN.md §3.6), and so held while a case is merged.
const OPEN_CLOCKS: &str = "('running', 'due_soon', 'overdue', 'paused')";

/// Merges `case` into `into` if `case` is still at `version`: the row is marked, and its open
/// clocks are held as exempt with the state they had. `false` when the version has moved on.
pub async fn merge(
    conn: &mut AnyConnection,
    case: Id,
    into: Id,
    by_name: &str,
    at: i64,
    version: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE dispute_case SET merged_into = $1, merged_by_name = $2, merged_at = $3, version = version + 1, \
         updated_at = $3 WHERE id = $4 AND version = $5 AND merged_into IS NULL",
    )
    .bind(into.to_string())
    .bind(by_name)
    .bind(at)
    .bind(case.to_string())
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(&format!(
        "UPDATE case_clock SET held_state = state, state = 'exempt', version = version + 1 \
         WHERE case_id = $1 AND state IN {OPEN_CLOCKS}"
    ))
    .bind(case.to_string())
    .execute(&mut *conn)
    .await?;
    crate::search::seal_cases(conn, &[case.to_string().as_str()]).await?;
    Ok(true)
}

/// Takes a merge back if the case is still at `version`: the clocks it held run as they were,
/// and it is found again. `false` when the version has moved on.
pub async fn unmerge(conn: &mut AnyConnection, case: Id, at: i64, version: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE dispute_case SET merged_into = NULL, merged_by_name = '', merged_at = NULL, \
         version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND merged_into IS NOT NULL",
    )
    .bind(at)
    .bind(case.to_string())
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE case_clock SET state = held_state, held_state = NULL, version = version + 1 \
         WHERE case_id = $1 AND held_state IS NOT NULL",
    )
    .bind(case.to_string())
    .execute(&mut *conn)
    .await?;
    crate::search::reindex_case(conn, &case.to_string()).await?;
    Ok(true)
}
