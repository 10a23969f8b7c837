//! "My work", joint analysis meetings, reply templates and the public deadline calculator.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::admin::Agency;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::deadline::Unit;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::meeting::MeetingForm;
use gongzhi_app::reply::Template as ReplyTemplate;
use gongzhi_app::users::User;
use http::StatusCode;

use super::case::{Opt, clock_class, fmt_ms};
use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    use Action::{HandleCase, ManageTemplates, ViewCases};
    Routes::new()
        .get("/inbox", Access::Staff(ViewCases), inbox)
        .post("/tasks/{id}/done", Access::Staff(ViewCases), task_done)
        .post("/notices/{id}/read", Access::Staff(ViewCases), notice_read)
        .get("/meetings/new", Access::Staff(HandleCase), meeting_form)
        .post("/meetings", Access::Staff(HandleCase), meeting_create)
        .get("/admin/templates", Access::Staff(ViewCases), templates)
        .post(
            "/admin/templates/{code}",
            Access::Staff(ManageTemplates),
            template_save,
        )
        .get("/deadlines", Access::Public, calculator)
}

pub struct WorkRow {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub what: String,
    pub due: String,
    pub state: String,
    pub class: &'static str,
}

pub struct NoticeRow {
    pub id: String,
    pub case_id: String,
    pub text: String,
    pub at: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    c: Chrome,
    clocks: Vec<WorkRow>,
    referrals: Vec<WorkRow>,
    tasks: Vec<WorkRow>,
    notices: Vec<NoticeRow>,
    /// (clocks, referrals, tasks, notices) in all.
    totals: (i64, i64, i64, i64),
    page: i64,
    more: bool,
    page_label: String,
}

#[derive(serde::Deserialize, Default)]
struct InboxQuery {
    ok: Option<String>,
    page: Option<i64>,
}

async fn inbox(State(s): State<AppState>, req: Req, Query(q): Query<InboxQuery>) -> PageResult {
    let w = page(&req, s.app.inbox(&req.ctx, q.page.unwrap_or(1)).await)?;
    let flash = Flash { ok: q.ok };
    let c = Chrome::new(&req).with_flash(flash.ok.as_deref());
    let t = &c.t;
    let clocks = w
        .clocks
        .items
        .iter()
        .map(|(o, st)| WorkRow {
            case_id: o.clock.case_id.to_string(),
            number: o.number.clone(),
            title: o.title.clone(),
            what: t.code("clock", o.clock.kind.code()),
            due: o.clock.due_date.to_string(),
            state: t.code("clock-state", st.code()),
            class: clock_class(*st),
        })
        .collect();
    let referrals = w
        .referrals
        .items
        .iter()
        .map(|(r, number, title)| WorkRow {
            case_id: r.case_id.clone(),
            number: number.clone(),
            title: title.clone(),
            what: format!(
                "{} → {}",
                r.from_agency_name.clone().unwrap_or_default(),
                t.code("referral-state", &r.state)
            ),
            due: r.due_date.clone(),
            state: r.note.clone(),
            class: "text-bg-info",
        })
        .collect();
    let tasks = w
        .tasks
        .items
        .iter()
        .map(|k| WorkRow {
            case_id: k.case_id.clone().unwrap_or_default(),
            number: k.case_number.clone().unwrap_or_default(),
            title: k.title.clone(),
            what: t.code("task-source", &k.source),
            due: k.due_date.clone(),
            state: k.id.clone(),
            class: "text-bg-secondary",
        })
        .collect();
    let notices = w
        .notices
        .items
        .iter()
        .map(|n| {
            let parts: Vec<&str> = n.body.split('|').collect();
            let text = match parts.as_slice() {
                [clock, number, title, due] if n.kind == "reminder" || n.kind == "escalation" => t.ta(
                    &format!("notice-{}", n.kind),
                    &[
                        ("clock", t.code("clock", clock)),
                        ("number", (*number).to_owned()),
                        ("title", (*title).to_owned()),
                        ("due", (*due).to_owned()),
                    ],
                ),
                [_, number, title, extra] => t.ta(
                    &format!("notice-{}", n.kind.replace('_', "-")),
                    &[
                        ("number", (*number).to_owned()),
                        ("title", (*title).to_owned()),
                        ("extra", (*extra).to_owned()),
                    ],
                ),
                _ => n.body.clone(),
            };
            NoticeRow {
                id: n.id.clone(),
                case_id: n.case_id.clone().unwrap_or_default(),
                text,
                at: fmt_ms(n.created_at),
                class: if n.kind == "escalation" {
                    "border-danger"
                } else {
                    "border-warning"
                },
            }
        })
        .collect();
    super::ok(
        &req,
        &InboxPage {
            c,
            clocks,
            referrals,
            tasks,
            notices,
            totals: (w.clocks.total, w.referrals.total, w.tasks.total, w.notices.total),
            page_label: req.t.ta(
                "inbox-page",
                &[
                    ("page", w.page.to_string()),
                    ("size", gongzhi_app::inbox::INBOX_PAGE.to_string()),
                ],
            ),
            page: w.page,
            more: w.has_more(),
        },
    )
}

async fn task_done(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.finish_task(&req.ctx, id).await)?;
    see_other("/inbox?ok=done")
}

async fn notice_read(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.read_notice(&req.ctx, id).await)?;
    see_other("/inbox")
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct MeetingPage {
    c: Chrome,
    f: FormState,
    agencies: Vec<Agency>,
    handlers: Vec<User>,
    cases: Vec<(String, String)>,
    rows: Vec<usize>,
}

async fn meeting_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let agencies = page(req, s.app.agency_choices(&req.ctx).await)?;
    let handlers = page(req, s.app.handlers(&req.ctx, None).await)?;
    let mut cases = Vec::new();
    for id in f.all("cases") {
        if let Ok(cid) = id.parse::<Id>()
            && let Ok(v) = s.app.case_view(&req.ctx, cid).await
        {
            cases.push((id, format!("{} {}", v.case.number, v.case.title)));
        }
    }
    let p = MeetingPage {
        c: Chrome::new(req),
        f,
        agencies,
        handlers,
        cases,
        rows: vec![0, 1, 2],
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize)]
struct MeetingQuery {
    case: Option<String>,
}

async fn meeting_form(State(s): State<AppState>, req: Req, Query(q): Query<MeetingQuery>) -> PageResult {
    page(
        &req,
        s.app
            .authorize(&req.ctx, gongzhi_app::domain::Action::HandleCase)
            .await,
    )?;
    let now = gongzhi_app::domain::time::format_local(s.app.now()).replace(' ', "T");
    let f = FormState::default()
        .with("held_at", now)
        .with_all("cases", q.case.into_iter().collect());
    meeting_page(&s, &req, f, StatusCode::OK).await
}

async fn meeting_create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let form = MeetingForm {
        title: d.get("title"),
        held_at: d.get("held_at"),
        place: d.get("place"),
        conclusions: d.get("conclusions"),
        agencies: d.all("agencies"),
        cases: d.all("cases"),
        items: super::risk::task_rows(&d, 3),
    };
    match s.app.create_meeting(&req.ctx, &form).await {
        Ok(_) => match form.cases.first() {
            Some(c) => see_other(&format!("/cases/{c}?ok=meeting#meetings")),
            None => see_other("/inbox"),
        },
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            meeting_page(&s, &req, f, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "templates.html")]
struct TemplatesPage {
    c: Chrome,
    rows: Vec<ReplyTemplate>,
    failed: String,
    f: FormState,
}

async fn templates_view(
    s: &AppState,
    req: &Req,
    failed: String,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let rows = page(req, s.app.templates(&req.ctx).await)?;
    let p = TemplatesPage {
        c: Chrome::new(req).with_flash(ok),
        rows,
        failed,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn templates(State(s): State<AppState>, req: Req, Query(flash): Query<Flash>) -> PageResult {
    templates_view(
        &s,
        &req,
        String::new(),
        FormState::default(),
        StatusCode::OK,
        flash.ok.as_deref(),
    )
    .await
}

async fn template_save(
    State(s): State<AppState>,
    req: Req,
    Path(code): Path<String>,
    d: FormData,
) -> PageResult {
    match s
        .app
        .save_template(&req.ctx, &code, &d.get("name"), &d.get("body"), d.int("version"))
        .await
    {
        Ok(()) => see_other("/admin/templates?ok=saved"),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            templates_view(&s, &req, code, f, status, None).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct CalcQuery {
    start: Option<String>,
    amount: Option<String>,
    unit: Option<String>,
}

#[derive(Template)]
#[template(path = "calculator.html")]
struct CalcPage {
    c: Chrome,
    f: FormState,
    units: Vec<Opt>,
    due: String,
    skipped: Vec<String>,
}

/// The public deadline calculator (no account needed): the same function as the case clocks.
async fn calculator(State(s): State<AppState>, req: Req, Query(q): Query<CalcQuery>) -> PageResult {
    let c = Chrome::new(&req);
    let units = Unit::ALL
        .iter()
        .map(|u| Opt {
            code: u.code().to_owned(),
            label: c.t.code("unit", u.code()),
        })
        .collect();
    let today = gongzhi_app::domain::time::local_date(s.app.now()).to_string();
    let mut f = FormState::default()
        .with("start", q.start.clone().unwrap_or(today))
        .with("amount", q.amount.clone().unwrap_or_else(|| "7".into()))
        .with("unit", q.unit.clone().unwrap_or_else(|| "calendar_day".into()));
    let (mut due, mut skipped, mut status) = (String::new(), Vec::new(), StatusCode::OK);
    if q.start.is_some() {
        match s
            .app
            .calculate_deadline(&f.v("start"), &f.v("amount"), &f.v("unit"))
            .await
        {
            Ok(r) => {
                due = r.due;
                skipped = r.skipped;
            }
            Err(e) => {
                let (nf, st) = form_error(&req, e, f)?;
                f = nf;
                status = st;
            }
        }
    }
    let p = CalcPage {
        c,
        f,
        units,
        due,
        skipped,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}
