//! The risk panel: assessing, the leader's sign-off, the mitigation plan with its tasks, the
//! reassessment after mitigation, and what the gate still needs (DOMAIN.md §3.5).

use axum::extract::{Path, State};
use gongzhi_app::case::CaseView;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::risk::{Derived, RiskInput};
use gongzhi_app::risk::{PlanForm, RiskForm};
use gongzhi_app::task::ActionItem;
use gongzhi_app::{AppError, FieldError};

use crate::AppState;
use crate::form::FormData;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::{after, fmt_ms, risk_class};
use crate::ui::inbox::from_inbox;

pub fn router() -> Routes {
    Routes::new()
        .post("/cases/{id}/risk", Access::Staff(Action::HandleCase), assess)
        .post(
            "/cases/{id}/risk/sign-off",
            Access::Staff(Action::SignOffRisk),
            sign_off,
        )
        .post(
            "/cases/{id}/risk/refuse",
            Access::Staff(Action::SignOffRisk),
            refuse,
        )
        .post("/cases/{id}/risk/plan", Access::Staff(Action::HandleCase), plan)
        .post(
            "/cases/{id}/risk/tasks/{task}/done",
            Access::Staff(Action::ViewCases),
            task_done,
        )
}

pub struct FactorRow {
    pub label: String,
    pub points: u32,
}

pub struct AssessmentRow {
    pub level: String,
    pub level_code: String,
    pub class: &'static str,
    pub score: i64,
    pub ruleset: String,
    pub factors: Vec<FactorRow>,
    pub assessor: String,
    pub at: String,
    pub plan: String,
    pub signed: String,
    pub note: String,
    /// A reassessment after the mitigation of a high risk.
    pub reassessment: bool,
}

pub struct TaskRow {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub done: bool,
    /// The viewer owns the task and may mark it done here.
    pub mine: bool,
}

/// What the risk panel shows: the assessments newest first, the mitigation tasks, and what is
/// true of the gate now.
pub struct RiskPanel {
    pub rows: Vec<AssessmentRow>,
    pub tasks: Vec<TaskRow>,
    pub tasks_done: usize,
    /// What the gate still needs, in words ("" when a decision may be taken).
    pub needs: String,
    /// The next step is the reassessment (a high risk mitigated).
    pub reassess_due: bool,
    /// A new assessment may be recorded (not while a high risk awaits its mitigation).
    pub may_assess: bool,
    /// The leader's sign-off is what the gate waits for.
    pub sign_due: bool,
    /// The head refused the sign-off: the plan is to be revised first.
    pub refused: bool,
    pub derived: Derived,
    /// The rule set a new assessment is scored by.
    pub rules: String,
}

pub(crate) fn risk_panel(t: &T, v: &CaseView, viewer: Id) -> RiskPanel {
    let rows: Vec<AssessmentRow> = v
        .assessments
        .iter()
        .map(|a| AssessmentRow {
            level: t.code("risk", &a.level),
            level_code: a.level.clone(),
            class: risk_class(&a.level),
            score: a.score,
            ruleset: a.ruleset.clone(),
            factors: a
                .scored()
                .iter()
                .map(|f| FactorRow {
                    label: t.code("factor", f.factor.code()),
                    points: f.points,
                })
                .collect(),
            assessor: a.assessor_name.clone(),
            at: fmt_ms(a.at),
            plan: a.plan.clone(),
            signed: match a.signed_off_at {
                Some(at) => format!("{} · {}", a.signed_off_by, fmt_ms(at)),
                None => String::new(),
            },
            note: a.note.clone(),
            reassessment: !a.reassesses.is_empty(),
        })
        .collect();
    let r = v.risk;
    let needs = v.risk_needs.unwrap_or_default();
    let refused = v
        .assessments
        .first()
        .is_some_and(|a| a.sign_off_refused_at.is_some());
    RiskPanel {
        tasks_done: v.plan_tasks.iter().filter(|k| k.done_at.is_some()).count(),
        tasks: v
            .plan_tasks
            .iter()
            .map(|k| TaskRow {
                id: k.id.clone(),
                title: k.title.clone(),
                owner: k.owner_name.clone().unwrap_or_default(),
                due: k.due_date.clone(),
                done: k.done_at.is_some(),
                mine: k.owner_id == viewer.to_string(),
            })
            .collect(),
        needs: if v.case.status.is_closed() || needs.is_empty() {
            String::new()
        } else if needs == "transition-needs-signoff" && refused {
            t.t("risk-signoff-refused-revise")
        } else if needs == "transition-needs-signoff" && !r.reassessment && v.plan_tasks.is_empty() {
            // The head signs off a plan with its tasks: they come first.
            t.t("risk-tasks-required")
        } else {
            t.t(needs)
        },
        reassess_due: needs == "transition-needs-reassessment",
        may_assess: !v.risk_assess_blocked,
        sign_due: needs == "transition-needs-signoff"
            && !refused
            && (r.reassessment || !v.plan_tasks.is_empty()),
        refused,
        derived: v.risk_derived,
        rules: v.risk_rules.clone(),
        rows,
    }
}

/// The risk form: counts are non-negative whole numbers (blank is 0); every bad one is reported.
fn risk_input(d: &FormData) -> Result<RiskInput, AppError> {
    let mut errs = Vec::new();
    let mut num = |name: &str| -> i64 {
        let raw = d.get(name);
        match raw.trim() {
            "" => 0,
            t => t.parse::<i64>().ok().filter(|n| *n >= 0).unwrap_or_else(|| {
                errs.push(FieldError::new(name, "number-invalid"));
                0
            }),
        }
    };
    let (people, earlier, amount) = (num("people"), num("earlier_petitions"), num("amount_yuan"));
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(RiskInput {
        people: u32::try_from(people).unwrap_or(u32::MAX),
        earlier_petitions: u32::try_from(earlier).unwrap_or(u32::MAX),
        extreme_words: d.flag("extreme_words"),
        vulnerable_party: d.flag("vulnerable_party"),
        amount_yuan: amount,
        media_attention: d.flag("media_attention"),
        earlier_escalation: d.flag("earlier_escalation"),
        long_running: d.flag("long_running"),
    })
}

async fn assess(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = match risk_input(&d) {
        Ok(input) => {
            let form = RiskForm {
                input,
                note: d.get("note"),
                plan: d.get("plan"),
            };
            s.app.assess_risk(&req.ctx, id, &form).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    after(&s, &req, id, "risk", &d, r, "assessed").await
}

async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s.app.sign_off_risk(&req.ctx, id).await;
    if d.get("back") == "inbox" {
        return from_inbox(&s, &req, r, "signed").await;
    }
    after(&s, &req, id, "risk", &d, r, "signed").await
}

async fn refuse(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s.app.refuse_risk(&req.ctx, id, &d.get("reason")).await;
    if d.get("back") == "inbox" {
        return from_inbox(&s, &req, r, "refused").await;
    }
    after(&s, &req, id, "risk", &d, r, "refused").await
}

/// Task rows of a form: `tasks[i].title`, `.owner`, `.due`.
pub fn task_rows(d: &FormData, n: usize) -> Vec<ActionItem> {
    (0..n)
        .map(|i| ActionItem {
            title: d.get(&format!("tasks[{i}].title")),
            owner: d.get(&format!("tasks[{i}].owner")),
            due: d.get(&format!("tasks[{i}].due")),
        })
        .collect()
}

async fn plan(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let form = PlanForm {
        plan: d.get("plan"),
        tasks: task_rows(&d, 3),
    };
    let r = s.app.set_mitigation(&req.ctx, id, &form).await;
    after(&s, &req, id, "plan", &d, r, "saved").await
}

/// The owner marks a mitigation task done on the case page (the inbox offers the same).
async fn task_done(State(s): State<AppState>, req: Req, Path((id, task)): Path<(Id, Id)>) -> PageResult {
    let r = s.app.finish_task(&req.ctx, task).await;
    after(&s, &req, id, "risk", &FormData::default(), r, "task-done").await
}
