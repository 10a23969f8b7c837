//! Clocks on cases: the rules and the calendar loaded from the database, clocks opened and closed
//! by what happens on a case, pause and extension with an approver, the public calculator, and the
//! sweeper that raises reminders before and escalations after a due date.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use gongzhi_domain::audit::Changes;
use gongzhi_domain::calendar::WorkCalendar;
use gongzhi_domain::deadline::{
    self, Calculated, ClockKind, ClockState, Due, PauseReason, Rule, Trigger, Unit,
};
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{CaseKind, Exempt};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case, Clock};
use gongzhi_store::reference;
use gongzhi_store::{deadline_rule, notice};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

mod defaults;
mod rules;
mod sweep;

pub use defaults::default_rules;
use defaults::rule_of;
pub use rules::{DeadlineRule, RuleVersionForm, base_of};

/// The district's county code (GB/T 2260), the region deadline rules are matched against.
pub const REGION: &str = "620702";

/// A clock is "due soon" within this many working days.
pub const DUE_SOON_WORKING_DAYS: u32 = 2;
/// Clocks the sweeper reads per query.
pub(super) const SWEEP_PAGE: i64 = 500;

/// The rules and the calendar, loaded once per use case.
pub struct Clocks {
    pub rules: Vec<Rule>,
    pub cal: WorkCalendar,
    /// The names of the calendar's special days (春节, 国庆节调休上班 …), for explanations.
    pub names: std::collections::BTreeMap<NaiveDate, String>,
    /// The years the calendar holds any day of: a due date in another year is provisional
    /// (counted as if Monday to Friday worked) until that year's notice is loaded.
    pub loaded_years: std::collections::BTreeSet<i32>,
}

impl App {
    /// The deadline rules and the calendar: read once per version of `reference_version` (which
    /// every change to them bumps in its transaction), so each use costs one small query and a
    /// change on any server is seen by all from their next use.
    pub(crate) async fn clocks(&self, conn: &mut AnyConnection) -> Result<Arc<Clocks>, AppError> {
        let version = reference::version(&mut *conn, reference::DEADLINES).await?;
        let cached = self.0.clocks.read().ok().and_then(|c| c.clone());
        if let Some((v, clocks)) = cached
            && v == version
        {
            return Ok(clocks);
        }
        let fresh = Arc::new(Clocks::load(conn).await?);
        if let Ok(mut c) = self.0.clocks.write() {
            *c = Some((version, fresh.clone()));
        }
        Ok(fresh)
    }
}

impl Clocks {
    pub(crate) async fn load(conn: &mut AnyConnection) -> Result<Self, AppError> {
        let mut rules = Vec::new();
        for row in deadline_rule::rules(&mut *conn).await? {
            match rule_of(&row) {
                Some(r) => rules.push(r),
                // Never silently: a row this release cannot read starts no clock, and says so.
                None => {
                    tracing::error!(rule = %row.code, "deadline rule unreadable; its clocks are not started")
                }
            }
        }
        let days = reference::calendar_all(conn).await?;
        let cal = WorkCalendar::new(days.iter().map(|d| (d.day, d.kind)));
        let loaded_years = days.iter().map(|d| d.day.year()).collect();
        let names = days.into_iter().map(|d| (d.day, d.name)).collect();
        Ok(Self {
            rules,
            cal,
            names,
            loaded_years,
        })
    }

    pub fn rule(&self, kind: ClockKind, on: NaiveDate) -> Option<&Rule> {
        deadline::pick(&self.rules, kind, on, REGION)
    }

    /// The rule a clock was started under.
    pub fn rule_of(&self, clock: &Clock) -> Option<&Rule> {
        self.rules.iter().find(|r| r.code == clock.rule_code)
    }

    /// The clocks an event starts on a case of a kind, by the rules.
    pub fn started(
        &self,
        case: Id,
        kind: CaseKind,
        trigger: Trigger,
        start: NaiveDate,
        seq: i64,
    ) -> Vec<Clock> {
        deadline::started_by(&self.rules, kind, trigger, start, REGION)
            .into_iter()
            .filter_map(|rule| {
                let due = rule.due(&self.cal, start)?;
                Some(new_clock(case, rule.clock, seq, &rule.code, start, due))
            })
            .collect()
    }

    /// A clock with an amount set case by case (a referral's feedback days).
    pub fn clock_of_days(&self, case: Id, kind: ClockKind, start: NaiveDate, days: u32) -> Option<Clock> {
        let code = self.rule(kind, start).map(|r| r.code.clone()).unwrap_or_default();
        let due = deadline::due_date(&self.cal, start, days, Unit::CalendarDay)?;
        Some(Clock {
            term_days: Some(days),
            ..new_clock(case, kind, 1, &code, start, due)
        })
    }

    /// A due date in a year whose holidays are not loaded: counted as if every Monday to Friday
    /// worked, it may move when the notice is loaded (and then is recomputed).
    pub fn provisional(&self, due: NaiveDate) -> bool {
        !self.loaded_years.contains(&due.year())
    }

    pub fn state(&self, c: &Clock, today: NaiveDate) -> ClockState {
        deadline::state_on(&self.cal, c.state, c.due_date, today, DUE_SOON_WORKING_DAYS)
    }
}

fn new_clock(case: Id, kind: ClockKind, seq: i64, rule: &str, start: NaiveDate, due: Due) -> Clock {
    Clock {
        id: Id::new(),
        case_id: case,
        kind,
        seq,
        rule_code: rule.to_owned(),
        start_date: start,
        due_date: due.due,
        state: ClockState::Running,
        skipped: due.skipped,
        referral_id: None,
        met_at: None,
        paused_at: None,
        note: String::new(),
        approver_name: String::new(),
        version: 1,
        extensions: 0,
        term_days: None,
    }
}

/// Marks the running clocks of these kinds met (a reply, a decision).
pub(crate) async fn meet(
    conn: &mut AnyConnection,
    case: Id,
    kinds: &[ClockKind],
    now: time::Timestamp,
) -> Result<Vec<Clock>, AppError> {
    let mut met = Vec::new();
    for mut c in case::clocks(&mut *conn, case).await? {
        if kinds.contains(&c.kind) && c.state.is_open() {
            c.state = ClockState::Met;
            c.met_at = Some(now);
            case::update_clock(&mut *conn, &c).await?;
            clock_settled(&mut *conn, &c, now).await?;
            met.push(c);
        }
    }
    Ok(met)
}

/// A clock met or exempted: its reminders and escalations are put away — the work they asked
/// for is done (issue 10 §2).
pub(crate) async fn clock_settled(
    conn: &mut AnyConnection,
    k: &Clock,
    now: time::Timestamp,
) -> Result<(), AppError> {
    let at = time::to_millis(now);
    for kind in ["reminder", "escalation"] {
        notice::resolve_notices(&mut *conn, k.case_id, &format!("{kind}:{}:", k.id), at).await?;
    }
    Ok(())
}

/// Marks running clocks exempt with a reason (closure, non-acceptance, anonymity).
pub(crate) async fn exempt_open(
    conn: &mut AnyConnection,
    case: Id,
    which: Exempt,
    reason: &str,
    now: time::Timestamp,
) -> Result<(), AppError> {
    for mut c in case::clocks(&mut *conn, case).await? {
        if which.covers(c.kind) && c.state.is_open() {
            c.state = ClockState::Exempt;
            c.note = reason.to_owned();
            case::update_clock(&mut *conn, &c).await?;
            clock_settled(&mut *conn, &c, now).await?;
        }
    }
    Ok(())
}

/// What happens to a clock by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClockChange {
    Pause,
    Resume,
    Extend(u32),
}

/// A change to a clock, as the case page's form and the API give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ClockRequest {
    /// pause, resume, extend
    pub action: String,
    /// For extend: the days added (within the rule's maximum).
    #[serde(default)]
    pub days: u32,
    /// For pause: why, one of the reasons the clock's rule allows (`hearing`).
    #[serde(default)]
    pub pause_reason: String,
    pub reason: String,
}

impl ClockRequest {
    fn change(&self) -> Result<ClockChange, AppError> {
        match self.action.as_str() {
            "pause" => Ok(ClockChange::Pause),
            "resume" => Ok(ClockChange::Resume),
            "extend" => Ok(ClockChange::Extend(self.days)),
            _ => Err(AppError::field("action", "clock-not-changeable")),
        }
    }
}

impl App {
    /// The public deadline calculator: Civil Code conventions over the stored calendar.
    pub async fn calculate_deadline(
        &self,
        start: &str,
        amount: &str,
        unit: &str,
    ) -> Result<Calculated, AppError> {
        let mut checks = Checks::new();
        let start = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d").ok();
        checks.check(start.is_some(), "start", "date-invalid");
        let amount = amount.trim().parse::<u32>().ok().filter(|n| *n <= 3650);
        checks.check(amount.is_some(), "amount", "amount-invalid");
        let unit = Unit::parse(unit);
        checks.check(unit.is_some(), "unit", "unit-invalid");
        checks.finish()?;
        let (Some(start), Some(amount), Some(unit)) = (start, amount, unit) else {
            return Err(AppError::field("start", "date-invalid"));
        };
        let mut conn = self.db().conn().await?;
        let clocks = self.clocks(&mut conn).await?;
        let due = deadline::due_date(&clocks.cal, start, amount, unit)
            .ok_or_else(|| AppError::field("amount", "amount-invalid"))?;
        Ok(Calculated {
            due: due.due.to_string(),
            skipped: due.skipped.iter().map(|d| d.to_string()).collect(),
        })
    }

    /// Pause, resume or extend a clock: a reason is required and the actor is recorded as approver.
    pub async fn change_clock(
        &self,
        ctx: &Ctx,
        case: Id,
        clock: Id,
        request: &ClockRequest,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ApproveClock).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_approval(tx.conn(), ctx, case, "reason").await?;
        self.apply_clock_change(tx.conn(), ctx, &c, clock, request, &actor.display_name)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The clock and the change a request asks for, checked against the clock's rule: a reason,
    /// an extension within the rule's days and times, a pause for a reason the rule names.
    pub(crate) async fn checked_clock_change(
        &self,
        conn: &mut AnyConnection,
        case: Id,
        clock: Id,
        request: &ClockRequest,
    ) -> Result<(Clock, ClockChange), AppError> {
        let change = request.change()?;
        let k = case::clocks(&mut *conn, case)
            .await?
            .into_iter()
            .find(|k| k.id == clock)
            .ok_or(AppError::NotFound)?;
        let reason = request.reason.trim();
        let clocks = self.clocks(&mut *conn).await?;
        let rule = clocks.rule_of(&k);
        let mut checks = Checks::new();
        checks.check(!reason.is_empty(), "reason", "reason-required");
        if let ClockChange::Extend(days) = change {
            // §3.3, §4.1: how far and how often is the clock's rule's to say.
            let (max_days, max_times) = rule.map_or((0, 0), |r| (r.extension_days, r.extensions));
            let source = rule.map(|r| r.source.clone()).unwrap_or_default();
            if max_times == 0 {
                checks.fail(FieldError::new("days", "extension-not-allowed").arg("rule", source));
            } else if k.extensions >= i64::from(max_times) {
                checks.fail(
                    FieldError::new("days", "extension-used-up")
                        .arg("n", max_times)
                        .arg("rule", source),
                );
            } else if !(1..=max_days).contains(&days) {
                checks.fail(
                    FieldError::new("days", "extension-days-over")
                        .arg("max", max_days)
                        .arg("rule", source),
                );
            }
        }
        if change == ClockChange::Pause {
            // §3.3: a clock stops only for what its rule names (re-review: a hearing's time).
            let allowed: &[PauseReason] = rule.map_or(&[], |r| r.pausable.as_slice());
            let source = rule.map(|r| r.source.clone()).unwrap_or_default();
            if allowed.is_empty() {
                checks.fail(FieldError::new("pause_reason", "pause-not-allowed").arg("rule", source));
            } else if !PauseReason::parse(&request.pause_reason).is_some_and(|p| allowed.contains(&p)) {
                checks.fail(FieldError::new("pause_reason", "pause-reason-not-allowed").arg(
                    "allowed",
                    allowed.iter().map(|p| p.code()).collect::<Vec<_>>().join("、"),
                ));
            }
        }
        checks.finish()?;
        Ok((k, change))
    }

    /// Makes a checked change, `approver` named on the clock, in the caller's transaction.
    pub(crate) async fn apply_clock_change(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &Case,
        clock: Id,
        request: &ClockRequest,
        approver: &str,
    ) -> Result<(), AppError> {
        let (mut k, change) = self
            .checked_clock_change(&mut *conn, c.id, clock, request)
            .await?;
        let case = c.id;
        let reason = request.reason.trim();
        let clocks = self.clocks(&mut *conn).await?;
        let rule = clocks.rule_of(&k);
        let now = self.now();
        let today = time::local_date(now);
        let what = match change {
            ClockChange::Pause if k.state == ClockState::Running => {
                k.state = ClockState::Paused;
                k.paused_at = Some(now);
                "clock-paused"
            }
            ClockChange::Resume if k.state == ClockState::Paused => {
                // The paused time is added as the clock's rule counts it (working days, or days
                // with the Civil Code's roll-over).
                let (unit, roll_over) = rule.map_or((Unit::CalendarDay, true), |r| (r.unit, r.roll_over));
                let paused = k.paused_at.map_or(today, time::local_date);
                k.due_date = deadline::resumed(&clocks.cal, k.due_date, paused, today, unit, roll_over);
                k.state = ClockState::Running;
                k.paused_at = None;
                "clock-resumed"
            }
            ClockChange::Extend(days) if k.state.is_open() => {
                // §3.3: complex matters may be extended (≤30 days for government petitions), with
                // the approval of the organ's head and the reason told to the petitioner.
                let due = deadline::due_date(&clocks.cal, k.due_date, days, Unit::CalendarDay)
                    .ok_or_else(|| AppError::field("days", "extension-days-invalid"))?;
                k.due_date = due.due;
                k.skipped.extend(due.skipped);
                k.extensions += 1;
                "clock-extended"
            }
            _ => return Err(AppError::field("clock", "clock-not-changeable")),
        };
        k.note = reason.to_owned();
        k.approver_name = approver.to_owned();
        case::update_clock(&mut *conn, &k).await?;
        let detail = EventDetail::ClockChanged {
            clock: k.kind,
            reason: reason.to_owned(),
            due: k.due_date.to_string(),
        }
        .encode();
        // §3.3: an extension's reason is told to the petitioner — the step, with its reason and
        // the new due date, is on the portal's progress page.
        self.event(&mut *conn, ctx, c, what, &detail, what == "clock-extended")
            .await?;
        ctx.audit(
            &mut *conn,
            &format!("case.{what}"),
            "case",
            &case.to_string(),
            Changes::new()
                .set("clock", k.kind.code())
                .set("due", k.due_date.to_string())
                .set("reason", reason),
        )
        .await?;
        Ok(())
    }
}
