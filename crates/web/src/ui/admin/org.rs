//! The org tree (行政区划): browsing it a level at a time, adding and renaming units.

use askama::Template;
use axum::extract::{Path, State};
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewReference);
    let manage = Access::Staff(Action::ManageReference);
    Routes::new()
        .get("/admin/org", view, org_root)
        .post("/admin/org", manage, org_create)
        .get("/admin/org/{unit}", view, org_unit)
        .post("/admin/org/{unit}", manage, org_update)
}

#[derive(Template)]
#[template(path = "admin/org.html")]
struct OrgPage {
    c: Chrome,
    unit: Option<OrgUnit>,
    path: Vec<OrgUnit>,
    children: Vec<OrgUnit>,
    /// Children not shown (past the cap).
    more_children: i64,
    f: FormState,
    edit: FormState,
}

async fn org_view(
    s: &AppState,
    req: &Req,
    unit: Option<Id>,
    f: FormState,
    edit: Option<FormState>,
    status: StatusCode,
) -> PageResult {
    let (u, path) = match unit {
        Some(id) => {
            let (u, path) = page(req, s.app.org_unit(&req.ctx, id).await)?;
            (Some(u), path)
        }
        None => (None, Vec::new()),
    };
    let children = page(req, s.app.org_children(&req.ctx, unit, ORG_CHILDREN_SHOWN).await)?;
    let edit = edit.unwrap_or_else(|| match &u {
        Some(u) => FormState::default()
            .with("name", &u.name)
            .with("version", u.version)
            .with_all("active", if u.active { vec!["on".into()] } else { vec![] }),
        None => FormState::default(),
    });
    let p = OrgPage {
        c: Chrome::new(req),
        unit: u,
        path,
        more_children: children.total - i64::try_from(children.items.len()).unwrap_or(0),
        children: children.items,
        f,
        edit,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn org_root(State(s): State<AppState>, req: Req) -> PageResult {
    org_view(&s, &req, None, FormState::default(), None, StatusCode::OK).await
}

async fn org_unit(State(s): State<AppState>, req: Req, Path(unit): Path<Id>) -> PageResult {
    org_view(&s, &req, Some(unit), FormState::default(), None, StatusCode::OK).await
}

async fn org_create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let parent = d.get("parent").parse::<Id>().ok();
    match s
        .app
        .create_org_unit(&req.ctx, &d.get("code"), &d.get("name"))
        .await
    {
        Ok(u) => see_other(&format!(
            "/admin/org/{}?ok=saved",
            u.parent_id.map(|p| p.to_string()).unwrap_or_default()
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            org_view(&s, &req, parent, f, None, status).await
        }
    }
}

async fn org_update(State(s): State<AppState>, req: Req, Path(unit): Path<Id>, d: FormData) -> PageResult {
    match s
        .app
        .update_org_unit(&req.ctx, unit, &d.get("name"), d.flag("active"), d.int("version"))
        .await
    {
        Ok(()) => see_other(&format!("/admin/org/{unit}?ok=saved")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            org_view(&s, &req, Some(unit), FormState::default(), Some(f), status).await
        }
    }
}

/// Children shown of a unit (a township's villages, a village's grids); more are refused by the
/// import limits long before this.
const ORG_CHILDREN_SHOWN: gongzhi_app::Page = gongzhi_app::Page::first(500);
