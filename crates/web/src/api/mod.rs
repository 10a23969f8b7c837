//! `/api/v1`: JSON for partner systems, registered only through the OpenAPI router so that the
//! document at `/api/openapi.json` and the routes cannot drift. Same use cases, same policy as the UI.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongzhi_app::AppError;
use gongzhi_app::domain::policy::Action;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, json_error};
use crate::middleware::Req;
use crate::routes::{Access, ApiRoutes, Routes};

mod admin;
mod aid;
mod attachment;
mod auth;
mod case;
mod clock;
mod contact;
mod dashboard;
mod deadline;
mod document;
mod duplicate;
mod education;
mod follow_up;
mod grid;
mod hearing;
mod inbox;
mod mediation;
mod meeting;
mod minor;
mod publication;
mod reception;
mod reconciliation;
mod referral;
mod reply;
mod report;
mod risk;
mod roster;
mod search;
mod suggestion;
mod supervision;
mod users;

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
        AnswerSuggestion, ApproveClock, ApproveHearing, ConductHearing, DraftSuggestion, HandleAid,
        HandleCase, LogVisit, ManageEducation, ManageGrid, ManageHearingPool, ManageMinors, ManageReference,
        ManageUsers, ReceiveVisitor, RegisterCase, RevealPersonal, ScheduleReception, Search, SignOffRisk,
        SuperviseCase, ViewAid, ViewCases, ViewEducation, ViewGrid, ViewHearings, ViewPermissions,
        ViewReception, ViewReference, ViewStatistics, ViewSuggestions, ViewUsers, WatchPatch,
    };
    let handle = Access::Staff(HandleCase);
    ApiRoutes::new(OpenApiRouter::with_openapi(ApiDoc::openapi()))
        .op(Access::Public, routes!(auth::login))
        .op(Access::Account, routes!(auth::logout))
        .op(Access::Account, routes!(auth::me))
        .op(Access::Staff(ViewReference), routes!(admin::list_agencies))
        .op(Access::Staff(ManageReference), routes!(admin::create_agency))
        .op(Access::Staff(ManageReference), routes!(admin::set_superior))
        .op(Access::Staff(ViewReference), routes!(admin::list_org_units))
        .op(Access::Staff(ViewUsers), routes!(users::list_users))
        .op(Access::Staff(ManageUsers), routes!(users::create_user))
        .op(Access::Staff(ViewReference), routes!(admin::list_categories))
        .op(Access::Staff(ViewPermissions), routes!(admin::permissions))
        .op(Access::Staff(RegisterCase), routes!(case::create_case))
        .op(Access::Staff(RegisterCase), routes!(duplicate::duplicates))
        .op(handle, routes!(duplicate::case_duplicates))
        .op(handle, routes!(duplicate::link))
        .op(handle, routes!(duplicate::merge))
        .op(handle, routes!(duplicate::unmerge))
        .op(Access::Staff(ViewCases), routes!(case::list_cases))
        .op(Access::Staff(ViewCases), routes!(case::get_case))
        .op(handle, routes!(case::edit_case))
        .op(handle, routes!(risk::plan))
        .op(handle, routes!(reconciliation::reconciliation))
        .op(handle, routes!(reconciliation::record))
        .op(handle, routes!(publication::publication))
        .op(Access::Staff(ViewCases), routes!(reply::templates))
        .op(handle, routes!(attachment::attach))
        .op(handle, routes!(case::transition))
        .op(handle, routes!(reply::reply))
        .op(handle, routes!(risk::assess))
        .op(Access::Staff(SignOffRisk), routes!(risk::sign_off))
        .op(Access::Staff(SignOffRisk), routes!(risk::refuse))
        .op(Access::Staff(SuperviseCase), routes!(supervision::supervise))
        .op(Access::Staff(HandleCase), routes!(supervision::answer))
        .op(Access::Staff(ViewReference), routes!(risk::list_rules))
        .op(Access::Staff(ViewReference), routes!(deadline::list_rules))
        .op(
            Access::Staff(ManageReference),
            routes!(deadline::create_rule_version),
        )
        .op(Access::Staff(ManageReference), routes!(risk::create_rules))
        .op(handle, routes!(referral::refer))
        .op(handle, routes!(referral::answer_referral))
        .op(handle, routes!(mediation::mediation))
        .op(handle, routes!(follow_up::follow_up))
        .op(Access::Staff(ApproveClock), routes!(clock::clock))
        .op(handle, routes!(clock::request))
        .op(Access::Staff(ApproveClock), routes!(clock::decide))
        .op(Access::Staff(RevealPersonal), routes!(case::reveal))
        .op(handle, routes!(meeting::meeting))
        .op(handle, routes!(contact::record))
        .op(Access::Staff(ViewCases), routes!(inbox::inbox))
        .op(Access::Staff(ViewCases), routes!(grid::mine))
        .op(Access::Staff(ViewCases), routes!(inbox::task_done))
        .op(Access::Public, routes!(deadline::calculate))
        .op(Access::Staff(ViewHearings), routes!(hearing::list))
        .op(Access::Staff(ConductHearing), routes!(hearing::create))
        .op(Access::Staff(ViewHearings), routes!(hearing::get))
        .op(Access::Staff(ApproveHearing), routes!(hearing::review))
        .op(Access::Staff(ConductHearing), routes!(hearing::step))
        .op(Access::Staff(ConductHearing), routes!(hearing::draw))
        .op(Access::Staff(ConductHearing), routes!(hearing::seat))
        .op(Access::Staff(ViewHearings), routes!(hearing::officers))
        .op(Access::Staff(ManageHearingPool), routes!(hearing::create_officer))
        .op(Access::Staff(ManageHearingPool), routes!(hearing::update_officer))
        .op(Access::Staff(ManageHearingPool), routes!(hearing::review_officer))
        .op(Access::Staff(ViewSuggestions), routes!(suggestion::list))
        .op(Access::Staff(DraftSuggestion), routes!(suggestion::awaiting))
        .op(Access::Staff(DraftSuggestion), routes!(suggestion::create))
        .op(Access::Staff(ViewSuggestions), routes!(suggestion::get))
        .op(
            Access::Either(DraftSuggestion, AnswerSuggestion),
            routes!(suggestion::step),
        )
        .op(Access::Staff(Search), routes!(search::search))
        .op(Access::Staff(ViewStatistics), routes!(dashboard::dashboard))
        .op(Access::Staff(ViewStatistics), routes!(report::figures))
        .op(
            Access::Staff(ViewStatistics),
            routes!(report::list, report::issue),
        )
        .op(Access::Staff(ViewStatistics), routes!(report::get))
        .op(Access::Staff(ViewAid), routes!(aid::list))
        .op(Access::Staff(HandleAid), routes!(aid::create))
        .op(Access::Staff(ViewAid), routes!(aid::get))
        .op(Access::Staff(HandleAid), routes!(aid::step))
        .op(Access::Staff(ManageReference), routes!(aid::put_wage))
        .op(Access::Staff(ViewCases), routes!(document::case))
        .op(Access::Staff(ViewHearings), routes!(document::hearing))
        .op(Access::Staff(ViewSuggestions), routes!(document::suggestion))
        .op(Access::Staff(ViewAid), routes!(document::aid))
        .op(Access::Staff(ManageReference), routes!(document::templates))
        .op(
            Access::Staff(ManageReference),
            routes!(document::template, document::upload, document::reset),
        )
        .op(Access::Staff(ViewEducation), routes!(education::list))
        .op(Access::Staff(ManageEducation), routes!(education::create))
        .op(Access::Staff(ViewEducation), routes!(education::get))
        .op(Access::Staff(ManageEducation), routes!(education::step))
        .op(Access::Staff(ViewEducation), routes!(education::counts))
        .op(Access::Staff(ViewCases), routes!(roster::list))
        .op(Access::Staff(HandleCase), routes!(roster::add))
        .op(Access::Staff(HandleCase), routes!(roster::release))
        .op(Access::Staff(WatchPatch), routes!(roster::watch))
        .op(Access::Staff(ViewGrid), routes!(grid::visit::list))
        .op(Access::Staff(LogVisit), routes!(grid::visit::create))
        // The minors' class: who may open a report is decided per report (team or grant).
        .op(Access::Account, routes!(minor::list))
        .op(Access::Staff(ManageMinors), routes!(minor::create))
        .op(Access::Account, routes!(minor::open))
        .op(Access::Staff(ManageMinors), routes!(minor::step))
        .op(Access::Staff(ManageMinors), routes!(minor::grant))
        .op(Access::Account, routes!(minor::child::list))
        .op(Access::Staff(ManageMinors), routes!(minor::child::create))
        .op(Access::Staff(ManageMinors), routes!(minor::child::from_report))
        .op(Access::Account, routes!(minor::child::open))
        .op(Access::Staff(ManageMinors), routes!(minor::child::add_task))
        .op(Access::Staff(ManageMinors), routes!(minor::child::pair))
        .op(Access::Staff(ManageMinors), routes!(minor::child::unpair))
        .op(Access::Account, routes!(minor::child::contact))
        .op(Access::Staff(ManageMinors), routes!(minor::child::grant))
        .op(Access::Staff(ManageMinors), routes!(minor::child::close))
        // An agency's own support tasks: decided by the task's agency.
        .op(Access::Account, routes!(minor::child::tasks))
        .op(Access::Account, routes!(minor::child::task_done))
        .op(
            Access::Either(ManageMinors, ViewStatistics),
            routes!(minor::counts),
        )
        .op(Access::Staff(ViewGrid), routes!(grid::visit::get))
        .op(Access::Staff(LogVisit), routes!(grid::visit::log))
        .op(Access::Staff(LogVisit), routes!(grid::visit::plan))
        .op(Access::Staff(ViewGrid), routes!(grid::visit::change))
        .op(Access::Staff(ViewGrid), routes!(grid::visit::clues))
        .op(Access::Staff(ViewGrid), routes!(grid::visit::clue))
        .op(Access::Staff(ViewGrid), routes!(grid::assignment::list))
        .op(Access::Staff(ManageGrid), routes!(grid::assignment::create))
        .op(Access::Staff(ManageGrid), routes!(grid::assignment::end))
        .op(Access::Staff(ViewGrid), routes!(grid::assignment::plan))
        .op(Access::Staff(ViewGrid), routes!(grid::assignment::coverage))
        .op(Access::Staff(ViewReception), routes!(reception::list))
        .op(Access::Staff(ScheduleReception), routes!(reception::create))
        .op(Access::Staff(ViewReception), routes!(reception::get))
        .op(Access::Staff(ScheduleReception), routes!(reception::slot_step))
        .op(Access::Staff(ScheduleReception), routes!(reception::book))
        .op(Access::Staff(ViewReception), routes!(reception::visit))
        .op(Access::Staff(ReceiveVisitor), routes!(reception::visit_step))
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
    Html(include_str!("../../templates/api_docs.html"))
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

type Res<T> = Result<Json<T>, Response>;

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

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

#[cfg(test)]
mod tests {
    /// The published contract, `docs/openapi.json`, is what the router serves: a change to a path,
    /// a parameter or a schema shows here and is made on purpose (`UPDATE_OPENAPI=1 cargo test`
    /// rewrites the snapshot, and the diff goes to review).
    #[test]
    fn the_openapi_document_matches_its_snapshot() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
        let now = super::openapi_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, format!("{now}\n")).expect("snapshot written");
        }
        let snapshot = std::fs::read_to_string(&path).expect("docs/openapi.json");
        assert!(
            snapshot.trim_end() == now.trim_end(),
            "the OpenAPI document changed; if on purpose, run with UPDATE_OPENAPI=1 and commit docs/openapi.json"
        );
    }
}
