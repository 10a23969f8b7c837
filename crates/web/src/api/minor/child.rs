//! `/api/v1/minors/children` and `/api/v1/minors/tasks`: children's records (masked in lists,
//! opened whole for a reason by the team or a grantee, 403 audited otherwise), their support plan,
//! caring mother, contacts and grants; and the support tasks given to the caller's agency.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::minor::{ChildState, ContactKind, GuardianSituation, Protection, TaskState};
use gongzhi_app::minor::child::{ChildForm, ChildLine, CloseForm, Person};
use gongzhi_app::minor::support::{ContactForm, Mother, PairingForm, TaskDoneForm, TaskForm, TaskLine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Created, GrantBody, GrantJson, OpenBody, ReportJson, ReportParams, json_of};
use crate::AppState;
use crate::middleware::Req;

use super::super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Serialize, ToSchema)]
pub struct ChildJson {
    pub id: String,
    pub state: ChildState,
    /// The child's surname and a mark for each other character.
    pub child: String,
    pub township: Option<String>,
    pub guardian_situation: GuardianSituation,
    /// `YYYY-MM-DD` of the guardian's last contact.
    pub guardian_contact_on: Option<String>,
    /// Days the weekly guardian contact is overdue (§3.9).
    pub contact_overdue_days: Option<i64>,
    pub paired: bool,
    pub open_tasks: i64,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChildList {
    pub total: i64,
    pub items: Vec<ChildJson>,
}

fn child_json(l: &ChildLine) -> ChildJson {
    let r = &l.listed.row;
    ChildJson {
        id: r.id.clone(),
        state: l.state,
        child: l.child_masked.clone(),
        township: l.listed.township_name.clone(),
        guardian_situation: l.guardian,
        guardian_contact_on: r.guardian_contact_on.clone(),
        contact_overdue_days: l.contact_overdue,
        paired: l.listed.paired > 0,
        open_tasks: l.listed.open_tasks,
        version: r.version,
    }
}

/// The children's records the caller may open (all for the juvenile team, the granted ones for
/// others), the child masked.
#[utoipa::path(get, path = "/api/v1/minors/children", tag = "minors", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = ChildList), (status = 401, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ReportParams>) -> Res<ChildList> {
    let page = s
        .app
        .minor_children(&req.ctx, page_of(q.limit, q.offset), false)
        .await
        .map_err(fail(&req))?;
    Ok(Json(ChildList {
        total: page.total,
        items: page.items.iter().map(child_json).collect(),
    }))
}

/// Put a child on record.
#[utoipa::path(post, path = "/api/v1/minors/children", tag = "minors", security(("bearer" = [])), request_body = ChildForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: ChildForm = body.json()?;
    let id = s.app.register_child(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

/// Open the record of the child a report is about, from the report (a linked report answers its
/// record).
#[utoipa::path(post, path = "/api/v1/minors/{id}/child", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Created), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn from_report(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Created> {
    let id = s.app.child_from_report(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct TaskJson {
    pub id: String,
    pub child_id: String,
    /// The child masked.
    pub child: String,
    pub protection: Protection,
    pub agency: String,
    pub detail: String,
    pub due_on: String,
    pub overdue: bool,
    pub state: TaskState,
    pub note: String,
    pub version: i64,
}

fn task_json(l: &TaskLine) -> TaskJson {
    let r = &l.listed.row;
    TaskJson {
        id: r.id.clone(),
        child_id: r.child_id.clone(),
        child: l.child_masked.clone(),
        protection: l.protection,
        agency: l.listed.agency_name.clone(),
        detail: l.detail.clone(),
        due_on: r.due_on.clone(),
        overdue: l.overdue,
        state: l.state,
        note: l.note.clone(),
        version: r.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PairingJson {
    pub mother: Mother,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub end_reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ContactJson {
    pub kind: ContactKind,
    pub on_day: String,
    pub minutes: Option<i64>,
    pub who: String,
    pub notes: String,
    pub recorded_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChildDetail {
    #[serde(flatten)]
    pub child: ChildJson,
    pub person: Person,
    pub under14: bool,
    pub outcome: String,
    pub tasks: Vec<TaskJson>,
    pub pairings: Vec<PairingJson>,
    pub contacts: Vec<ContactJson>,
    /// The mandatory reports about the child (the juvenile team only).
    pub reports: Vec<ReportJson>,
    pub grants: Vec<GrantJson>,
}

/// Open a child's record whole, for a reason; without the juvenile permission or a grant: 403,
/// audited.
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/open", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OpenBody,
    responses((status = 200, body = ChildDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<ChildDetail> {
    let b: OpenBody = body.json()?;
    let v = s
        .app
        .open_child(&req.ctx, id, &b.reason)
        .await
        .map_err(fail(&req))?;
    Ok(Json(ChildDetail {
        child: child_json(&v.line),
        outcome: v.line.listed.row.outcome.clone(),
        under14: v.under14,
        tasks: v.tasks.iter().map(task_json).collect(),
        pairings: v
            .pairings
            .into_iter()
            .map(|p| PairingJson {
                mother: p.mother,
                started_on: p.row.started_on,
                ended_on: p.row.ended_on,
                end_reason: p.row.end_reason,
            })
            .collect(),
        contacts: v
            .contacts
            .into_iter()
            .map(|k| ContactJson {
                kind: k.kind,
                on_day: k.row.on_day,
                minutes: k.row.minutes,
                who: k.said.who,
                notes: k.said.notes,
                recorded_by: k.row.recorded_by_name,
            })
            .collect(),
        reports: v.reports.iter().map(json_of).collect(),
        grants: v
            .grants
            .into_iter()
            .map(|(user_id, name, granted_by, _)| GrantJson {
                user_id,
                name,
                granted_by,
            })
            .collect(),
        person: v.person,
    }))
}

/// Add a task under one of the six protections for an agency.
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/tasks", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TaskForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_task(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Created> {
    let f: TaskForm = body.json()?;
    let id = s.app.add_minor_task(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

/// Pair the child with a caring mother of the Women's Federation (one at a time).
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/pairing", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PairingForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pair(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let f: PairingForm = body.json()?;
    s.app
        .pair_caring_mother(&req.ctx, id, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct EndBody {
    pub end_reason: String,
}

/// End the current pairing, with the reason.
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/pairing/end", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EndBody,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unpair(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: EndBody = body.json()?;
    s.app
        .end_caring_mother(&req.ctx, id, &b.end_reason)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Record a caring mother's visit, a counselling session or the guardian's contact (the team, or
/// someone granted the record).
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/contacts", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ContactForm,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn contact(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let f: ContactForm = body.json()?;
    s.app
        .record_minor_contact(&req.ctx, id, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Grant one child's record to someone outside the juvenile team, or take the grant back.
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/grants", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = GrantBody,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: GrantBody = body.json()?;
    s.app
        .child_grant(&req.ctx, id, &b.user, b.revoke)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Close a record with what came of the support.
#[utoipa::path(post, path = "/api/v1/minors/children/{id}/close", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CloseForm,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let f: CloseForm = body.json()?;
    s.app.close_child(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct TaskList {
    pub total: i64,
    pub items: Vec<TaskJson>,
}

/// The open support tasks given to the caller's agency, the child masked.
#[utoipa::path(get, path = "/api/v1/minors/tasks", tag = "minors", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = TaskList), (status = 401, body = ErrorBody)))]
pub async fn tasks(State(s): State<AppState>, req: Req, Query(q): Query<ReportParams>) -> Res<TaskList> {
    let page = s
        .app
        .agency_minor_tasks(&req.ctx, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(TaskList {
        total: page.total,
        items: page.items.iter().map(task_json).collect(),
    }))
}

/// The agency reports its task done (with what it did); the team may withdraw it instead.
#[utoipa::path(post, path = "/api/v1/minors/tasks/{id}/done", tag = "minors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TaskDoneForm,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn task_done(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let f: TaskDoneForm = body.json()?;
    s.app
        .minor_task_done(&req.ctx, id, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
