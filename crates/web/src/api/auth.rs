//! Logging in and out with a bearer token, and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use gongzhi_app::auth::Kind;
use gongzhi_app::auth::LoginInput;
use gongzhi_app::domain::policy::{Action, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, ApiResult, Done, ErrorBody, fail};

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The 6-digit code of the second factor, when the account has one.
    pub totp: Option<String>,
    /// A name for the token, shown in the account's session list.
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub token_type: String,
    pub expires_at: String,
}

/// Exchange credentials for a bearer token (revocable, expiring).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(super) async fn login(
    State(s): State<AppState>,
    req: Req,
    body: ApiBody,
) -> Result<Json<LoginResponse>, Response> {
    let b: LoginRequest = body.json()?;
    let input = LoginInput {
        username: &b.username,
        password: &b.password,
        totp: b.totp.as_deref(),
        kind: Kind::Api,
        token_name: b.name.as_deref().unwrap_or("api"),
        user_agent: "",
    };
    let done = s.app.login(&req.ctx, input).await.map_err(fail(&req))?;
    Ok(Json(LoginResponse {
        token: done.token,
        token_type: "Bearer".into(),
        expires_at: done.expires_at.to_rfc3339(),
    }))
}

/// Revoke the token used for this call.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 401, body = ErrorBody)))]
pub(super) async fn logout(State(s): State<AppState>, req: Req) -> ApiResult<Done> {
    req.ctx
        .actor()
        .map_err(|e| ApiError(e, req.ctx.request_id().to_owned()))?;
    s.app.logout(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub agency_id: String,
    pub agency_name: String,
    pub roles: Vec<Role>,
    pub permissions: Vec<Action>,
}

/// The caller and what the caller may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub(super) async fn me(req: Req) -> ApiResult<Me> {
    let a = req.ctx.actor().map_err(fail(&req))?;
    Ok(Json(Me {
        id: a.user_id.to_string(),
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        agency_id: a.agency_id.to_string(),
        agency_name: a.agency_name.clone(),
        roles: a.roles.clone(),
        permissions: Action::ALL.iter().copied().filter(|x| a.can(*x)).collect(),
    }))
}
