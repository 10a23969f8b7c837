//! Opening an aid case and its steps.

use chrono::{Datelike, NaiveDate};
use gongzhi_domain::aid::{self as rules, AidCategory, AidCommand, AidExclusion, AmountError};
use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{self, ClockKind};
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::aid::{self as store, AidRow};
use gongzhi_store::{AnyConnection, StoreError, case, reference};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// The province whose wage is the base (甘肃, the procuratorate's; §3.8 "amount").
pub const PROVINCE: &str = "62";

/// A clue from the case department: `POST /api/v1/aid-cases`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAid {
    pub case_id: String,
    /// The party who may be aided.
    pub party_id: String,
    /// What suggests hardship caused by the case.
    pub clue: String,
}

/// Any step's fields (`POST /api/v1/aid-cases/{id}/steps/{step}`); each step reads its own.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AidStep {
    #[serde(default)]
    pub version: i64,
    /// `apply`: `written` or `oral` (an oral application recorded).
    #[serde(default)]
    pub mode: String,
    /// `apply`, `decide`: the eligibility checklist.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub exclusions: Vec<String>,
    /// `apply`: proof of hardship (household, work capacity, income, from the village committee).
    #[serde(default)]
    pub hardship: String,
    /// `advance`, `decide`: yuan.
    #[serde(default)]
    pub amount: i64,
    /// `decide`: what a court would award, when known (yuan; the amount never exceeds it).
    #[serde(default)]
    pub court_award: i64,
    /// `decide`, `advance`: the recorded approval for going above the cap.
    #[serde(default)]
    pub over_cap_approval: String,
    /// `decide`, `reject`: the decision and its reasons.
    #[serde(default)]
    pub text: String,
    /// `inform`, `request_funds`, `notify`, `pay`, `close`: what was done.
    #[serde(default)]
    pub note: String,
}

fn joined<T: Copy>(
    codes: &[String],
    parse: impl Fn(&str) -> Option<T>,
    code: impl Fn(T) -> &'static str,
    checks: &mut Checks,
    field: &str,
) -> (Vec<T>, String) {
    let mut out = Vec::new();
    for c in codes {
        match parse(c) {
            Some(v) => out.push(v),
            None => checks.fail(FieldError::new(field, "aid-code-invalid")),
        }
    }
    let text = out.iter().map(|v| code(*v)).collect::<Vec<_>>().join(",");
    (out, text)
}

impl App {
    pub async fn open_aid(&self, ctx: &Ctx, f: &NewAid) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::HandleAid).await?;
        let mut tx = self.db().begin().await?;
        let case_id = f
            .case_id
            .parse::<Id>()
            .map_err(|_| AppError::field("case_id", "case-unknown"))?;
        let c = self
            .case_for_write(tx.conn(), ctx, case_id)
            .await
            .map_err(|_| AppError::field("case_id", "case-unknown"))?;
        let party = case::parties(tx.conn(), c.id)
            .await?
            .into_iter()
            .find(|p| p.id == f.party_id.trim())
            .ok_or_else(|| AppError::field("party_id", "aid-party-unknown"))?;
        // §3.8: aid is for victims, their dependants, witnesses — never the suspect.
        if party.role == "suspect" {
            return Err(AppError::field("party_id", "aid-party-suspect"));
        }
        if f.clue.trim().is_empty() {
            return Err(AppError::field("clue", "aid-field-required"));
        }
        let party_id: Id = party.id.parse().map_err(|_| AppError::NotFound)?;
        // §3.8: one aid per person per case — name the earlier one.
        if let Some(earlier) = store::aid_of_party(tx.conn(), c.id, party_id).await? {
            return Err(AppError::Invalid(vec![
                FieldError::new("party_id", "aid-once-per-case")
                    .arg("name", &party.name)
                    .arg("at", time::local_date(time::from_millis(earlier.created_at)))
                    .arg("id", &earlier.id),
            ]));
        }
        let id = Id::new();
        let now = time::to_millis(self.now());
        let row = AidRow {
            id: id.to_string(),
            agency_id: actor.agency_id.to_string(),
            case_id: c.id.to_string(),
            party_id: party.id.clone(),
            applicant_name: party.name.clone(),
            state: rules::AidState::Clue.code().into(),
            clue: f.clue.trim().to_owned(),
            created_by_name: actor.display_name.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
            ..AidRow::default()
        };
        store::insert_aid(tx.conn(), &row).await.map_err(|e| match e {
            StoreError::Duplicate(_) => AppError::field("party_id", "aid-once-per-case-race"),
            other => other.into(),
        })?;
        self.event(tx.conn(), ctx, &c, "aid", f.clue.trim(), false)
            .await?;
        ctx.audit(
            tx.conn(),
            "aid.open",
            "aid_case",
            &row.id,
            Changes::new().set("case", c.number.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn working_days_on(
        &self,
        conn: &mut AnyConnection,
        clock: ClockKind,
        from: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        let clocks = self.clocks(conn).await?;
        deadline::pick(&clocks.rules, clock, from, crate::deadlines::REGION)
            .and_then(|r| r.due(&clocks.cal, from))
            .map(|d| d.due)
            .ok_or_else(|| {
                AppError::Invalid(vec![
                    FieldError::new("note", "deadline-rule-missing").arg("clock", clock),
                ])
            })
    }

    /// The previous year's wage for a decision made on `today`, or an error saying it is missing.
    async fn base_wage(&self, conn: &mut AnyConnection, today: NaiveDate) -> Result<(i32, i64), AppError> {
        let year = today.year() - 1;
        match store::wage(conn, PROVINCE, year).await? {
            Some((m, _)) => Ok((year, m)),
            None => Err(AppError::Invalid(vec![
                FieldError::new("amount", "aid-wage-missing").arg("year", year),
            ])),
        }
    }

    pub async fn aid_step(
        &self,
        ctx: &Ctx,
        id: Id,
        command: AidCommand,
        f: &AidStep,
    ) -> Result<(), AppError> {
        let actor = self
            .authorize(
                ctx,
                if command.is_chiefs() {
                    Action::DecideAid
                } else {
                    Action::HandleAid
                },
            )
            .await?;
        let mut tx = self.db().begin().await?;
        let aid = self.aid_for(tx.conn(), &actor, id).await?;
        if f.version != 0 && f.version != aid.row.version {
            return Err(AppError::Conflict(vec![(
                "state".into(),
                aid.state.code().into(),
            )]));
        }
        let to = rules::next(aid.state, command).map_err(|_| {
            AppError::Invalid(vec![
                FieldError::new("command", "aid-not-now")
                    .arg("state", aid.state)
                    .arg("command", command),
            ])
        })?;
        let today = time::local_date(self.now());
        let mut row = aid.row.clone();
        let mut checks = Checks::new();
        use AidCommand as C;
        match command {
            C::Inform | C::RequestFunds | C::Close => {
                checks.check(!f.note.trim().is_empty(), "note", "aid-field-required");
            }
            C::Apply => {
                checks.check(
                    matches!(f.mode.as_str(), "written" | "oral"),
                    "mode",
                    "aid-mode-invalid",
                );
                checks.check(!f.hardship.trim().is_empty(), "hardship", "aid-field-required");
                let (cats, text) = joined(
                    &f.categories,
                    AidCategory::parse,
                    AidCategory::code,
                    &mut checks,
                    "categories",
                );
                checks.check(!cats.is_empty(), "categories", "aid-category-required");
                row.categories = text;
                row.hardship = f.hardship.trim().to_owned();
                row.application_mode = f.mode.clone();
                row.applied_on = Some(today.to_string());
                row.review_due = Some(
                    self.working_days_on(tx.conn(), ClockKind::AidReview, today)
                        .await?
                        .to_string(),
                );
            }
            C::Advance => {
                let (year, wage) = self.base_wage(tx.conn(), today).await?;
                let exceptional = !f.over_cap_approval.trim().is_empty();
                let limit = wage
                    * if exceptional {
                        rules::ADVANCE_MONTHS_EXCEPTIONAL
                    } else {
                        rules::ADVANCE_MONTHS
                    };
                if f.amount <= 0 || f.amount > limit {
                    checks.fail(
                        FieldError::new("amount", "aid-advance-limit")
                            .arg("limit", limit)
                            .arg("year", year),
                    );
                }
                row.advance = f.amount;
                row.over_cap_approval = f.over_cap_approval.trim().to_owned();
            }
            C::Decide => {
                let (_, exclusions) = joined(
                    &f.exclusions,
                    AidExclusion::parse,
                    AidExclusion::code,
                    &mut checks,
                    "exclusions",
                );
                if !exclusions.is_empty() {
                    // §3.8 "generally not aided": an exclusion on the checklist means a refusal.
                    checks.fail(FieldError::new("exclusions", "aid-excluded"));
                }
                let (cats, text) = joined(
                    &f.categories,
                    AidCategory::parse,
                    AidCategory::code,
                    &mut checks,
                    "categories",
                );
                checks.check(!cats.is_empty(), "categories", "aid-category-required");
                checks.check(!f.text.trim().is_empty(), "text", "aid-field-required");
                let (year, wage) = self.base_wage(tx.conn(), today).await?;
                let approved = !f.over_cap_approval.trim().is_empty();
                match rules::check_amount(f.amount, wage, approved, Some(f.court_award)) {
                    Ok(()) => {}
                    Err(AmountError::NotPositive) => {
                        checks.fail(FieldError::new("amount", "aid-amount-invalid"))
                    }
                    Err(AmountError::OverCap { cap }) => checks.fail(
                        FieldError::new("amount", "aid-over-cap")
                            .arg("cap", cap)
                            .arg("wage", wage)
                            .arg("year", year),
                    ),
                    Err(AmountError::OverAward { award }) => {
                        checks.fail(FieldError::new("amount", "aid-over-award").arg("award", award))
                    }
                }
                row.categories = text;
                row.exclusions = String::new();
                row.amount = f.amount;
                row.court_award = f.court_award.max(0);
                row.over_cap_approval = f.over_cap_approval.trim().to_owned();
                row.wage_year = i64::from(year);
                row.monthly_wage = wage;
                row.decision_text = f.text.trim().to_owned();
                row.decided_by_name = actor.display_name.clone();
                row.decided_at = Some(time::to_millis(self.now()));
                // Numbered in the deciding transaction: a refused decision gives it back (gapless).
                let agency = reference::agency_get(tx.conn(), actor.agency_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let seq = case::next_seq(tx.conn(), actor.agency_id, "aid", today.year()).await?;
                row.number = Some(rules::number(&agency.short_name, today.year(), seq));
            }
            C::Reject => {
                checks.check(!f.text.trim().is_empty(), "text", "aid-field-required");
                let (_, ex) = joined(
                    &f.exclusions,
                    AidExclusion::parse,
                    AidExclusion::code,
                    &mut checks,
                    "exclusions",
                );
                row.exclusions = ex;
                row.decision_text = f.text.trim().to_owned();
                row.decided_by_name = actor.display_name.clone();
                row.decided_at = Some(time::to_millis(self.now()));
            }
            C::ReceiveFunds => {
                row.funds_received_on = Some(today.to_string());
                row.notify_due = Some(
                    self.working_days_on(tx.conn(), ClockKind::AidNotice, today)
                        .await?
                        .to_string(),
                );
            }
            C::Notify => row.notified_on = Some(today.to_string()),
            C::Pay => row.paid_on = Some(today.to_string()),
        }
        checks.finish()?;
        if !f.note.trim().is_empty() {
            row.note = f.note.trim().to_owned();
        }
        row.state = to.code().into();
        row.updated_at = time::to_millis(self.now());
        store::save_aid(tx.conn(), &row, aid.row.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), aid.state.code().into())]),
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            &format!("aid.{}", command.code()),
            "aid_case",
            &row.id,
            Changes::new()
                .field("state", aid.state.code(), to.code())
                .set("amount", row.amount)
                .set("advance", row.advance),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the province's average monthly wage of a year (the base of every aid amount).
    pub async fn set_provincial_wage(
        &self,
        ctx: &Ctx,
        year: i32,
        monthly: i64,
        source: &str,
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut checks = Checks::new();
        checks.check((2000..=2100).contains(&year), "year", "aid-wage-year");
        checks.check(
            (1_000..=100_000).contains(&monthly),
            "monthly",
            "aid-wage-invalid",
        );
        checks.check(!source.trim().is_empty(), "source", "aid-field-required");
        checks.finish()?;
        let mut tx = self.db().begin().await?;
        store::put_wage(
            tx.conn(),
            PROVINCE,
            year,
            monthly,
            source.trim(),
            time::to_millis(self.now()),
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "aid.wage",
            "provincial_wage",
            &format!("{PROVINCE}/{year}"),
            Changes::new()
                .set("monthly", monthly)
                .set("source", source.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
