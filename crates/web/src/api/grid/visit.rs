//! `/api/v1/grid/visits`: the visits (scoped), one visit, logging (with `Idempotency-Key` and the
//! version for the offline queue), planning and moving a visit; `/api/v1/grid/clues`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::grid::{ClueState, FindingKind, VisitState};
use gongzhi_app::grid::{
    ClueStep, Finding, LogOutcome, Visit, VisitChange, VisitFilter, VisitLog, VisitPlan,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitParams {
    #[param(value_type = Option<String>, format = Uuid)]
    pub township: Option<Id>,
    #[param(value_type = Option<String>, format = Uuid)]
    pub village: Option<Id>,
    /// Only one person's visits.
    #[param(value_type = Option<String>, format = Uuid)]
    pub visitor: Option<Id>,
    pub state: Option<VisitState>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitJson {
    pub id: String,
    pub state: VisitState,
    pub agency: String,
    pub township: String,
    pub village_id: String,
    pub village: String,
    pub visitor: String,
    /// `YYYY-MM-DD`: planned, or visited.
    pub day: String,
    pub visited_at: Option<String>,
    pub place: String,
    pub people_met: String,
    pub checklist: Vec<String>,
    pub notes: String,
    pub findings: i64,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VisitList {
    pub total: i64,
    pub items: Vec<VisitJson>,
}

fn json_of(v: &Visit) -> VisitJson {
    let l = &v.listed;
    VisitJson {
        id: l.row.id.clone(),
        state: v.state,
        agency: l.agency_name.clone(),
        township: l.township_name.clone(),
        village_id: l.row.village_id.clone(),
        village: l.village_name.clone(),
        visitor: l.row.visitor_name.clone(),
        day: l.row.day.clone(),
        visited_at: l.row.visited_at.clone(),
        place: l.row.place.clone(),
        people_met: l.row.people_met.clone(),
        checklist: v.checklist.iter().map(|c| c.code().to_owned()).collect(),
        notes: l.row.notes.clone(),
        findings: l.findings,
        version: l.row.version,
    }
}

/// Grid visits the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/grid/visits", tag = "grid", security(("bearer" = [])), params(VisitParams),
    responses((status = 200, body = VisitList), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<VisitParams>) -> Res<VisitList> {
    let f = VisitFilter {
        agency: None,
        visitor: q.visitor,
        township: q.township,
        village: q.village,
        state: q.state.map(|s| s.code().to_owned()),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let page = s
        .app
        .grid_visits(&req.ctx, &f, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(VisitList {
        total: page.total,
        items: page.items.iter().map(json_of).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FindingJson {
    pub id: String,
    pub kind: FindingKind,
    /// Empty, with `redacted`, for a minor's finding outside the juvenile team.
    pub summary: String,
    pub redacted: bool,
    pub details: String,
    /// The case registered from it.
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    /// A clue's team (the action its members hold) and state.
    pub team: String,
    pub clue_state: Option<ClueState>,
    pub taken_by: String,
    pub outcome: String,
    pub village: String,
    pub visit_day: String,
    pub version: i64,
}

pub(super) fn finding_json(f: &Finding) -> FindingJson {
    let r = &f.listed.row;
    FindingJson {
        id: r.id.clone(),
        kind: f.kind,
        summary: r.summary.clone(),
        redacted: f.redacted,
        details: r.details.clone(),
        case_id: r.case_id.clone(),
        case_number: f.listed.case_number.clone(),
        team: r.team.clone(),
        clue_state: f.clue_state,
        taken_by: r.taken_by_name.clone(),
        outcome: r.outcome.clone(),
        village: f.listed.village_name.clone(),
        visit_day: f.listed.visit_day.clone(),
        version: r.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PhotoJson {
    pub id: String,
    pub filename: String,
    pub size: i64,
    pub sm3: String,
    /// `/grid/photos/{id}`
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct VisitDetail {
    #[serde(flatten)]
    pub visit: VisitJson,
    pub findings: Vec<FindingJson>,
    pub photos: Vec<PhotoJson>,
}

#[utoipa::path(get, path = "/api/v1/grid/visits/{id}", tag = "grid", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = VisitDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<VisitDetail> {
    let v = s.app.grid_visit(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(VisitDetail {
        visit: json_of(&v.visit),
        findings: v.findings.iter().map(finding_json).collect(),
        photos: v
            .photos
            .iter()
            .map(|p| PhotoJson {
                id: p.id.clone(),
                filename: p.filename.clone(),
                size: p.size,
                sm3: p.sm3.clone(),
                url: format!("/grid/photos/{}", p.id),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Logged {
    pub id: String,
    pub version: i64,
    /// Fields someone else changed meanwhile, kept beside the log's own.
    pub merged: Vec<String>,
    /// Cases registered from the findings: (id, number).
    pub cases: Vec<(String, String)>,
    /// The key had been applied before; nothing was written again.
    pub repeated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ConflictJson {
    pub field: String,
    pub base: String,
    pub mine: String,
    pub theirs: String,
}

/// 409: both sides changed these fields; the log is not written.
#[derive(Serialize, ToSchema)]
pub struct LogConflict {
    /// `conflict`
    pub code: String,
    pub message: String,
    pub id: String,
    /// The version to send with the reviewed log.
    pub version: i64,
    /// The visit's fields now.
    pub current: std::collections::BTreeMap<String, String>,
    pub conflicts: Vec<ConflictJson>,
}

fn key_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.chars().take(100).collect())
}

async fn answer(s: &AppState, req: &Req, id: Option<Id>, headers: &HeaderMap, body: &ApiBody) -> Response {
    let f: VisitLog = match body.json() {
        Ok(f) => f,
        Err(r) => return r,
    };
    match s
        .app
        .log_visit(&req.ctx, id, &f, key_of(headers).as_deref())
        .await
    {
        Ok(LogOutcome::Saved {
            id,
            version,
            merged,
            cases,
            repeated,
        }) => Json(Logged {
            id: id.to_string(),
            version,
            merged,
            cases,
            repeated,
        })
        .into_response(),
        Ok(LogOutcome::Conflict {
            id,
            version,
            current,
            conflicts,
        }) => (
            StatusCode::CONFLICT,
            Json(LogConflict {
                code: "conflict".into(),
                message: req.t.t("grid-log-conflict"),
                id: id.to_string(),
                version,
                current,
                conflicts: conflicts
                    .into_iter()
                    .map(|c| ConflictJson {
                        field: c.field,
                        base: c.base,
                        mine: c.mine,
                        theirs: c.theirs,
                    })
                    .collect(),
            }),
        )
            .into_response(),
        Err(e) => fail(req)(e).into_response(),
    }
}

/// Log a visit that was not planned, its findings routed in the same step. A retry with the same
/// `Idempotency-Key` is applied once.
#[utoipa::path(post, path = "/api/v1/grid/visits", tag = "grid", security(("bearer" = [])), request_body = VisitLog,
    params(("Idempotency-Key" = Option<String>, Header, description = "One log per key and caller")),
    responses((status = 200, body = Logged), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, headers: HeaderMap, body: ApiBody) -> Response {
    answer(&s, &req, None, &headers, &body).await
}

/// Log a planned visit (or correct a log) against the version the device saw; fields changed
/// meanwhile merge one by one, and a field both sides changed answers 409 for review.
#[utoipa::path(post, path = "/api/v1/grid/visits/{id}/log", tag = "grid", security(("bearer" = [])), request_body = VisitLog,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "One log per key and caller")),
    responses((status = 200, body = Logged), (status = 409, body = LogConflict), (status = 422, body = ErrorBody)))]
pub async fn log(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    headers: HeaderMap,
    body: ApiBody,
) -> Response {
    answer(&s, &req, Some(id), &headers, &body).await
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Plan a visit for a day (for oneself, or a head for someone of the agency).
#[utoipa::path(post, path = "/api/v1/grid/visits/plan", tag = "grid", security(("bearer" = [])), request_body = VisitPlan,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: VisitPlan = body.json()?;
    let id = s.app.plan_visit(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct Version {
    pub version: i64,
}

/// Move a planned visit or cancel it.
#[utoipa::path(post, path = "/api/v1/grid/visits/{id}", tag = "grid", security(("bearer" = [])), request_body = VisitChange,
    params(("id" = String, Path)),
    responses((status = 200, body = Version), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Version> {
    let f: VisitChange = body.json()?;
    let version = s.app.change_visit(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Version { version }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClueList {
    pub total: i64,
    pub items: Vec<FindingJson>,
}

/// Clues from grid visits waiting for the caller's teams (suggestions, judicial aid, minors).
#[utoipa::path(get, path = "/api/v1/grid/clues", tag = "grid", security(("bearer" = [])), params(ClueParams),
    responses((status = 200, body = ClueList), (status = 403, body = ErrorBody)))]
pub async fn clues(State(s): State<AppState>, req: Req, Query(q): Query<ClueParams>) -> Res<ClueList> {
    let page = s
        .app
        .grid_clues(&req.ctx, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(ClueList {
        total: page.total,
        items: page.items.iter().map(finding_json).collect(),
    }))
}

/// Take a clue up, or close it with what came of it.
#[utoipa::path(post, path = "/api/v1/grid/clues/{id}", tag = "grid", security(("bearer" = [])), request_body = ClueStep,
    params(("id" = String, Path)),
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn clue(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let f: ClueStep = body.json()?;
    s.app.clue_step(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
