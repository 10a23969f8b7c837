//! Referring a case to another agency, and the receiving agency's answer.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::referral::{NewReferral, ReferralAnswer};

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;
use crate::ui::inbox::from_inbox;

pub fn router() -> Routes {
    Routes::new()
        .post("/cases/{id}/refer", Access::Staff(Action::HandleCase), refer)
        .post(
            "/referrals/{id}/{action}",
            Access::Staff(Action::HandleCase),
            answer_referral,
        )
}

async fn refer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let input = NewReferral {
        to_agency: d.get("to_agency"),
        note: d.get("note"),
        days: u32::try_from(d.int("days")).unwrap_or(0),
    };
    let r = s.app.refer(&req.ctx, id, &input).await;
    after(&s, &req, id, "referrals", &d, r, "referred").await
}

async fn answer_referral(
    State(s): State<AppState>,
    req: Req,
    Path((id, action)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let case: Option<Id> = d.get("case").parse().ok();
    let answer = ReferralAnswer {
        action: action.clone(),
        text: d.get("text"),
    };
    let r = s.app.answer_referral(&req.ctx, id, &answer).await;
    if d.get("back") == "inbox" {
        return from_inbox(&s, &req, r.map(|_| ()), &format!("referral-{action}")).await;
    }
    match r {
        Ok(case) => {
            let ok = format!("referral-{action}");
            after(&s, &req, case, &format!("ref-{id}"), &d, Ok(()), &ok).await
        }
        Err(e) => match case {
            Some(case) => after(&s, &req, case, &format!("ref-{id}"), &d, Err(e), "").await,
            None => Err(PageError(req.clone(), e)),
        },
    }
}
