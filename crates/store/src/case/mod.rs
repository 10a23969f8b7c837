//! Cases: the case row (number, kind, status, place, publication), its list with filters, and
//! the gapless number counter; parties, timeline events and clocks each have their own file.

use chrono::NaiveDate;
use gongzhi_domain::risk::RiskLevel;
use gongzhi_domain::search::simhash;
use gongzhi_domain::workflow::{CaseKind, Channel, Level, Status};
use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::rows::insert_rows;
use crate::{Result, StoreError, code, id, opt_id};

mod clock;
mod duplicate;
mod event;
pub(crate) mod filter;
mod party;

pub use clock::{
    Clock, ClockFilter, INBOX_COUNT_CAP, OpenClock, clocks, insert_clock, insert_clocks, open_clocks,
    running_clocks_of, running_due_from, update_clock,
};
pub use duplicate::{
    Candidate, DuplicateQuery, LinkKind, Merged, candidates, merge, merged_from, merged_into, put_link,
    repeats_of, unmerge,
};
pub use event::{Event, events, insert_event, insert_events, latest_event};
pub use filter::CaseFilter;
pub(crate) use filter::case_where;
pub use party::{Party, earlier_by_identity, insert_parties, parties, related_cases};

fn ms(t: time::Timestamp) -> i64 {
    time::to_millis(t)
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| StoreError::Corrupt(format!("bad date {s:?}")))
}

fn dates(s: &str) -> Result<Vec<NaiveDate>> {
    s.split(',').filter(|x| !x.is_empty()).map(date).collect()
}

/// The next number of an agency's series and year: gapless, because the counter row is taken
/// inside the registering transaction and a rolled-back registration gives its number back.
pub async fn next_seq(conn: &mut AnyConnection, agency: Id, series: &str, year: i32) -> Result<i64> {
    take_seqs(conn, agency, series, year, 1).await
}

/// Takes the next `n` numbers of an agency's series (the kind's 字) and year; returns the last.
pub async fn take_seqs(conn: &mut AnyConnection, agency: Id, series: &str, year: i32, n: i64) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO case_number_series (agency_id, series, year, last_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (agency_id, series, year) DO UPDATE SET last_seq = case_number_series.last_seq + $4
         RETURNING last_seq",
    )
    .bind(agency.to_string())
    .bind(series)
    .bind(i64::from(year))
    .bind(n)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

#[derive(Clone, Debug)]
pub struct Case {
    pub id: Id,
    pub number: String,
    pub kind: CaseKind,
    pub status: Status,
    pub level: Option<Level>,
    pub channel: Channel,
    pub category_code: String,
    pub category_name: String,
    pub place_id: Option<Id>,
    pub place_name: String,
    pub place_code: String,
    pub grid_id: Option<Id>,
    pub grid_name: String,
    pub title: String,
    pub narrative: String,
    pub received_at: time::Timestamp,
    pub urgent: bool,
    pub anonymous: bool,
    pub exempt_reason: String,
    pub owner_agency_id: Id,
    pub owner_agency_name: String,
    pub handler_id: Option<Id>,
    pub handler_name: String,
    pub created_by: Option<Id>,
    pub related_case_id: Option<Id>,
    pub tracking_code: Option<String>,
    pub tracking_phone: Option<String>,
    pub reconciliation: String,
    pub risk_level: Option<RiskLevel>,
    pub risk_stale_after: i64,
    pub closed_at: Option<time::Timestamp>,
    pub version: i64,
    pub created_at: time::Timestamp,
    pub updated_at: time::Timestamp,
    /// Released for publication by staff (empty: nothing released).
    pub public_title: String,
    pub public_reply: String,
    pub published_by_name: String,
    pub published_at: Option<time::Timestamp>,
    /// The partner system (API key) that submitted the request.
    pub source_key_id: Option<Id>,
    /// The id Open311 shows (requests that came in publicly only).
    pub public_id: Option<String>,
    /// Marked as concerning a minor, whatever the parties' ID numbers say.
    pub minor_involved: bool,
    /// A minor is concerned: marked so, or a party is a minor (derived, never stored as such).
    pub has_minor: bool,
}

#[derive(sqlx::FromRow)]
struct CaseRowRaw {
    id: String,
    number: String,
    kind: String,
    status: String,
    level: Option<String>,
    channel: String,
    category_code: String,
    category_name: Option<String>,
    place_id: Option<String>,
    place_name: Option<String>,
    place_code: Option<String>,
    grid_id: Option<String>,
    grid_name: Option<String>,
    title: String,
    narrative: String,
    received_at: i64,
    urgent: i64,
    anonymous: i64,
    exempt_reason: String,
    owner_agency_id: String,
    owner_agency_name: Option<String>,
    handler_id: Option<String>,
    handler_name: Option<String>,
    created_by: Option<String>,
    related_case_id: Option<String>,
    tracking_code: Option<String>,
    tracking_phone: Option<String>,
    reconciliation: String,
    risk_level: Option<String>,
    risk_stale_after: i64,
    closed_at: Option<i64>,
    version: i64,
    created_at: i64,
    updated_at: i64,
    public_title: String,
    public_reply: String,
    published_by_name: String,
    published_at: Option<i64>,
    source_key_id: Option<String>,
    public_id: Option<String>,
    minor_involved: i64,
    has_minor: i64,
}

impl TryFrom<CaseRowRaw> for Case {
    type Error = StoreError;
    fn try_from(r: CaseRowRaw) -> Result<Self> {
        Ok(Case {
            id: id(&r.id)?,
            number: r.number,
            kind: code(&r.kind, CaseKind::parse)?,
            status: code(&r.status, Status::parse)?,
            level: r.level.as_deref().map(|l| code(l, Level::parse)).transpose()?,
            channel: code(&r.channel, Channel::parse)?,
            category_code: r.category_code,
            category_name: r.category_name.unwrap_or_default(),
            place_id: opt_id(r.place_id)?,
            place_name: r.place_name.unwrap_or_default(),
            place_code: r.place_code.unwrap_or_default(),
            grid_id: opt_id(r.grid_id)?,
            grid_name: r.grid_name.unwrap_or_default(),
            title: r.title,
            narrative: r.narrative,
            received_at: time::from_millis(r.received_at),
            urgent: r.urgent != 0,
            anonymous: r.anonymous != 0,
            exempt_reason: r.exempt_reason,
            owner_agency_id: id(&r.owner_agency_id)?,
            owner_agency_name: r.owner_agency_name.unwrap_or_default(),
            handler_id: opt_id(r.handler_id)?,
            handler_name: r.handler_name.unwrap_or_default(),
            created_by: opt_id(r.created_by)?,
            related_case_id: opt_id(r.related_case_id)?,
            tracking_code: r.tracking_code,
            tracking_phone: r.tracking_phone,
            reconciliation: r.reconciliation,
            risk_level: r
                .risk_level
                .as_deref()
                .map(|l| code(l, RiskLevel::parse))
                .transpose()?,
            risk_stale_after: r.risk_stale_after,
            closed_at: r.closed_at.map(time::from_millis),
            version: r.version,
            created_at: time::from_millis(r.created_at),
            updated_at: time::from_millis(r.updated_at),
            public_title: r.public_title,
            public_reply: r.public_reply,
            published_by_name: r.published_by_name,
            published_at: r.published_at.map(time::from_millis),
            source_key_id: opt_id(r.source_key_id)?,
            public_id: r.public_id,
            minor_involved: r.minor_involved != 0,
            has_minor: r.has_minor != 0 || r.minor_involved != 0,
        })
    }
}

const CASE_SELECT: &str = "SELECT c.id, c.number, c.kind, c.status, c.level, c.channel, c.category_code,
    cat.name AS category_name, c.place_id, p.name AS place_name, p.code AS place_code, c.grid_id,
    g.name AS grid_name, c.title, c.narrative, c.received_at, c.urgent, c.anonymous, c.exempt_reason,
    c.owner_agency_id, a.name AS owner_agency_name, c.handler_id, u.display_name AS handler_name,
    c.created_by, c.related_case_id, c.tracking_code, c.tracking_phone, c.reconciliation, c.risk_level,
    c.risk_stale_after, c.closed_at, c.version, c.created_at, c.updated_at, c.public_title,
    c.public_reply, c.published_by_name, c.published_at, c.source_key_id, c.public_id, c.minor_involved,
    (SELECT COUNT(*) FROM case_party mp WHERE mp.case_id = c.id AND mp.minor = 1) AS has_minor
    FROM dispute_case c
    LEFT JOIN dispute_category cat ON cat.code = c.category_code
    LEFT JOIN org_unit p ON p.id = c.place_id
    LEFT JOIN org_unit g ON g.id = c.grid_id
    LEFT JOIN agency a ON a.id = c.owner_agency_id
    LEFT JOIN app_user u ON u.id = c.handler_id";

pub async fn insert_case(conn: &mut AnyConnection, c: &Case) -> Result<()> {
    insert_cases(conn, std::slice::from_ref(c)).await
}

/// A case's SimHash and its bands, from its title and narrative (issue 13 §2).
type Sim = (i64, [i64; 4]);

pub(crate) fn sim_of(c: &Case) -> Sim {
    let h = simhash::of_case(&c.title, &c.narrative);
    (simhash::to_stored(h), simhash::bands(h))
}

/// Inserts cases in one statement.
pub async fn insert_cases(conn: &mut AnyConnection, cases: &[Case]) -> Result<()> {
    let rows: Vec<(&Case, Sim)> = cases.iter().map(|c| (c, sim_of(c))).collect();
    insert_rows!(conn, "dispute_case", &rows, |r| {
        id: r.0.id.to_string(),
        number: &r.0.number,
        kind: r.0.kind.code(),
        status: r.0.status.code(),
        level: r.0.level.map(|l| l.code()),
        channel: r.0.channel.code(),
        category_code: &r.0.category_code,
        place_id: r.0.place_id.map(|x| x.to_string()),
        grid_id: r.0.grid_id.map(|x| x.to_string()),
        title: &r.0.title,
        narrative: &r.0.narrative,
        received_at: ms(r.0.received_at),
        urgent: i64::from(r.0.urgent),
        anonymous: i64::from(r.0.anonymous),
        exempt_reason: &r.0.exempt_reason,
        owner_agency_id: r.0.owner_agency_id.to_string(),
        handler_id: r.0.handler_id.map(|x| x.to_string()),
        created_by: r.0.created_by.map(|x| x.to_string()),
        related_case_id: r.0.related_case_id.map(|x| x.to_string()),
        tracking_code: r.0.tracking_code.clone(),
        tracking_phone: r.0.tracking_phone.clone(),
        reconciliation: &r.0.reconciliation,
        risk_level: r.0.risk_level.map(|l| l.code()),
        risk_stale_after: r.0.risk_stale_after,
        closed_at: r.0.closed_at.map(ms),
        version: r.0.version,
        created_at: ms(r.0.created_at),
        updated_at: ms(r.0.updated_at),
        source_key_id: r.0.source_key_id.map(|x| x.to_string()),
        public_id: r.0.public_id.clone(),
        minor_involved: i64::from(r.0.minor_involved),
        simhash: r.1.0,
        sim_b0: r.1.1[0],
        sim_b1: r.1.1[1],
        sim_b2: r.1.1[2],
        sim_b3: r.1.1[3],
    })
    .await?;
    let texts: Vec<crate::search::CaseText> = cases.iter().map(Into::into).collect();
    crate::search::put_cases(conn, &texts).await
}

/// Sets what is released for publication (empty strings withdraw it).
pub async fn set_publication(
    conn: &mut AnyConnection,
    case: Id,
    title: &str,
    reply: &str,
    by: &str,
    at: Option<time::Timestamp>,
) -> Result<()> {
    sqlx::query(
        "UPDATE dispute_case SET public_title = $1, public_reply = $2, published_by_name = $3,
            published_at = $4, version = version + 1 WHERE id = $5",
    )
    .bind(title)
    .bind(reply)
    .bind(by)
    .bind(at.map(ms))
    .bind(case.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_case(conn: &mut AnyConnection, case: Id) -> Result<Option<Case>> {
    let sql = format!("{CASE_SELECT} WHERE c.id = $1");
    sqlx::query_as::<_, CaseRowRaw>(&sql)
        .bind(case.to_string())
        .fetch_optional(conn)
        .await?
        .map(Case::try_from)
        .transpose()
}

/// A case by its number (unique across agencies).
pub async fn case_by_number(conn: &mut AnyConnection, number: &str) -> Result<Option<Case>> {
    let sql = format!("{CASE_SELECT} WHERE c.number = $1");
    sqlx::query_as::<_, CaseRowRaw>(&sql)
        .bind(number)
        .fetch_optional(conn)
        .await?
        .map(Case::try_from)
        .transpose()
}

pub async fn case_by_public_id(conn: &mut AnyConnection, public_id: &str) -> Result<Option<Case>> {
    let sql = format!("{CASE_SELECT} WHERE c.public_id = $1");
    sqlx::query_as::<_, CaseRowRaw>(&sql)
        .bind(public_id)
        .fetch_optional(conn)
        .await?
        .map(Case::try_from)
        .transpose()
}

/// Cases that came in publicly before they were given a public id.
pub async fn without_public_id(conn: &mut AnyConnection) -> Result<Vec<Id>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM dispute_case WHERE channel = 'portal' AND public_id IS NULL")
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(|(i,)| id(i)).collect()
}

pub async fn set_public_id(conn: &mut AnyConnection, case: Id, public_id: &str) -> Result<()> {
    sqlx::query("UPDATE dispute_case SET public_id = $1 WHERE id = $2")
        .bind(public_id)
        .bind(case.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn case_by_tracking(conn: &mut AnyConnection, tracking: &str) -> Result<Option<Case>> {
    let sql = format!("{CASE_SELECT} WHERE c.tracking_code = $1");
    sqlx::query_as::<_, CaseRowRaw>(&sql)
        .bind(tracking)
        .fetch_optional(conn)
        .await?
        .map(Case::try_from)
        .transpose()
}

/// Writes every mutable column if the stored version is `c.version`, and bumps it.
pub async fn update_case(conn: &mut AnyConnection, c: &Case, now: time::Timestamp) -> Result<()> {
    let sim = sim_of(c);
    let done = sqlx::query(
        "UPDATE dispute_case SET status = $1, level = $2, category_code = $3, place_id = $4, grid_id = $5,
            title = $6, narrative = $7, urgent = $8, anonymous = $9, exempt_reason = $10,
            owner_agency_id = $11, handler_id = $12, related_case_id = $13, reconciliation = $14,
            risk_level = $15, risk_stale_after = $16, closed_at = $17, received_at = $18,
            version = version + 1, updated_at = $19, minor_involved = $22, simhash = $23, sim_b0 = $24,
            sim_b1 = $25, sim_b2 = $26, sim_b3 = $27
         WHERE id = $20 AND version = $21",
    )
    .bind(c.status.code())
    .bind(c.level.map(|l| l.code()))
    .bind(&c.category_code)
    .bind(c.place_id.map(|x| x.to_string()))
    .bind(c.grid_id.map(|x| x.to_string()))
    .bind(&c.title)
    .bind(&c.narrative)
    .bind(i64::from(c.urgent))
    .bind(i64::from(c.anonymous))
    .bind(&c.exempt_reason)
    .bind(c.owner_agency_id.to_string())
    .bind(c.handler_id.map(|x| x.to_string()))
    .bind(c.related_case_id.map(|x| x.to_string()))
    .bind(&c.reconciliation)
    .bind(c.risk_level.map(|l| l.code()))
    .bind(c.risk_stale_after)
    .bind(c.closed_at.map(ms))
    .bind(ms(c.received_at))
    .bind(ms(now))
    .bind(c.id.to_string())
    .bind(c.version)
    .bind(i64::from(c.minor_involved))
    .bind(sim.0)
    .bind(sim.1[0])
    .bind(sim.1[1])
    .bind(sim.1[2])
    .bind(sim.1[3])
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    crate::search::put_cases(conn, &[c.into()]).await
}

/// Which of these numbers cases already have.
pub async fn numbers_taken(conn: &mut AnyConnection, numbers: &[&str]) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = crate::rows::select_in(
        conn,
        "SELECT number FROM dispute_case WHERE number IN ({in})",
        numbers,
    )
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

pub async fn list_cases(conn: &mut AnyConnection, f: &CaseFilter) -> Result<(Vec<Case>, i64)> {
    let counted = case_where(f, true).sql();
    let w = case_where(f, false);
    // The place is joined only when the filter names it, so an unfiltered count reads one index.
    let place = if f.place_prefix.as_deref().is_some_and(|p| !p.is_empty()) {
        "LEFT JOIN org_unit p ON p.id = c.place_id"
    } else {
        ""
    };
    let count_sql = format!("SELECT COUNT(*) FROM dispute_case c {place} WHERE {counted}");
    let (total,): (i64,) = w.bind(sqlx::query_as(&count_sql)).fetch_one(&mut *conn).await?;
    let sql = format!(
        "{CASE_SELECT} WHERE {} ORDER BY c.urgent DESC, c.received_at DESC LIMIT {} OFFSET {}",
        w.sql(),
        f.limit.clamp(1, 500),
        f.offset.max(0)
    );
    let rows: Vec<CaseRowRaw> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok((
        rows.into_iter().map(Case::try_from).collect::<Result<_>>()?,
        total,
    ))
}

/// Is the case referred (and not revoked) to the agency?
pub async fn referred_to(conn: &mut AnyConnection, case: Id, agency: Id) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM referral WHERE case_id = $1 AND to_agency_id = $2 AND state <> 'revoked'",
    )
    .bind(case.to_string())
    .bind(agency.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
