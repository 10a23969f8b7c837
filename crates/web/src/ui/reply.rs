//! Replies: sending one from the case page, and the reply templates.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::reply::NewReply;
use gongzhi_app::reply::Template as ReplyTemplate;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::FormData;
use crate::form::FormState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::case::after;
use crate::ui::{Chrome, Flash, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    Routes::new()
        .post("/cases/{id}/reply", Access::Staff(Action::HandleCase), reply)
        .get("/admin/templates", Access::Staff(Action::ViewCases), templates)
        .post(
            "/admin/templates/{code}",
            Access::Staff(Action::ManageTemplates),
            template_save,
        )
}

async fn reply(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let reply = NewReply {
        kind: d.get("kind"),
        channel: d.get("channel"),
        body: d.get("body"),
        version: d.int("version"),
        template: d.get("template"),
    };
    let r = s.app.send_reply(&req.ctx, id, &reply).await;
    after(&s, &req, id, "reply", &d, r, "replied").await
}

#[derive(Template)]
#[template(path = "reply/templates.html")]
struct TemplatesPage {
    c: Chrome,
    rows: Vec<ReplyTemplate>,
    failed: String,
    f: FormState,
}

async fn templates_view(
    s: &AppState,
    req: &Req,
    failed: String,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let rows = page(req, s.app.templates(&req.ctx).await)?;
    let p = TemplatesPage {
        c: Chrome::new(req).with_flash(ok),
        rows,
        failed,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn templates(State(s): State<AppState>, req: Req, Query(flash): Query<Flash>) -> PageResult {
    templates_view(
        &s,
        &req,
        String::new(),
        FormState::default(),
        StatusCode::OK,
        flash.ok.as_deref(),
    )
    .await
}

async fn template_save(
    State(s): State<AppState>,
    req: Req,
    Path(code): Path<String>,
    d: FormData,
) -> PageResult {
    match s
        .app
        .save_template(&req.ctx, &code, &d.get("name"), &d.get("body"), d.int("version"))
        .await
    {
        Ok(()) => see_other("/admin/templates?ok=saved"),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            templates_view(&s, &req, code, f, status, None).await
        }
    }
}
