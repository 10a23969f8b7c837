//! Reference data: agencies, the org tree, dispute categories and the permission matrix.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use gongzhi_app::admin::AgencyForm;
use gongzhi_app::admin::{Agency, AgencyFilter};
use gongzhi_app::domain::policy::{Action, Role};
use gongzhi_app::{AppError, domain::Id};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, ApiResult, ErrorBody, fail, page_of, paged};

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

pub(super) fn agency_json(a: Agency) -> AgencyJson {
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
pub(super) async fn list_agencies(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<AgencyQuery>,
) -> Response {
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
pub(super) async fn create_agency(
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
pub(super) async fn list_org_units(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<OrgQuery>,
) -> Response {
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
pub struct CategoryJson {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub active: bool,
}

/// Dispute categories.
#[utoipa::path(get, path = "/api/v1/categories", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Vec<CategoryJson>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_categories(State(s): State<AppState>, req: Req) -> ApiResult<Vec<CategoryJson>> {
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
pub(super) async fn permissions() -> ApiResult<Vec<PermissionRow>> {
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

#[derive(Deserialize, ToSchema)]
pub struct SuperiorBody {
    /// The next-higher organ's id; empty to clear.
    #[serde(default)]
    pub superior_id: String,
}

/// Set the next-higher organ that reviews the agency's opinions (信访工作条例 Arts. 35–36).
#[utoipa::path(post, path = "/api/v1/agencies/{id}/superior", tag = "reference", security(("bearer" = [])), request_body = SuperiorBody,
    responses((status = 200, body = super::Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn set_superior(
    State(s): State<AppState>,
    req: Req,
    axum::extract::Path(id): axum::extract::Path<Id>,
    body: ApiBody,
) -> Result<Json<super::Done>, Response> {
    let b: SuperiorBody = body.json()?;
    let superior = match b.superior_id.trim() {
        "" => None,
        x => Some(
            x.parse::<Id>()
                .map_err(|_| fail(&req)(AppError::field("superior_id", "agency-unknown")))?,
        ),
    };
    s.app
        .set_superior(&req.ctx, id, superior)
        .await
        .map_err(fail(&req))?;
    Ok(Json(super::Done { ok: true }))
}
