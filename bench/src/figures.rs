//! The dashboard and a statistical return timed next to the aggregate queries a hand-written
//! report would run on the same database (issue 13 §7).

use chrono::{Datelike, Months, NaiveDate};
use gongzhi_domain::time;
use sqlx::AnyConnection;

use crate::run::{Client, Res, Row, err, timed};

/// `[from, to)` UTC milliseconds of China-time days `from..=to`.
fn span(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    let at = |d: NaiveDate| time::start_of_local_day(d).timestamp_millis();
    (at(from), at(to.succ_opt().unwrap_or(to)))
}

/// The month's aggregates as one would write them by hand: by category, per place against the
/// three months before, open cases by risk, cases with an overdue clock.
async fn raw_month(conn: &mut AnyConnection, first: NaiveDate, today: NaiveDate) -> Res<()> {
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let (a, b) = span(first, last);
    let (before, _) = span(first.checked_sub_months(Months::new(3)).unwrap_or(first), first);
    for sql in [
        format!(
            "SELECT category_code, COUNT(*) FROM dispute_case WHERE received_at >= {a} AND received_at < {b} GROUP BY category_code"
        ),
        format!(
            "SELECT channel, COUNT(*) FROM dispute_case WHERE received_at >= {a} AND received_at < {b} GROUP BY channel"
        ),
        format!(
            "SELECT place_id, SUM(CASE WHEN received_at >= {a} THEN 1 ELSE 0 END), SUM(CASE WHEN received_at < {a} THEN 1 ELSE 0 END) \
             FROM dispute_case WHERE received_at >= {before} AND received_at < {b} GROUP BY place_id"
        ),
        "SELECT risk_level, COUNT(*) FROM dispute_case WHERE status <> 'closed' GROUP BY risk_level"
            .to_owned(),
        format!(
            "SELECT COUNT(DISTINCT case_id) FROM case_clock WHERE state IN ('running', 'due_soon', 'overdue') AND due_date < '{today}'"
        ),
        format!(
            "SELECT due_date, state, met_at FROM case_clock WHERE kind = 'procedural_reply' AND due_date >= '{first}' AND due_date <= '{last}'"
        ),
    ] {
        sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(err)?;
    }
    Ok(())
}

/// The dashboard of this month and the figures of last month (a return's), each beside raw SQL.
pub async fn rows(c: &Client, conn: &mut AnyConnection, rounds: usize) -> Res<Vec<Row>> {
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let this = today.with_day(1).unwrap_or(today);
    let last = this.checked_sub_months(Months::new(1)).unwrap_or(this);
    let mut out = Vec::new();
    let mut row = Row::new("dashboard (this month, district)");
    for _ in 0..rounds {
        row.ours.push(timed(c.get("/api/v1/dashboard")).await?);
        row.raw.push(timed(raw_month(&mut *conn, this, today)).await?);
    }
    out.push(row);
    let path = format!(
        "/api/v1/returns/figures?from={last}&to={}",
        this.pred_opt().unwrap_or(this)
    );
    let mut row = Row::new("statistical return (last month)");
    for _ in 0..rounds {
        row.ours.push(timed(c.get(&path)).await?);
        row.raw.push(timed(raw_month(&mut *conn, last, today)).await?);
    }
    out.push(row);
    Ok(out)
}
