//! `/api/v1/cases/…` for repeat petitions and duplicates (issue 13 §2): the likely earlier cases of
//! a case being registered or of a registered one, the decision about one (a repeat petition of
//! it, or not the same matter), merging a true duplicate into the case that carries on, and
//! taking the merge back. The same use cases as the case pages.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::case::{IntakeForm, Likely, LinkDecision, MergeRequest, UnmergeRequest};
use gongzhi_app::domain::Id;

use super::{ApiBody, Done, ErrorBody, Res, fail};
use crate::AppState;
use crate::middleware::Req;

/// The earlier cases a case about to be registered likely repeats: the same body as registering
/// it, as filled so far. Register with `repeat_of` set to the one it repeats.
#[utoipa::path(post, path = "/api/v1/cases/duplicates", tag = "cases", security(("bearer" = [])), request_body = IntakeForm,
    responses((status = 200, body = Vec<Likely>), (status = 403, body = ErrorBody)))]
pub async fn duplicates(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Vec<Likely>> {
    let f: IntakeForm = body.json()?;
    Ok(Json(
        s.app.likely_duplicates(&req.ctx, &f).await.map_err(fail(&req))?,
    ))
}

/// The cases a registered case likely repeats or duplicates, without those already decided about.
#[utoipa::path(get, path = "/api/v1/cases/{id}/duplicates", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<Likely>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn case_duplicates(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Vec<Likely>> {
    Ok(Json(
        s.app.case_duplicates(&req.ctx, id).await.map_err(fail(&req))?,
    ))
}

/// Record that the case repeats another (`repeat`, counted by the risk assessment) or is not the
/// same matter (`dismissed`, not suggested again).
#[utoipa::path(post, path = "/api/v1/cases/{id}/links", tag = "cases", security(("bearer" = [])), request_body = LinkDecision,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let d: LinkDecision = body.json()?;
    s.app.link_case(&req.ctx, id, &d).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Merge the case, the same petition registered twice, into `into`: nothing of it is deleted; it
/// leaves the lists and counts, its open clocks are held. A stale `version` is 409.
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "cases", security(("bearer" = [])), request_body = MergeRequest,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let m: MergeRequest = body.json()?;
    s.app.merge_case(&req.ctx, id, &m).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Take a merge back: the case is handled on its own again, its clocks as they were.
#[utoipa::path(post, path = "/api/v1/cases/{id}/unmerge", tag = "cases", security(("bearer" = [])), request_body = UnmergeRequest,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unmerge(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let u: UnmergeRequest = body.json()?;
    s.app.unmerge_case(&req.ctx, id, &u).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
