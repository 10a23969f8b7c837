//! The criminal-reconciliation conditions of a criminal case.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::reconciliation::Ineligible;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct Eligibility {
    pub eligible: bool,
    /// Why not, each a condition of CPL Arts. 288–290 that is not met.
    pub reasons: Vec<Ineligible>,
}

/// Record and check the criminal-reconciliation conditions (CPL Arts. 288–290) of a criminal case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reconciliation", tag = "cases", security(("bearer" = [])),
    request_body = gongzhi_app::domain::reconciliation::ReconciliationFacts,
    responses((status = 200, body = Eligibility), (status = 422, body = ErrorBody)))]
pub async fn reconciliation(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Eligibility> {
    let b: gongzhi_app::domain::reconciliation::ReconciliationFacts = body.json()?;
    let reasons = s
        .app
        .set_reconciliation(&req.ctx, id, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Eligibility {
        eligible: reasons.is_empty(),
        reasons,
    }))
}

/// Record the reconciliation (remorse, compensation or apology, forgiveness, the review of
/// voluntariness and legality, the agreement attached); the review needs all of it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reconciliation/record", tag = "cases", security(("bearer" = [])),
    request_body = gongzhi_app::domain::reconciliation::ReconciliationRecord,
    responses((status = 200, body = super::Done), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<super::Done> {
    let b: gongzhi_app::domain::reconciliation::ReconciliationRecord = body.json()?;
    s.app
        .record_reconciliation(&req.ctx, id, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(super::Done { ok: true }))
}
