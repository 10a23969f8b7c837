//! 我的网格: the caller's villages with their open cases and roster.

use axum::Json;
use axum::extract::{Query, State};
use gongzhi_app::domain::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::case::NextDue;
use super::{ErrorBody, Res, fail};

pub(super) mod assignment;
pub(super) mod visit;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridQuery {
    /// A township's id, for a caller whose agency works district-wide (ignored otherwise).
    #[param(value_type = Option<String>, format = Uuid)]
    pub township: Option<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct GridJson {
    /// The township shown (absent: a district-wide caller who chose none).
    pub township: Option<String>,
    pub own: bool,
    /// The patch owner (包片领导) of the township, if one is named.
    pub patch_owner: Option<String>,
    pub villages: Vec<GridVillageJson>,
}

#[derive(Serialize, ToSchema)]
pub struct GridVillageJson {
    pub id: String,
    pub name: String,
    /// Open cases in the village the caller may see.
    pub open: i64,
    /// The urgent and newest of them (at most 5), each with what falls due next.
    pub cases: Vec<GridCaseJson>,
    pub roster: Vec<RosterJson>,
}

#[derive(Serialize, ToSchema)]
pub struct GridCaseJson {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub next_due: Option<NextDue>,
}

#[derive(Serialize, ToSchema)]
pub struct RosterJson {
    /// judge, prosecutor, police_officer, legal_adviser, mediator, counsellor
    pub slot: String,
    pub name: String,
    pub agency: String,
    pub phone: String,
}

#[utoipa::path(get, path = "/api/v1/grid/mine", tag = "cases", security(("bearer" = [])), params(GridQuery),
    responses((status = 200, body = GridJson), (status = 403, body = ErrorBody)))]
pub async fn mine(State(s): State<AppState>, req: Req, Query(q): Query<GridQuery>) -> Res<GridJson> {
    let g = s.app.my_grid(&req.ctx, q.township).await.map_err(fail(&req))?;
    Ok(Json(GridJson {
        township: g.township.map(|t| t.name),
        own: g.own,
        patch_owner: g.patch.map(|p| format!("{}（{}）", p.person_name, p.agency_name)),
        villages: g
            .villages
            .into_iter()
            .map(|v| GridVillageJson {
                id: v.village.id.to_string(),
                name: v.village.name,
                open: v.open,
                cases: v
                    .cases
                    .iter()
                    .map(|l| GridCaseJson {
                        id: l.case.id.to_string(),
                        number: l.case.number.clone(),
                        title: l.case.title.clone(),
                        status: l.case.status.code().into(),
                        next_due: NextDue::of(&l.due),
                    })
                    .collect(),
                roster: v
                    .roster
                    .into_iter()
                    .map(|m| RosterJson {
                        slot: m.slot.code().into(),
                        name: m.person_name,
                        agency: m.agency_name,
                        phone: m.phone,
                    })
                    .collect(),
            })
            .collect(),
    }))
}
