//! The risk gate: assessing a case, the leader's sign-off, the mitigation plan.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::Action;
use gongzhi_domain::risk::{self, RiskInput, RiskLevel};
use gongzhi_domain::workflow::{self, CaseKind, Command, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case};
use gongzhi_store::referral;
use gongzhi_store::risk as risk_rows;
use gongzhi_store::risk::Assessment;

use crate::case::district_wide;
use crate::error::Checks;
use crate::task::ActionItem;
use crate::{App, AppError, Ctx};

/// A risk assessment, as the case page's form and `POST /api/v1/cases/{id}/risk` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RiskForm {
    #[serde(flatten)]
    pub input: RiskInput,
    #[serde(default)]
    pub note: String,
    /// The mitigation plan (稳控措施); required before a medium or high risk can be decided.
    #[serde(default)]
    pub plan: String,
}

/// The mitigation plan and its tasks, which appear in their owners' inboxes.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PlanForm {
    /// The mitigation plan (稳控措施).
    pub plan: String,
    #[serde(default)]
    pub tasks: Vec<ActionItem>,
}

impl App {
    /// Records a risk assessment with the current rule set. On a registered dispute the assessment
    /// is its grading step (§3.1).
    pub async fn assess_risk(&self, ctx: &Ctx, case: Id, form: &RiskForm) -> Result<Assessment, AppError> {
        let RiskForm { input, note, plan } = form;
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.status.is_closed() {
            return Err(AppError::field("case", "case-closed"));
        }
        let mut checks = Checks::new();
        checks.check(input.people <= 10_000, "people", "number-invalid");
        checks.check(input.amount_yuan >= 0, "amount_yuan", "number-invalid");
        checks.finish()?;
        let result = risk::assess(input);
        let a = Assessment {
            id: Id::new().to_string(),
            case_id: case.to_string(),
            ruleset: risk::RULESET_VERSION.into(),
            inputs: serde_json::to_string(input).map_err(|e| AppError::Internal(e.to_string()))?,
            factors: risk::write_factors(&result.factors),
            score: i64::from(result.score),
            level: result.level.code().into(),
            note: note.trim().to_owned(),
            assessor_id: Some(actor.user_id.to_string()),
            assessor_name: actor.display_name.clone(),
            at: time::to_millis(self.now()).max(c.risk_stale_after),
            plan: plan.trim().to_owned(),
            signed_off_by: String::new(),
            signed_off_at: None,
        };
        risk_rows::insert_assessment(tx.conn(), &a).await?;
        c.risk_level = Some(result.level);
        let graded = self.grade_when_cleared(tx.conn(), &mut c).await?;
        self.save(tx.conn(), &c).await?;
        self.event(
            tx.conn(),
            ctx,
            &c,
            "risk-assessed",
            &EventDetail::RiskAssessed {
                level: result.level,
                score: result.score,
            }
            .encode(),
            false,
        )
        .await?;
        if graded {
            self.event(tx.conn(), ctx, &c, "cmd-grade", "", false).await?;
        }
        ctx.audit(
            tx.conn(),
            "case.assess_risk",
            "case",
            &case.to_string(),
            Changes::new()
                .set("level", result.level.code())
                .set("score", result.score)
                .set("ruleset", risk::RULESET_VERSION),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// A leader signs off a high-risk assessment (§3.5: "leadership sign-off").
    pub async fn sign_off_risk(&self, ctx: &Ctx, case: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::SignOffRisk).await?;
        let mut tx = self.db().begin().await?;
        let mut c = case::get_case(tx.conn(), case).await?.ok_or(AppError::NotFound)?;
        if !district_wide(&actor) && actor.agency_id != c.owner_agency_id {
            return Err(AppError::NotFound);
        }
        let a = risk_rows::assessments(tx.conn(), case)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::field("risk", "risk-none"))?;
        if a.level != RiskLevel::High.code() {
            return Err(AppError::field("risk", "risk-signoff-not-high"));
        }
        if a.plan.trim().is_empty() {
            return Err(AppError::field("risk", "risk-plan-missing"));
        }
        risk_rows::sign_off(tx.conn(), &a.id, &actor.display_name, time::to_millis(self.now()))
            .await
            .map_err(|_| AppError::field("risk", "risk-already-signed"))?;
        self.event(tx.conn(), ctx, &c, "risk-signed-off", "", false)
            .await?;
        if self.grade_when_cleared(tx.conn(), &mut c).await? {
            self.save(tx.conn(), &c).await?;
            self.event(tx.conn(), ctx, &c, "cmd-grade", "", false).await?;
        }
        ctx.audit(
            tx.conn(),
            "case.risk_sign_off",
            "case",
            &case.to_string(),
            Changes::new().set("assessment", a.id.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The mitigation plan (稳控措施) of the latest assessment and its tasks, each with an owner and
    /// a due date; the tasks appear in their owners' inboxes.
    pub async fn set_mitigation(&self, ctx: &Ctx, case: Id, form: &PlanForm) -> Result<(), AppError> {
        let PlanForm { plan, tasks } = form;
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        let a = risk_rows::assessments(tx.conn(), case)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::field("plan", "risk-none"))?;
        if a.signed_off_at.is_some() {
            return Err(AppError::field("plan", "risk-already-signed"));
        }
        let mut checks = Checks::new();
        checks.check(!plan.trim().is_empty(), "plan", "plan-required");
        // The plan's tasks go to the owning agency and the agencies the case is referred to.
        let mut agencies = vec![c.owner_agency_id];
        for r in referral::referrals(tx.conn(), case).await? {
            if r.state != "revoked"
                && let Ok(a) = r.to_agency_id.parse::<Id>()
            {
                agencies.push(a);
            }
        }
        let parsed = self.check_tasks(tx.conn(), &mut checks, tasks, &agencies).await?;
        checks.finish()?;
        risk_rows::set_plan(tx.conn(), &a.id, plan.trim()).await?;
        self.insert_tasks(tx.conn(), Some(c.id), "risk", &a.id, parsed)
            .await?;
        self.event(tx.conn(), ctx, &c, "risk-plan", plan.trim(), false)
            .await?;
        if self.grade_when_cleared(tx.conn(), &mut c).await? {
            self.save(tx.conn(), &c).await?;
            self.event(tx.conn(), ctx, &c, "cmd-grade", "", false).await?;
        }
        ctx.audit(
            tx.conn(),
            "case.mitigation_plan",
            "case",
            &case.to_string(),
            Changes::new().set("tasks", tasks.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// §3.1 step 3 with §3.5: a registered dispute is graded by its risk assessment as soon as the
    /// gate is cleared — at the assessment for a low risk, at the plan for a medium one, at the
    /// leader's sign-off for a high one — so that no step leaves it waiting for a command nobody
    /// is offered. Says whether it was graded (the caller saves the case).
    async fn grade_when_cleared(&self, conn: &mut AnyConnection, c: &mut Case) -> Result<bool, AppError> {
        if c.kind != CaseKind::Dispute || c.status != Status::Registered {
            return Ok(false);
        }
        let facts = workflow::Facts {
            level: c.level,
            risk: self.risk_facts(&mut *conn, c).await?,
            ..Default::default()
        };
        Ok(match workflow::apply(c.kind, c.status, Command::Grade, facts) {
            Ok(out) => {
                c.status = out.to;
                true
            }
            Err(_) => false,
        })
    }
}
