//! A visit: what the visitor booked for, and the reception's record — answered on the spot, or
//! owned (包案) by the leader with a case linked by its number or opened from the visit.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::admin::{Category, OrgUnit};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::reception::VisitCommand;
use gongzhi_app::reception::{VisitStep, VisitView};
use http::StatusCode;

use super::{VisitLine, visit_line, when};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::case::fmt_ms;
use crate::ui::{Chrome, Flash, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    Routes::new()
        .get(
            "/reception-visits/{id}",
            Access::Staff(Action::ViewReception),
            show,
        )
        .post(
            "/reception-visits/{id}/steps/{step}",
            Access::Staff(Action::ReceiveVisitor),
            step,
        )
}

#[derive(Template)]
#[template(path = "reception/visit.html")]
struct VisitPage {
    c: Chrome,
    f: FormState,
    v: VisitView,
    line: VisitLine,
    when: String,
    received: String,
    commands: Vec<String>,
    categories: Vec<Category>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
}

impl VisitPage {
    fn may(&self, command: &str) -> bool {
        self.commands.iter().any(|c| c == command)
    }
}

async fn visit_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.reception_visit(&req.ctx, id).await)?;
    let receiving = v.commands.iter().any(|c| c.receives());
    let (categories, places) = if receiving {
        (
            page(req, s.app.portal_categories().await)?,
            page(req, s.app.portal_places().await)?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let p = VisitPage {
        c: Chrome::new(req).with_flash(ok),
        f,
        line: visit_line(&req.t, &v.item),
        when: when(&req.t, &v.slot.row.day, v.slot.half),
        received: v.item.row.received_at.map(fmt_ms).unwrap_or_default(),
        commands: v.commands.iter().map(|c| c.code().to_owned()).collect(),
        categories,
        places,
        v,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.reception_visit(&req.ctx, id).await)?;
    let f = FormState::default()
        .with("version", v.item.row.version)
        .with("link", "none")
        .with("title", v.item.row.matter.chars().take(30).collect::<String>());
    visit_page(&s, &req, id, f, StatusCode::OK, q.ok.as_deref()).await
}

async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let Some(command) = VisitCommand::parse(&name) else {
        return Err(crate::ui::PageError(req.clone(), gongzhi_app::AppError::NotFound));
    };
    let link = d.get("link");
    let f = VisitStep {
        version: d.int("version"),
        record: d.get("record"),
        case_number: if link == "existing" {
            d.get("case_number")
        } else {
            String::new()
        },
        new_case: link == "new",
        place_id: d.get("place_id"),
        category: d.get("category"),
        title: d.get("title"),
    };
    match s.app.visit_step(&req.ctx, id, command, &f).await {
        Ok(()) => see_other(&format!(
            "/reception-visits/{id}?ok=reception-{}",
            command.code().replace('_', "-")
        )),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d).with("failed", command.code()))?;
            visit_page(&s, &req, id, fs, status, None).await
        }
    }
}
