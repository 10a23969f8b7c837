//! The risk gate (DOMAIN.md §3.5): assessing a case, the leader's sign-off, the mitigation plan
//! and its tasks, the reassessment after mitigation; the rule sets in [`rules`].

mod rules;

pub use rules::RulesetView;

use gongzhi_domain::audit::Changes;
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::notice::Message;
use gongzhi_domain::policy::Action;
use gongzhi_domain::risk::{self, RiskInput, RiskLevel};
use gongzhi_domain::workflow::RiskFacts;
use gongzhi_domain::workflow::{self, CaseKind, Command, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::Case;
use gongzhi_store::referral;
use gongzhi_store::risk as risk_rows;
use gongzhi_store::risk::Assessment;
use gongzhi_store::task;

use crate::error::Checks;
use crate::task::ActionItem;
use crate::{App, AppError, Ctx, FieldError};

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
        let rules = self.risk_rules_for(tx.conn(), &c).await?;
        let input = rules.complete(input, &self.derived_risk(tx.conn(), &c).await?);
        // §3.5 High → mitigation → reassessed: while the latest high risk is not yet mitigated
        // (signed off, every task done) it cannot be assessed away — not even after new facts
        // made it stale, or escalating a case would open the gate.
        let previous = self.latest_assessment(tx.conn(), &c).await?;
        let mut reassesses = String::new();
        let mut carried_plan = String::new();
        if let Some((p, facts)) = &previous
            && p.level == RiskLevel::High.code()
        {
            if facts.unmitigated_high() {
                return Err(AppError::field("risk", "risk-high-unmitigated"));
            }
            reassesses = p.id.clone();
            carried_plan = p.plan.clone();
        }
        let result = rules.assess(&input);
        let plan = match plan.trim() {
            "" => carried_plan,
            typed => typed.to_owned(),
        };
        // §3.5 {Risk → MitigationPlan}: a medium or high risk is not recorded without its plan
        // (稳控措施), so the gate's condition is met when the level is, not found at the decision.
        if result.level != RiskLevel::Low && plan.trim().is_empty() {
            return Err(AppError::Invalid(vec![
                FieldError::new("plan", &format!("risk-plan-needed-{}", result.level.code()))
                    .arg("score", result.score),
            ]));
        }
        let a = Assessment {
            id: Id::new().to_string(),
            case_id: case.to_string(),
            ruleset: rules.version.clone(),
            inputs: serde_json::to_string(&input).map_err(|e| AppError::Internal(e.to_string()))?,
            factors: risk::write_factors(&result.factors),
            score: i64::from(result.score),
            level: result.level.code().into(),
            note: note.trim().to_owned(),
            assessor_id: Some(actor.user_id.to_string()),
            assessor_name: actor.display_name.clone(),
            at: time::to_millis(self.now()).max(c.risk_stale_after),
            plan,
            signed_off_by: String::new(),
            signed_off_at: None,
            reassesses,
            sign_off_refused_at: None,
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
                .set("ruleset", a.ruleset.clone())
                .set("reassesses", a.reassesses.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// A leader signs off a high-risk assessment (§3.5: "leadership sign-off").
    pub async fn sign_off_risk(&self, ctx: &Ctx, case: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::SignOffRisk).await?;
        let mut tx = self.db().begin().await?;
        let (mut c, a) = self.high_for_sign_off(tx.conn(), ctx, case).await?;
        if a.plan.trim().is_empty() {
            return Err(AppError::field("risk", "risk-plan-missing"));
        }
        // A first high-risk assessment is mitigated by tasks with owners (§3.5 Mitigating); the
        // leadership signs off the plan with them. A reassessment carries the plan already done.
        if a.reassesses.is_empty() && task::tasks_of_source(tx.conn(), &a.id).await?.is_empty() {
            return Err(AppError::field("risk", "risk-tasks-missing"));
        }
        risk_rows::sign_off(tx.conn(), &a.id, &actor.display_name, time::to_millis(self.now()))
            .await
            .map_err(|_| AppError::field("risk", "risk-already-signed"))?;
        self.event(tx.conn(), ctx, &c, "risk-signed-off", "", false)
            .await?;
        self.grade_and_record(tx.conn(), ctx, &mut c).await?;
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

    /// The head refuses the sign-off with a reason: the handler is told and revises the plan (the
    /// assessment stays unsigned, the gate closed).
    pub async fn refuse_risk(&self, ctx: &Ctx, case: Id, reason: &str) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::SignOffRisk).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::field("reason", "reason-required"));
        }
        let mut tx = self.db().begin().await?;
        let (c, a) = self.high_for_sign_off(tx.conn(), ctx, case).await?;
        self.event(tx.conn(), ctx, &c, "risk-sign-off-refused", reason, false)
            .await?;
        risk_rows::refuse_sign_off(tx.conn(), &a.id, time::to_millis(self.now())).await?;
        self.notify_case(
            tx.conn(),
            &c,
            format!("risk-refused:{}:{}", a.id, time::to_millis(self.now())),
            Message::SignOffRefused {
                by: actor.display_name.clone(),
                reason: reason.to_owned(),
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.risk_sign_off_refused",
            "case",
            &case.to_string(),
            Changes::new()
                .set("assessment", a.id.clone())
                .set("reason", reason),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The case and its latest assessment, which must be a high risk awaiting the sign-off of the
    /// head of the agency handling the case.
    async fn high_for_sign_off(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
    ) -> Result<(Case, Assessment), AppError> {
        let c = self.case_for_approval(&mut *conn, ctx, case, "risk").await?;
        let a = risk_rows::assessments(conn, case)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::field("risk", "risk-none"))?;
        if a.level != RiskLevel::High.code() {
            return Err(AppError::field("risk", "risk-signoff-not-high"));
        }
        if a.signed_off_at.is_some() {
            return Err(AppError::field("risk", "risk-already-signed"));
        }
        Ok((c, a))
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
        if a.level == RiskLevel::High.code()
            && a.reassesses.is_empty()
            && parsed.is_empty()
            && task::tasks_of_source(tx.conn(), &a.id).await?.is_empty()
        {
            checks.fail(FieldError::new("tasks[0].title", "risk-tasks-required"));
        }
        checks.finish()?;
        risk_rows::set_plan(tx.conn(), &a.id, plan.trim()).await?;
        // A refusal asked for a revised plan: this is it.
        gongzhi_store::notice::resolve_notices(
            tx.conn(),
            case,
            &format!("risk-refused:{}:", a.id),
            time::to_millis(self.now()),
        )
        .await?;
        self.insert_tasks(tx.conn(), Some(c.id), "risk", &a.id, parsed)
            .await?;
        self.event(tx.conn(), ctx, &c, "risk-plan", plan.trim(), false)
            .await?;
        self.grade_and_record(tx.conn(), ctx, &mut c).await?;
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

    /// The latest assessment if it is current (no later change made it stale), with what the gate
    /// knows of it.
    pub(crate) async fn current_assessment(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
    ) -> Result<Option<(Assessment, RiskFacts)>, AppError> {
        Ok(self
            .latest_assessment(conn, c)
            .await?
            .filter(|(a, _)| a.at >= c.risk_stale_after))
    }

    /// The latest assessment, current or stale, with what the gate knows of it.
    pub(crate) async fn latest_assessment(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
    ) -> Result<Option<(Assessment, RiskFacts)>, AppError> {
        let Some(a) = risk_rows::assessments(&mut *conn, c.id).await?.into_iter().next() else {
            return Ok(None);
        };
        let tasks = task::tasks_of_source(conn, &a.id).await?;
        let facts = RiskFacts {
            current: RiskLevel::parse(&a.level),
            signed_off: a.signed_off_at.is_some(),
            has_plan: !a.plan.trim().is_empty(),
            tasks_open: tasks.iter().any(|t| t.done_at.is_none()),
            reassessment: !a.reassesses.is_empty(),
        };
        Ok(Some((a, facts)))
    }

    /// Grades the dispute if the gate now clears, saving it and recording the step.
    async fn grade_and_record(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &mut Case,
    ) -> Result<(), AppError> {
        if self.grade_when_cleared(&mut *conn, c).await? {
            self.save(&mut *conn, c).await?;
            self.event(conn, ctx, c, "cmd-grade", "", false).await?;
        }
        Ok(())
    }

    /// §3.1 step 3 with §3.5: a registered dispute is graded by its risk assessment as soon as the
    /// gate is cleared — at the assessment for a low risk, at the plan for a medium one, at the
    /// reassessment after mitigation (or its sign-off) for a high one — so that no step leaves it
    /// waiting for a command nobody is offered. Says whether it was graded (the caller saves the case).
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
