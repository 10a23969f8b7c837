//! The risk panel: assessing, the leader's sign-off, the mitigation plan with its tasks.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::risk::RiskInput;
use gongzhi_app::risk::{PlanForm, RiskForm};
use gongzhi_app::task::ActionItem;
use gongzhi_app::{AppError, FieldError};

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new()
        .post("/cases/{id}/risk", Access::Staff(Action::HandleCase), assess)
        .post(
            "/cases/{id}/risk/sign-off",
            Access::Staff(Action::SignOffRisk),
            sign_off,
        )
        .post("/cases/{id}/risk/plan", Access::Staff(Action::HandleCase), plan)
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

async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    let r = s.app.sign_off_risk(&req.ctx, id).await;
    after(&s, &req, id, "risk", &FormData::default(), r, "signed").await
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
