//! `/api/v1/minors`: mandatory reports about minors, their own security class (issue 12 §3). The
//! list masks the child; a report opens whole only for the juvenile team or a grantee, with a
//! reason that is audited; anyone else gets 403, audited too. Children's records and support
//! tasks are in [`child`].

pub mod child;

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::minor::{GuardianSituation, HarmKind, ReportState, ReportStep, ReporterKind};
use gongzhi_app::minor::{ChildRecord, ReportForm, ReportLine, ReportStepForm, Reporter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportJson {
    pub id: String,
    pub state: ReportState,
    pub reporter_kind: ReporterKind,
    pub harm_kind: HarmKind,
    /// The child's surname and a mark for each other character.
    pub child: String,
    /// Local `YYYY-MM-DD HH:MM`.
    pub received_at: String,
    pub township: Option<String>,
    /// Hours from receipt until the police were told (or until now).
    pub police_hours: i64,
    /// Not told within the hour (§3.9 "immediately").
    pub police_late: bool,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    pub total: i64,
    pub items: Vec<ReportJson>,
}

pub(super) fn json_of(l: &ReportLine) -> ReportJson {
    let r = &l.listed.row;
    ReportJson {
        id: r.id.clone(),
        state: l.state,
        reporter_kind: l.reporter_kind,
        harm_kind: l.harm,
        child: l.child_masked.clone(),
        received_at: gongzhi_app::domain::time::format_local(gongzhi_app::domain::time::from_millis(
            r.received_at,
        )),
        township: l.listed.township_name.clone(),
        police_hours: l.police_hours,
        police_late: l.police_late,
        version: r.version,
    }
}

/// The reports the caller may open (all for the juvenile team, the granted ones for others).
#[utoipa::path(get, path = "/api/v1/minors", tag = "minors", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = ReportList), (status = 401, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ReportParams>) -> Res<ReportList> {
    let page = s
        .app
        .minor_reports(&req.ctx, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(ReportList {
        total: page.total,
        items: page.items.iter().map(json_of).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// File a mandatory report as received.
#[utoipa::path(post, path = "/api/v1/minors", tag = "minors", security(("bearer" = [])), request_body = ReportForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: ReportForm = body.json()?;
    let id = s.app.file_minor_report(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenBody {
    /// Why the record is opened (audited with the open).
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct GrantJson {
    pub user_id: String,
    pub name: String,
    pub granted_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportJson,
    pub child_record: ChildRecord,
    pub reporter: Reporter,
    pub guardian_situation: GuardianSituation,
    pub under14: bool,
    pub police_unit: String,
    pub outcome: String,
    /// The steps the caller may take now.
    pub steps: Vec<ReportStep>,
    pub grants: Vec<GrantJson>,
}

/// Open a report whole, for a reason; without the juvenile permission or a grant: 403, audited.
#[utoipa::path(post, path = "/api/v1/minors/{id}/open", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OpenBody,
    responses((status = 200, body = ReportDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<ReportDetail> {
    let b: OpenBody = body.json()?;
    let v = s
        .app
        .open_minor_report(&req.ctx, id, &b.reason)
        .await
        .map_err(fail(&req))?;
    let r = &v.line.listed.row;
    Ok(Json(ReportDetail {
        report: json_of(&v.line),
        police_unit: r.police_unit.clone(),
        outcome: r.outcome.clone(),
        child_record: v.child,
        reporter: v.reporter,
        guardian_situation: v.guardian,
        under14: v.under14,
        steps: v.steps,
        grants: v
            .grants
            .into_iter()
            .map(|(user_id, name, granted_by, _)| GrantJson {
                user_id,
                name,
                granted_by,
            })
            .collect(),
    }))
}

/// Tell the police (with the station), file, or close (with the outcome).
#[utoipa::path(post, path = "/api/v1/minors/{id}/steps/{step}", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path), ("step" = ReportStep, Path)), request_body = ReportStepForm,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, step)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let step = ReportStep::parse(&step)
        .ok_or_else(|| ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()))?;
    let f: ReportStepForm = body.json()?;
    s.app
        .minor_step(&req.ctx, id, step, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct GrantBody {
    /// The user's id or username.
    pub user: String,
    /// Take the grant back.
    #[serde(default)]
    pub revoke: bool,
}

/// Grant one report to someone outside the juvenile team, or take the grant back.
#[utoipa::path(post, path = "/api/v1/minors/{id}/grants", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = GrantBody,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: GrantBody = body.json()?;
    s.app
        .minor_grant(&req.ctx, id, &b.user, b.revoke)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountParams {
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct HarmCount {
    pub harm_kind: HarmKind,
    /// Null when fewer than 5 children (suppressed).
    pub count: Option<i64>,
}

/// Reports received in a year by harm kind; a cell of fewer than 5 children is null.
#[utoipa::path(get, path = "/api/v1/minors/counts", tag = "minors", security(("bearer" = [])), params(CountParams),
    responses((status = 200, body = [HarmCount]), (status = 403, body = ErrorBody)))]
pub async fn counts(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<CountParams>,
) -> Res<Vec<HarmCount>> {
    let year = crate::ui::year_or_this(&s, q.year);
    let c = s.app.minor_counts(&req.ctx, year).await.map_err(fail(&req))?;
    Ok(Json(
        c.into_iter()
            .map(|(harm_kind, count)| HarmCount { harm_kind, count })
            .collect(),
    ))
}
