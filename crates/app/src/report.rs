//! Statistical returns (统计报表, issue 13 §4): a month's or a year's figures for the district (the
//! leader, the chief prosecutor) or the own agency (an agency head), issued once the period has
//! ended and frozen as issued; opening it later shows what the figures are now beside what was
//! issued, and issuing again adds a revision. The figures are the dashboard's for the period
//! (`App::figures`), with the seed report's summary: suggestions, hearings, aid, children helped.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::dashboard::Period;
use gongzhi_domain::minor::shown_count;
use gongzhi_domain::policy::{Action, Actor, Scope as PolicyScope};
use gongzhi_domain::report::{self as rules, Difference, Line, ReturnPeriod};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::report::{self as store, ReturnRow};

use crate::dashboard::Dashboard;
use crate::{App, AppError, Ctx};

/// The district's returns are filed under this scope; an agency's under its id.
pub const DISTRICT: &str = "district";

/// `POST /api/v1/returns`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct IssueReturn {
    /// `2026-11` for a month, `2026` for a year; it must have ended.
    pub period: String,
    #[serde(default)]
    pub note: String,
}

/// A return as issued.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StatReturn {
    pub id: String,
    /// `district` or the agency's id.
    pub scope: String,
    pub scope_name: String,
    /// month or year
    pub period_kind: String,
    pub period: String,
    #[schema(value_type = String)]
    pub from: chrono::NaiveDate,
    #[schema(value_type = String)]
    pub to: chrono::NaiveDate,
    pub revision: i64,
    pub note: String,
    pub issued_by_name: String,
    /// UTC milliseconds.
    pub issued_at: i64,
    pub lines: Vec<Line>,
}

/// A return with its figures as they are now and what differs.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReturnView {
    #[serde(flatten)]
    pub issued: StatReturn,
    /// The figures now, in the reader's own scope (`None` for another scope's return).
    pub now: Option<Vec<Line>>,
    pub differences: Vec<Difference>,
}

fn line(key: impl Into<String>, label: impl Into<String>, value: i64) -> Line {
    Line {
        key: key.into(),
        label: label.into(),
        value: Some(value),
    }
}

/// A period's figures as a return's lines: what happened in the period (not what stands open
/// today, which no later reading could reproduce).
pub fn lines_of(d: &Dashboard, children: i64) -> Vec<Line> {
    let mut out = vec![
        line("received", "", d.received),
        line("procedural_reply.due", "", d.procedural_reply.due),
        line("procedural_reply.on_time", "", d.procedural_reply.on_time),
        line("result_reply.due", "", d.result_reply.due),
        line("result_reply.on_time", "", d.result_reply.on_time),
    ];
    out.extend(
        d.by_category
            .iter()
            .map(|c| line(format!("category.{}", c.code), c.name.clone(), c.n)),
    );
    out.extend(
        d.by_channel
            .iter()
            .map(|c| line(format!("channel.{}", c.code), "", c.n)),
    );
    out.extend(
        d.by_township
            .iter()
            .map(|c| line(format!("township.{}", c.code), c.name.clone(), c.n)),
    );
    out.extend(
        d.referrals
            .iter()
            .map(|c| line(format!("referral.{}", c.code), "", c.n)),
    );
    if let Some(h) = d.hearings {
        out.push(line("hearings.held", "", h.held));
        out.push(line("hearings.public", "", h.public));
        out.push(line("hearings.with_deputies", "", h.with_deputies));
    }
    out.push(line("suggestions.issued", "", d.suggestions.issued));
    out.push(line(
        "suggestions.replied_on_time",
        "",
        d.suggestions.replied_on_time,
    ));
    out.push(line("suggestions.adopted", "", d.suggestions.adopted));
    if let Some(a) = d.aid {
        out.push(line("aid.cases", "", a.cases));
        out.push(line("aid.amount", "", a.amount));
        out.push(line("aid.with_social_aid", "", a.with_social_aid));
        // The seed report counts the children helped; a count under five is not shown.
        out.push(Line {
            key: "children.helped".into(),
            label: String::new(),
            value: shown_count(children),
        });
    }
    out.push(line("grid.villages_visited", "", d.grid.visited));
    out.push(line("grid.visits", "", d.grid.visits));
    out
}

fn stat_return(r: ReturnRow) -> Result<StatReturn, AppError> {
    let (_, p) =
        rules::period_of(&r.period).ok_or_else(|| AppError::Internal(format!("return {}: period", r.id)))?;
    let lines =
        serde_json::from_str(&r.lines).map_err(|e| AppError::Internal(format!("return {}: {e}", r.id)))?;
    Ok(StatReturn {
        id: r.id,
        scope: r.scope,
        scope_name: r.scope_name,
        period_kind: r.period_kind,
        period: r.period,
        from: p.from,
        to: p.to,
        revision: r.revision,
        note: r.note,
        issued_by_name: r.issued_by_name,
        issued_at: r.issued_at,
        lines,
    })
}

/// The scope an actor's returns are filed under.
fn scope_of(actor: &Actor) -> String {
    if actor.scope(Action::ViewStatistics) == Some(PolicyScope::All) {
        DISTRICT.to_owned()
    } else {
        actor.agency_id.to_string()
    }
}

impl App {
    /// The lines of any period for the actor's scope, as they are now.
    async fn lines_now(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        p: Period,
    ) -> Result<Vec<Line>, AppError> {
        let today = time::local_date(self.now());
        let d = self.figures(&mut *conn, actor, p, "", today).await?;
        let agency = (!d.district).then_some(actor.agency_id);
        let children = store::children_opened(conn, agency, &p.from.to_string(), &p.to.to_string()).await?;
        Ok(lines_of(&d, children))
    }

    /// Issues the return of an ended month or year for the caller's scope: the next revision.
    pub async fn issue_return(&self, ctx: &Ctx, f: &IssueReturn) -> Result<StatReturn, AppError> {
        let actor = self.authorize(ctx, Action::ViewStatistics).await?;
        let (kind, p) =
            rules::period_of(&f.period).ok_or_else(|| AppError::field("period", "return-period-invalid"))?;
        if !rules::may_issue(p, time::local_date(self.now())) {
            return Err(AppError::field("period", "return-period-open"));
        }
        let note = f.note.trim();
        if note.chars().count() > 500 {
            return Err(AppError::field("note", "return-note-too-long"));
        }
        let mut tx = self.db().begin().await?;
        let lines = self.lines_now(tx.conn(), &actor, p).await?;
        let scope = scope_of(&actor);
        let mut row = ReturnRow {
            id: Id::new().to_string(),
            scope_name: if scope == DISTRICT {
                String::new()
            } else {
                actor.agency_name.clone()
            },
            scope,
            period_kind: kind.code().to_owned(),
            period: if kind == ReturnPeriod::Year {
                p.from.format("%Y").to_string()
            } else {
                p.month_code()
            },
            revision: 0,
            lines: serde_json::to_string(&lines).map_err(|e| AppError::Internal(e.to_string()))?,
            note: note.to_owned(),
            issued_by_name: actor.display_name.clone(),
            issued_at: time::to_millis(self.now()),
        };
        row.revision = store::insert(tx.conn(), &row).await?;
        ctx.audit(
            tx.conn(),
            "return.issue",
            "stat_return",
            &row.id,
            Changes::new()
                .set("scope", row.scope.as_str())
                .set("period", row.period.as_str())
                .set("revision", row.revision),
        )
        .await?;
        tx.commit().await?;
        stat_return(row)
    }

    /// The returns of the caller's scope (all of them for the district), newest first.
    pub async fn returns(&self, ctx: &Ctx) -> Result<Vec<StatReturn>, AppError> {
        let actor = self.authorize(ctx, Action::ViewStatistics).await?;
        let scope = scope_of(&actor);
        let mut conn = self.read_conn(ctx).await?;
        let rows = store::list(&mut conn, (scope != DISTRICT).then_some(scope.as_str()), 200).await?;
        rows.into_iter().map(stat_return).collect()
    }

    /// A return as issued, with its figures now and what differs. Another agency's is not found.
    pub async fn return_view(&self, ctx: &Ctx, id: Id) -> Result<ReturnView, AppError> {
        let actor = self.authorize(ctx, Action::ViewStatistics).await?;
        let mut conn = self.read_conn(ctx).await?;
        let row = store::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        let mine = scope_of(&actor);
        // A head sees the own agency's returns; the district's readers see every one.
        if mine != DISTRICT && row.scope != mine {
            return Err(AppError::NotFound);
        }
        let issued = stat_return(row)?;
        // Recomputed in the reader's own scope only: an agency's return read by the district
        // shows what was issued (its figures now are the agency's to see).
        let now = if issued.scope == mine {
            Some(
                self.lines_now(
                    &mut conn,
                    &actor,
                    Period {
                        from: issued.from,
                        to: issued.to,
                    },
                )
                .await?,
            )
        } else {
            None
        };
        let differences = now
            .as_deref()
            .map(|n| rules::differences(&issued.lines, n))
            .unwrap_or_default();
        Ok(ReturnView {
            issued,
            now,
            differences,
        })
    }

    /// Any period's figures for the caller's scope, not issued (the seed report's kind of summary
    /// for, say, a half year).
    pub async fn period_figures(&self, ctx: &Ctx, from: &str, to: &str) -> Result<Vec<Line>, AppError> {
        let actor = self.authorize(ctx, Action::ViewStatistics).await?;
        let day = |s: &str, field: &str| {
            s.trim()
                .parse::<chrono::NaiveDate>()
                .map_err(|_| AppError::field(field, "return-date-invalid"))
        };
        let p = Period {
            from: day(from, "from")?,
            to: day(to, "to")?,
        };
        if p.to < p.from || (p.to - p.from).num_days() > 3 * 366 {
            return Err(AppError::field("to", "return-range-invalid"));
        }
        let mut conn = self.read_conn(ctx).await?;
        self.lines_now(&mut conn, &actor, p).await
    }
}
