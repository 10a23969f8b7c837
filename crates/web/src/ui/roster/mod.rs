//! The 1+4+6 roster pages: townships with their patch owners, and each village's six slots with the
//! gaps highlighted; the roster at work on a case and in the patch owner's inbox (`work`).

mod work;

pub(crate) use work::{CasePeople, PatchRow, case_people, patch_rows};

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::AppError;
use gongzhi_app::admin::{Agency, OrgUnit};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::roster::{HeadKind, Slot};
use gongzhi_app::roster::{SlotForm, TownshipRoster, VillageRoster};
use http::StatusCode;

use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::{PageError, render};
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use gongzhi_app::domain::policy::Action;

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewRoster);
    let manage = Access::Staff(Action::ManageRoster);
    Routes::new()
        .merge(work::router())
        .get("/admin/roster", view, overview)
        .get("/admin/roster/{township}", view, township)
        .post("/admin/roster/{township}", manage, patch)
        .post("/admin/roster/{township}/clear-patch", manage, clear_patch)
        .post("/admin/roster/village/{village}/{slot}", manage, put_slot)
        .post("/admin/roster/village/{village}/{slot}/clear", manage, clear_slot)
}

#[derive(Template)]
#[template(path = "roster/roster.html")]
struct Overview {
    c: Chrome,
    rows: Vec<TownshipRoster>,
}

async fn overview(State(s): State<AppState>, req: Req, Query(flash): Query<Flash>) -> PageResult {
    let rows = page(&req, s.app.roster_overview(&req.ctx).await)?;
    let p = Overview {
        c: Chrome::new(&req).with_flash(flash.ok.as_deref()),
        rows,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "roster/township.html")]
struct TownshipPage {
    c: Chrome,
    township: OrgUnit,
    patch: Option<TownshipRoster>,
    villages: Vec<VillageRoster>,
    agencies: Vec<Agency>,
    heads: Vec<(&'static str, String)>,
    /// The slot whose form failed, as `village/slot`, with its state.
    failed: String,
    f: FormState,
    pf: FormState,
}

impl TownshipPage {
    /// The agencies a slot may be filled from (`Slot::fits_agency`), those in this township or its
    /// villages first.
    fn slot_agencies(&self, slot: &Slot) -> Vec<&Agency> {
        let here = |a: &Agency| {
            a.org_unit_id == self.township.id || self.villages.iter().any(|v| v.village.id == a.org_unit_id)
        };
        let mut out: Vec<&Agency> = self
            .agencies
            .iter()
            .filter(|a| a.active && slot.fits_agency(a.kind))
            .collect();
        out.sort_by_key(|a| !here(a));
        out
    }

    /// The patch owner's agencies: those of any of the four heads' kinds.
    fn head_agencies(&self) -> Vec<&Agency> {
        self.agencies
            .iter()
            .filter(|a| a.active && HeadKind::ALL.iter().any(|h| h.fits_agency(a.kind)))
            .collect()
    }
}

async fn township_view(
    s: &AppState,
    req: &Req,
    id: Id,
    failed: String,
    f: FormState,
    pf: FormState,
    ok_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let (township, villages) = page(req, s.app.township_roster(&req.ctx, id).await)?;
    let patch = page(req, s.app.roster_overview(&req.ctx).await)?
        .into_iter()
        .find(|r| r.township.id == id);
    let agencies = page(req, s.app.agency_choices(&req.ctx).await)?;
    let c = Chrome::new(req).with_flash(ok_key);
    let heads = HeadKind::ALL
        .iter()
        .map(|h| (h.code(), c.t.code("head", h.code())))
        .collect();
    let pf = if pf.any_error() {
        pf
    } else {
        match patch.as_ref().and_then(|p| p.patch.as_ref()) {
            Some(p) => FormState::default()
                .with("head_kind", p.head_kind.code())
                .with("person_name", &p.person_name)
                .with("agency_id", p.agency_id),
            None => pf,
        }
    };
    let p = TownshipPage {
        c,
        township,
        patch,
        villages,
        agencies,
        heads,
        failed,
        f,
        pf,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn township(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(flash): Query<Flash>,
) -> PageResult {
    township_view(
        &s,
        &req,
        id,
        String::new(),
        FormState::default(),
        FormState::default(),
        flash.ok.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn patch(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    match s
        .app
        .put_patch(
            &req.ctx,
            id,
            &d.get("head_kind"),
            &d.get("person_name"),
            &d.get("agency_id"),
        )
        .await
    {
        Ok(()) => see_other(&format!("/admin/roster/{id}?ok=saved")),
        Err(e) => {
            let (pf, status) = form_error(&req, e, FormState::from_data(&d))?;
            township_view(
                &s,
                &req,
                id,
                String::new(),
                FormState::default(),
                pf,
                None,
                status,
            )
            .await
        }
    }
}

async fn clear_patch(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.clear_patch(&req.ctx, id).await)?;
    see_other(&format!("/admin/roster/{id}?ok=deleted"))
}

fn parse_slot(req: &Req, slot: &str) -> Result<Slot, PageError> {
    Slot::parse(slot).ok_or_else(|| PageError(req.clone(), AppError::NotFound))
}

async fn put_slot(
    State(s): State<AppState>,
    req: Req,
    Path((village, slot)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let slot = parse_slot(&req, &slot)?;
    let township = d.get("township").parse::<Id>().ok();
    let form = SlotForm {
        person_name: d.get("person_name"),
        agency_id: d.get("agency_id"),
        phone: d.get("phone"),
        version: d.int("version"),
    };
    match s.app.put_slot(&req.ctx, village, slot, &form).await {
        Ok(()) => see_other(&format!(
            "/admin/roster/{}?ok=saved#v-{village}",
            township.map(|t| t.to_string()).unwrap_or_default()
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            let township = township.ok_or_else(|| PageError(req.clone(), AppError::NotFound))?;
            township_view(
                &s,
                &req,
                township,
                format!("{village}/{slot}"),
                f,
                FormState::default(),
                None,
                status,
            )
            .await
        }
    }
}

async fn clear_slot(
    State(s): State<AppState>,
    req: Req,
    Path((village, slot)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let slot = parse_slot(&req, &slot)?;
    page(&req, s.app.clear_slot(&req.ctx, village, slot).await)?;
    see_other(&format!(
        "/admin/roster/{}?ok=deleted#v-{village}",
        d.get("township")
    ))
}
