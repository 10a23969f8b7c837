//! Procuratorial hearings as stored: the hearing, its seats, participants and draws.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::{Filter as Where, prefixed, save_versioned};
use crate::{Page, Paged, Result};

pub mod officer;

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct HearingRow {
    pub id: String,
    pub case_id: String,
    pub agency_id: String,
    pub kind: String,
    pub state: String,
    pub origin: String,
    pub applicant: String,
    pub topic: String,
    pub proposed_handling: String,
    pub venue: String,
    pub place: String,
    pub wants_public: i64,
    pub minor: i64,
    pub scheduled_at: Option<i64>,
    pub chair_name: String,
    pub refusal_reason: String,
    pub approved_by_name: String,
    pub approved_at: Option<i64>,
    pub approved_venue: String,
    pub noticed_at: Option<i64>,
    pub notice_method: String,
    pub held_at: Option<i64>,
    pub record: String,
    pub decision: String,
    pub decision_text: String,
    pub decided_at: Option<i64>,
    pub report: String,
    pub announcement: String,
    pub announced_at: Option<i64>,
    pub archived_at: Option<i64>,
    pub created_by: String,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A hearing with its case's number and title, for lists.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub hearing: HearingRow,
    pub number: String,
    pub title: String,
    pub officers: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SeatRow {
    pub hearing_id: String,
    pub officer_id: String,
    pub seq: i64,
    /// 'drawn' or 'chosen'.
    pub how: String,
    pub warning: String,
    pub opinion: String,
    pub opinion_text: String,
    pub officer_name: String,
    pub category: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ParticipantRow {
    pub seq: i64,
    pub role: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DrawRow {
    pub id: String,
    pub hearing_id: String,
    pub seed: String,
    pub wanted: i64,
    pub expertise: String,
    /// JSON list of `{id, participations}`.
    pub candidates: String,
    /// JSON list of ids, in the order drawn.
    pub picked: String,
    pub drawn_by_name: String,
    pub drawn_at: i64,
}

pub(crate) const COLUMNS: &str = "id, case_id, agency_id, kind, state, origin, applicant, topic, proposed_handling, venue, \
    place, wants_public, minor, scheduled_at, chair_name, refusal_reason, approved_by_name, approved_at, \
    approved_venue, noticed_at, notice_method, held_at, record, decision, decision_text, decided_at, report, \
    announcement, announced_at, archived_at, created_by, created_by_name, version, created_at, updated_at";

pub async fn insert_hearing(conn: &mut AnyConnection, h: &HearingRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO hearing (id, case_id, agency_id, kind, state, origin, applicant, topic, proposed_handling,
             venue, place, wants_public, minor, refusal_reason, created_by, created_by_name, version, created_at,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17)",
    )
    .bind(&h.id)
    .bind(&h.case_id)
    .bind(&h.agency_id)
    .bind(&h.kind)
    .bind(&h.state)
    .bind(&h.origin)
    .bind(&h.applicant)
    .bind(&h.topic)
    .bind(&h.proposed_handling)
    .bind(&h.venue)
    .bind(&h.place)
    .bind(h.wants_public)
    .bind(h.minor)
    .bind(&h.refusal_reason)
    .bind(&h.created_by)
    .bind(&h.created_by_name)
    .bind(h.created_at)
    .execute(&mut *conn)
    .await?;
    index(conn, h).await
}

/// A hearing in the search index, or out of it once it is about a minor.
async fn index(conn: &mut AnyConnection, h: &HearingRow) -> Result<()> {
    match crate::search::Doc::hearing(h) {
        Some(d) => crate::search::put(conn, &[d]).await,
        None => crate::search::remove_docs(conn, [(crate::search::Kind::Hearing, h.id.as_str())]).await,
    }
}

pub async fn hearing(conn: &mut AnyConnection, id: Id) -> Result<Option<HearingRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM hearing WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// Writes every field a command may change, if the hearing is still at `expected_version`.
pub async fn save_hearing(conn: &mut AnyConnection, h: &HearingRow, expected_version: i64) -> Result<()> {
    let q = sqlx::query(
        "UPDATE hearing SET state = $1, topic = $2, proposed_handling = $3, venue = $4, place = $5,
             wants_public = $6, scheduled_at = $7, chair_name = $8, refusal_reason = $9, approved_by_name = $10,
             approved_at = $11, approved_venue = $12, noticed_at = $13, notice_method = $14, held_at = $15,
             record = $16, decision = $17, decision_text = $18, decided_at = $19, report = $20,
             announcement = $21, announced_at = $22, archived_at = $23, version = version + 1, updated_at = $24
         WHERE id = $25 AND version = $26",
    )
    .bind(&h.state)
    .bind(&h.topic)
    .bind(&h.proposed_handling)
    .bind(&h.venue)
    .bind(&h.place)
    .bind(h.wants_public)
    .bind(h.scheduled_at)
    .bind(&h.chair_name)
    .bind(&h.refusal_reason)
    .bind(&h.approved_by_name)
    .bind(h.approved_at)
    .bind(&h.approved_venue)
    .bind(h.noticed_at)
    .bind(&h.notice_method)
    .bind(h.held_at)
    .bind(&h.record)
    .bind(&h.decision)
    .bind(&h.decision_text)
    .bind(h.decided_at)
    .bind(&h.report)
    .bind(&h.announcement)
    .bind(h.announced_at)
    .bind(h.archived_at)
    .bind(h.updated_at);
    save_versioned(&mut *conn, q, &h.id, expected_version).await?;
    index(conn, h).await
}

/// What a list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only hearings of this agency's cases (`None`: every agency).
    pub agency: Option<Id>,
    pub state: Option<String>,
    pub case: Option<Id>,
}

/// A page of hearings, newest first, with their cases' numbers and titles.
pub async fn hearings(conn: &mut AnyConnection, f: &Filter, page: Page) -> Result<Paged<Listed>> {
    let mut w = Where::default();
    if let Some(a) = f.agency {
        w.and("h.agency_id = $?", a.to_string());
    }
    if let Some(s) = &f.state {
        w.and("h.state = $?", s.as_str());
    }
    if let Some(c) = f.case {
        w.and("h.case_id = $?", c.to_string());
    }
    let filter = w.sql();
    let count_sql = format!("SELECT COUNT(*) FROM hearing h WHERE {filter}");
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    let columns = prefixed("h", COLUMNS);
    let sql = format!(
        "SELECT {columns}, c.number, c.title,
             (SELECT COUNT(*) FROM hearing_seat s WHERE s.hearing_id = h.id) AS officers
         FROM hearing h JOIN dispute_case c ON c.id = h.case_id WHERE {filter}
         ORDER BY h.created_at DESC, h.id DESC {}",
        page.sql()
    );
    Ok(Paged {
        items: w.bind(sqlx::query_as::<_, Listed>(&sql)).fetch_all(conn).await?,
        total,
    })
}

/// Public hearings that are announced or about to be held, for the portal: never one with a minor
/// party (DOMAIN.md §3.6 Art. 5).
pub async fn public_hearings(conn: &mut AnyConnection, page: Page) -> Result<Paged<HearingRow>> {
    let filter = "wants_public = 1 AND minor = 0 AND state IN ('noticed', 'held', 'opinions_recorded', \
                  'decided', 'announced', 'archived')";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM hearing WHERE {filter}"))
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM hearing WHERE {filter} ORDER BY scheduled_at DESC, id DESC {}",
        page.sql()
    ))
    .fetch_all(conn)
    .await?;
    Ok(Paged { items, total })
}

pub async fn seats(conn: &mut AnyConnection, hearing: Id) -> Result<Vec<SeatRow>> {
    Ok(sqlx::query_as(
        "SELECT s.hearing_id, s.officer_id, s.seq, s.how, s.warning, s.opinion, s.opinion_text,
             o.name AS officer_name, o.category
         FROM hearing_seat s JOIN hearing_officer o ON o.id = s.officer_id
         WHERE s.hearing_id = $1 ORDER BY s.seq",
    )
    .bind(hearing.to_string())
    .fetch_all(conn)
    .await?)
}

/// Seats the officers, replacing whoever sat before (preparing again before the notices).
pub async fn replace_seats(conn: &mut AnyConnection, hearing: Id, seats: &[SeatRow]) -> Result<()> {
    sqlx::query("DELETE FROM hearing_seat WHERE hearing_id = $1")
        .bind(hearing.to_string())
        .execute(&mut *conn)
        .await?;
    for s in seats {
        sqlx::query(
            "INSERT INTO hearing_seat (hearing_id, officer_id, seq, how, warning) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hearing.to_string())
        .bind(&s.officer_id)
        .bind(s.seq)
        .bind(&s.how)
        .bind(&s.warning)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn set_opinion(
    conn: &mut AnyConnection,
    hearing: Id,
    officer: &str,
    opinion: &str,
    text: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE hearing_seat SET opinion = $1, opinion_text = $2 WHERE hearing_id = $3 AND officer_id = $4",
    )
    .bind(opinion)
    .bind(text)
    .bind(hearing.to_string())
    .bind(officer)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn participants(conn: &mut AnyConnection, hearing: Id) -> Result<Vec<ParticipantRow>> {
    Ok(
        sqlx::query_as("SELECT seq, role, name FROM hearing_participant WHERE hearing_id = $1 ORDER BY seq")
            .bind(hearing.to_string())
            .fetch_all(conn)
            .await?,
    )
}

pub async fn replace_participants(
    conn: &mut AnyConnection,
    hearing: Id,
    people: &[ParticipantRow],
) -> Result<()> {
    sqlx::query("DELETE FROM hearing_participant WHERE hearing_id = $1")
        .bind(hearing.to_string())
        .execute(&mut *conn)
        .await?;
    for p in people {
        sqlx::query("INSERT INTO hearing_participant (hearing_id, seq, role, name) VALUES ($1, $2, $3, $4)")
            .bind(hearing.to_string())
            .bind(p.seq)
            .bind(&p.role)
            .bind(&p.name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_draw(conn: &mut AnyConnection, d: &DrawRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO hearing_draw (id, hearing_id, seed, wanted, expertise, candidates, picked, drawn_by_name, drawn_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&d.id)
    .bind(&d.hearing_id)
    .bind(&d.seed)
    .bind(d.wanted)
    .bind(&d.expertise)
    .bind(&d.candidates)
    .bind(&d.picked)
    .bind(&d.drawn_by_name)
    .bind(d.drawn_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn draws(conn: &mut AnyConnection, hearing: Id) -> Result<Vec<DrawRow>> {
    Ok(sqlx::query_as(
        "SELECT id, hearing_id, seed, wanted, expertise, candidates, picked, drawn_by_name, drawn_at
         FROM hearing_draw WHERE hearing_id = $1 ORDER BY drawn_at, id",
    )
    .bind(hearing.to_string())
    .fetch_all(conn)
    .await?)
}
