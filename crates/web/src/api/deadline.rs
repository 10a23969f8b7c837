//! The public deadline calculator.

use axum::Json;
use axum::extract::{Query, State};
use gongzhi_app::domain::deadline::Calculated;
use serde::Deserialize;

use crate::AppState;
use crate::middleware::Req;

use super::{ErrorBody, Res, fail};

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
