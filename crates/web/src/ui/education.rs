//! Legal education (普法): a month's calendar of events, planning one, its page with the steps,
//! and the count per township and month.

use askama::Template;
use axum::extract::{Path, Query, State};
use chrono::{Datelike, Months, NaiveDate};
use gongzhi_app::Page;
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::education::{EventCommand, EventKind, EventState, Platform, VenueKind};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::education::{
    EVENT_PAGE, EducationCounts, Event, EventFilter, EventForm, EventStep, EventView,
};

use http::StatusCode;

use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewEducation);
    let manage = Access::Staff(Action::ManageEducation);
    Routes::new()
        .get("/education", view, list)
        .get("/education/counts", view, counts)
        .get("/education/new", manage, new)
        .post("/education", manage, create)
        .get("/education/{id}", view, show)
        .post("/education/{id}/steps/{step}", manage, step)
        .get("/portal/education", Access::Public, portal)
}

#[derive(Template)]
#[template(path = "portal/education.html")]
struct PortalPage {
    c: Chrome,
    items: Vec<(Line, String, Option<i64>)>,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct PortalQuery {
    page: Option<i64>,
}

const PORTAL_PAGE: i64 = 20;

/// 普法活动 on the public portal: what was published, newest first.
async fn portal(State(s): State<AppState>, req: Req, Query(q): Query<PortalQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let found = page(&req, s.app.public_education(Page::nth(n, PORTAL_PAGE)).await)?;
    let p = PortalPage {
        c: Chrome::new(&req),
        more: n * PORTAL_PAGE < found.total,
        page: n,
        items: found
            .items
            .iter()
            .map(|e| (line(&req.t, e), e.row.summary.clone(), e.row.attendance))
            .collect(),
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

fn state_class(s: EventState) -> &'static str {
    match s {
        EventState::Planned => "text-bg-secondary",
        EventState::Announced => "text-bg-info",
        EventState::Held | EventState::Recorded => "text-bg-primary",
        EventState::Published => "text-bg-success",
        EventState::Cancelled => "text-bg-light border",
    }
}

pub(crate) struct Line {
    id: String,
    when: String,
    kind: String,
    topic: String,
    place: String,
    state: String,
    class: &'static str,
}

fn where_of(t: &T, e: &Event) -> String {
    if e.kind.online() {
        return t.code("education-platform", &e.row.platform);
    }
    [
        e.township_name.as_str(),
        e.place_name.as_str(),
        e.row.venue.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(" · ")
}

fn line(t: &T, e: &Event) -> Line {
    Line {
        id: e.row.id.clone(),
        when: e.row.starts_at.clone(),
        kind: t.code("education-kind", e.kind.code()),
        topic: e.row.topic.clone(),
        place: where_of(t, e),
        state: t.code("education-state", e.state.code()),
        class: state_class(e.state),
    }
}

#[derive(Template)]
#[template(path = "education/list.html")]
struct ListPage {
    c: Chrome,
    month: String,
    year: i32,
    prev: String,
    next: String,
    lines: Vec<Line>,
    total: i64,
}

#[derive(serde::Deserialize, Default)]
struct MonthQuery {
    month: Option<String>,
    ok: Option<String>,
}

fn month_start(s: &AppState, m: Option<&str>) -> NaiveDate {
    m.and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or_else(|| time::local_date(s.app.now()).with_day(1).unwrap_or_default())
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<MonthQuery>) -> PageResult {
    let first = month_start(&s, q.month.as_deref());
    let month = first.format("%Y-%m").to_string();
    let f = EventFilter {
        month: Some(month.clone()),
        ..EventFilter::default()
    };
    let found = page(
        &req,
        s.app
            .education_events(&req.ctx, &f, Page::first(EVENT_PAGE))
            .await,
    )?;
    let fmt = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default();
    let p = ListPage {
        c: Chrome::new(&req).with_flash(q.ok.as_deref()),
        prev: fmt(first.checked_sub_months(Months::new(1))),
        next: fmt(first.checked_add_months(Months::new(1))),
        month,
        year: first.year(),
        lines: found.items.iter().map(|e| line(&req.t, e)).collect(),
        total: found.total,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "education/counts.html")]
struct CountsPage {
    c: Chrome,
    k: EducationCounts,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

async fn counts(State(s): State<AppState>, req: Req, Query(q): Query<YearQuery>) -> PageResult {
    let year = super::year_or_this(&s, q.year);
    let k = page(&req, s.app.education_counts(&req.ctx, year).await)?;
    super::ok(
        &req,
        &CountsPage {
            c: Chrome::new(&req),
            k,
        },
    )
}

#[derive(Template)]
#[template(path = "education/new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    kinds: Vec<(String, String)>,
    venues: Vec<(String, String)>,
    platforms: Vec<(String, String)>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
}

pub(crate) fn options<C: Copy>(
    t: &T,
    prefix: &str,
    all: &[C],
    code: impl Fn(C) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|c| (code(*c).to_owned(), t.code(prefix, code(*c))))
        .collect()
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let t = &req.t;
    let venues: Vec<VenueKind> = VenueKind::ALL
        .iter()
        .copied()
        .filter(|v| *v != VenueKind::Online)
        .collect();
    let p = NewPage {
        c: Chrome::new(req),
        kinds: options(t, "education-kind", EventKind::ALL, EventKind::code),
        venues: options(t, "education-venue", &venues, VenueKind::code),
        platforms: options(t, "education-platform", Platform::ALL, Platform::code),
        places: page(req, s.app.portal_places().await)?,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn new(State(s): State<AppState>, req: Req) -> PageResult {
    let f = FormState::default()
        .with("kind", "class")
        .with("venue_kind", "school")
        .with("starts_at", format!("{} 09:00", time::local_date(s.app.now())));
    new_page(&s, &req, f, StatusCode::OK).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = EventForm {
        kind: d.get("kind"),
        topic: d.get("topic"),
        starts_at: d.get("starts_at"),
        venue_kind: d.get("venue_kind"),
        place_id: d.get("place_id"),
        venue: d.get("venue"),
        platform: d.get("platform"),
        speakers: d.get("speakers"),
        audience_expected: d.int("audience_expected"),
        materials: d.get("materials"),
        cases: d
            .get("cases")
            .split(['\n', ',', '，', '、', ' '])
            .map(str::to_owned)
            .collect(),
    };
    match s.app.plan_education(&req.ctx, &f).await {
        Ok(id) => see_other(&format!("/education/{id}?ok=education-planned")),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, fs, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "education/page.html")]
struct EventPage {
    c: Chrome,
    f: FormState,
    v: EventView,
    l: Line,
    commands: Vec<String>,
}

impl EventPage {
    fn may(&self, command: &str) -> bool {
        self.commands.iter().any(|c| c == command)
    }
}

async fn event_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.education_event(&req.ctx, id).await)?;
    let p = EventPage {
        c: Chrome::new(req).with_flash(ok),
        l: line(&req.t, &v.event),
        commands: v.commands.iter().map(|c| c.code().to_owned()).collect(),
        f,
        v,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.education_event(&req.ctx, id).await)?;
    let f = FormState::default()
        .with("version", v.event.row.version)
        .with("attendance", v.event.row.audience_expected)
        .with("summary", v.event.row.summary.clone());
    event_page(&s, &req, id, f, StatusCode::OK, q.ok.as_deref()).await
}

async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let Some(command) = EventCommand::parse(&name) else {
        return Err(super::PageError(req.clone(), gongzhi_app::AppError::NotFound));
    };
    let f = EventStep {
        version: d.int("version"),
        attendance: d.int("attendance"),
        summary: d.get("summary"),
    };
    match s.app.education_step(&req.ctx, id, command, &f).await {
        Ok(()) => see_other(&format!("/education/{id}?ok=education-{}", command.code())),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            event_page(&s, &req, id, fs, status, None).await
        }
    }
}
