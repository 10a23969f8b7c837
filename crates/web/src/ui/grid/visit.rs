//! 网格走访记录: the visits the viewer may see (filters, pages), one visit with its findings and
//! photos, planning a visit, moving or cancelling a planned one, and a visit's photo.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use gongzhi_app::Page;
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::grid::{ClueState, FindingKind, VisitState};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::grid::{Finding, VISIT_PAGE, Visit, VisitChange, VisitFilter, VisitPlan, VisitView};
use http::{StatusCode, header};

use super::super::{Chrome, Flash, MAX_PAGE, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::{render, urlencode};
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewGrid);
    Routes::new()
        .get("/grid/visits", view, list)
        .post("/grid/visits/plan", Access::Staff(Action::LogVisit), plan)
        .get("/grid/visits/{id}", view, show)
        .post("/grid/visits/{id}", view, change)
        .get("/grid/photos/{id}", view, photo)
}

pub(super) fn state_class(s: VisitState) -> &'static str {
    match s {
        VisitState::Planned => "text-bg-info",
        VisitState::Visited => "text-bg-secondary",
        VisitState::Routed => "text-bg-primary",
        VisitState::Cancelled => "text-bg-light border",
    }
}

/// A visit as a list line.
pub(super) struct Line {
    pub id: String,
    pub at: String,
    pub village: String,
    pub township: String,
    pub visitor: String,
    pub agency: String,
    pub place: String,
    pub state: String,
    pub class: &'static str,
    pub findings: i64,
}

pub(super) fn line(t: &T, v: &Visit) -> Line {
    let r = &v.listed.row;
    Line {
        id: r.id.clone(),
        at: r.visited_at.clone().unwrap_or_else(|| r.day.clone()),
        village: v.listed.village_name.clone(),
        township: v.listed.township_name.clone(),
        visitor: r.visitor_name.clone(),
        agency: v.listed.agency_name.clone(),
        place: r.place.clone(),
        state: t.code("grid-visit-state", v.state.code()),
        class: state_class(v.state),
        findings: v.listed.findings,
    }
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    township: Option<String>,
    state: Option<String>,
    from: Option<String>,
    to: Option<String>,
    mine: Option<String>,
    page: Option<i64>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "grid/visits.html")]
struct ListPage {
    c: Chrome,
    q: FormState,
    f: FormState,
    lines: Vec<Line>,
    total: i64,
    page: i64,
    more: bool,
    /// The query string without `page`, for the pager.
    query: String,
    states: Vec<(String, String)>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    /// Whom a head may plan a visit for (empty: only oneself).
    people: Vec<(String, String)>,
}

fn day_param(s: Option<&str>) -> Option<String> {
    s.and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .map(|d| d.to_string())
}

async fn list_page(s: &AppState, req: &Req, q: ListQuery, f: FormState, status: StatusCode) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let filter = VisitFilter {
        agency: None,
        visitor: q
            .mine
            .is_some()
            .then(|| req.ctx.user().map(|a| a.user_id))
            .flatten(),
        township: q.township.as_deref().and_then(|t| t.parse().ok()),
        village: None,
        state: q
            .state
            .as_deref()
            .and_then(VisitState::parse)
            .map(|s| s.code().to_owned()),
        from: day_param(q.from.as_deref()),
        to: day_param(q.to.as_deref()),
    };
    let found = page(
        req,
        s.app
            .grid_visits(&req.ctx, &filter, Page::nth(n, VISIT_PAGE))
            .await,
    )?;
    let people = if req.ctx.user().is_some_and(|a| a.can(Action::ManageGrid)) {
        page(req, s.app.assignable_people(&req.ctx).await)?
    } else {
        Vec::new()
    };
    let mut query = FormState::default();
    let mut pairs = Vec::new();
    for (k, v) in [
        ("township", &q.township),
        ("state", &q.state),
        ("from", &filter.from),
        ("to", &filter.to),
        ("mine", &q.mine),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query = query.with(k, v);
            pairs.push(format!("{k}={}", urlencode(v)));
        }
    }
    let p = ListPage {
        c: Chrome::new(req).with_flash(q.ok.as_deref()),
        q: query,
        f,
        lines: found.items.iter().map(|v| line(&req.t, v)).collect(),
        more: n * VISIT_PAGE < found.total,
        total: found.total,
        page: n,
        query: pairs.join("&"),
        states: VisitState::ALL
            .iter()
            .map(|s| (s.code().to_owned(), req.t.code("grid-visit-state", s.code())))
            .collect(),
        places: page(req, s.app.portal_places().await)?,
        people,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let today = time::local_date(s.app.now());
    let f = FormState::default().with("day", today);
    list_page(&s, &req, q, f, StatusCode::OK).await
}

async fn plan(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = VisitPlan {
        village_id: d.get("village_id"),
        day: d.get("day"),
        visitor_id: d.get("visitor_id"),
        place: d.get("place"),
        notes: d.get("notes"),
    };
    match s.app.plan_visit(&req.ctx, &f).await {
        Ok(id) => see_other(&format!("/grid/visits/{id}?ok=grid-planned")),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            list_page(&s, &req, ListQuery::default(), fs, status).await
        }
    }
}

/// A finding as the visit page shows it.
pub(super) struct FindingLine {
    pub id: String,
    pub visit_id: String,
    pub kind: String,
    pub summary: String,
    pub details: String,
    pub case: Option<(String, String)>,
    pub team: String,
    pub state: String,
    pub state_class: &'static str,
    pub taken_by: String,
    pub outcome: String,
    pub origin: String,
    pub version: i64,
    pub open: bool,
    pub taken: bool,
    /// A minor clue not closed, shown to the juvenile team: it may be registered as a mandatory
    /// report.
    pub reportable: bool,
}

pub(super) fn finding_line(t: &T, f: &Finding) -> FindingLine {
    let r = &f.listed.row;
    FindingLine {
        id: r.id.clone(),
        visit_id: r.visit_id.clone(),
        kind: t.code("grid-finding-kind", f.kind.code()),
        summary: if f.redacted {
            t.t("grid-finding-redacted")
        } else {
            r.summary.clone()
        },
        details: r.details.clone(),
        case: r.case_id.clone().zip(f.listed.case_number.clone()),
        team: if r.team.is_empty() {
            String::new()
        } else {
            t.code("grid-team", &r.team)
        },
        state: f
            .clue_state
            .map(|s| t.code("grid-clue-state", s.code()))
            .unwrap_or_default(),
        state_class: match f.clue_state {
            Some(ClueState::Open) => "text-bg-warning",
            Some(ClueState::Taken) => "text-bg-info",
            Some(ClueState::Closed) | None => "text-bg-success",
        },
        taken_by: r.taken_by_name.clone(),
        outcome: r.outcome.clone(),
        origin: t.ta(
            "grid-clue-from",
            &[
                ("village", f.listed.village_name.clone()),
                ("day", f.listed.visit_day.clone()),
            ],
        ),
        version: r.version,
        open: f.clue_state == Some(ClueState::Open),
        taken: f.clue_state == Some(ClueState::Taken),
        reportable: f.kind == FindingKind::Minor
            && !f.redacted
            && matches!(f.clue_state, Some(ClueState::Open | ClueState::Taken)),
    }
}

#[derive(Template)]
#[template(path = "grid/visit.html")]
struct VisitPage {
    c: Chrome,
    f: FormState,
    v: VisitView,
    l: Line,
    checklist: Vec<String>,
    findings: Vec<FindingLine>,
}

async fn visit_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.grid_visit(&req.ctx, id).await)?;
    let findings: Vec<FindingLine> = v.findings.iter().map(|x| finding_line(&req.t, x)).collect();
    let p = VisitPage {
        c: Chrome::new(req).with_flash(ok),
        l: line(&req.t, &v.visit),
        checklist: v
            .visit
            .checklist
            .iter()
            .map(|c| req.t.code("grid-check", c.code()))
            .collect(),
        findings,
        f,
        v,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.grid_visit(&req.ctx, id).await)?;
    let r = &v.visit.listed.row;
    let f = FormState::default()
        .with("version", r.version)
        .with("day", &r.day)
        .with("place", &r.place)
        .with("notes", &r.notes);
    visit_page(&s, &req, id, f, StatusCode::OK, q.ok.as_deref()).await
}

async fn change(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = VisitChange {
        version: d.int("version"),
        day: d.get("day"),
        place: d.get("place"),
        notes: d.get("notes"),
        cancel: d.flag("cancel"),
    };
    match s.app.change_visit(&req.ctx, id, &f).await {
        Ok(_) => see_other(&format!(
            "/grid/visits/{id}?ok={}",
            if f.cancel {
                "grid-cancelled"
            } else {
                "grid-changed"
            }
        )),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            visit_page(&s, &req, id, fs, status, None).await
        }
    }
}

/// A visit's photo, for whoever may see the visit.
async fn photo(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    let (meta, data) = page(&req, s.app.grid_photo(&req.ctx, id).await)?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
        ],
        data,
    )
        .into_response())
}

/// The kinds of finding, for the log's select.
pub(super) fn kinds(t: &T) -> Vec<(String, String)> {
    FindingKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), t.code("grid-finding-kind", k.code())))
        .collect()
}
