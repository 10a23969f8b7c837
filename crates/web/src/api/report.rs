//! `/api/v1/returns` (issue 13 §4): statistical returns — issue one, list them, read one with its
//! figures now — and any period's figures.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::report::Line;
use gongzhi_app::report::{IssueReturn, ReturnView, StatReturn};

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, Res, fail};

/// Issue the return of an ended month (`2026-11`) or year (`2026`) for the caller's scope: the
/// figures are frozen as they are now; issuing the same period again adds a revision.
#[utoipa::path(post, path = "/api/v1/returns", tag = "returns", security(("bearer" = [])), request_body = IssueReturn,
    responses((status = 200, body = StatReturn), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn issue(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<StatReturn> {
    let f: IssueReturn = body.json()?;
    Ok(Json(s.app.issue_return(&req.ctx, &f).await.map_err(fail(&req))?))
}

/// The returns of the caller's scope (every one for the district), newest first.
#[utoipa::path(get, path = "/api/v1/returns", tag = "returns", security(("bearer" = [])),
    responses((status = 200, body = Vec<StatReturn>), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req) -> Res<Vec<StatReturn>> {
    Ok(Json(s.app.returns(&req.ctx).await.map_err(fail(&req))?))
}

/// A return as issued, its figures now (in the caller's own scope) and what differs.
#[utoipa::path(get, path = "/api/v1/returns/{id}", tag = "returns", security(("bearer" = [])),
    responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<ReturnView> {
    Ok(Json(s.app.return_view(&req.ctx, id).await.map_err(fail(&req))?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresParams {
    /// `YYYY-MM-DD`, counted.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, counted; at most three years after `from`.
    pub to: Option<String>,
}

/// Any period's figures, not issued (a count of children under five is `null`).
#[utoipa::path(get, path = "/api/v1/returns/figures", tag = "returns", security(("bearer" = [])), params(FiguresParams),
    responses((status = 200, body = Vec<Line>), (status = 422, body = ErrorBody)))]
pub async fn figures(State(s): State<AppState>, req: Req, Query(p): Query<FiguresParams>) -> Res<Vec<Line>> {
    let lines = s
        .app
        .period_figures(
            &req.ctx,
            p.from.as_deref().unwrap_or(""),
            p.to.as_deref().unwrap_or(""),
        )
        .await
        .map_err(fail(&req))?;
    Ok(Json(lines))
}
