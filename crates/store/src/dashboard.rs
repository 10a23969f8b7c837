//! The dashboard's counts, each one `GROUP BY` over the rows the viewer's scope takes — the same
//! `WHERE` as the case list ([`case_where`]), so that every figure equals the list it opens.
//! Dates and codes written into the SQL come from the use case's own values (a `NaiveDate`, a
//! fixed code, milliseconds), never from user text.

use chrono::NaiveDate;
use gongzhi_domain::Id;
use gongzhi_domain::dashboard::Period;
use gongzhi_domain::deadline::ClockKind;
use sqlx::AnyConnection;

use crate::Result;
use crate::case::filter::{COUNTING, not_reported, quoted};
use crate::case::{CaseFilter, case_where};

/// Whose cases a figure counts: an agency's (owned or referred to it) or the district's, in a
/// township or village (division-code prefix) or everywhere.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub agency: Option<Id>,
    pub place_prefix: Option<String>,
}

impl Scope {
    fn filter(&self) -> CaseFilter {
        CaseFilter {
            agency: self.agency,
            place_prefix: self.place_prefix.clone(),
            ..CaseFilter::default()
        }
    }

    /// Cases received in `[from, to)` milliseconds.
    fn received(&self, from: i64, to: i64) -> CaseFilter {
        CaseFilter {
            received_from: Some(from),
            received_before: Some(to),
            ..self.filter()
        }
    }

    /// The place is joined only when the scope names one (as in `case::list_cases`).
    fn join(&self) -> &'static str {
        if self.place_prefix.as_deref().is_some_and(|p| !p.is_empty()) {
            "LEFT JOIN org_unit p ON p.id = c.place_id"
        } else {
            ""
        }
    }
}

/// What cases are grouped by.
#[derive(Clone, Copy, Debug)]
pub enum By {
    Category,
    Channel,
}

/// Cases received in `[from, to)` (UTC milliseconds), counted per category or channel.
pub async fn cases_by(
    conn: &mut AnyConnection,
    scope: &Scope,
    by: By,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64)>> {
    let column = match by {
        By::Category => "c.category_code",
        By::Channel => "c.channel",
    };
    let f = scope.received(from, to);
    let w = case_where(&f, true);
    let sql = format!(
        "SELECT {column}, COUNT(*) FROM dispute_case c {} WHERE {} GROUP BY {column} ORDER BY COUNT(*) DESC",
        scope.join(),
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// Cases received in each of `buckets` (`[from, to)` milliseconds, ascending), in one pass.
pub async fn cases_per(conn: &mut AnyConnection, scope: &Scope, buckets: &[(i64, i64)]) -> Result<Vec<i64>> {
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Ok(Vec::new());
    };
    let f = scope.received(first.0, last.1);
    let w = case_where(&f, true);
    let sums = buckets
        .iter()
        .map(|(a, b)| {
            format!(
                "COALESCE(SUM(CASE WHEN c.received_at >= {a} AND c.received_at < {b} THEN 1 ELSE 0 END), 0)"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {sums} FROM dispute_case c {} WHERE {}",
        scope.join(),
        w.sql()
    );
    let row = w.bind_exec(sqlx::query(&sql)).fetch_one(conn).await?;
    use sqlx::Row;
    (0..buckets.len())
        .map(|i| row.try_get::<i64, _>(i).map_err(Into::into))
        .collect()
}

/// Per place (village or township as registered): cases received in `[split, to)` and in
/// `[from, split)` — this month and the months before, for the heat table.
pub async fn cases_per_place(
    conn: &mut AnyConnection,
    scope: &Scope,
    from: i64,
    split: i64,
    to: i64,
) -> Result<Vec<(String, i64, i64)>> {
    let f = scope.received(from, to);
    let w = case_where(&f, true);
    let sql = format!(
        "SELECT COALESCE(c.place_id, ''),
                COALESCE(SUM(CASE WHEN c.received_at >= {split} THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN c.received_at < {split} THEN 1 ELSE 0 END), 0)
         FROM dispute_case c {} WHERE {} GROUP BY c.place_id",
        scope.join(),
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// Open cases per risk level ('' for not yet assessed).
pub async fn open_by_risk(conn: &mut AnyConnection, scope: &Scope) -> Result<Vec<(String, i64)>> {
    let f = CaseFilter {
        open: Some(true),
        ..scope.filter()
    };
    let w = case_where(&f, true);
    let sql = format!(
        "SELECT COALESCE(c.risk_level, ''), COUNT(*) FROM dispute_case c {} WHERE {} GROUP BY c.risk_level",
        scope.join(),
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// Duty clocks counting now (`ClockKind` leaves out the parties' own time and the 2007 rule's
/// tracked clocks: `filter::not_reported`), and the open cases with one past its due day on
/// `today` — in all and per kind of clock — as the list `state=open&overdue=1` counts them.
pub async fn overdue(
    conn: &mut AnyConnection,
    scope: &Scope,
    today: NaiveDate,
) -> Result<(i64, i64, Vec<(String, i64)>)> {
    let f = CaseFilter {
        open: Some(true),
        ..scope.filter()
    };
    let w = case_where(&f, true);
    let from = format!(
        "FROM case_clock k JOIN dispute_case c ON c.id = k.case_id {}
         WHERE k.state IN ({}) AND k.kind NOT IN ({}) AND {}",
        scope.join(),
        quoted(COUNTING.iter().map(|s| s.code())),
        not_reported(),
        w.sql()
    );
    let (open, late): (i64, i64) = w
        .bind(sqlx::query_as(&format!(
            "SELECT COUNT(*), COUNT(DISTINCT CASE WHEN k.due_date < '{today}' THEN k.case_id END) {from}"
        )))
        .fetch_one(&mut *conn)
        .await?;
    let per_kind = w
        .bind(sqlx::query_as(&format!(
            "SELECT k.kind, COUNT(DISTINCT k.case_id) {from} AND k.due_date < '{today}' GROUP BY k.kind ORDER BY COUNT(DISTINCT k.case_id) DESC"
        )))
        .fetch_all(conn)
        .await?;
    Ok((open, late, per_kind))
}

/// The clocks of a kind falling due in a period: (due day, state, met at).
pub async fn clocks_due(
    conn: &mut AnyConnection,
    scope: &Scope,
    kind: ClockKind,
    period: Period,
) -> Result<Vec<(String, String, Option<i64>)>> {
    let w = case_where(&scope.filter(), true);
    let sql = format!(
        "SELECT k.due_date, k.state, k.met_at FROM case_clock k JOIN dispute_case c ON c.id = k.case_id {}
         WHERE k.kind = '{}' AND k.due_date >= '{}' AND k.due_date <= '{}' AND {}",
        scope.join(),
        kind.code(),
        period.from,
        period.to,
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// Cases referred in `[from, to)` per referral state (a case counted once per state), by or to
/// the scope's agency.
pub async fn referred_cases(
    conn: &mut AnyConnection,
    scope: &Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64)>> {
    let w = case_where(&scope.filter(), true);
    let by = match scope.agency {
        Some(a) => format!(" AND (r.from_agency_id = '{a}' OR r.to_agency_id = '{a}')"),
        None => String::new(),
    };
    let sql = format!(
        "SELECT r.state, COUNT(DISTINCT r.case_id) FROM referral r JOIN dispute_case c ON c.id = r.case_id {}
         WHERE r.created_at >= {from} AND r.created_at < {to}{by} AND {} GROUP BY r.state",
        scope.join(),
        w.sql()
    );
    Ok(w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// Hearings held in `[from, to)`: (held, public, with a deputy, member or people's supervisor).
/// A hearing concerning a minor is never public (DOMAIN.md §3.6).
pub async fn hearings_held(
    conn: &mut AnyConnection,
    agency: Option<Id>,
    from: i64,
    to: i64,
) -> Result<(i64, i64, i64)> {
    let mine = agency
        .map(|a| format!(" AND h.agency_id = '{a}'"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT COUNT(*),
                COALESCE(SUM(CASE WHEN h.wants_public = 1 AND h.minor = 0 THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM hearing_seat s JOIN hearing_officer o ON o.id = s.officer_id
                     WHERE s.hearing_id = h.id AND o.category IN ('npc_deputy', 'cppcc_member', 'people_supervisor'))
                     THEN 1 ELSE 0 END), 0)
         FROM hearing h WHERE h.held_at >= {from} AND h.held_at < {to}{mine}"
    );
    Ok(sqlx::query_as(&sql).fetch_one(conn).await?)
}

/// Suggestions issued in `[from, to)`, by or to the agency: (issued, replied on time, adopted).
pub async fn suggestions_issued(
    conn: &mut AnyConnection,
    agency: Option<Id>,
    from: i64,
    to: i64,
) -> Result<(i64, i64, i64)> {
    let mine = agency
        .map(|a| format!(" AND (g.agency_id = '{a}' OR g.recipient_agency_id = '{a}')"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT COUNT(*),
                COALESCE(SUM(CASE WHEN g.replied_on IS NOT NULL AND g.replied_on <= g.due_date THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN g.state = 'rectified' THEN 1 ELSE 0 END), 0)
         FROM suggestion g WHERE g.number IS NOT NULL AND g.decided_at >= {from} AND g.decided_at < {to}{mine}"
    );
    Ok(sqlx::query_as(&sql).fetch_one(conn).await?)
}

/// Aid decided in `[from, to)` with an amount: (cases, yuan, linked to social aid by a referral
/// of the case to one of `social` agency kinds).
pub async fn aid_decided(
    conn: &mut AnyConnection,
    agency: Option<Id>,
    social: &[&str],
    from: i64,
    to: i64,
) -> Result<(i64, i64, i64)> {
    let mine = agency
        .map(|a| format!(" AND a.agency_id = '{a}'"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(a.amount), 0) AS BIGINT),
                COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM referral r JOIN agency g ON g.id = r.to_agency_id
                     WHERE r.case_id = a.case_id AND r.state <> 'revoked' AND g.kind IN ({})) THEN 1 ELSE 0 END), 0)
         FROM aid_case a WHERE a.amount > 0 AND a.state NOT IN ('rejected') AND a.decided_at >= {from} AND a.decided_at < {to}{mine}",
        quoted(social.iter().copied())
    );
    let (n, amount, linked): (i64, i64, i64) = sqlx::query_as(&sql).fetch_one(conn).await?;
    Ok((n, amount, linked))
}
