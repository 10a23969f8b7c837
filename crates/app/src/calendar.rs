//! The work calendar as the administrator keeps it (DOMAIN.md Appendix A): one date at a time, or
//! a whole State Council notice at once; the warning when next year is not loaded; and, after
//! every change, the clocks whose due dates it moves — recomputed and listed.

use chrono::{Datelike, NaiveDate};
use gongzhi_domain::audit::Changes;
use gongzhi_domain::calendar::{DayKind, NoticeHoliday, notice_days};
use gongzhi_domain::deadline::{ClockKind, Due};
use gongzhi_domain::policy::Action;
use gongzhi_domain::time;
use gongzhi_store::AnyConnection;
use gongzhi_store::case;
use gongzhi_store::reference;

pub use gongzhi_store::reference::CalendarDay;

use crate::admin::text_ok;
use crate::deadlines::Clocks;
use crate::error::Checks;
use crate::import::{ImportOutcome, RowError};
use crate::{App, AppError, Ctx, FieldError};

/// The longest run of days one row sets (the longest holiday, the Spring Festival with its
/// make-up days, is 9; a month leaves room for a local arrangement).
pub const RANGE_MAX_DAYS: i64 = 31;

/// A clock whose due date a calendar change moved.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MovedClock {
    pub case_id: String,
    pub number: String,
    pub clock: ClockKind,
    #[schema(value_type = String, format = Date)]
    pub was: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub now: NaiveDate,
}

/// What a calendar change did to the running clocks: those moved, and those that keep their date
/// because it was set by hand (extended, paused, or a referral's own time) and should be checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Recomputed {
    pub moved: Vec<MovedClock>,
    pub to_check: Vec<MovedClock>,
}

/// A State Council notice as the form and `POST /api/v1/calendar/notice` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HolidayNoticeForm {
    pub holidays: Vec<NoticeHoliday>,
}

/// Years the calendar holds no holiday for although due dates may fall in them: the current year,
/// and from November the next (the notice for it is usually published in late autumn).
pub fn years_missing(loaded: &std::collections::BTreeSet<i32>, today: NaiveDate) -> Vec<i32> {
    let mut years = vec![today.year()];
    if today.month() >= 11 {
        years.push(today.year() + 1);
    }
    years.retain(|y| !loaded.contains(y));
    years
}

/// A running clock counted again from its start: moved to the new count when its stored due date
/// is what the old count gave (never extended or paused by hand), otherwise listed to be checked.
/// Says whether it moved.
pub(crate) async fn recount(
    conn: &mut AnyConnection,
    mut k: case::Clock,
    number: String,
    was: &Due,
    now: Due,
    done: &mut Recomputed,
) -> Result<bool, AppError> {
    let row = MovedClock {
        case_id: k.case_id.to_string(),
        number,
        clock: k.kind,
        was: k.due_date,
        now: now.due,
    };
    if k.due_date != was.due || k.extensions != 0 {
        done.to_check.push(row);
        return Ok(false);
    }
    let changed = k.due_date != now.due;
    k.due_date = now.due;
    k.skipped = now.skipped;
    case::update_clock(conn, &k).await?;
    if changed {
        done.moved.push(row);
    }
    Ok(true)
}

impl App {
    pub async fn calendar_year(&self, ctx: &Ctx, year: i32) -> Result<Vec<CalendarDay>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        Ok(reference::calendar_year(&mut conn, year).await?)
    }

    /// The years an administrator must load the holidays of now (see [`years_missing`]).
    pub async fn calendar_missing(&self, ctx: &Ctx) -> Result<Vec<i32>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let clocks = self.clocks(&mut *self.db().conn().await?).await?;
        Ok(years_missing(&clocks.loaded_years, time::local_date(self.now())))
    }

    /// Adds or changes a date of the calendar — or every date from `day` to `to` (a holiday of
    /// several days in one row, at most `RANGE_MAX_DAYS`) — and recomputes the clocks it moves.
    pub async fn set_calendar_day(
        &self,
        ctx: &Ctx,
        day: &str,
        to: &str,
        kind: &str,
        name: &str,
    ) -> Result<Recomputed, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut checks = Checks::new();
        let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok();
        checks.check(date.is_some(), "day", "date-invalid");
        let last = match to.trim() {
            "" => date,
            t => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok(),
        };
        checks.check(last.is_some(), "to", "date-invalid");
        if let (Some(a), Some(b)) = (date, last) {
            checks.check(
                b >= a && (b - a).num_days() < RANGE_MAX_DAYS,
                "to",
                "calendar-range-invalid",
            );
        }
        let kind = DayKind::parse(kind);
        checks.check(kind.is_some(), "kind", "day-kind-invalid");
        checks.check(text_ok(name, 30), "name", "name-invalid");
        checks.finish()?;
        let (Some(date), Some(last), Some(kind)) = (date, last, kind) else {
            return Err(AppError::NotFound);
        };
        let mut tx = self.db().begin().await?;
        let old = self.clocks(tx.conn()).await?;
        let mut changed = Vec::new();
        for day in date.iter_days().take_while(|d| *d <= last) {
            let before = reference::calendar_get(tx.conn(), day).await?;
            let entry = CalendarDay {
                day,
                kind,
                name: name.trim().into(),
            };
            reference::calendar_upsert(tx.conn(), &entry, self.now()).await?;
            changed.push((day, before));
        }
        let done = self.recompute_clocks(tx.conn(), &old, date).await?;
        for (day, before) in changed {
            let changes = Changes::new()
                .field(
                    "kind",
                    before.as_ref().map(|b| b.kind.code()).unwrap_or(""),
                    kind.code(),
                )
                .field(
                    "name",
                    before.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
                    name.trim(),
                )
                .set("moved", done.moved.len());
            ctx.audit(
                tx.conn(),
                "calendar.set",
                "calendar_day",
                &day.to_string(),
                changes,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    pub async fn delete_calendar_day(&self, ctx: &Ctx, day: &str) -> Result<Recomputed, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field("day", "date-invalid"))?;
        let mut tx = self.db().begin().await?;
        let old = self.clocks(tx.conn()).await?;
        let before = reference::calendar_get(tx.conn(), date)
            .await?
            .ok_or(AppError::NotFound)?;
        reference::calendar_delete(tx.conn(), date).await?;
        let done = self.recompute_clocks(tx.conn(), &old, date).await?;
        let changes = Changes::new()
            .field("kind", before.kind.code(), "")
            .field("name", before.name.as_str(), "")
            .set("moved", done.moved.len());
        ctx.audit(
            tx.conn(),
            "calendar.delete",
            "calendar_day",
            &date.to_string(),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// A whole State Council notice at once: every rest period and make-up working day, checked
    /// together (each problem named on its line), written in one transaction with the clocks it
    /// moves.
    pub async fn enter_holiday_notice(
        &self,
        ctx: &Ctx,
        form: &HolidayNoticeForm,
    ) -> Result<Recomputed, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let holidays: Vec<&NoticeHoliday> = form
            .holidays
            .iter()
            .filter(|h| {
                !h.name.trim().is_empty() || h.from.is_some() || h.to.is_some() || !h.workdays.is_empty()
            })
            .collect();
        if holidays.is_empty() {
            return Err(AppError::field("holidays", "notice-empty"));
        }
        let owned: Vec<NoticeHoliday> = holidays.into_iter().cloned().collect();
        let days = notice_days(&owned)
            .map_err(|p| AppError::Invalid(p.into_iter().map(|(f, k)| FieldError::new(&f, k)).collect()))?;
        let first = days
            .first()
            .map(|d| d.0)
            .ok_or_else(|| AppError::field("holidays", "notice-empty"))?;
        let mut tx = self.db().begin().await?;
        let old = self.clocks(tx.conn()).await?;
        for (day, kind, name) in &days {
            let entry = CalendarDay {
                day: *day,
                kind: *kind,
                name: name.clone(),
            };
            reference::calendar_upsert(tx.conn(), &entry, self.now()).await?;
        }
        let done = self.recompute_clocks(tx.conn(), &old, first).await?;
        ctx.audit(
            tx.conn(),
            "calendar.notice",
            "calendar",
            &first.year().to_string(),
            Changes::new()
                .set("days", days.len())
                .set(
                    "holidays",
                    owned.iter().map(|h| h.name.trim()).collect::<Vec<_>>().join("、"),
                )
                .set("moved", done.moved.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// CSV rows `name,from,to,workdays` (make-up days separated by spaces), one per holiday of a
    /// notice; all or nothing, each problem on its line.
    pub(crate) async fn import_holiday_notice(
        &self,
        ctx: &Ctx,
        rows: &[(usize, Vec<String>)],
    ) -> Result<ImportOutcome, AppError> {
        let mut failed = Vec::new();
        let mut holidays = Vec::new();
        for (line, r) in rows {
            let date = |v: &str| v.trim().parse::<NaiveDate>().ok();
            let mut errors = Vec::new();
            // A blank line would shift the lines the notice's checks name: refused on its own.
            if r.iter().all(|v| v.trim().is_empty()) {
                failed.push(RowError {
                    line: *line,
                    errors: vec![FieldError::new("name", "name-invalid")],
                });
                continue;
            }
            let workdays: Vec<NaiveDate> = r[3]
                .split([' ', ';', '、'])
                .filter(|w| !w.trim().is_empty())
                .filter_map(|w| {
                    let d = date(w);
                    if d.is_none() {
                        errors.push(FieldError::new("workdays", "date-invalid"));
                    }
                    d
                })
                .collect();
            if !errors.is_empty() {
                failed.push(RowError { line: *line, errors });
            }
            holidays.push(NoticeHoliday {
                name: r[0].clone(),
                from: date(&r[1]),
                to: date(&r[2]),
                workdays,
            });
        }
        if !failed.is_empty() {
            return Ok(ImportOutcome::Rejected(failed));
        }
        match self
            .enter_holiday_notice(ctx, &HolidayNoticeForm { holidays })
            .await
        {
            Ok(_) => Ok(ImportOutcome::Imported {
                created: rows.len(),
                updated: 0,
            }),
            // `holidays[i].field` is line i + 2 of the file.
            Err(AppError::Invalid(errs)) => {
                let mut by_line: std::collections::BTreeMap<usize, Vec<FieldError>> = Default::default();
                for mut e in errs {
                    let (line, field) =
                        match e.field.strip_prefix("holidays[").and_then(|r| r.split_once("].")) {
                            Some((i, f)) => (i.parse::<usize>().map_or(1, |i| i + 2), f.to_owned()),
                            None => (1, "file".to_owned()),
                        };
                    e.field = field;
                    by_line.entry(line).or_default().push(e);
                }
                Ok(ImportOutcome::Rejected(
                    by_line
                        .into_iter()
                        .map(|(line, errors)| RowError { line, errors })
                        .collect(),
                ))
            }
            Err(other) => Err(other),
        }
    }

    /// After the calendar changed from `from` on: every running clock due since is computed again
    /// from its start under its rule. One whose stored date is the old calendar's answer moves to
    /// the new one; one whose date was set by hand (extended, resumed after a pause, a referral's
    /// own time) keeps it and is listed to be checked. Changing a rule never rewrites a clock;
    /// changing the calendar only corrects what the old calendar got wrong.
    async fn recompute_clocks(
        &self,
        conn: &mut AnyConnection,
        old: &Clocks,
        from: NaiveDate,
    ) -> Result<Recomputed, AppError> {
        // Read within the transaction and not cached: it is not committed yet.
        let new = Clocks::load(&mut *conn).await?;
        let mut done = Recomputed::default();
        // A change can move a due date back across the changed day by at most the longest run
        // of rest days it creates; a month's margin covers every holiday.
        let since = from - chrono::Days::new(31);
        for (k, number) in case::running_due_from(&mut *conn, since).await? {
            let Some(rule) = new.rule_of(&k) else { continue };
            let (Some(was), Some(now)) = (rule.due(&old.cal, k.start_date), rule.due(&new.cal, k.start_date))
            else {
                continue;
            };
            if was.due != now.due {
                recount(&mut *conn, k, number, &was, now, &mut done).await?;
            }
        }
        Ok(done)
    }
}
