//! Deadline rules as data (DOMAIN.md §0, §3): new versions saved by an administrator — from the page, the API or CSV — with their
//! effective dates, each checked and refused with its reasons, never dropped. A new version never
//! rewrites a clock already started unless the administrator asks; then what moved is listed.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{PauseReason, Unit};
use gongzhi_domain::policy::Action;
use gongzhi_domain::time;
use gongzhi_store::AnyConnection;
use gongzhi_store::case;
use gongzhi_store::deadline_rule::{self, RuleRow};

use super::Clocks;
use crate::calendar::{Recomputed, recount};
use crate::import::{ImportOutcome, RowError};
use crate::{App, AppError, Ctx, FieldError};

use super::defaults::rule_of;

/// A stored rule version, as the administrator's page and `GET /api/v1/deadline-rules` show it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DeadlineRule {
    /// The rule this is a version of (the first version's code).
    pub base: String,
    pub code: String,
    pub version: i64,
    pub clock: String,
    pub case_kind: String,
    pub trigger: String,
    pub amount: i64,
    pub unit: String,
    pub next_day: bool,
    pub roll_over: bool,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub region: String,
    pub source: String,
    pub extension_days: i64,
    pub extensions: i64,
    pub pausable: Vec<String>,
    /// Read by this release (a row it cannot read starts no clock and is shown as such).
    pub readable: bool,
}

/// The rule a code is a version of: `proc-reply-7d.v2` → `proc-reply-7d`.
pub fn base_of(code: &str) -> &str {
    code.split(".v").next().unwrap_or(code)
}

fn view(r: &RuleRow) -> DeadlineRule {
    DeadlineRule {
        base: base_of(&r.code).to_owned(),
        code: r.code.clone(),
        version: r.version,
        clock: r.clock.clone(),
        case_kind: r.case_kind.clone(),
        trigger: r.trigger_event.clone(),
        amount: r.amount,
        unit: r.unit.clone(),
        next_day: r.next_day != 0,
        roll_over: r.roll_over != 0,
        effective_from: r.effective_from.clone(),
        effective_to: r.effective_to.clone(),
        region: r.region.clone(),
        source: r.source.clone(),
        extension_days: r.extension_days,
        extensions: r.extensions,
        pausable: r
            .pausable
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        readable: rule_of(r).is_some(),
    }
}

/// A new version of a rule, as the page's form, `POST /api/v1/deadline-rules` and a CSV row give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RuleVersionForm {
    /// The rule (its first version's code, e.g. `proc-reply-7d`).
    pub base: String,
    pub amount: i64,
    /// calendar_day, working_day or month
    pub unit: String,
    /// Count from the day after the trigger (Civil Code Art. 201); false: the trigger day counts.
    #[serde(default = "yes")]
    pub next_day: bool,
    /// A last day that is a rest day moves to the next working day (Art. 203).
    #[serde(default = "yes")]
    pub roll_over: bool,
    #[serde(default)]
    pub extension_days: i64,
    #[serde(default)]
    pub extensions: i64,
    /// Pause reasons (`hearing`).
    #[serde(default)]
    pub pausable: Vec<String>,
    /// `YYYY-MM-DD`, after the version it follows.
    pub effective_from: String,
    /// `*` or a 6-digit county code.
    #[serde(default = "everywhere")]
    pub region: String,
    pub source: String,
    /// Also move the running clocks of the version it follows onto it (their due dates are
    /// recomputed and listed); by default they keep the rule they were started under.
    #[serde(default)]
    pub apply_to_running: bool,
}

fn yes() -> bool {
    true
}

fn everywhere() -> String {
    "*".into()
}

impl RuleVersionForm {
    /// Every reason the version cannot be saved after `latest`, as (field, key, limit).
    fn problems(&self, latest: &RuleRow) -> Vec<FieldError> {
        let mut out = Vec::new();
        let unit = Unit::parse(&self.unit);
        if unit.is_none() {
            out.push(FieldError::new("unit", "rule-unit-invalid"));
        }
        let max = match unit {
            Some(Unit::Month) => 24,
            _ => 365,
        };
        if !(0..=max).contains(&self.amount) || (self.amount == 0 && unit != Some(Unit::CalendarDay)) {
            out.push(FieldError::new("amount", "rule-amount-invalid").arg("max", max));
        }
        if !(0..=5).contains(&self.extensions) {
            out.push(FieldError::new("extensions", "rule-extensions-invalid"));
        }
        if !(0..=365).contains(&self.extension_days) || (self.extensions == 0) != (self.extension_days == 0) {
            out.push(FieldError::new("extension_days", "rule-extension-days-invalid"));
        }
        if let Some(p) = self.pausable.iter().find(|p| PauseReason::parse(p).is_none()) {
            out.push(FieldError::new("pausable", "rule-pausable-invalid").arg("code", p));
        }
        match NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d") {
            Ok(d) if d.to_string() > latest.effective_from => {}
            Ok(_) => out.push(
                FieldError::new("effective_from", "rule-effective-not-after")
                    .arg("date", &latest.effective_from),
            ),
            Err(_) => out.push(FieldError::new("effective_from", "date-invalid")),
        }
        let region = self.region.trim();
        if region != "*" && !(region.len() == 6 && region.chars().all(|c| c.is_ascii_digit())) {
            out.push(FieldError::new("region", "rule-region-invalid"));
        }
        let source = self.source.trim();
        if source.is_empty() || source.chars().count() > 200 {
            out.push(FieldError::new("source", "rule-source-invalid"));
        }
        out
    }
}

impl App {
    pub async fn deadline_rules(&self, ctx: &Ctx) -> Result<Vec<DeadlineRule>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut rows = deadline_rule::rules(&mut *self.db().conn().await?).await?;
        rows.sort_by(|a, b| {
            (base_of(&a.code), &a.effective_from).cmp(&(base_of(&b.code), &b.effective_from))
        });
        Ok(rows.iter().map(view).collect())
    }

    /// Saves a new version of a rule, effective from its date; every problem is reported.
    pub async fn save_rule_version(&self, ctx: &Ctx, form: &RuleVersionForm) -> Result<Recomputed, AppError> {
        let actor = self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        let done = self
            .insert_rule_version(tx.conn(), ctx, form, &actor.display_name)
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn insert_rule_version(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        f: &RuleVersionForm,
        by: &str,
    ) -> Result<Recomputed, AppError> {
        let rows = deadline_rule::rules(&mut *conn).await?;
        let base = f.base.trim();
        let latest = rows
            .iter()
            .filter(|r| base_of(&r.code) == base)
            .max_by_key(|r| (r.effective_from.clone(), r.version))
            .ok_or_else(|| AppError::field("base", "rule-unknown"))?
            .clone();
        let problems = f.problems(&latest);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let from: NaiveDate = f
            .effective_from
            .trim()
            .parse()
            .map_err(|_| AppError::field("effective_from", "date-invalid"))?;
        let version = latest.version + 1;
        let row = RuleRow {
            code: format!("{base}.v{version}"),
            amount: f.amount,
            unit: f.unit.clone(),
            next_day: i64::from(f.next_day),
            roll_over: i64::from(f.roll_over),
            effective_from: from.to_string(),
            effective_to: None,
            region: f.region.trim().to_owned(),
            source: f.source.trim().to_owned(),
            version,
            updated_at: time::to_millis(self.now()),
            extension_days: f.extension_days,
            extensions: f.extensions,
            pausable: f.pausable.join(","),
            ..latest.clone()
        };
        let old = Clocks::load(&mut *conn).await?;
        deadline_rule::insert_version(&mut *conn, &row)
            .await
            .map_err(|_| AppError::field("base", "rule-version-taken"))?;
        // The version it follows ends the day before — in its own region only: a county's
        // version leaves the province-wide one to the rest.
        if let Some(last) = from.pred_opt()
            && row.region == latest.region
        {
            deadline_rule::close_version(&mut *conn, &latest.code, &last.to_string()).await?;
        }
        let mut done = Recomputed::default();
        if f.apply_to_running {
            let new = Clocks::load(&mut *conn).await?;
            let (Some(was), Some(now)) = (rule_of(&latest), new.rules.iter().find(|r| r.code == row.code))
            else {
                return Err(AppError::Internal("rule version unreadable".into()));
            };
            for (k, number) in case::running_due_from(&mut *conn, NaiveDate::MIN).await? {
                if k.rule_code != latest.code {
                    continue;
                }
                let (Some(a), Some(b)) = (was.due(&old.cal, k.start_date), now.due(&new.cal, k.start_date))
                else {
                    continue;
                };
                let id = k.id.to_string();
                if recount(&mut *conn, k, number, &a, b, &mut done).await? {
                    deadline_rule::rebase_clock(&mut *conn, &id, &row.code).await?;
                }
            }
        }
        ctx.audit(
            &mut *conn,
            "deadline_rule.version",
            "deadline_rule",
            &row.code,
            Changes::new()
                .set("by", by)
                .field("amount", latest.amount, row.amount)
                .field("unit", latest.unit.as_str(), row.unit.as_str())
                .field("extension_days", latest.extension_days, row.extension_days)
                .field("extensions", latest.extensions, row.extensions)
                .field("pausable", latest.pausable.as_str(), row.pausable.as_str())
                .set("effective_from", row.effective_from.clone())
                .set("applied_to_running", f.apply_to_running)
                .set("moved", done.moved.len()),
        )
        .await?;
        Ok(done)
    }

    /// CSV rows `base,amount,unit,next_day,roll_over,extension_days,extensions,pausable,
    /// effective_from,region,source`, each a new version; all or nothing, each bad row named.
    pub(crate) async fn import_rule_versions(
        &self,
        ctx: &Ctx,
        rows: &[(usize, Vec<String>)],
    ) -> Result<ImportOutcome, AppError> {
        let actor = self.authorize(ctx, Action::ManageReference).await?;
        let flag = |v: &str| matches!(v.trim(), "1" | "yes" | "true");
        let mut tx = self.db().begin().await?;
        let mut failed = Vec::new();
        for (line, r) in rows {
            let mut errors = Vec::new();
            let mut num = |i: usize, name: &str| {
                r[i].trim().parse::<i64>().unwrap_or_else(|_| {
                    errors.push(FieldError::new(name, "number-invalid"));
                    0
                })
            };
            let form = RuleVersionForm {
                base: r[0].clone(),
                amount: num(1, "amount"),
                unit: r[2].clone(),
                next_day: flag(&r[3]),
                roll_over: flag(&r[4]),
                extension_days: num(5, "extension_days"),
                extensions: num(6, "extensions"),
                pausable: r[7]
                    .split([' ', ';'])
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                effective_from: r[8].clone(),
                region: if r[9].trim().is_empty() {
                    "*".into()
                } else {
                    r[9].clone()
                },
                source: r[10].clone(),
                apply_to_running: false,
            };
            if !errors.is_empty() {
                failed.push(RowError { line: *line, errors });
                continue;
            }
            match self
                .insert_rule_version(tx.conn(), ctx, &form, &actor.display_name)
                .await
            {
                Ok(_) => {}
                Err(AppError::Invalid(errors)) => failed.push(RowError { line: *line, errors }),
                Err(e) => return Err(e),
            }
        }
        if !failed.is_empty() {
            return Ok(ImportOutcome::Rejected(failed));
        }
        tx.commit().await?;
        Ok(ImportOutcome::Imported {
            created: rows.len(),
            updated: 0,
        })
    }
}
