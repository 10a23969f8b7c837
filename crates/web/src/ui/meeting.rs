//! Joint meetings: the form and its submission.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::admin::Agency;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::meeting::MeetingForm;
use gongzhi_app::users::User;
use http::StatusCode;

use super::{Chrome, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new()
        .get("/meetings/new", Access::Staff(Action::HandleCase), meeting_form)
        .post("/meetings", Access::Staff(Action::HandleCase), meeting_create)
}

#[derive(Template)]
#[template(path = "meeting/new.html")]
struct MeetingPage {
    c: Chrome,
    f: FormState,
    agencies: Vec<Agency>,
    handlers: Vec<User>,
    cases: Vec<(String, String)>,
    rows: Vec<usize>,
}

async fn meeting_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let agencies = page(req, s.app.agency_choices(&req.ctx).await)?;
    let handlers = page(req, s.app.handlers(&req.ctx, None).await)?;
    let mut cases = Vec::new();
    for id in f.all("cases") {
        if let Ok(cid) = id.parse::<Id>()
            && let Ok(v) = s.app.case_view(&req.ctx, cid).await
        {
            cases.push((id, format!("{} {}", v.case.number, v.case.title)));
        }
    }
    let p = MeetingPage {
        c: Chrome::new(req),
        f,
        agencies,
        handlers,
        cases,
        rows: vec![0, 1, 2],
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize)]
struct MeetingQuery {
    case: Option<String>,
}

async fn meeting_form(State(s): State<AppState>, req: Req, Query(q): Query<MeetingQuery>) -> PageResult {
    page(
        &req,
        s.app
            .authorize(&req.ctx, gongzhi_app::domain::Action::HandleCase)
            .await,
    )?;
    let now = gongzhi_app::domain::time::format_local(s.app.now()).replace(' ', "T");
    let f = FormState::default()
        .with("held_at", now)
        .with_all("cases", q.case.into_iter().collect());
    meeting_page(&s, &req, f, StatusCode::OK).await
}

async fn meeting_create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let form = MeetingForm {
        title: d.get("title"),
        held_at: d.get("held_at"),
        place: d.get("place"),
        conclusions: d.get("conclusions"),
        agencies: d.all("agencies"),
        cases: d.all("cases"),
        items: super::risk::task_rows(&d, 3),
    };
    match s.app.create_meeting(&req.ctx, &form).await {
        Ok(_) => match form.cases.first() {
            Some(c) => see_other(&format!("/cases/{c}?ok=meeting#meetings")),
            None => see_other("/inbox"),
        },
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            meeting_page(&s, &req, f, status).await
        }
    }
}
