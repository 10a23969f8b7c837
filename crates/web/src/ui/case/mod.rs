//! The case pages: the routes of the case core (list, intake, the case page, editing, transitions,
//! revealing) and the helpers every case panel shares. Each action of its own room (replies, risk,
//! referrals, …) registers its route in that room.

use axum::extract::{Path, State};
use gongzhi_app::AppError;
use gongzhi_app::case::{CaseEdit, RevealRequest, TransitionInput};
use gongzhi_app::domain::deadline::ClockState;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::workflow::{Command, Status};
use gongzhi_app::domain::{Id, time};

use crate::ui::PageResult;

use crate::AppState;
use crate::form::FormData;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

mod duplicate;
mod events;
mod export;
mod intake;
mod list;
mod page;
mod panel;
mod steps;

pub(crate) use events::{EventRow, clock_change_text};
pub(crate) use intake::village_grids;
pub use intake::{intake_form, read_multipart};
pub use list::{CaseRow, case_row, listed_row};
pub(crate) use page::{Answer, after, case_page};

pub fn router() -> Routes {
    use Action::{HandleCase, RegisterCase, RevealPersonal, ViewCases};
    Routes::new()
        .get("/cases", Access::Staff(ViewCases), list::list)
        .get("/cases/export.xlsx", Access::Staff(ViewCases), export::export)
        .post("/cases", Access::Staff(RegisterCase), intake::register)
        .get("/cases/new", Access::Staff(RegisterCase), intake::new_form)
        .post("/cases/duplicates", Access::Staff(RegisterCase), duplicate::check)
        .get(
            "/cases/{id}/duplicates",
            Access::Staff(HandleCase),
            duplicate::case_panel,
        )
        .post("/cases/{id}/links", Access::Staff(HandleCase), duplicate::link)
        .post("/cases/{id}/merge", Access::Staff(HandleCase), duplicate::merge)
        .post(
            "/cases/{id}/unmerge",
            Access::Staff(HandleCase),
            duplicate::unmerge,
        )
        .get("/cases/{id}", Access::Staff(ViewCases), page::view)
        .post("/cases/{id}/edit", Access::Staff(HandleCase), edit)
        .post("/cases/{id}/transition", Access::Staff(HandleCase), transition)
        .post(
            "/cases/{id}/reveal/{party}",
            Access::Staff(RevealPersonal),
            reveal,
        )
}

pub fn fmt_ms(ms: i64) -> String {
    time::format_local(time::from_millis(ms))
}

pub fn fmt_ts(t: time::Timestamp) -> String {
    time::format_local(t)
}

/// A code and its name, for selects.
pub struct Opt {
    pub code: String,
    pub label: String,
}

fn opts(t: &T, prefix: &str, codes: &[&str]) -> Vec<Opt> {
    codes
        .iter()
        .map(|c| Opt {
            code: (*c).to_owned(),
            label: t.code(prefix, c),
        })
        .collect()
}

pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Closed => "text-bg-secondary",
        Status::Received | Status::Registered | Status::PoliceCaseOpened => "text-bg-info",
        Status::NotAccepted | Status::TransferredOut | Status::Diverted | Status::Failed => "text-bg-warning",
        _ => "text-bg-primary",
    }
}

pub fn clock_class(s: ClockState) -> &'static str {
    match s {
        ClockState::Overdue => "text-bg-danger",
        ClockState::DueSoon => "text-bg-warning",
        ClockState::Met => "text-bg-success",
        ClockState::Exempt | ClockState::Paused => "text-bg-secondary",
        ClockState::Running => "text-bg-primary",
    }
}

pub fn risk_class(level: &str) -> &'static str {
    match level {
        "high" => "text-bg-danger",
        "medium" => "text-bg-warning",
        _ => "text-bg-success",
    }
}

// ---------------------------------------------------------------------------------------------
// The list

async fn edit(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let e = CaseEdit {
        title: d.get("title"),
        narrative: d.get("narrative"),
        category: d.get("category"),
        urgent: Some(d.flag("urgent")),
        minor_involved: Some(d.flag("minor_involved")),
        version: d.int("version"),
    };
    let r = s.app.edit_case(&req.ctx, id, &e).await;
    after(&s, &req, id, "edit", &d, r, "saved").await
}

async fn transition(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = match Command::parse(&d.get("command")) {
        Some(cmd) => s
            .app
            .transition(
                &req.ctx,
                id,
                cmd,
                &TransitionInput {
                    version: d.int("version"),
                    note: d.get("note"),
                    handler_id: d.get("handler_id"),
                    to_agency: d.get("to_agency"),
                    months: u32::try_from(d.int("months")).unwrap_or(0),
                    public_hearing: d.flag("public_hearing"),
                },
            )
            .await
            .map(|_| ()),
        None => Err(AppError::field("command", "command-invalid")),
    };
    after(&s, &req, id, "actions", &d, r, "done").await
}

async fn reveal(
    State(s): State<AppState>,
    req: Req,
    Path((id, party)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let r = RevealRequest {
        reason: d.get("reason"),
    };
    match s.app.reveal_party(&req.ctx, id, &party, &r).await {
        Ok(r) => {
            let form = format!("party-{party}");
            let a = Answer {
                form: &form,
                revealed: Some((party, r)),
                ..Answer::default()
            };
            case_page(&s, &req, id, a).await
        }
        Err(e) => after(&s, &req, id, &format!("party-{party}"), &d, Err(e), "").await,
    }
}
