//! The 1+4+6 roster at work (issue 12 §2): a case's patch owner and helpers, asking and releasing
//! a helper, and the patch owner's open high-risk cases.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::roster::{Helper, HelperForm};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct HelperJson {
    pub id: String,
    /// mediator, legal_adviser, counsellor
    pub slot: String,
    pub name: String,
    pub agency: String,
    pub phone: String,
    /// Taken from the village's 1+4+6 roster.
    pub from_roster: bool,
    pub assigned_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct CasePeopleJson {
    /// The township's patch owner: "name（agency）", if the township has a patch.
    pub patch_owner: Option<String>,
    pub helpers: Vec<HelperJson>,
}

fn helper_json(h: &Helper) -> HelperJson {
    HelperJson {
        id: h.row.id.clone(),
        slot: h.slot.code().into(),
        name: h.row.person_name.clone(),
        agency: h.row.agency_name.clone(),
        phone: h.phone.clone(),
        from_roster: h.row.from_roster == 1,
        assigned_by: h.row.assigned_by_name.clone(),
    }
}

/// The case's patch owner and the people helping with it.
#[utoipa::path(get, path = "/api/v1/cases/{id}/helpers", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CasePeopleJson), (status = 404, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<CasePeopleJson> {
    let helpers = s.app.case_helpers(&req.ctx, id).await.map_err(fail(&req))?;
    let patch = if req.ctx.user().is_some_and(|a| a.can(Action::ViewRoster)) {
        s.app.case_patch(&req.ctx, id).await.map_err(fail(&req))?
    } else {
        None
    };
    Ok(Json(CasePeopleJson {
        patch_owner: patch.map(|p| format!("{}（{}）", p.person_name, p.agency_name)),
        helpers: helpers.iter().map(helper_json).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct HelperCreated {
    pub id: String,
}

/// Ask a mediator, legal adviser or counsellor to help: the village's roster member of the slot
/// (`from_roster`), or someone named.
#[utoipa::path(post, path = "/api/v1/cases/{id}/helpers", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = HelperForm,
    responses((status = 200, body = HelperCreated), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<HelperCreated> {
    let f: HelperForm = body.json()?;
    let helper = s.app.add_helper(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(HelperCreated {
        id: helper.to_string(),
    }))
}

/// Release a helper from the case (kept for the record).
#[utoipa::path(post, path = "/api/v1/cases/{id}/helpers/{helper}/release", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path), ("helper" = String, Path)),
    responses((status = 200, body = Done), (status = 404, body = ErrorBody)))]
pub async fn release(State(s): State<AppState>, req: Req, Path((id, helper)): Path<(Id, Id)>) -> Res<Done> {
    s.app
        .release_helper(&req.ctx, id, helper)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct PatchCaseJson {
    pub id: String,
    pub number: String,
    pub title: String,
    pub owner_agency: String,
    pub village: String,
    pub status: String,
    /// The next clock's due day.
    pub due: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PatchJson {
    pub township: String,
    pub total: i64,
    pub cases: Vec<PatchCaseJson>,
}

/// The open high-risk cases of the townships whose patch the caller's agency owns.
#[utoipa::path(get, path = "/api/v1/patch-watch", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = [PatchJson]), (status = 403, body = ErrorBody)))]
pub async fn watch(State(s): State<AppState>, req: Req) -> Res<Vec<PatchJson>> {
    let w = s.app.patch_watch(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        w.iter()
            .map(|p| PatchJson {
                township: p.township.name.clone(),
                total: p.total,
                cases: p
                    .cases
                    .iter()
                    .map(|l| PatchCaseJson {
                        id: l.case.id.to_string(),
                        number: l.case.number.clone(),
                        title: l.case.title.clone(),
                        owner_agency: l.case.owner_agency_name.clone(),
                        village: l.case.place_name.clone(),
                        status: l.case.status.code().into(),
                        due: l.due.as_ref().map(|(k, _)| k.due_date.to_string()),
                    })
                    .collect(),
            })
            .collect(),
    ))
}
