//! The public deadline calculator, and the deadline rules with their versions.

use axum::Json;
use axum::extract::{Query, State};
use gongzhi_app::domain::deadline::Calculated;
use serde::Deserialize;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, Res, fail};
use gongzhi_app::calendar::Recomputed;
use gongzhi_app::deadlines::{DeadlineRule, RuleVersionForm};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalcQuery {
    /// `YYYY-MM-DD`; the start day itself is not counted.
    start: Option<String>,
    amount: Option<String>,
    /// calendar_day, working_day or month
    unit: Option<String>,
}

/// The public deadline calculator (no token needed): Civil Code conventions over the official
/// holiday calendar with its make-up working days.
#[utoipa::path(get, path = "/api/v1/deadlines/calculate", tag = "deadlines", params(CalcQuery),
    responses((status = 200, body = Calculated), (status = 422, body = ErrorBody)))]
pub async fn calculate(State(s): State<AppState>, req: Req, Query(q): Query<CalcQuery>) -> Res<Calculated> {
    let r = s
        .app
        .calculate_deadline(
            q.start.as_deref().unwrap_or(""),
            q.amount.as_deref().unwrap_or(""),
            q.unit.as_deref().unwrap_or(""),
        )
        .await
        .map_err(fail(&req))?;
    Ok(Json(r))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RuleList {
    pub total: i64,
    /// Each rule's versions in order of their effective dates.
    pub items: Vec<DeadlineRule>,
}

/// The deadline rules and their versions.
#[utoipa::path(get, path = "/api/v1/deadline-rules", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = RuleList), (status = 403, body = ErrorBody)))]
pub async fn list_rules(State(s): State<AppState>, req: Req) -> Res<RuleList> {
    let items = s.app.deadline_rules(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(RuleList {
        total: i64::try_from(items.len()).unwrap_or(i64::MAX),
        items,
    }))
}

/// Save a new version of a rule, effective from its date; every problem is reported. With
/// `apply_to_running` the running clocks of the version it follows move onto it and are listed.
#[utoipa::path(post, path = "/api/v1/deadline-rules", tag = "reference", security(("bearer" = [])), request_body = RuleVersionForm,
    responses((status = 200, body = Recomputed), (status = 422, body = ErrorBody)))]
pub async fn create_rule_version(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Recomputed> {
    let b: RuleVersionForm = body.json()?;
    Ok(Json(
        s.app.save_rule_version(&req.ctx, &b).await.map_err(fail(&req))?,
    ))
}
