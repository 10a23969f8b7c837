//! The reception day (检察长接访日): the year's schedule with each leader's count against the
//! minimum of 12, scheduling and publishing half days, and a day's page with its visitors and the
//! desk's booking form. The visit and its record are in `visit`, the portal's booking in `public`.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::reception::{MIN_PER_YEAR, ReceptionHalf, SlotState, VisitState};
use gongzhi_app::reception::{BookingForm, LeaderYear, Slot, SlotForm, VisitItem};
use http::StatusCode;

use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

mod public;
mod visit;

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewReception);
    let schedule = Access::Staff(Action::ScheduleReception);
    Routes::new()
        .get("/reception-days", view, schedule_page_get)
        .post("/reception-days", schedule, create)
        .get("/reception-days/{id}", view, day)
        .post("/reception-days/{id}/steps/{step}", schedule, slot_step)
        .post("/reception-days/{id}/visits", schedule, book)
        .merge(visit::router())
        .merge(public::router())
}

pub(crate) fn slot_class(s: SlotState) -> &'static str {
    match s {
        SlotState::Draft => "text-bg-secondary",
        SlotState::Published => "text-bg-success",
        SlotState::Cancelled => "text-bg-light border",
    }
}

pub(crate) fn visit_class(s: VisitState) -> &'static str {
    match s {
        VisitState::Booked => "text-bg-info",
        VisitState::Owned => "text-bg-warning",
        VisitState::Answered | VisitState::Closed => "text-bg-success",
        VisitState::NoShow | VisitState::Cancelled => "text-bg-light border",
    }
}

/// `2026-12-15 上午（08:30–12:00）`
pub(crate) fn when(t: &T, day: &str, half: ReceptionHalf) -> String {
    let (from, to) = half.hours();
    format!("{day} {}（{from}–{to}）", t.code("reception-half", half.code()))
}

pub(crate) struct SlotLine {
    pub id: String,
    pub year: String,
    pub when: String,
    pub leader: String,
    pub place: String,
    pub topic: String,
    pub booked: i64,
    pub capacity: i64,
    pub state: String,
    pub class: &'static str,
    pub draft: bool,
    pub cancellable: bool,
    /// The day is over (its row is shown muted).
    pub past: bool,
    pub version: i64,
}

fn line(t: &T, s: &Slot, today: chrono::NaiveDate) -> SlotLine {
    SlotLine {
        id: s.row.id.clone(),
        year: s.row.day.get(..4).unwrap_or_default().to_owned(),
        when: when(t, &s.row.day, s.half),
        leader: s.row.leader_name.clone(),
        place: s.row.place.clone(),
        topic: s.row.topic.clone(),
        booked: s.row.booked,
        capacity: s.row.capacity,
        state: t.code("reception-slot-state", s.state.code()),
        class: slot_class(s.state),
        draft: s.state == SlotState::Draft,
        cancellable: s.state != SlotState::Cancelled && s.row.booked == 0,
        past: s.day < today,
        version: s.row.version,
    }
}

#[derive(Template)]
#[template(path = "reception/schedule.html")]
struct SchedulePage {
    c: Chrome,
    f: FormState,
    year: i32,
    months: Vec<(u32, Vec<SlotLine>)>,
    leaders: Vec<LeaderYear>,
    receivers: Vec<(String, String)>,
    min: usize,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
    ok: Option<String>,
}

async fn schedule_page(
    s: &AppState,
    req: &Req,
    year: i32,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let sch = page(req, s.app.reception_schedule(&req.ctx, year).await)?;
    let today = gongzhi_app::domain::time::local_date(s.app.now());
    let mut months: Vec<(u32, Vec<SlotLine>)> = Vec::new();
    for slot in &sch.slots {
        let m = chrono::Datelike::month(&slot.day);
        match months.last_mut() {
            Some((last, lines)) if *last == m => lines.push(line(&req.t, slot, today)),
            _ => months.push((m, vec![line(&req.t, slot, today)])),
        }
    }
    let p = SchedulePage {
        c: Chrome::new(req).with_flash(ok),
        f,
        year: sch.year,
        months,
        leaders: sch.leaders,
        receivers: sch.receivers,
        min: MIN_PER_YEAR,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn schedule_page_get(State(s): State<AppState>, req: Req, Query(q): Query<YearQuery>) -> PageResult {
    let year = super::year_or_this(&s, q.year);
    let f = FormState::default()
        .with("half", "am")
        .with("capacity", 10)
        .with("place", req.t.t("reception-place-default"))
        .with("publish", "on");
    schedule_page(&s, &req, year, f, StatusCode::OK, q.ok.as_deref()).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = SlotForm {
        leader_id: d.get("leader_id"),
        day: d.get("day"),
        half: d.get("half"),
        place: d.get("place"),
        topic: d.get("topic"),
        capacity: d.int("capacity"),
        publish: d.flag("publish"),
        monthly: d.flag("monthly"),
    };
    match s.app.schedule_reception(&req.ctx, &f).await {
        Ok(made) => {
            let year = f.day.get(..4).unwrap_or_default();
            let ok = if made.len() > 1 {
                "reception-scheduled-year"
            } else {
                "reception-scheduled"
            };
            see_other(&format!("/reception-days?year={year}&ok={ok}"))
        }
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            let year = super::year_or_this(&s, f.day.get(..4).and_then(|y| y.parse().ok()));
            schedule_page(&s, &req, year, fs, status, None).await
        }
    }
}

async fn slot_step(
    State(s): State<AppState>,
    req: Req,
    Path((id, step)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let to = match step.as_str() {
        "publish" => SlotState::Published,
        "cancel" => SlotState::Cancelled,
        _ => return Err(super::PageError(req.clone(), gongzhi_app::AppError::NotFound)),
    };
    match s
        .app
        .reception_slot_step(&req.ctx, id, d.int("version"), to)
        .await
    {
        Ok(()) => see_other(&format!("/reception-days/{id}?ok=reception-slot-{step}")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            day_page(&s, &req, id, f, status, None).await
        }
    }
}

pub(crate) struct VisitLine {
    pub id: String,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub matter: String,
    pub state: String,
    pub class: &'static str,
    pub case_number: String,
    pub channel: String,
}

pub(crate) fn visit_line(t: &T, v: &VisitItem) -> VisitLine {
    VisitLine {
        id: v.row.id.clone(),
        code: v.row.code.clone(),
        name: v.row.visitor_name.clone(),
        phone: v.row.phone_masked.clone(),
        matter: v.row.matter.clone(),
        state: t.code("reception-visit-state", v.state.code()),
        class: visit_class(v.state),
        case_number: v.case_number.clone().unwrap_or_default(),
        channel: t.code("reception-channel", &v.row.channel),
    }
}

#[derive(Template)]
#[template(path = "reception/day.html")]
struct DayPage {
    c: Chrome,
    f: FormState,
    s: SlotLine,
    bookable: bool,
    visits: Vec<VisitLine>,
}

async fn day_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let (slot, visits) = page(req, s.app.reception_day(&req.ctx, id).await)?;
    let p = DayPage {
        c: Chrome::new(req).with_flash(ok),
        f,
        bookable: slot.state == SlotState::Published && slot.remaining() > 0,
        s: line(&req.t, &slot, gongzhi_app::domain::time::local_date(s.app.now())),
        visits: visits.iter().map(|v| visit_line(&req.t, v)).collect(),
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn day(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    day_page(
        &s,
        &req,
        id,
        FormState::default(),
        StatusCode::OK,
        q.ok.as_deref(),
    )
    .await
}

async fn book(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = BookingForm {
        name: d.get("name"),
        phone: d.get("phone"),
        matter: d.get("matter"),
    };
    match s.app.book_reception(&req.ctx, id, &f, None).await {
        Ok(b) => see_other(&format!("/reception-visits/{}?ok=reception-booked", b.visit_id)),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            day_page(&s, &req, id, f, status, None).await
        }
    }
}
