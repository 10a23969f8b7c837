//! 走访线索: the clues grid visits found for the viewer's teams, taken up and closed with what came
//! of them (DOMAIN.md §3.10 `Clue → Routed`).

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::Page;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::grid::{ClueStep, VISIT_PAGE};
use http::StatusCode;

use super::super::{Chrome, MAX_PAGE, PageResult, form_error, page, see_other};
use super::visit::{FindingLine, finding_line};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewGrid);
    Routes::new()
        .get("/grid/clues", view, list)
        .post("/grid/clues/{id}", view, step)
}

#[derive(Template)]
#[template(path = "grid/clues.html")]
struct CluesPage {
    c: Chrome,
    f: FormState,
    /// The clue the form's errors belong to.
    failed: String,
    lines: Vec<FindingLine>,
    total: i64,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct CluesQuery {
    page: Option<i64>,
    ok: Option<String>,
}

async fn clues_page(
    s: &AppState,
    req: &Req,
    n: i64,
    ok: Option<&str>,
    failed: (String, FormState, StatusCode),
) -> PageResult {
    let found = page(req, s.app.grid_clues(&req.ctx, Page::nth(n, VISIT_PAGE)).await)?;
    let (failed, f, status) = failed;
    let p = CluesPage {
        c: Chrome::new(req).with_flash(ok),
        f,
        failed,
        lines: found.items.iter().map(|x| finding_line(&req.t, x)).collect(),
        more: n * VISIT_PAGE < found.total,
        total: found.total,
        page: n,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<CluesQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let none = (String::new(), FormState::default(), StatusCode::OK);
    clues_page(&s, &req, n, q.ok.as_deref(), none).await
}

async fn step(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = ClueStep {
        version: d.int("version"),
        action: d.get("action"),
        outcome: d.get("outcome"),
    };
    match s.app.clue_step(&req.ctx, id, &f).await {
        Ok(()) => see_other(&format!(
            "/grid/clues?ok=grid-clue-{}",
            if f.action == "close" { "close" } else { "take" }
        )),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            clues_page(&s, &req, 1, None, (id.to_string(), fs, status)).await
        }
    }
}
