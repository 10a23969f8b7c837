//! Agencies: the list a page at a time, adding one, editing one.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::admin::AgencyForm;
use gongzhi_app::admin::{Agency, AgencyFilter};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::org::AgencyKind;
use gongzhi_app::domain::policy::Action;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, Flash, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewReference);
    let manage = Access::Staff(Action::ManageReference);
    Routes::new()
        .get("/admin/agencies", view, agencies)
        .post("/admin/agencies", manage, agency_create)
        .get("/admin/agencies/{agency}", view, agency)
        .post("/admin/agencies/{agency}", manage, agency_update)
        .post("/admin/agencies/{agency}/superior", manage, superior_set)
}

pub struct KindOption {
    pub code: &'static str,
    pub label: String,
}

fn kinds(c: &Chrome) -> Vec<KindOption> {
    AgencyKind::ALL
        .iter()
        .map(|k| KindOption {
            code: k.code(),
            label: c.t.code("agency-kind", k.code()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct AgenciesPage {
    c: Chrome,
    list: Vec<Agency>,
    total: i64,
    page: i64,
    pages: i64,
    /// The filter as a query string, for the page links.
    query: String,
    kinds: Vec<KindOption>,
    filter: FormState,
    f: FormState,
}

#[derive(serde::Deserialize, Default)]
struct AgencyQuery {
    kind: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    ok: Option<String>,
}

/// Agencies per page of the list.
const AGENCIES_PER_PAGE: i64 = 100;

async fn agencies_view(
    s: &AppState,
    req: &Req,
    q: AgencyQuery,
    f: FormState,
    status: StatusCode,
) -> PageResult {
    let filter = AgencyFilter {
        kind: q.kind.as_deref().and_then(AgencyKind::parse),
        text: q.q.clone(),
    };
    let pageno = q.page.unwrap_or(1).max(1);
    let list = page(
        req,
        s.app
            .agencies(
                &req.ctx,
                &filter,
                gongzhi_app::Page::nth(pageno, AGENCIES_PER_PAGE),
            )
            .await,
    )?;
    let c = Chrome::new(req).with_flash(q.ok.as_deref());
    let query = serde_urlencoded::to_string([
        ("kind", q.kind.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let filter = FormState::default()
        .with("kind", q.kind.unwrap_or_default())
        .with("q", q.q.unwrap_or_default());
    let p = AgenciesPage {
        kinds: kinds(&c),
        c,
        total: list.total,
        pages: (list.total + AGENCIES_PER_PAGE - 1) / AGENCIES_PER_PAGE,
        page: pageno,
        query,
        list: list.items,
        filter,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn agencies(State(s): State<AppState>, req: Req, Query(q): Query<AgencyQuery>) -> PageResult {
    agencies_view(&s, &req, q, FormState::default(), StatusCode::OK).await
}

fn agency_form(d: &FormData) -> AgencyForm {
    AgencyForm {
        code: d.get("code"),
        name: d.get("name"),
        short_name: d.get("short_name"),
        kind: d.get("kind"),
        org_unit_code: d.get("org_unit_code"),
        phone: d.get("phone"),
        address: d.get("address"),
        active: d.flag("active"),
        version: d.int("version"),
    }
}

async fn agency_create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s.app.create_agency(&req.ctx, &agency_form(&d)).await {
        Ok(a) => see_other(&format!("/admin/agencies/{}?ok=saved", a.id)),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            agencies_view(&s, &req, AgencyQuery::default(), f, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/agency.html")]
struct AgencyPage {
    c: Chrome,
    agency: Agency,
    kinds: Vec<KindOption>,
    f: FormState,
    /// The next-higher organ, which reviews the agency's opinions (§3.3): its id ("" for none),
    /// and the agencies it may be.
    superior: String,
    others: Vec<Agency>,
    fs: FormState,
}

async fn agency_view(
    s: &AppState,
    req: &Req,
    id: Id,
    f: Option<FormState>,
    fs: Option<FormState>,
    ok_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let (a, unit) = page(req, s.app.agency(&req.ctx, id).await)?;
    let f = f.unwrap_or_else(|| {
        FormState::default()
            .with("name", &a.name)
            .with("short_name", &a.short_name)
            .with("kind", a.kind.code())
            .with("org_unit_code", unit.map(|u| u.code).unwrap_or_default())
            .with("phone", &a.phone)
            .with("address", &a.address)
            .with("version", a.version)
            .with_all("active", if a.active { vec!["on".into()] } else { vec![] })
    });
    let superior = page(req, s.app.superior_of(&req.ctx, id).await)?
        .map(|(id, _)| id)
        .unwrap_or_default();
    let others = page(
        req,
        s.app
            .agencies(&req.ctx, &AgencyFilter::default(), gongzhi_app::Page::first(500))
            .await,
    )?
    .items
    .into_iter()
    .filter(|o| o.id != id)
    .collect();
    let c = Chrome::new(req).with_flash(ok_key);
    let p = AgencyPage {
        kinds: kinds(&c),
        c,
        agency: a,
        f,
        superior,
        others,
        fs: fs.unwrap_or_default(),
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn superior_set(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let chosen = d.get("superior_id");
    let superior = match chosen.trim() {
        "" => Ok(None),
        x => x
            .parse::<Id>()
            .map(Some)
            .map_err(|_| gongzhi_app::AppError::field("superior_id", "agency-unknown")),
    };
    let r = match superior {
        Ok(sup) => s.app.set_superior(&req.ctx, id, sup).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => see_other(&format!("/admin/agencies/{id}?ok=saved")),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            agency_view(&s, &req, id, None, Some(fs), None, status).await
        }
    }
}

async fn agency(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(flash): Query<Flash>,
) -> PageResult {
    agency_view(&s, &req, id, None, None, flash.ok.as_deref(), StatusCode::OK).await
}

async fn agency_update(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    match s.app.update_agency(&req.ctx, id, &agency_form(&d)).await {
        Ok(_) => see_other(&format!("/admin/agencies/{id}?ok=saved")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            agency_view(&s, &req, id, Some(f), None, None, status).await
        }
    }
}
