//! The hearing-officer pool (听证员库): the list for everyone who runs hearings, and the pool
//! manager's entry, correction and review of each person.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::hearing::officer::{Disqualification, Entry, OfficerCategory, OfficerStatus};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::hearing::pool::{Officer, OfficerForm};
use http::StatusCode;

use super::super::{Chrome, Flash, PageResult, form_error, page, see_other};
use super::codes;
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let manage = Access::Staff(Action::ManageHearingPool);
    Routes::new()
        .get("/hearing-officers", Access::Staff(Action::ViewHearings), list)
        .get("/hearing-officers/new", manage, new)
        .post("/hearing-officers", manage, create)
        .get(
            "/hearing-officers/{id}",
            Access::Staff(Action::ViewHearings),
            show,
        )
        .post("/hearing-officers/{id}", manage, update)
        .post("/hearing-officers/{id}/review", manage, review)
}

struct Row {
    id: String,
    name: String,
    category: String,
    status: String,
    status_class: &'static str,
    expertise: String,
    employer: String,
    participations: i64,
    /// Why the person could not sit today, if so.
    block: String,
}

fn status_class(s: OfficerStatus) -> &'static str {
    match s {
        OfficerStatus::Pending => "text-bg-warning",
        OfficerStatus::Active => "text-bg-success",
        OfficerStatus::Refused | OfficerStatus::Retired => "text-bg-secondary",
    }
}

fn block_text(t: &T, o: &Officer) -> String {
    use gongzhi_app::domain::hearing::officer::Block;
    match &o.block_today {
        None => String::new(),
        Some(Block::TooYoung { turns }) => t.ta("officer-block-young", &[("day", turns.to_string())]),
        Some(Block::OutOfTerm { ends: Some(d) }) => t.ta("officer-block-term", &[("day", d.to_string())]),
        Some(Block::Disqualified(d)) => t.code("officer-disqualification", d.code()),
        Some(Block::OutOfTerm { ends: None }) => t.t("officer-block-no-term"),
        Some(Block::NotActive(s)) => t.code("officer-status", s.code()),
        Some(Block::Unavailable) => t.t("officer-block-unavailable"),
        Some(Block::Related { party }) => t.ta("officer-block-related", &[("party", party.clone())]),
    }
}

#[derive(Template)]
#[template(path = "hearing/officers.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    statuses: Vec<(String, String)>,
    status: String,
    counts: Vec<(String, usize)>,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let status = q.status.as_deref().and_then(OfficerStatus::parse);
    let all = page(&req, s.app.hearing_officers(&req.ctx, None).await)?;
    let t = &req.t;
    let counts = OfficerCategory::ALL
        .iter()
        .map(|c| {
            (
                t.code("officer-category", c.code()),
                all.iter()
                    .filter(|o| o.category == *c && o.status == OfficerStatus::Active)
                    .count(),
            )
        })
        .collect();
    let rows = all
        .iter()
        .filter(|o| status.is_none_or(|s| o.status == s))
        .map(|o| Row {
            id: o.row.id.clone(),
            name: o.row.name.clone(),
            category: t.code("officer-category", o.category.code()),
            status: t.code("officer-status", o.status.code()),
            status_class: status_class(o.status),
            expertise: o.expertise.join("、"),
            employer: o.row.employer.clone(),
            participations: o.row.participations,
            block: if o.status == OfficerStatus::Active {
                block_text(t, o)
            } else {
                String::new()
            },
        })
        .collect();
    let p = ListPage {
        c: Chrome::new(&req).with_flash(q.ok.as_deref()),
        rows,
        statuses: codes(t, "officer-status", OfficerStatus::ALL, OfficerStatus::code),
        status: status.map(|s| s.code().to_owned()).unwrap_or_default(),
        counts,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "hearing/officer.html")]
struct OfficerPage {
    c: Chrome,
    f: FormState,
    officer: Option<Officer>,
    block: String,
    categories: Vec<(String, String)>,
    entries: Vec<(String, String)>,
    disqualifications: Vec<(String, String)>,
    /// (township, villages as (id, name))
    places: Vec<(String, Vec<(String, String)>)>,
    status: String,
    term_end: String,
}

async fn officer_page(
    s: &AppState,
    req: &Req,
    officer: Option<Officer>,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let t = &req.t;
    let places = page(req, s.app.portal_places().await)?
        .into_iter()
        .map(|(town, villages)| {
            (
                town.name,
                villages.into_iter().map(|v| (v.id.to_string(), v.name)).collect(),
            )
        })
        .collect();
    let p = OfficerPage {
        c: Chrome::new(req).with_flash(ok),
        block: officer.as_ref().map(|o| block_text(t, o)).unwrap_or_default(),
        status: officer
            .as_ref()
            .map(|o| t.code("officer-status", o.status.code()))
            .unwrap_or_default(),
        term_end: officer
            .as_ref()
            .and_then(|o| o.term_end)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        categories: codes(t, "officer-category", OfficerCategory::ALL, OfficerCategory::code),
        entries: codes(t, "officer-entry", Entry::ALL, Entry::code),
        disqualifications: codes(
            t,
            "officer-disqualification",
            Disqualification::ALL,
            Disqualification::code,
        ),
        places,
        officer,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

fn form_of(o: &Officer) -> FormState {
    let r = &o.row;
    let mut f = FormState::default()
        .with("name", &r.name)
        .with("category", &r.category)
        .with("expertise", &r.expertise)
        .with("employer", &r.employer)
        .with("birth_date", &r.birth_date)
        .with("village_id", r.village_id.clone().unwrap_or_default())
        .with("entry", &r.entry)
        .with("recommended_by", &r.recommended_by)
        .with("relations", &r.relations)
        .with("term_start", r.term_start.clone().unwrap_or_default())
        .with("term_no", r.term_no)
        .with("version", r.version)
        .with_all(
            "disqualifications",
            o.disqualifications.iter().map(|d| d.code().to_owned()).collect(),
        );
    if r.available != 0 {
        f = f.with("available", "on");
    }
    f
}

fn officer_form(d: &FormData) -> OfficerForm {
    OfficerForm {
        name: d.get("name"),
        category: d.get("category"),
        expertise: d.get("expertise"),
        employer: d.get("employer"),
        birth_date: d.get("birth_date"),
        village_id: d.get("village_id"),
        phone: d.get("phone"),
        entry: d.get("entry"),
        recommended_by: d.get("recommended_by"),
        available: d.flag("available"),
        disqualifications: d.all("disqualifications"),
        relations: d.get("relations"),
        term_start: d.get("term_start"),
        term_no: d.int("term_no"),
        version: d.int("version"),
    }
}

async fn new(State(s): State<AppState>, req: Req) -> PageResult {
    page(&req, s.app.authorize(&req.ctx, Action::ManageHearingPool).await)?;
    let f = FormState::default()
        .with("entry", "recommended")
        .with("available", "on")
        .with("term_no", 1);
    officer_page(&s, &req, None, f, StatusCode::OK, None).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s
        .app
        .save_hearing_officer(&req.ctx, None, &officer_form(&d))
        .await
    {
        Ok(id) => see_other(&format!("/hearing-officers/{id}?ok=officer-entered")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            officer_page(&s, &req, None, f, status, None).await
        }
    }
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let o = page(&req, s.app.hearing_officer(&req.ctx, id).await)?;
    let f = form_of(&o);
    officer_page(&s, &req, Some(o), f, StatusCode::OK, q.ok.as_deref()).await
}

async fn update(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    match s
        .app
        .save_hearing_officer(&req.ctx, Some(id), &officer_form(&d))
        .await
    {
        Ok(_) => see_other(&format!("/hearing-officers/{id}?ok=officer-saved")),
        Err(e) => {
            let o = page(&req, s.app.hearing_officer(&req.ctx, id).await)?;
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            officer_page(&s, &req, Some(o), f, status, None).await
        }
    }
}

async fn review(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let decision = d.get("decision");
    match s
        .app
        .review_hearing_officer(&req.ctx, id, &decision, &d.get("reason"), d.int("version"))
        .await
    {
        Ok(()) => see_other(&format!("/hearing-officers/{id}?ok=officer-{decision}")),
        Err(e) => {
            let o = page(&req, s.app.hearing_officer(&req.ctx, id).await)?;
            let (f, status) = form_error(&req, e, form_of(&o))?;
            officer_page(&s, &req, Some(o), f, status, None).await
        }
    }
}
