//! The social-stability risk assessment: assessing, the leader's sign-off, the mitigation plan,
//! and the versioned rule sets that score it.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::risk::{RiskRules, Scored};
use gongzhi_app::risk::{PlanForm, RiskForm, RulesetView};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct RiskResult {
    /// low, medium, high
    pub level: String,
    pub score: i64,
    /// The factors that scored, with their points.
    pub factors: Vec<Scored>,
    /// The rule set's version.
    pub ruleset: String,
    /// The mitigated high-risk assessment this one reassesses (empty for a first assessment).
    pub reassesses: String,
}

/// Assess the risk with the current rule set.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk", tag = "cases", security(("bearer" = [])), request_body = RiskForm,
    responses((status = 200, body = RiskResult), (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<RiskResult> {
    let b: RiskForm = body.json()?;
    let a = s.app.assess_risk(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(RiskResult {
        factors: a.scored(),
        level: a.level,
        score: a.score,
        ruleset: a.ruleset,
        reassesses: a.reassesses,
    }))
}

/// A leader signs off the latest (high) risk assessment.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/sign-off", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Done> {
    s.app.sign_off_risk(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct RefuseBody {
    /// Why the head does not sign off (told to the handler).
    pub reason: String,
}

/// The head of the handling agency refuses to sign off the latest (high) risk, with a reason.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/refuse", tag = "cases", security(("bearer" = [])), request_body = RefuseBody,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refuse(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: RefuseBody = body.json()?;
    s.app
        .refuse_risk(&req.ctx, id, &b.reason)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Set the mitigation plan of the latest assessment, with its tasks.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/plan", tag = "cases", security(("bearer" = [])), request_body = PlanForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: PlanForm = body.json()?;
    s.app.set_mitigation(&req.ctx, id, &b).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct RulesetList {
    pub total: i64,
    /// Newest effective date first.
    pub items: Vec<RulesetView>,
}

/// The risk rule sets: versions, regions, effective dates, thresholds and factors.
#[utoipa::path(get, path = "/api/v1/risk-rules", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = RulesetList), (status = 403, body = ErrorBody)))]
pub async fn list_rules(State(s): State<AppState>, req: Req) -> Res<RulesetList> {
    let items = s.app.risk_rulesets(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(RulesetList {
        total: i64::try_from(items.len()).unwrap_or(i64::MAX),
        items,
    }))
}

/// Save a new rule-set version; every problem is reported, an existing version is refused.
#[utoipa::path(post, path = "/api/v1/risk-rules", tag = "reference", security(("bearer" = [])), request_body = RiskRules,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn create_rules(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Done> {
    let b: RiskRules = body.json()?;
    s.app.save_risk_rules(&req.ctx, &b).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
