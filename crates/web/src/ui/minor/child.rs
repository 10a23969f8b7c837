//! 儿童档案: the children on record (masked), putting a child on record (or from a report), a
//! record opened for a stated reason with its support plan, caring mother, contacts and grants;
//! and 协作任务, the support tasks given to the viewer's agency.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::minor::{ContactKind, GuardianSituation, Protection, TaskState};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::minor::child::{CHILD_PAGE, ChildForm, ChildLine, ChildView, CloseForm, Person};
use gongzhi_app::minor::support::{
    ContactForm, Mother, Pairing, PairingForm, TASK_PAGE, TaskDoneForm, TaskForm, TaskLine,
};
use gongzhi_app::{AppError, Page};
use http::StatusCode;

use super::super::education::options;
use super::super::{Chrome, Flash, MAX_PAGE, PageError, PageResult, form_error, page, see_other};
use super::{GatePage, Line, line};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let team = Access::Staff(Action::ManageMinors);
    Routes::new()
        .get("/minors/children", Access::Account, list)
        .get("/minors/children/new", team, new)
        .post("/minors/children", team, create)
        .post("/minors/{id}/child", team, from_report)
        .get("/minors/children/{id}", Access::Account, gate)
        .post("/minors/children/{id}/open", Access::Account, open)
        .post("/minors/children/{id}/tasks", team, add_task)
        .post("/minors/children/{id}/pairing", team, pair)
        .post("/minors/children/{id}/pairing/end", team, unpair)
        .post("/minors/children/{id}/contacts", Access::Account, contact)
        .post("/minors/children/{id}/grants", team, grant)
        .post("/minors/children/{id}/close", team, close)
        .get("/minors/tasks", Access::Account, tasks)
        .post("/minors/tasks/{id}/done", Access::Account, task_done)
}

pub(crate) struct ChildRow {
    id: String,
    child: String,
    township: String,
    guardian: String,
    state: String,
    open: bool,
    /// The weekly guardian contact, in words, and whether it is overdue.
    contact: String,
    overdue: bool,
    paired: bool,
    open_tasks: i64,
}

pub(crate) fn child_row(t: &T, l: &ChildLine) -> ChildRow {
    let r = &l.listed.row;
    ChildRow {
        id: r.id.clone(),
        child: l.child_masked.clone(),
        township: l.listed.township_name.clone().unwrap_or_default(),
        guardian: t.code("minor-guardian", l.guardian.code()),
        state: t.code("minor-child-state", l.state.code()),
        open: l.state == gongzhi_app::domain::minor::ChildState::Open,
        contact: match (l.contact_overdue, &r.guardian_contact_on) {
            (Some(days), _) => t.ta("minor-contact-overdue", &[("days", days.to_string())]),
            (None, Some(on)) if l.guardian.owes_weekly_contact() => {
                t.ta("minor-contact-last", &[("day", on.clone())])
            }
            _ => String::new(),
        },
        overdue: l.contact_overdue.is_some(),
        paired: l.listed.paired > 0,
        open_tasks: l.listed.open_tasks,
    }
}

#[derive(Template)]
#[template(path = "minor/children.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<ChildRow>,
    total: i64,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let found = page(
        &req,
        s.app
            .minor_children(&req.ctx, Page::nth(n, CHILD_PAGE), false)
            .await,
    )?;
    let p = ListPage {
        c: Chrome::new(&req).with_flash(q.ok.as_deref()),
        rows: found.items.iter().map(|l| child_row(&req.t, l)).collect(),
        more: n * CHILD_PAGE < found.total,
        total: found.total,
        page: n,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "minor/child_new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    guardians: Vec<(String, String)>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let p = NewPage {
        c: Chrome::new(req),
        guardians: options(
            &req.t,
            "minor-guardian",
            GuardianSituation::ALL,
            GuardianSituation::code,
        ),
        places: page(req, s.app.portal_places().await)?,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn new(State(s): State<AppState>, req: Req) -> PageResult {
    new_page(&s, &req, FormState::default(), StatusCode::OK).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = ChildForm {
        person: Person {
            name: d.get("person.name"),
            sex: d.get("person.sex"),
            birth_date: d.get("person.birth_date"),
            id_number: d.get("person.id_number"),
            school: d.get("person.school"),
            address: d.get("person.address"),
            guardian: d.get("person.guardian"),
            guardian_phone: d.get("person.guardian_phone"),
            carer: d.get("person.carer"),
            carer_phone: d.get("person.carer_phone"),
            notes: d.get("person.notes"),
        },
        guardian_situation: d.get("guardian_situation"),
        village_id: d.get("village_id"),
    };
    match s.app.register_child(&req.ctx, &f).await {
        Ok(id) => see_other(&format!("/minors/children/{id}?ok=minor-child-registered")),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, fs, status).await
        }
    }
}

async fn from_report(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    let child = page(&req, s.app.child_from_report(&req.ctx, id).await)?;
    see_other(&format!("/minors/children/{child}?ok=minor-child-registered"))
}

async fn gate_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let l = page(req, s.app.child_gate(&req.ctx, id).await)?;
    let row = child_row(&req.t, &l);
    let p = GatePage {
        c: Chrome::new(req).with_flash(ok),
        title: format!("{} · {}", req.t.t("minor-child-record"), row.child),
        summary: [row.township, row.guardian, row.state]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        action: format!("/minors/children/{}/open", row.id),
        tab: "children",
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

/// A record asks why it is opened before it shows the child; 403 (audited) for anyone else.
async fn gate(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    gate_page(
        &s,
        &req,
        id,
        FormState::default(),
        StatusCode::OK,
        q.ok.as_deref(),
    )
    .await
}

pub(crate) struct TaskRow {
    id: String,
    version: i64,
    protection: String,
    agency: String,
    child: String,
    township: String,
    detail: String,
    due: String,
    overdue: bool,
    open: bool,
    state: String,
    note: String,
    done_by: String,
}

fn task_row(t: &T, l: &TaskLine) -> TaskRow {
    let r = &l.listed.row;
    TaskRow {
        id: r.id.clone(),
        version: r.version,
        protection: t.code("minor-protection", l.protection.code()),
        agency: l.listed.agency_name.clone(),
        child: l.child_masked.clone(),
        township: l.listed.township_name.clone().unwrap_or_default(),
        detail: l.detail.clone(),
        due: r.due_on.clone(),
        overdue: l.overdue,
        open: l.state == TaskState::Open,
        state: t.code("minor-task-state", l.state.code()),
        note: l.note.clone(),
        done_by: r.done_by_name.clone(),
    }
}

struct ContactRow {
    day: String,
    kind: String,
    who: String,
    minutes: String,
    notes: String,
    by: String,
}

#[derive(Template)]
#[template(path = "minor/child.html")]
struct ChildPage {
    c: Chrome,
    v: ChildView,
    row: ChildRow,
    f: FormState,
    reason: String,
    guardian: String,
    /// The plan by protection: (label, tasks).
    plan: Vec<(String, Vec<TaskRow>)>,
    contacts: Vec<ContactRow>,
    reports: Vec<Line>,
    protections: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    /// The caring mother paired now.
    mother: Option<Pairing>,
    today: String,
}

async fn child_page(
    s: &AppState,
    req: &Req,
    id: Id,
    reason: &str,
    f: FormState,
    status: StatusCode,
) -> PageResult {
    let t = &req.t;
    match s.app.open_child(&req.ctx, id, reason).await {
        Ok(v) => {
            let agencies = if v.team {
                page(req, s.app.agency_choices(&req.ctx).await)?
                    .into_iter()
                    .filter(|a| a.active)
                    .map(|a| (a.id.to_string(), a.short_name))
                    .collect()
            } else {
                Vec::new()
            };
            let plan = Protection::ALL
                .iter()
                .map(|p| {
                    let rows = v
                        .tasks
                        .iter()
                        .filter(|k| k.protection == *p)
                        .map(|k| task_row(t, k))
                        .collect();
                    (t.code("minor-protection", p.code()), rows)
                })
                .collect();
            let contacts = v
                .contacts
                .iter()
                .map(|k| ContactRow {
                    day: k.row.on_day.clone(),
                    kind: t.code("minor-contact", k.kind.code()),
                    who: k.said.who.clone(),
                    minutes: k
                        .row
                        .minutes
                        .map(|m| t.ta("minor-minutes-n", &[("n", m.to_string())]))
                        .unwrap_or_default(),
                    notes: k.said.notes.clone(),
                    by: k.row.recorded_by_name.clone(),
                })
                .collect();
            let p = ChildPage {
                c: Chrome::new(req),
                row: child_row(t, &v.line),
                guardian: t.code("minor-guardian", v.line.guardian.code()),
                plan,
                contacts,
                reports: v.reports.iter().map(|l| line(t, l)).collect(),
                protections: options(t, "minor-protection", Protection::ALL, Protection::code),
                kinds: options(t, "minor-contact", ContactKind::ALL, ContactKind::code),
                agencies,
                mother: v.pairings.iter().find(|m| m.row.ended_on.is_none()).cloned(),
                today: time::local_date(s.app.now()).to_string(),
                reason: reason.trim().to_owned(),
                f,
                v,
            };
            Ok(render(status, &p, req.ctx.request_id()))
        }
        Err(AppError::Invalid(errs)) => {
            let f = FormState::default().with("reason", reason).errors(t, &errs);
            gate_page(s, req, id, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(PageError(req.clone(), e)),
    }
}

async fn open(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    child_page(
        &s,
        &req,
        id,
        &d.get("reason"),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

/// After a change: the record again, opened for the same reason (and audited again), with the
/// form's messages and what was typed if it was refused.
async fn changed(s: &AppState, req: &Req, id: Id, d: &FormData, r: Result<(), AppError>) -> PageResult {
    let (f, status) = match r {
        Ok(()) => (FormState::default(), StatusCode::OK),
        Err(e) => form_error(req, e, FormState::from_data(d))?,
    };
    child_page(s, req, id, &d.get("reason"), f, status).await
}

async fn add_task(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = TaskForm {
        protection: d.get("protection"),
        agency_id: d.get("agency_id"),
        detail: d.get("detail"),
        due_on: d.get("due_on"),
    };
    let r = s.app.add_minor_task(&req.ctx, id, &f).await.map(|_| ());
    changed(&s, &req, id, &d, r).await
}

async fn pair(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = PairingForm {
        mother: Mother {
            name: d.get("mother.name"),
            phone: d.get("mother.phone"),
        },
        started_on: d.get("started_on"),
    };
    let r = s.app.pair_caring_mother(&req.ctx, id, &f).await;
    changed(&s, &req, id, &d, r).await
}

async fn unpair(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s.app.end_caring_mother(&req.ctx, id, &d.get("end_reason")).await;
    changed(&s, &req, id, &d, r).await
}

async fn contact(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let minutes = d.get("minutes");
    let f = ContactForm {
        kind: d.get("kind"),
        on_day: d.get("on_day"),
        minutes: match minutes.trim() {
            "" => None,
            m => Some(m.parse().unwrap_or(-1)),
        },
        who: d.get("who"),
        notes: d.get("notes"),
    };
    let r = s.app.record_minor_contact(&req.ctx, id, &f).await;
    changed(&s, &req, id, &d, r).await
}

async fn grant(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .child_grant(&req.ctx, id, &d.get("user"), d.flag("revoke"))
        .await;
    changed(&s, &req, id, &d, r).await
}

async fn close(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = CloseForm {
        version: d.int("version"),
        outcome: d.get("outcome"),
    };
    let r = s.app.close_child(&req.ctx, id, &f).await;
    changed(&s, &req, id, &d, r).await
}

#[derive(Template)]
#[template(path = "minor/tasks.html")]
struct TasksPage {
    c: Chrome,
    f: FormState,
    rows: Vec<TaskRow>,
    total: i64,
    page: i64,
    more: bool,
}

async fn tasks_page(
    s: &AppState,
    req: &Req,
    n: i64,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let found = page(
        req,
        s.app.agency_minor_tasks(&req.ctx, Page::nth(n, TASK_PAGE)).await,
    )?;
    let p = TasksPage {
        c: Chrome::new(req).with_flash(ok),
        rows: found.items.iter().map(|l| task_row(&req.t, l)).collect(),
        more: n * TASK_PAGE < found.total,
        total: found.total,
        page: n,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

/// The support tasks given to the viewer's agency: the child masked, the task and its due day.
async fn tasks(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    tasks_page(&s, &req, n, FormState::default(), StatusCode::OK, q.ok.as_deref()).await
}

async fn task_done(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = TaskDoneForm {
        version: d.int("version"),
        note: d.get("note"),
        cancel: d.flag("cancel"),
    };
    let r = s.app.minor_task_done(&req.ctx, id, &f).await;
    // From a record, back to it (opened for the same reason); from the task list, back there.
    match (d.get("child").parse::<Id>(), r) {
        (Ok(child), r) => changed(&s, &req, child, &d, r).await,
        (Err(_), Ok(())) => see_other("/minors/tasks?ok=minor-task-done"),
        (Err(_), Err(e)) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d).with("task", id))?;
            tasks_page(&s, &req, 1, f, status, None).await
        }
    }
}

/// Rows the inbox lists.
const INBOX_SHOWN: i64 = 5;

/// The inbox's minors' section: for the juvenile team, the children whose guardian has not made
/// the weekly contact (§3.9); for everyone, the support tasks given to their agency. The children
/// masked. (rows, how many in all)
pub(crate) async fn inbox_rows(
    s: &AppState,
    req: &Req,
) -> Result<(Vec<super::super::inbox::DecisionRow>, i64), PageError> {
    use super::super::inbox::DecisionRow;
    let Some(actor) = req.ctx.user() else {
        return Ok((Vec::new(), 0));
    };
    let t = &req.t;
    let mut rows = Vec::new();
    let mut total = 0;
    if actor.can(Action::ManageMinors) {
        let overdue = page(req, s.app.guardian_contact_overdue(&req.ctx).await)?;
        total += i64::try_from(overdue.len()).unwrap_or(i64::MAX);
        rows.extend(overdue.iter().take(INBOX_SHOWN as usize).map(|l| {
            let r = child_row(t, l);
            DecisionRow {
                link: format!("/minors/children/{}", r.id),
                what: t.t("minor-inbox-contact"),
                title: format!("{} · {}", r.child, r.township),
                since: r.contact,
            }
        }));
    }
    let tasks = page(
        req,
        s.app.agency_minor_tasks(&req.ctx, Page::first(INBOX_SHOWN)).await,
    )?;
    total += tasks.total;
    rows.extend(tasks.items.iter().map(|l| {
        let r = task_row(t, l);
        DecisionRow {
            link: format!("/minors/tasks#task-{}", r.id),
            what: r.protection,
            title: format!("{} · {}", r.child, r.detail),
            since: t.ta("minor-task-due", &[("day", r.due)]),
        }
    }));
    Ok((rows, total))
}
