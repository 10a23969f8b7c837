//! Building the index from what is stored — once after the migration that adds it, and again by
//! `gongzhi reindex` when the tokenizer or its dictionary changes — a batch at a time, in id order,
//! so that each batch is its own short transaction.

use gongzhi_domain::search::simhash;
use sqlx::AnyConnection;

use super::index::{CaseText, Doc, Kind, PartyName, put, put_cases};
use crate::aid::AidRow;
use crate::grid::VisitRow;
use crate::hearing::HearingRow;
use crate::meeting::Meeting;
use crate::reply::Reply;
use crate::suggestion::SuggestionRow;
use crate::{Result, aid, grid, hearing, suggestion};

#[derive(sqlx::FromRow)]
struct PartyAt {
    #[sqlx(flatten)]
    party: PartyName,
    received_at: i64,
}

#[derive(sqlx::FromRow)]
struct MeetingAt {
    #[sqlx(flatten)]
    meeting: Meeting,
    first_case: Option<String>,
}

/// Which things of a kind to index.
#[derive(Clone, Copy)]
enum Slice<'a> {
    /// Up to this many after this id, in id order.
    After(&'a str, i64),
    /// Those of this case.
    OfCase(&'a str),
}

async fn page<T>(conn: &mut AnyConnection, select: &str, kind: Kind, slice: Slice<'_>) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let (sql, value) = match slice {
        Slice::After(after, limit) => (
            format!("{select} WHERE x.id > $1 ORDER BY x.id LIMIT {limit}"),
            after,
        ),
        Slice::OfCase(case) => {
            let cond = match kind {
                Kind::Case => "x.id = $1",
                Kind::Meeting => "x.id IN (SELECT meeting_id FROM meeting_case WHERE case_id = $1)",
                Kind::Suggestion | Kind::Visit => "1 = 0",
                Kind::Party | Kind::Reply | Kind::Hearing | Kind::Aid => "x.case_id = $1",
            };
            (format!("{select} WHERE {cond}"), case)
        }
    };
    Ok(sqlx::query_as(&sql).bind(value).fetch_all(conn).await?)
}

/// Indexes up to `limit` things of `kind` after id `after`; the last id done, `None` when there
/// were no more.
pub async fn rebuild(
    conn: &mut AnyConnection,
    kind: Kind,
    after: &str,
    limit: i64,
) -> Result<Option<String>> {
    index(conn, kind, Slice::After(after, limit)).await
}

/// Indexes a case and everything of it again — after its minor mark is taken off, say, when
/// what was sealed may be found once more.
pub async fn reindex_case(conn: &mut AnyConnection, case: &str) -> Result<()> {
    for kind in Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::Suggestion && *k != Kind::Visit)
    {
        index(conn, kind, Slice::OfCase(case)).await?;
    }
    Ok(())
}

async fn index(conn: &mut AnyConnection, kind: Kind, slice: Slice<'_>) -> Result<Option<String>> {
    let (docs, last): (Vec<Doc>, Option<String>) = match kind {
        Kind::Case => {
            let rows: Vec<CaseText> = page(
                conn,
                "SELECT x.id, x.number, x.title, x.narrative, x.received_at, x.place_id FROM dispute_case x",
                kind,
                slice,
            )
            .await?;
            put_cases(conn, &rows).await?;
            // The SimHash too, for cases stored before it was kept (issue 13 §2).
            for r in &rows {
                let h = simhash::of_case(&r.title, &r.narrative);
                let b = simhash::bands(h);
                sqlx::query(
                    "UPDATE dispute_case SET simhash = $1, sim_b0 = $2, sim_b1 = $3, sim_b2 = $4, sim_b3 = $5 WHERE id = $6",
                )
                .bind(simhash::to_stored(h))
                .bind(b[0])
                .bind(b[1])
                .bind(b[2])
                .bind(b[3])
                .bind(&r.id)
                .execute(&mut *conn)
                .await?;
            }
            (Vec::new(), rows.last().map(|r| r.id.clone()))
        }
        Kind::Party => {
            let rows: Vec<PartyAt> = page(
                conn,
                "SELECT x.id, x.case_id, x.name, x.birth_year, x.minor, c.received_at FROM case_party x \
                 JOIN dispute_case c ON c.id = x.case_id",
                kind,
                slice,
            )
            .await?;
            (
                rows.iter()
                    .filter_map(|r| Doc::party(&r.party, r.received_at))
                    .collect(),
                rows.last().map(|r| r.party.id.clone()),
            )
        }
        Kind::Reply => {
            let rows: Vec<Reply> = page(conn, "SELECT x.* FROM reply x", kind, slice).await?;
            (
                rows.iter().map(Doc::reply).collect(),
                rows.last().map(|r| r.id.clone()),
            )
        }
        Kind::Meeting => {
            let rows: Vec<MeetingAt> = page(
                conn,
                "SELECT x.id, x.title, x.held_at, x.place, x.conclusions, x.agency_id, x.created_by_name, \
                 x.created_at, (SELECT MIN(mc.case_id) FROM meeting_case mc WHERE mc.meeting_id = x.id) AS first_case \
                 FROM meeting x",
                kind,
                slice,
            )
            .await?;
            (
                rows.iter()
                    .filter_map(|r| r.first_case.as_deref().map(|c| Doc::meeting(&r.meeting, c)))
                    .collect(),
                rows.last().map(|r| r.meeting.id.clone()),
            )
        }
        Kind::Hearing => {
            let sql = format!(
                "SELECT {} FROM hearing x",
                crate::rows::prefixed("x", hearing::COLUMNS)
            );
            let rows: Vec<HearingRow> = page(conn, &sql, kind, slice).await?;
            (
                rows.iter().filter_map(Doc::hearing).collect(),
                rows.last().map(|r| r.id.clone()),
            )
        }
        Kind::Suggestion => {
            let sql = format!(
                "SELECT {} FROM suggestion x",
                crate::rows::prefixed("x", suggestion::COLUMNS)
            );
            let rows: Vec<SuggestionRow> = page(conn, &sql, kind, slice).await?;
            (
                rows.iter().map(Doc::suggestion).collect(),
                rows.last().map(|r| r.id.clone()),
            )
        }
        Kind::Aid => {
            let sql = format!(
                "SELECT {} FROM aid_case x",
                crate::rows::prefixed("x", aid::COLUMNS)
            );
            let rows: Vec<AidRow> = page(conn, &sql, kind, slice).await?;
            (
                rows.iter().map(Doc::aid).collect(),
                rows.last().map(|r| r.id.clone()),
            )
        }
        Kind::Visit => {
            let sql = format!(
                "SELECT {} FROM grid_visit x",
                crate::rows::prefixed("x", grid::VISIT_COLUMNS)
            );
            let rows: Vec<VisitRow> = page(conn, &sql, kind, slice).await?;
            (
                rows.iter().map(Doc::visit).collect(),
                rows.last().map(|r| r.id.clone()),
            )
        }
    };
    put(conn, &docs).await?;
    Ok(last)
}

/// Is the index empty while there are cases, or is a case's SimHash not yet computed (a
/// migration that adds either has just run)?
pub async fn needs_rebuild(conn: &mut AnyConnection) -> Result<bool> {
    let (docs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM search_doc LIMIT 1) x")
        .fetch_one(&mut *conn)
        .await?;
    let (cases,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM dispute_case LIMIT 1) x")
        .fetch_one(&mut *conn)
        .await?;
    let (unhashed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM dispute_case WHERE sim_b0 = -1 LIMIT 1) x")
            .fetch_one(conn)
            .await?;
    Ok((docs == 0 && cases > 0) || unhashed > 0)
}

/// Parties with a phone but no blind index of it yet (stored before the index existed): (party
/// id, encrypted phone), after id `after`.
pub async fn phones_to_index(
    conn: &mut AnyConnection,
    after: &str,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, phone_enc FROM case_party WHERE id > $1 AND phone_enc IS NOT NULL AND phone_index IS NULL \
         ORDER BY id LIMIT {limit}"
    ))
    .bind(after)
    .fetch_all(conn)
    .await?)
}

pub async fn set_phone_index(conn: &mut AnyConnection, party: &str, index: &str) -> Result<()> {
    sqlx::query("UPDATE case_party SET phone_index = $1 WHERE id = $2")
        .bind(index)
        .bind(party)
        .execute(conn)
        .await?;
    Ok(())
}
