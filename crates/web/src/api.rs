//! `/api/v1`: JSON for partner systems, registered only through the OpenAPI router so that the
//! document at `/api/openapi.json` and the routes cannot drift. Same use cases, same policy as the UI.

use axum::Json;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongzhi_app::admin::AgencyForm;
use gongzhi_app::admin::{Agency, AgencyFilter};
use gongzhi_app::auth::Kind;
use gongzhi_app::auth::LoginInput;
use gongzhi_app::domain::policy::{Action, Role};
use gongzhi_app::users::UserForm;
use gongzhi_app::users::{User, UserFilter};
use gongzhi_app::{AppError, domain::Id};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api_cases;
use crate::error::{ApiError, json_error};
use crate::middleware::Req;
use crate::routes::{Access, ApiRoutes, Routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "gongzhi 共治 API", version = "1", description = "基层矛盾纠纷多元化解平台接口。所有接口使用 Bearer 令牌（POST /api/v1/auth/login 获取），错误统一为 {\"code\",\"message\",\"fields\"}。"),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The error shape of every API failure.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid`, `forbidden`, `locked`.
    pub code: String,
    /// A Chinese message for people.
    pub message: String,
    /// Per-field messages for `invalid`; the current values for `conflict`.
    pub fields: Option<serde_json::Value>,
}

fn api_routes() -> ApiRoutes {
    use Action::{
        ApproveClock, HandleCase, ManageReference, ManageUsers, RegisterCase, RevealPersonal, SignOffRisk,
        ViewCases, ViewPermissions, ViewReference, ViewUsers,
    };
    let handle = Access::Staff(HandleCase);
    ApiRoutes::new(OpenApiRouter::with_openapi(ApiDoc::openapi()))
        .op(Access::Public, routes!(login))
        .op(Access::Account, routes!(logout))
        .op(Access::Account, routes!(me))
        .op(Access::Staff(ViewReference), routes!(list_agencies))
        .op(Access::Staff(ManageReference), routes!(create_agency))
        .op(Access::Staff(ViewReference), routes!(list_org_units))
        .op(Access::Staff(ViewUsers), routes!(list_users))
        .op(Access::Staff(ManageUsers), routes!(create_user))
        .op(Access::Staff(ViewReference), routes!(list_categories))
        .op(Access::Staff(ViewPermissions), routes!(permissions))
        .op(Access::Staff(RegisterCase), routes!(api_cases::create_case))
        .op(Access::Staff(ViewCases), routes!(api_cases::list_cases))
        .op(Access::Staff(ViewCases), routes!(api_cases::get_case))
        .op(handle, routes!(api_cases::edit_case))
        .op(handle, routes!(api_cases::plan))
        .op(handle, routes!(api_cases::reconciliation))
        .op(handle, routes!(api_cases::publication))
        .op(Access::Staff(ViewCases), routes!(api_cases::templates))
        .op(handle, routes!(api_cases::attach))
        .op(handle, routes!(api_cases::transition))
        .op(handle, routes!(api_cases::reply))
        .op(handle, routes!(api_cases::assess))
        .op(Access::Staff(SignOffRisk), routes!(api_cases::sign_off))
        .op(handle, routes!(api_cases::refer))
        .op(handle, routes!(api_cases::answer_referral))
        .op(handle, routes!(api_cases::mediation))
        .op(handle, routes!(api_cases::follow_up))
        .op(Access::Staff(ApproveClock), routes!(api_cases::clock))
        .op(Access::Staff(RevealPersonal), routes!(api_cases::reveal))
        .op(handle, routes!(api_cases::meeting))
        .op(Access::Staff(ViewCases), routes!(api_cases::inbox))
        .op(Access::Public, routes!(api_cases::calculate))
}

/// The API: its operations, the document, the docs page and the probes.
pub fn router() -> Routes {
    let (router, specs) = api_routes().into_parts();
    let (router, spec) = router.split_for_parts();
    let spec_json = spec.to_pretty_json().unwrap_or_default();
    Routes::from_parts(router, specs)
        .get("/api/openapi.json", Access::Public, move || async move {
            ([(http::header::CONTENT_TYPE, "application/json")], spec_json)
        })
        .get("/api/docs", Access::Public, docs)
        .get("/healthz", Access::Public, || async { "ok" })
        .get("/readyz", Access::Public, readyz)
        .get("/metrics", Access::Public, metrics)
}

/// The OpenAPI document, for `gongzhi openapi`.
pub fn openapi_json() -> String {
    api_routes()
        .into_parts()
        .0
        .split_for_parts()
        .1
        .to_pretty_json()
        .unwrap_or_default()
}

async fn docs() -> Html<&'static str> {
    Html(include_str!("../templates/api_docs.html"))
}

/// Ready when the database answers and holds this binary's schema (an empty or unmigrated database
/// is not ready).
async fn readyz(State(s): State<AppState>) -> Response {
    match s.app.readiness().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database unavailable or not migrated",
        )
            .into_response(),
    }
}

async fn metrics(State(s): State<AppState>) -> Response {
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response()
}

/// A JSON body, parsed only when the handler asks, so that a caller without permission hears 401/403
/// rather than what is wrong with a body it may not send. Failures answer in the API's error shape
/// (400 malformed, 413 too large).
pub struct ApiBody(axum::body::Bytes);

/// A JSON body, read only when it says it is JSON (`application/json` or `…+json`, or nothing at
/// all with nothing in it); see `FormData` for why.
impl<S: Send + Sync> FromRequest<S> for ApiBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let kind = crate::form::media_type(req.headers());
        let body = axum::body::Bytes::from_request(req, state).await.map_err(|rej| {
            let status = rej.status();
            let (code, msg) = if status == StatusCode::PAYLOAD_TOO_LARGE {
                ("too_large", "请求内容过大")
            } else {
                ("bad_request", "无法读取请求内容")
            };
            json_error(status, code, msg, None)
        })?;
        if crate::form::is_json(&kind) || (kind.is_empty() && body.is_empty()) {
            Ok(ApiBody(body))
        } else {
            Err(json_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请以 JSON 提交（Content-Type: application/json）",
                None,
            ))
        }
    }
}

impl ApiBody {
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Response> {
        serde_json::from_slice(&self.0).map_err(|e| {
            json_error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "请求不是有效的 JSON",
                Some(serde_json::json!({ "body": e.to_string() })),
            )
        })
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A list answered a page at a time: the rows as JSON, the total in `X-Total-Count`.
fn paged<T: Serialize>(items: Vec<T>, total: i64) -> Response {
    let mut res = Json(items).into_response();
    if let Ok(v) = http::HeaderValue::from_str(&total.to_string()) {
        res.headers_mut().insert("x-total-count", v);
    }
    res
}

/// Rows of a list per call: `limit` (default 100, at most 500) after `offset`.
fn page_of(limit: Option<i64>, offset: Option<i64>) -> gongzhi_app::Page {
    gongzhi_app::Page {
        limit: limit.unwrap_or(100).clamp(1, 500),
        offset: offset.unwrap_or(0).max(0),
    }
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Self {
        e.into_response()
    }
}

fn fail(req: &Req) -> impl Fn(AppError) -> ApiError + '_ {
    |e| ApiError(e, req.ctx.request_id().to_owned())
}

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
async fn login(State(s): State<AppState>, req: Req, body: ApiBody) -> Result<Json<LoginResponse>, Response> {
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

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Revoke the token used for this call.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 401, body = ErrorBody)))]
async fn logout(State(s): State<AppState>, req: Req) -> ApiResult<Done> {
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
async fn me(req: Req) -> ApiResult<Me> {
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

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AgencyJson {
    #[serde(default)]
    pub id: String,
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// One of the agency kind codes (procuratorate, court, police, …).
    pub kind: String,
    /// The 12-digit division code of the territory the agency sits in (for creation).
    #[serde(default)]
    pub org_unit_code: String,
    #[serde(default)]
    pub org_unit_id: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub active: bool,
}

fn agency_json(a: Agency) -> AgencyJson {
    AgencyJson {
        id: a.id.to_string(),
        code: a.code,
        name: a.name,
        short_name: a.short_name,
        kind: a.kind.code().into(),
        org_unit_code: String::new(),
        org_unit_id: a.org_unit_id.to_string(),
        phone: a.phone,
        address: a.address,
        active: a.active,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    /// Agency kind code.
    kind: Option<String>,
    /// Text in the name or code.
    q: Option<String>,
    /// Rows per call (default 100, at most 500); the total is in `X-Total-Count`.
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Agencies, a page at a time.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "reference", security(("bearer" = [])), params(AgencyQuery),
    responses((status = 200, body = Vec<AgencyJson>), (status = 403, body = ErrorBody)))]
async fn list_agencies(State(s): State<AppState>, req: Req, Query(q): Query<AgencyQuery>) -> Response {
    let f = AgencyFilter {
        kind: q
            .kind
            .as_deref()
            .and_then(gongzhi_app::domain::org::AgencyKind::parse),
        text: q.q,
    };
    match s.app.agencies(&req.ctx, &f, page_of(q.limit, q.offset)).await {
        Ok(p) => paged(p.items.into_iter().map(agency_json).collect(), p.total),
        Err(e) => fail(&req)(e).into_response(),
    }
}

/// Create an agency (system administrator).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "reference", security(("bearer" = [])), request_body = AgencyJson,
    responses((status = 200, body = AgencyJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_agency(
    State(s): State<AppState>,
    req: Req,
    body: ApiBody,
) -> Result<Json<AgencyJson>, Response> {
    let b: AgencyJson = body.json()?;
    let f = AgencyForm {
        code: b.code,
        name: b.name,
        short_name: b.short_name,
        kind: b.kind,
        org_unit_code: b.org_unit_code,
        phone: b.phone,
        address: b.address,
        active: true,
        version: 0,
    };
    Ok(Json(agency_json(
        s.app.create_agency(&req.ctx, &f).await.map_err(fail(&req))?,
    )))
}

#[derive(Serialize, ToSchema)]
pub struct OrgUnitJson {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<String>,
    pub active: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// Children of this unit; the roots when absent.
    parent: Option<String>,
    /// Rows per call (default 100, at most 500); the total is in `X-Total-Count`.
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The org tree, one level at a time.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "reference", security(("bearer" = [])), params(OrgQuery),
    responses((status = 200, body = Vec<OrgUnitJson>), (status = 403, body = ErrorBody)))]
async fn list_org_units(State(s): State<AppState>, req: Req, Query(q): Query<OrgQuery>) -> Response {
    let parent = match q.parent.as_deref().map(str::parse::<Id>) {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return fail(&req)(AppError::field("parent", "id-invalid")).into_response(),
        None => None,
    };
    match s
        .app
        .org_children(&req.ctx, parent, page_of(q.limit, q.offset))
        .await
    {
        Ok(p) => paged(
            p.items
                .into_iter()
                .map(|u| OrgUnitJson {
                    id: u.id.to_string(),
                    code: u.code,
                    name: u.name,
                    level: u.level.code().into(),
                    parent_id: u.parent_id.map(|p| p.to_string()),
                    active: u.active,
                })
                .collect(),
            p.total,
        ),
        Err(e) => fail(&req)(e).into_response(),
    }
}

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

fn user_json(u: User) -> UserJson {
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
async fn list_users(State(s): State<AppState>, req: Req, Query(q): Query<UsersQuery>) -> Response {
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
async fn create_user(
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

#[derive(Serialize, ToSchema)]
pub struct CategoryJson {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub active: bool,
}

/// Dispute categories.
#[utoipa::path(get, path = "/api/v1/categories", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Vec<CategoryJson>), (status = 403, body = ErrorBody)))]
async fn list_categories(State(s): State<AppState>, req: Req) -> ApiResult<Vec<CategoryJson>> {
    let list = s.app.categories(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        list.into_iter()
            .map(|c| CategoryJson {
                code: c.code,
                name: c.name,
                name_en: c.name_en,
                active: c.active != 0,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PermissionRow {
    pub action: Action,
    pub roles: Vec<Role>,
}

/// The permission matrix (role × action); the route's guard admits those who may view it.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<PermissionRow>), (status = 403, body = ErrorBody)))]
async fn permissions() -> ApiResult<Vec<PermissionRow>> {
    Ok(Json(
        Action::ALL
            .iter()
            .map(|a| PermissionRow {
                action: *a,
                roles: Role::ALL.iter().copied().filter(|r| r.allows(*a)).collect(),
            })
            .collect(),
    ))
}
