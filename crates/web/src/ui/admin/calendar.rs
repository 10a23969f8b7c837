//! The work calendar: holidays and make-up working days by year.

use askama::Template;
use axum::extract::{Query, State};
use chrono::Datelike;
use gongzhi_app::admin::CalendarDay;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::time;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    let manage = Access::Staff(Action::ManageReference);
    Routes::new()
        .get("/admin/calendar", Access::Staff(Action::ViewReference), calendar)
        .post("/admin/calendar", manage, calendar_set)
        .post("/admin/calendar/delete", manage, calendar_delete)
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    c: Chrome,
    year: i32,
    days: Vec<CalendarDay>,
    f: FormState,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
    ok: Option<String>,
}

async fn calendar_view(
    s: &AppState,
    req: &Req,
    year: Option<i32>,
    f: FormState,
    ok_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| time::local_date(chrono::Utc::now()).year());
    let days = page(req, s.app.calendar_year(&req.ctx, year).await)?;
    let p = CalendarPage {
        c: Chrome::new(req).with_flash(ok_key),
        year,
        days,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn calendar(State(s): State<AppState>, req: Req, Query(q): Query<YearQuery>) -> PageResult {
    calendar_view(
        &s,
        &req,
        q.year,
        FormState::default(),
        q.ok.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn calendar_set(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s
        .app
        .set_calendar_day(&req.ctx, &d.get("day"), &d.get("kind"), &d.get("name"))
        .await
    {
        Ok(()) => see_other(&format!(
            "/admin/calendar?year={}&ok=saved",
            d.get("day").get(0..4).unwrap_or("")
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            let year = d.get("day").get(0..4).and_then(|y| y.parse().ok());
            calendar_view(&s, &req, year, f, None, status).await
        }
    }
}

async fn calendar_delete(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    page(&req, s.app.delete_calendar_day(&req.ctx, &d.get("day")).await)?;
    see_other(&format!(
        "/admin/calendar?year={}&ok=deleted",
        d.get("day").get(0..4).unwrap_or("")
    ))
}
