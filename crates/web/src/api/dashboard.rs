//! `GET /api/v1/dashboard` (issue 13 §3): the dashboard's figures for a month, in the caller's
//! scope, as the page shows them.

use axum::Json;
use axum::extract::{Query, State};
use gongzhi_app::dashboard::{Dashboard, DashboardQuery};

use crate::AppState;
use crate::middleware::Req;

use super::{ErrorBody, Res, fail};

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// `YYYY-MM`; this month when left out.
    pub month: Option<String>,
    /// A township's id: only its cases.
    pub township: Option<String>,
}

/// The month's figures: reply rates, cases by category, channel, township and month, clocks,
/// risk, referrals, hearings, suggestions, aid, grid visits and the village heat.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", security(("bearer" = [])), params(DashboardParams),
    responses((status = 200, body = Dashboard), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn dashboard(
    State(s): State<AppState>,
    req: Req,
    Query(p): Query<DashboardParams>,
) -> Res<Dashboard> {
    let q = DashboardQuery {
        month: p.month.unwrap_or_default(),
        township: p.township.unwrap_or_default(),
    };
    Ok(Json(s.app.dashboard(&req.ctx, &q).await.map_err(fail(&req))?))
}
