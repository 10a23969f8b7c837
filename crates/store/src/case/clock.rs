//! Clocks of a case: kind, start, due date, state, the rest days skipped; open clocks across cases.

use chrono::NaiveDate;
use gongzhi_domain::deadline::{ClockKind, ClockState};
use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use super::{date, dates, ms};
use crate::rows::insert_rows;
use crate::rows::{Arg, Filter};
use crate::{Page, Paged, Result, StoreError, code, id, opt_id};

#[derive(Clone, Debug)]
pub struct Clock {
    pub id: Id,
    pub case_id: Id,
    pub kind: ClockKind,
    pub seq: i64,
    pub rule_code: String,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    pub state: ClockState,
    pub skipped: Vec<NaiveDate>,
    pub referral_id: Option<Id>,
    pub met_at: Option<time::Timestamp>,
    pub paused_at: Option<time::Timestamp>,
    pub note: String,
    pub approver_name: String,
    pub version: i64,
    /// How many times it was extended (its rule says how often it may be).
    pub extensions: i64,
    /// The days it was set to run by whoever started it (a referral's deadline); None: its rule's.
    pub term_days: Option<u32>,
}

#[derive(sqlx::FromRow)]
struct ClockRaw {
    id: String,
    case_id: String,
    kind: String,
    seq: i64,
    rule_code: String,
    start_date: String,
    due_date: String,
    state: String,
    skipped: String,
    referral_id: Option<String>,
    met_at: Option<i64>,
    paused_at: Option<i64>,
    note: String,
    approver_name: String,
    version: i64,
    extensions: i64,
    term_days: Option<i64>,
}

impl TryFrom<ClockRaw> for Clock {
    type Error = StoreError;
    fn try_from(r: ClockRaw) -> Result<Self> {
        Ok(Clock {
            id: id(&r.id)?,
            case_id: id(&r.case_id)?,
            kind: code(&r.kind, ClockKind::parse)?,
            seq: r.seq,
            rule_code: r.rule_code,
            start_date: date(&r.start_date)?,
            due_date: date(&r.due_date)?,
            state: code(&r.state, ClockState::parse)?,
            skipped: dates(&r.skipped)?,
            referral_id: opt_id(r.referral_id)?,
            met_at: r.met_at.map(time::from_millis),
            paused_at: r.paused_at.map(time::from_millis),
            note: r.note,
            approver_name: r.approver_name,
            version: r.version,
            extensions: r.extensions,
            term_days: r.term_days.and_then(|d| u32::try_from(d).ok()),
        })
    }
}

fn join_dates(d: &[NaiveDate]) -> String {
    d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
}

pub async fn insert_clock(conn: &mut AnyConnection, c: &Clock) -> Result<()> {
    insert_clocks(conn, std::slice::from_ref(c)).await
}

/// Clocks in one statement (a case's first clocks at intake, those a step starts).
pub async fn insert_clocks(conn: &mut AnyConnection, clocks: &[Clock]) -> Result<()> {
    insert_rows!(conn, "case_clock", clocks, |c| {
        id: c.id.to_string(),
        case_id: c.case_id.to_string(),
        kind: c.kind.code(),
        seq: c.seq,
        rule_code: &c.rule_code,
        start_date: c.start_date.to_string(),
        due_date: c.due_date.to_string(),
        state: c.state.code(),
        skipped: join_dates(&c.skipped),
        referral_id: c.referral_id.map(|x| x.to_string()),
        met_at: c.met_at.map(ms),
        paused_at: c.paused_at.map(ms),
        note: &c.note,
        approver_name: &c.approver_name,
        version: 1_i64,
        extensions: c.extensions,
        term_days: c.term_days.map(i64::from),
    })
    .await?;
    // The owning agency beside each clock (see migration 0004), from its case: one statement.
    let mut cases: Vec<String> = clocks.iter().map(|c| c.case_id.to_string()).collect();
    cases.sort();
    cases.dedup();
    if cases.is_empty() {
        return Ok(());
    }
    let mut f = Filter::default();
    f.and_sql("owner_agency_id IS NULL");
    f.and_each(cases.into_iter().map(Arg::from), |m| format!("case_id IN ({m})"));
    let sql = format!(
        "UPDATE case_clock SET owner_agency_id = (SELECT c.owner_agency_id FROM dispute_case c \
         WHERE c.id = case_clock.case_id) WHERE {}",
        f.sql()
    );
    f.bind_exec(sqlx::query(&sql)).execute(&mut *conn).await?;
    Ok(())
}

pub async fn update_clock(conn: &mut AnyConnection, c: &Clock) -> Result<()> {
    let done = sqlx::query(
        "UPDATE case_clock SET due_date = $1, state = $2, skipped = $3, met_at = $4, paused_at = $5,
            note = $6, approver_name = $7, extensions = $8, version = version + 1
         WHERE id = $9 AND version = $10",
    )
    .bind(c.due_date.to_string())
    .bind(c.state.code())
    .bind(join_dates(&c.skipped))
    .bind(c.met_at.map(ms))
    .bind(c.paused_at.map(ms))
    .bind(&c.note)
    .bind(&c.approver_name)
    .bind(c.extensions)
    .bind(c.id.to_string())
    .bind(c.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

pub async fn clocks(conn: &mut AnyConnection, case: Id) -> Result<Vec<Clock>> {
    let rows: Vec<ClockRaw> =
        sqlx::query_as("SELECT * FROM case_clock WHERE case_id = $1 ORDER BY due_date, seq")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(Clock::try_from).collect()
}

/// The running clocks of these cases, soonest due first (a list's "due" column).
pub async fn running_clocks_of(conn: &mut AnyConnection, cases: &[Id]) -> Result<Vec<Clock>> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Filter::default();
    w.and_sql("state = 'running'");
    w.and_each(cases.iter().map(|c| Arg::from(c.to_string())), |m| {
        format!("case_id IN ({m})")
    });
    let sql = format!(
        "SELECT * FROM case_clock WHERE {} ORDER BY due_date, seq",
        w.sql()
    );
    let rows: Vec<ClockRaw> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter().map(Clock::try_from).collect()
}

/// A running clock with what the sweeper and the inbox need of its case.
#[derive(Clone, Debug)]
pub struct OpenClock {
    pub clock: Clock,
    pub number: String,
    pub title: String,
    pub owner_agency_id: Id,
    pub handler_id: Option<Id>,
    pub referral_to: Option<Id>,
}

/// Running clocks due on or before `until`, optionally of one agency's or handler's cases.
/// Which running clocks a list takes: due by `until`; of `agency` (owned and not referred, or
/// referred to it); of cases `for_user` handles (or nobody does, or referred to the agency).
#[derive(Clone, Copy, Debug, Default)]
pub struct ClockFilter {
    pub agency: Option<Id>,
    pub for_user: Option<Id>,
}

/// One page of the running clocks due by `until`, most urgent first, and how many there are.
/// The most open clocks an inbox counts.
pub const INBOX_COUNT_CAP: i64 = 1000;

pub async fn open_clocks(
    conn: &mut AnyConnection,
    until: NaiveDate,
    f: ClockFilter,
    page: Page,
) -> Result<Paged<OpenClock>> {
    let mut w = Filter::default();
    w.and("k.state = 'running' AND k.due_date <= $?", until.to_string());
    if let Some(a) = f.agency {
        w.and(
            "((k.referral_id IS NULL AND c.owner_agency_id = $?) OR r.to_agency_id = $?)",
            a.to_string(),
        );
    }
    if let Some(u) = f.for_user {
        w.and(
            "(r.to_agency_id IS NOT NULL OR c.handler_id IS NULL OR c.handler_id = $?)",
            u.to_string(),
        );
    }
    let from = "FROM case_clock k JOIN dispute_case c ON c.id = k.case_id LEFT JOIN referral r ON r.id = k.referral_id";
    // Counted up to a cap — an inbox says "1000+" — and, for an agency, from the index of its own
    // clocks plus those of referrals to it, instead of joining every running clock to its case.
    let total = match f.agency {
        Some(a) => {
            let (own_user, user_join) = match f.for_user {
                Some(_) => (
                    " AND (c.handler_id IS NULL OR c.handler_id = $3)",
                    " JOIN dispute_case c ON c.id = k.case_id",
                ),
                None => ("", ""),
            };
            let sql = format!(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM case_clock k{user_join} \
                   WHERE k.owner_agency_id = $2 AND k.state = 'running' AND k.due_date <= $1 \
                   AND k.referral_id IS NULL{own_user} LIMIT {INBOX_COUNT_CAP}) own) \
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM case_clock k WHERE k.referral_id IN \
                   (SELECT r.id FROM referral r WHERE r.to_agency_id = $2) \
                   AND k.state = 'running' AND k.due_date <= $1 LIMIT {INBOX_COUNT_CAP}) referred)"
            );
            let mut q = sqlx::query_as::<_, (i64,)>(&sql)
                .bind(until.to_string())
                .bind(a.to_string());
            if let Some(u) = f.for_user {
                q = q.bind(u.to_string());
            }
            q.fetch_one(&mut *conn).await?.0
        }
        None => {
            w.bind(sqlx::query_as::<_, (i64,)>(&format!(
                "SELECT COUNT(*) FROM (SELECT 1 {from} WHERE {} LIMIT {INBOX_COUNT_CAP}) capped",
                w.sql()
            )))
            .fetch_one(&mut *conn)
            .await?
            .0
        }
    };
    let sql = format!(
        "SELECT k.id, k.case_id, k.kind, k.seq, k.rule_code, k.start_date, k.due_date, k.state,
            k.skipped, k.referral_id, k.met_at, k.paused_at, k.note, k.approver_name, k.version,
            k.extensions, k.term_days, c.number, c.title, c.owner_agency_id, c.handler_id, r.to_agency_id
         {from} WHERE {} ORDER BY k.due_date, c.number, k.id {}",
        w.sql(),
        page.sql()
    );
    let rows: Vec<OpenClockRaw> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(OpenClock {
                owner_agency_id: id(&r.owner_agency_id)?,
                handler_id: opt_id(r.handler_id)?,
                referral_to: opt_id(r.to_agency_id)?,
                clock: Clock::try_from(r.clock)?,
                number: r.number,
                title: r.title,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Paged { items, total })
}

#[derive(sqlx::FromRow)]
struct OpenClockRaw {
    #[sqlx(flatten)]
    clock: ClockRaw,
    number: String,
    title: String,
    owner_agency_id: String,
    handler_id: Option<String>,
    to_agency_id: Option<String>,
}

/// Running clocks due on or after `from`, each with its case number: those a change of the
/// calendar from that date may move.
pub async fn running_due_from(conn: &mut AnyConnection, from: NaiveDate) -> Result<Vec<(Clock, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        clock: ClockRaw,
        number: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT k.*, c.number FROM case_clock k JOIN dispute_case c ON c.id = k.case_id \
         WHERE k.state = 'running' AND k.due_date >= $1 ORDER BY k.due_date, k.id",
    )
    .bind(from.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Ok((Clock::try_from(r.clock)?, r.number)))
        .collect()
}
