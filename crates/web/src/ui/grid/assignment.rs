//! 驻村安排 and 走访覆盖: who is assigned to which village (and grid, slot, rhythm), assigning and
//! ending, and the coverage of a period — villages not visited, nobody assigned, empty slots.

use askama::Template;
use axum::extract::{Path, Query, State};
use chrono::{Datelike, Months, NaiveDate};
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::grid::Rhythm;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::roster::Slot;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::grid::{AssignmentForm, AssignmentListed, Coverage};
use http::StatusCode;

use super::super::case::village_grids;
use super::super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewGrid);
    let manage = Access::Staff(Action::ManageGrid);
    Routes::new()
        .get("/grid/assignments", view, list)
        .post("/grid/assignments", manage, assign)
        .post("/grid/assignments/{id}/end", manage, end)
        .get("/grid/coverage", view, coverage)
}

struct AssignmentLine {
    id: String,
    person: String,
    agency: String,
    village: String,
    slot: String,
    rhythm: String,
    since: String,
    version: i64,
    /// The viewer's agency: a head may end it.
    own: bool,
}

#[derive(Template)]
#[template(path = "grid/assignments.html")]
struct AssignmentsPage {
    c: Chrome,
    f: FormState,
    /// Township name and its lines.
    groups: Vec<(String, Vec<AssignmentLine>)>,
    total: usize,
    people: Vec<(String, String)>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    grids: Vec<(OrgUnit, Vec<OrgUnit>)>,
    slots: Vec<(String, String)>,
    rhythms: Vec<(String, String)>,
}

fn assignment_line(t: &T, a: &AssignmentListed, agency: Option<Id>) -> AssignmentLine {
    let r = &a.row;
    AssignmentLine {
        id: r.id.clone(),
        person: a.user_name.clone(),
        agency: a.agency_name.clone(),
        village: a.village_name.clone(),
        slot: Slot::parse(&r.slot)
            .map(|s| t.code("slot", s.code()))
            .unwrap_or_default(),
        rhythm: t.code("grid-rhythm", &r.rhythm),
        since: t.ta("grid-assign-since", &[("day", r.assigned_on.clone())]),
        version: r.version,
        own: agency.is_some_and(|g| g.to_string() == r.agency_id),
    }
}

async fn list_page(
    s: &AppState,
    req: &Req,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let all = page(req, s.app.grid_assignments(&req.ctx, None).await)?;
    let manage = req.ctx.user().is_some_and(|a| a.can(Action::ManageGrid));
    let agency = req.ctx.user().map(|a| a.agency_id);
    let mut groups: Vec<(String, Vec<AssignmentLine>)> = Vec::new();
    for a in &all {
        let l = assignment_line(&req.t, a, agency);
        match groups.last_mut() {
            Some((t, lines)) if *t == a.township_name => lines.push(l),
            _ => groups.push((a.township_name.clone(), vec![l])),
        }
    }
    let places = page(req, s.app.portal_places().await)?;
    let (people, grids) = if manage {
        (
            page(req, s.app.assignable_people(&req.ctx).await)?,
            village_grids(s, req, &places).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let t = &req.t;
    let p = AssignmentsPage {
        c: Chrome::new(req).with_flash(ok),
        f,
        total: all.len(),
        groups,
        people,
        places,
        grids,
        slots: Slot::ALL
            .iter()
            .map(|s| (s.code().to_owned(), t.code("slot", s.code())))
            .collect(),
        rhythms: Rhythm::ALL
            .iter()
            .map(|r| (r.code().to_owned(), t.code("grid-rhythm", r.code())))
            .collect(),
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<Flash>) -> PageResult {
    let f = FormState::default().with("rhythm", Rhythm::Monthly.code());
    list_page(&s, &req, f, StatusCode::OK, q.ok.as_deref()).await
}

async fn assign(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = AssignmentForm {
        user_id: d.get("user_id"),
        village_id: d.get("village_id"),
        grid_id: d.get("grid_id"),
        slot: d.get("slot"),
        rhythm: d.get("rhythm"),
    };
    match s.app.assign_to_village(&req.ctx, &f).await {
        Ok(_) => see_other("/grid/assignments?ok=grid-assigned"),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            list_page(&s, &req, fs, status, None).await
        }
    }
}

async fn end(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    match s.app.end_assignment(&req.ctx, id, d.int("version")).await {
        Ok(()) => see_other("/grid/assignments?ok=grid-assignment-ended"),
        Err(e) => {
            let (fs, status) = form_error(
                &req,
                e,
                FormState::default().with("rhythm", Rhythm::Monthly.code()),
            )?;
            list_page(&s, &req, fs, status, None).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct CoverageQuery {
    from: Option<String>,
    to: Option<String>,
    unvisited: Option<String>,
}

#[derive(Template)]
#[template(path = "grid/coverage.html")]
struct CoveragePage {
    c: Chrome,
    k: Coverage,
    f: FormState,
    unvisited_only: bool,
    /// Previous and next month: `from`, `to` and the month's name.
    prev: (String, String, String),
    next: (String, String, String),
}

fn month_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = d.with_day(1).unwrap_or(d);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(first);
    (first, last)
}

/// Coverage of a period (this month unless asked): a bad date falls back to the month, a reversed
/// period is answered with the form's message.
async fn coverage(State(s): State<AppState>, req: Req, Query(q): Query<CoverageQuery>) -> PageResult {
    let today = time::local_date(s.app.now());
    let day = |v: Option<&str>| v.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    let (first, last) = month_of(today);
    let from = day(q.from.as_deref()).unwrap_or(first);
    let to = day(q.to.as_deref()).unwrap_or(last);
    let mut f = FormState::default().with("from", from).with("to", to);
    let (k, status) = match s.app.grid_coverage(&req.ctx, from, to).await {
        Ok(k) => (k, StatusCode::OK),
        Err(e) => {
            let (fs, status) = form_error(&req, e, f)?;
            f = fs;
            (
                page(&req, s.app.grid_coverage(&req.ctx, first, last).await)?,
                status,
            )
        }
    };
    let shift = |months: i32| {
        let base = k.from.with_day(1).unwrap_or(k.from);
        let d = if months < 0 {
            base.checked_sub_months(Months::new(1))
        } else {
            base.checked_add_months(Months::new(1))
        }
        .unwrap_or(base);
        let (a, b) = month_of(d);
        let name = req.t.ta(
            "grid-month",
            &[("year", a.year().to_string()), ("m", a.month().to_string())],
        );
        (a.to_string(), b.to_string(), name)
    };
    let p = CoveragePage {
        c: Chrome::new(&req),
        prev: shift(-1),
        next: shift(1),
        unvisited_only: q.unvisited.is_some(),
        k,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}
