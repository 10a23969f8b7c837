//! Pausing, resuming and extending a clock (with approval and a reason).

use axum::extract::{Path, State};
use gongzhi_app::deadlines::ClockRequest;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new()
        .post(
            "/cases/{id}/clocks/{clock}",
            Access::Staff(Action::ApproveClock),
            clock,
        )
        .post(
            "/cases/{id}/clocks/{clock}/request",
            Access::Staff(Action::HandleCase),
            request,
        )
}

fn change(d: &FormData) -> ClockRequest {
    ClockRequest {
        action: d.get("action"),
        days: u32::try_from(d.int("days")).unwrap_or(0),
        pause_reason: d.get("pause_reason"),
        reason: d.get("reason"),
    }
}

/// The head changes the clock.
async fn clock(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    d: FormData,
) -> PageResult {
    let r = s.app.change_clock(&req.ctx, id, clock, &change(&d)).await;
    after(&s, &req, id, &format!("clock-{clock}"), &d, r, "saved").await
}

/// A handler asks the head to change it (the head's inbox shows the request).
async fn request(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    d: FormData,
) -> PageResult {
    let r = s.app.request_clock_change(&req.ctx, id, clock, &change(&d)).await;
    after(&s, &req, id, &format!("clock-{clock}"), &d, r, "requested").await
}
