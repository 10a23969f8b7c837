//! The social-stability risk assessment: assessing, the leader's sign-off and the mitigation plan.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::risk::RiskInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::meeting::ItemJson;
use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Deserialize, ToSchema)]
pub struct RiskJson {
    #[serde(default)]
    pub people: u32,
    #[serde(default)]
    pub earlier_petitions: u32,
    #[serde(default)]
    pub extreme_words: bool,
    #[serde(default)]
    pub vulnerable_party: bool,
    #[serde(default)]
    pub amount_yuan: i64,
    #[serde(default)]
    pub media_attention: bool,
    #[serde(default)]
    pub earlier_escalation: bool,
    #[serde(default)]
    pub long_running: bool,
    #[serde(default)]
    pub note: String,
    /// The mitigation plan (稳控措施); required before a medium or high risk can be decided.
    #[serde(default)]
    pub plan: String,
}

#[derive(Serialize, ToSchema)]
pub struct RiskResult {
    pub level: String,
    pub score: i64,
    pub factors: String,
    pub ruleset: String,
}

/// Assess the risk with the current rule set.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk", tag = "cases", security(("bearer" = [])), request_body = RiskJson,
    responses((status = 200, body = RiskResult), (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<RiskResult> {
    let b: RiskJson = body.json()?;
    let input = RiskInput {
        people: b.people,
        earlier_petitions: b.earlier_petitions,
        extreme_words: b.extreme_words,
        vulnerable_party: b.vulnerable_party,
        amount_yuan: b.amount_yuan,
        media_attention: b.media_attention,
        earlier_escalation: b.earlier_escalation,
        long_running: b.long_running,
    };
    let a = s
        .app
        .assess_risk(&req.ctx, id, &input, &b.note, &b.plan)
        .await
        .map_err(fail(&req))?;
    Ok(Json(RiskResult {
        level: a.level,
        score: a.score,
        factors: a.factors,
        ruleset: a.ruleset,
    }))
}

/// A leader signs off the latest (high) risk assessment.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/sign-off", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Done> {
    s.app.sign_off_risk(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanJson {
    /// The mitigation plan (稳控措施).
    pub plan: String,
    /// Tasks: title, owner (user id), due (`YYYY-MM-DD`); they appear in their owners' inboxes.
    #[serde(default)]
    pub tasks: Vec<ItemJson>,
}

/// Set the mitigation plan of the latest assessment, with its tasks.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/plan", tag = "cases", security(("bearer" = [])), request_body = PlanJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: PlanJson = body.json()?;
    let tasks: Vec<(String, String, String)> =
        b.tasks.into_iter().map(|i| (i.title, i.owner, i.due)).collect();
    s.app
        .set_mitigation(&req.ctx, id, &b.plan, &tasks)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
