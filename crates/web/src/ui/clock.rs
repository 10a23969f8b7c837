//! Pausing, resuming and extending a clock (with approval and a reason).

use axum::extract::{Path, State};
use gongzhi_app::AppError;
use gongzhi_app::deadlines::ClockChange;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;

use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;

pub fn router() -> Routes {
    Routes::new().post(
        "/cases/{id}/clocks/{clock}",
        Access::Staff(Action::ApproveClock),
        clock,
    )
}

async fn clock(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    d: FormData,
) -> PageResult {
    let change = match d.get("action").as_str() {
        "pause" => Ok(ClockChange::Pause),
        "resume" => Ok(ClockChange::Resume),
        "extend" => d
            .get("days")
            .trim()
            .parse::<u32>()
            .map(ClockChange::Extend)
            .map_err(|_| AppError::field("days", "extension-days-invalid")),
        _ => Err(AppError::field("action", "clock-not-changeable")),
    };
    let r = match change {
        Ok(ch) => {
            s.app
                .change_clock(&req.ctx, id, clock, ch, &d.get("reason"))
                .await
        }
        Err(e) => Err(e),
    };
    after(&s, &req, id, &format!("clock-{clock}"), &d, r, "saved").await
}
