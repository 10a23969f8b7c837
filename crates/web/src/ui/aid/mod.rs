//! Judicial aid: the list, opening a case from a case's party, and the aid page with the form of
//! each step, the eligibility checklist, the amount against the cap, and the linked social aid.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::Page;
use gongzhi_app::aid::{AID_PAGE, AidStep, AidView, NewAid};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::aid::{AidCategory, AidCommand, AidExclusion, AidState};
use gongzhi_app::domain::policy::Action;
use http::StatusCode;

use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let handle = Access::Staff(Action::HandleAid);
    Routes::new()
        .get("/aid-cases", Access::Staff(Action::ViewAid), list)
        .get("/aid-cases/new", handle, new)
        .post("/aid-cases", handle, create)
        .get("/aid-cases/{id}", Access::Staff(Action::ViewAid), show)
        .post("/aid-cases/{id}/steps/{step}", handle, step)
}

fn state_class(s: AidState, late: bool) -> &'static str {
    match (s, late) {
        (_, true) => "text-bg-danger",
        (AidState::Paid | AidState::Closed, _) => "text-bg-success",
        (AidState::Rejected, _) => "text-bg-secondary",
        (AidState::Clue | AidState::Informed | AidState::Applied | AidState::AdvancePaid, _) => {
            "text-bg-warning"
        }
        _ => "text-bg-info",
    }
}

struct Row {
    id: String,
    number: String,
    applicant: String,
    state: String,
    class: &'static str,
    amount: i64,
}

#[derive(Template)]
#[template(path = "aid/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let found = page(
        &req,
        s.app.aid_cases(&req.ctx, None, Page::nth(n, AID_PAGE)).await,
    )?;
    let rows = found
        .items
        .iter()
        .map(|i| Row {
            id: i.aid.row.id.clone(),
            number: i.number.clone(),
            applicant: i.aid.row.applicant_name.clone(),
            state: req.t.code("aid-state", i.aid.state.code()),
            class: state_class(i.aid.state, i.aid.late),
            amount: i.aid.row.amount,
        })
        .collect();
    let p = ListPage {
        c: Chrome::new(&req),
        rows,
        total: found.total,
        more: n * AID_PAGE < found.total,
        page: n,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "aid/new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    case_label: String,
    parties: Vec<(String, String)>,
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let (case_label, parties) = match f.v("case_id").parse::<Id>() {
        Ok(id) => {
            let v = page(req, s.app.case_view(&req.ctx, id).await)?;
            let parties = v
                .parties
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        format!("{}（{}）", p.name, req.t.code("party-role", &p.role)),
                    )
                })
                .collect();
            (format!("{} {}", v.case.number, v.case.title), parties)
        }
        Err(_) => (String::new(), Vec::new()),
    };
    let p = NewPage {
        c: Chrome::new(req),
        case_label,
        parties,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    case: Option<String>,
}

async fn new(State(s): State<AppState>, req: Req, Query(q): Query<NewQuery>) -> PageResult {
    page(&req, s.app.authorize(&req.ctx, Action::HandleAid).await)?;
    new_page(
        &s,
        &req,
        FormState::default().with("case_id", q.case.unwrap_or_default()),
        StatusCode::OK,
    )
    .await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = NewAid {
        case_id: d.get("case_id"),
        party_id: d.get("party_id"),
        clue: d.get("clue"),
    };
    match s.app.open_aid(&req.ctx, &f).await {
        Ok(id) => see_other(&format!("/aid-cases/{id}?ok=aid-opened")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, f, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "aid/page.html")]
struct AidPage {
    c: Chrome,
    f: FormState,
    v: AidView,
    state: String,
    class: &'static str,
    categories: Vec<(String, String)>,
    exclusions: Vec<(String, String)>,
    chosen: Vec<String>,
    settlement: i64,
}

impl AidPage {
    fn may(&self, command: &str) -> bool {
        self.v.commands.iter().any(|c| c.code() == command)
    }
}

async fn aid_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.aid_case(&req.ctx, id).await)?;
    let t = &req.t;
    let p = AidPage {
        state: t.code("aid-state", v.aid.state.code()),
        class: state_class(v.aid.state, v.aid.late),
        categories: AidCategory::ALL
            .iter()
            .map(|c| (c.code().to_owned(), t.code("aid-category", c.code())))
            .collect(),
        exclusions: AidExclusion::ALL
            .iter()
            .map(|c| (c.code().to_owned(), t.code("aid-exclusion", c.code())))
            .collect(),
        chosen: v
            .aid
            .categories
            .iter()
            .map(|c| t.code("aid-category", c.code()))
            .collect(),
        settlement: gongzhi_app::domain::aid::settlement(v.aid.row.amount, v.aid.row.advance),
        c: Chrome::new(req).with_flash(ok),
        f,
        v,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.aid_case(&req.ctx, id).await)?;
    let f = FormState::default()
        .with("version", v.aid.row.version)
        .with("mode", "written")
        .with_all(
            "categories",
            v.aid.categories.iter().map(|c| c.code().to_owned()).collect(),
        );
    aid_page(&s, &req, id, f, StatusCode::OK, q.ok.as_deref()).await
}

async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let Some(command) = AidCommand::parse(&name) else {
        return Err(super::PageError(req.clone(), gongzhi_app::AppError::NotFound));
    };
    let f = AidStep {
        version: d.int("version"),
        mode: d.get("mode"),
        categories: d.all("categories"),
        exclusions: d.all("exclusions"),
        hardship: d.get("hardship"),
        amount: d.int("amount"),
        court_award: d.int("court_award"),
        over_cap_approval: d.get("over_cap_approval"),
        text: d.get("text"),
        note: d.get("note"),
    };
    match s.app.aid_step(&req.ctx, id, command, &f).await {
        Ok(()) => see_other(&format!(
            "/aid-cases/{id}?ok=aid-{}",
            command.code().replace('_', "-")
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            aid_page(&s, &req, id, f, status, None).await
        }
    }
}
