//! Procuratorial suggestions: the list (with what awaits a reply per recipient), opening one from
//! a case, and the suggestion's page with the form of each step the viewer may take.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::Page;
use gongzhi_app::admin::Agency;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::org::AgencyKind;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::suggestion::{LADDER, SuggestionCommand, SuggestionState, SuggestionType};
use gongzhi_app::suggestion::{
    Awaiting, NewSuggestion, SUGGESTION_PAGE, SuggestionQuery, SuggestionStep, SuggestionView,
};
use http::StatusCode;

use super::case::fmt_ms;
use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let draft = Access::Staff(Action::DraftSuggestion);
    Routes::new()
        .get("/suggestions", Access::Staff(Action::ViewSuggestions), list)
        .get("/suggestions/new", draft, new)
        .post("/suggestions", draft, create)
        .get("/suggestions/{id}", Access::Staff(Action::ViewSuggestions), show)
        .post(
            "/suggestions/{id}/steps/{step}",
            Access::Either(Action::DraftSuggestion, Action::AnswerSuggestion),
            step,
        )
}

fn state_class(s: SuggestionState, overdue: bool) -> &'static str {
    if overdue {
        return "text-bg-danger";
    }
    match s {
        SuggestionState::Clue | SuggestionState::Investigating | SuggestionState::Drafted => {
            "text-bg-secondary"
        }
        SuggestionState::Issued | SuggestionState::AwaitingReply => "text-bg-info",
        SuggestionState::Objected | SuggestionState::Escalated => "text-bg-warning",
        SuggestionState::Replied | SuggestionState::Rectified | SuggestionState::Evaluated => {
            "text-bg-primary"
        }
        SuggestionState::Closed | SuggestionState::Withdrawn => "text-bg-success",
    }
}

struct Row {
    id: String,
    number: String,
    title: String,
    kind: String,
    recipient: String,
    state: String,
    class: &'static str,
    due: String,
}

#[derive(Template)]
#[template(path = "suggestion/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    total: i64,
    awaiting: Vec<Awaiting>,
    show: String,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    show: Option<String>,
    page: Option<i64>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let show = q.show.unwrap_or_default();
    let query = SuggestionQuery {
        state: None,
        awaiting: show == "awaiting",
        overdue: show == "overdue",
    };
    let n = q.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let found = page(
        &req,
        s.app
            .suggestions(&req.ctx, &query, Page::nth(n, SUGGESTION_PAGE))
            .await,
    )?;
    let awaiting = if req.ctx.user().is_some_and(|u| u.can(Action::DraftSuggestion)) {
        page(&req, s.app.awaiting_replies(&req.ctx).await)?
    } else {
        Vec::new()
    };
    let t = &req.t;
    let rows = found
        .items
        .iter()
        .map(|i| Row {
            id: i.s.row.id.clone(),
            number: i.s.row.number.clone().unwrap_or_default(),
            title: i.s.row.title.clone(),
            kind: t.code("suggestion-type", i.s.kind.code()),
            recipient: i.recipient_name.clone(),
            state: if i.s.overdue {
                t.t("suggestion-overdue")
            } else {
                t.code("suggestion-state", i.s.state.code())
            },
            class: state_class(i.s.state, i.s.overdue),
            due: i.s.row.due_date.clone().unwrap_or_default(),
        })
        .collect();
    let p = ListPage {
        c: Chrome::new(&req),
        rows,
        total: found.total,
        awaiting,
        more: n * SUGGESTION_PAGE < found.total,
        page: n,
        show,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "suggestion/new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    case_label: String,
    kinds: Vec<(String, String)>,
    recipients: Vec<Agency>,
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let case_label = match f.v("cases").parse::<Id>() {
        Ok(id) => {
            let v = page(req, s.app.case_view(&req.ctx, id).await)?;
            format!("{} {}", v.case.number, v.case.title)
        }
        Err(_) => String::new(),
    };
    let mut recipients: Vec<Agency> = page(req, s.app.agency_choices(&req.ctx).await)?
        .into_iter()
        .filter(|a| a.kind != AgencyKind::Procuratorate)
        .collect();
    // Regulators first: social-governance suggestions go mostly to them (§3.7).
    recipients.sort_by_key(|a| a.kind != AgencyKind::Regulator);
    let p = NewPage {
        c: Chrome::new(req),
        case_label,
        kinds: SuggestionType::ALL
            .iter()
            .map(|k| (k.code().to_owned(), req.t.code("suggestion-type", k.code())))
            .collect(),
        recipients,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    case: Option<String>,
}

async fn new(State(s): State<AppState>, req: Req, Query(q): Query<NewQuery>) -> PageResult {
    page(&req, s.app.authorize(&req.ctx, Action::DraftSuggestion).await)?;
    let f = FormState::default()
        .with("cases", q.case.unwrap_or_default())
        .with("kind", "social_governance");
    new_page(&s, &req, f, StatusCode::OK).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = NewSuggestion {
        kind: d.get("kind"),
        title: d.get("title"),
        recipient_agency_id: d.get("recipient_agency_id"),
        cases: d.all("cases"),
        facts: d.get("facts"),
    };
    match s.app.open_suggestion(&req.ctx, &f).await {
        Ok(id) => see_other(&format!("/suggestions/{id}?ok=suggestion-opened")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, f, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "suggestion/page.html")]
struct SuggestionPage {
    c: Chrome,
    f: FormState,
    v: SuggestionView,
    kind: String,
    state: String,
    class: &'static str,
    /// (what, by, agency, at, note)
    steps: Vec<(String, String, String, String, String)>,
    rung: String,
    next_rung: String,
    decided_at: String,
}

impl SuggestionPage {
    fn may(&self, command: &str) -> bool {
        self.v.commands.iter().any(|c| c.code() == command)
    }
}

async fn suggestion_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.suggestion(&req.ctx, id).await)?;
    let t = &req.t;
    let rung = usize::try_from(v.s.row.rung).unwrap_or(0);
    let p = SuggestionPage {
        kind: t.code("suggestion-type", v.s.kind.code()),
        state: t.code("suggestion-state", v.s.state.code()),
        class: state_class(v.s.state, v.s.overdue),
        steps: v
            .steps
            .iter()
            .map(|x| {
                (
                    t.code("suggestion-step", &x.command),
                    x.by_name.clone(),
                    x.by_agency.clone(),
                    fmt_ms(x.at),
                    x.note.clone(),
                )
            })
            .collect(),
        rung: if rung == 0 {
            String::new()
        } else {
            t.code("suggestion-rung", LADDER[rung - 1])
        },
        next_rung: LADDER
            .get(rung)
            .map(|r| t.code("suggestion-rung", r))
            .unwrap_or_default(),
        decided_at: v.s.row.decided_at.map(fmt_ms).unwrap_or_default(),
        c: Chrome::new(req).with_flash(ok),
        f,
        v,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

fn current(v: &SuggestionView) -> FormState {
    let r = &v.s.row;
    let mut f = FormState::default()
        .with("version", r.version)
        .with("facts", &r.facts)
        .with("problems", &r.problems)
        .with("proposals", &r.proposals)
        .with("legal_basis", &r.legal_basis)
        .with("objection_days", r.objection_days)
        .with("reply_days", r.reply_days)
        .with(
            "delivery",
            if r.delivery.is_empty() {
                "written"
            } else {
                &r.delivery
            },
        );
    if r.urgent != 0 {
        f = f.with("urgent", "on");
    }
    f
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.suggestion(&req.ctx, id).await)?;
    suggestion_page(&s, &req, id, current(&v), StatusCode::OK, q.ok.as_deref()).await
}

async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let Some(command) = SuggestionCommand::parse(&name) else {
        return Err(super::PageError(req.clone(), gongzhi_app::AppError::NotFound));
    };
    let f = SuggestionStep {
        version: d.int("version"),
        note: d.get("note"),
        facts: d.get("facts"),
        problems: d.get("problems"),
        proposals: d.get("proposals"),
        legal_basis: d.get("legal_basis"),
        objection_days: d.int("objection_days"),
        urgent: d.flag("urgent"),
        reply_days: d.int("reply_days"),
        delivery: d.get("delivery"),
        observers: d.get("observers"),
        copies: d.get("copies"),
        received_on: d.get("received_on"),
        recheck: d.get("recheck"),
        reply: d.get("reply"),
        evidence: d.get("evidence"),
    };
    match s.app.suggestion_step(&req.ctx, id, command, &f).await {
        Ok(()) => see_other(&format!(
            "/suggestions/{id}?ok=suggestion-{}",
            command.code().replace('_', "-")
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            suggestion_page(&s, &req, id, f, status, None).await
        }
    }
}
