//! `/api/v1/grid/assignments`, the caller's visit plan and the coverage of a period.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{Datelike, NaiveDate};
use gongzhi_app::AppError;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::grid::Rhythm;
use gongzhi_app::grid::{AssignmentForm, AssignmentListed};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentParams {
    #[param(value_type = Option<String>, format = Uuid)]
    pub township: Option<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentJson {
    pub id: String,
    pub user_id: String,
    pub person: String,
    pub agency: String,
    pub township: String,
    pub village_id: String,
    pub village: String,
    pub slot: String,
    pub rhythm: String,
    pub assigned_on: String,
    pub version: i64,
}

fn json_of(a: &AssignmentListed) -> AssignmentJson {
    AssignmentJson {
        id: a.row.id.clone(),
        user_id: a.row.user_id.clone(),
        person: a.user_name.clone(),
        agency: a.agency_name.clone(),
        township: a.township_name.clone(),
        village_id: a.row.village_id.clone(),
        village: a.village_name.clone(),
        slot: a.row.slot.clone(),
        rhythm: a.row.rhythm.clone(),
        assigned_on: a.row.assigned_on.clone(),
        version: a.row.version,
    }
}

/// Current assignments of people to villages (of a township, or all).
#[utoipa::path(get, path = "/api/v1/grid/assignments", tag = "grid", security(("bearer" = [])), params(AssignmentParams),
    responses((status = 200, body = [AssignmentJson]), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<AssignmentParams>,
) -> Res<Vec<AssignmentJson>> {
    let all = s
        .app
        .grid_assignments(&req.ctx, q.township)
        .await
        .map_err(fail(&req))?;
    Ok(Json(all.iter().map(json_of).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Assign a person of the own agency to a village with a rhythm of visits.
#[utoipa::path(post, path = "/api/v1/grid/assignments", tag = "grid", security(("bearer" = [])), request_body = AssignmentForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: AssignmentForm = body.json()?;
    let id = s.app.assign_to_village(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Deserialize, ToSchema)]
pub struct EndBody {
    pub version: i64,
}

/// End an assignment (kept for the record).
#[utoipa::path(post, path = "/api/v1/grid/assignments/{id}/end", tag = "grid", security(("bearer" = [])), request_body = EndBody,
    params(("id" = String, Path)),
    responses((status = 200, body = Done), (status = 409, body = ErrorBody)))]
pub async fn end(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: EndBody = body.json()?;
    s.app
        .end_assignment(&req.ctx, id, b.version)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct PlanJson {
    pub assignment_id: String,
    pub village_id: String,
    pub village: String,
    pub township: String,
    pub rhythm: Rhythm,
    pub last_visit: Option<String>,
    /// `YYYY-MM-DD`: when the next visit is due.
    pub due: String,
    pub overdue: bool,
}

/// The caller's villages, soonest due first.
#[utoipa::path(get, path = "/api/v1/grid/plan", tag = "grid", security(("bearer" = [])),
    responses((status = 200, body = [PlanJson]), (status = 403, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, req: Req) -> Res<Vec<PlanJson>> {
    let items = s.app.my_visit_plan(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        items
            .iter()
            .map(|p| PlanJson {
                assignment_id: p.assignment.row.id.clone(),
                village_id: p.assignment.row.village_id.clone(),
                village: p.assignment.village_name.clone(),
                township: p.assignment.township_name.clone(),
                rhythm: p.rhythm,
                last_visit: p.last_visit.map(|d| d.to_string()),
                due: p.due.to_string(),
                overdue: p.overdue,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// `YYYY-MM-DD` (default: the first of this month).
    pub from: Option<String>,
    /// `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VillageCoverageJson {
    pub id: String,
    pub name: String,
    pub visits: i64,
    pub last_visit: Option<String>,
    pub assigned: Vec<String>,
    pub empty_slots: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TownshipCoverageJson {
    pub id: String,
    pub name: String,
    pub unvisited: usize,
    pub villages: Vec<VillageCoverageJson>,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageJson {
    pub from: String,
    pub to: String,
    pub villages: usize,
    pub unvisited: usize,
    pub unassigned: usize,
    pub empty_slots: usize,
    pub townships: Vec<TownshipCoverageJson>,
}

pub(crate) fn day_or(s: Option<&str>, default: NaiveDate, field: &str) -> Result<NaiveDate, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(d) => {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| AppError::field(field, "grid-day-invalid"))
        }
    }
}

/// Which villages were visited in a period, who is assigned and which roster slots are empty.
#[utoipa::path(get, path = "/api/v1/grid/coverage", tag = "grid", security(("bearer" = [])), params(CoverageParams),
    responses((status = 200, body = CoverageJson), (status = 422, body = ErrorBody)))]
pub async fn coverage(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<CoverageParams>,
) -> Res<CoverageJson> {
    let today = gongzhi_app::domain::time::local_date(s.app.now());
    let first = today.with_day0(0).unwrap_or(today);
    let from = day_or(q.from.as_deref(), first, "from").map_err(fail(&req))?;
    let to = day_or(q.to.as_deref(), today, "to").map_err(fail(&req))?;
    let c = s
        .app
        .grid_coverage(&req.ctx, from, to)
        .await
        .map_err(fail(&req))?;
    Ok(Json(CoverageJson {
        from: c.from.to_string(),
        to: c.to.to_string(),
        villages: c.villages,
        unvisited: c.unvisited,
        unassigned: c.unassigned,
        empty_slots: c.empty_slots,
        townships: c
            .townships
            .iter()
            .map(|t| TownshipCoverageJson {
                id: t.township.id.to_string(),
                name: t.township.name.clone(),
                unvisited: t.unvisited(),
                villages: t
                    .villages
                    .iter()
                    .map(|v| VillageCoverageJson {
                        id: v.village.id.to_string(),
                        name: v.village.name.clone(),
                        visits: v.visits,
                        last_visit: v.last_visit.clone(),
                        assigned: v.assigned.iter().map(|(n, a)| format!("{n}（{a}）")).collect(),
                        empty_slots: v.empty_slots.iter().map(|s| s.code().to_owned()).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}
