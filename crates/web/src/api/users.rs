//! Accounts.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use gongzhi_app::domain::policy::Role;
use gongzhi_app::users::UserForm;
use gongzhi_app::users::{User, UserFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ErrorBody, fail, page_of, paged};

#[derive(Serialize, ToSchema)]
pub struct UserJson {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub agency_id: String,
    pub agency_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
}

pub(super) fn user_json(u: User) -> UserJson {
    UserJson {
        id: u.id.to_string(),
        username: u.username,
        display_name: u.display_name,
        agency_id: u.agency_id.to_string(),
        agency_name: u.agency_name,
        roles: u.roles,
        active: u.active,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Text in the user name or display name.
    q: Option<String>,
    /// Rows per call (default 100, at most 500); the total is in `X-Total-Count`.
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Accounts (system and security administrators), a page at a time.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(UsersQuery),
    responses((status = 200, body = Vec<UserJson>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_users(State(s): State<AppState>, req: Req, Query(q): Query<UsersQuery>) -> Response {
    let page = page_of(q.limit, q.offset);
    let f = UserFilter {
        text: q.q,
        limit: page.limit,
        offset: page.offset,
        ..Default::default()
    };
    match s.app.users(&req.ctx, &f).await {
        Ok((list, total)) => paged(list.into_iter().map(user_json).collect(), total),
        Err(e) => fail(&req)(e).into_response(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserJson {
    pub username: String,
    pub display_name: String,
    pub agency_id: String,
    pub roles: Vec<String>,
    /// Initial password; generated when absent. It must be changed at first login.
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserJson,
    pub initial_password: String,
}

/// Create an account (system administrator).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUserJson,
    responses((status = 200, body = CreatedUser), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn create_user(
    State(s): State<AppState>,
    req: Req,
    body: ApiBody,
) -> Result<Json<CreatedUser>, Response> {
    let b: NewUserJson = body.json()?;
    let f = UserForm {
        username: b.username,
        display_name: b.display_name,
        agency_id: b.agency_id,
        roles: b.roles,
        password: b.password.unwrap_or_default(),
        active: true,
        version: 0,
    };
    let (u, password) = s.app.create_user(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(CreatedUser {
        user: user_json(u),
        initial_password: password,
    }))
}
