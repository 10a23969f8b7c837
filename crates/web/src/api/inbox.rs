//! The caller's work, most urgent first.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::notice::Notice;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{Done, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    /// The clock's, referral's or task's own id (a task is marked done by it).
    pub id: String,
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub what: String,
    pub due: String,
    pub state: String,
}

/// Something waiting for the caller's approval.
#[derive(Serialize, ToSchema)]
pub struct ApprovalJson {
    /// sign_off (a high risk's plan, §3.5) or clock_request.
    pub kind: String,
    /// The clock request's id (decide it at `/api/v1/clock-requests/{id}/…`), or the assessment's.
    pub id: String,
    pub case_id: String,
    pub number: String,
    pub title: String,
    /// The plan to sign off, or the request's reason.
    pub detail: String,
    /// Who asked.
    pub by: String,
    /// Local time (UTC+8) it was asked.
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct InboxJson {
    /// The page (from 1); each list holds at most 50 rows of it.
    pub page: i64,
    pub approvals_total: i64,
    /// Sign-offs first, then clock requests (for those who approve; empty for the others).
    pub approvals: Vec<ApprovalJson>,
    /// Whether a later page holds more of any list.
    pub more: bool,
    /// Counted up to 1000: 1000 means a thousand or more.
    pub clocks_total: i64,
    pub referrals_total: i64,
    pub tasks_total: i64,
    pub notices_total: i64,
    pub clocks: Vec<InboxItem>,
    pub referrals: Vec<InboxItem>,
    pub tasks: Vec<InboxItem>,
    pub notices: Vec<NoticeJson>,
}

/// A notice to the caller or the caller's agency.
#[derive(Serialize, ToSchema)]
pub struct NoticeJson {
    pub id: String,
    /// reminder, escalation, referral, referral_returned, referral_reported
    pub kind: String,
    pub case_id: Option<String>,
    /// Local time (UTC+8) it was raised.
    pub at: String,
    /// What it says; absent only for a body that cannot be read.
    pub notice: Option<Notice>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// The page, from 1 (50 rows of each list per page).
    page: Option<i64>,
}

/// The caller's work, most urgent first, a page at a time.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "cases", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, body = InboxJson), (status = 403, body = ErrorBody)))]
pub async fn inbox(State(s): State<AppState>, req: Req, Query(q): Query<InboxQuery>) -> Res<InboxJson> {
    let w = s
        .app
        .inbox(&req.ctx, q.page.unwrap_or(1))
        .await
        .map_err(fail(&req))?;
    let sign_offs = w.approvals.sign_offs.items.iter().map(|a| ApprovalJson {
        kind: "sign_off".into(),
        id: a.assessment_id.clone(),
        case_id: a.case_id.clone(),
        number: a.number.clone(),
        title: a.title.clone(),
        detail: a.plan.clone(),
        by: a.assessor_name.clone(),
        at: crate::ui::case::fmt_ms(a.at),
    });
    let requests = w.approvals.clock_requests.items.iter().map(|x| ApprovalJson {
        kind: "clock_request".into(),
        id: x.request.id.clone(),
        case_id: x.request.case_id.clone(),
        number: x.number.clone(),
        title: x.title.clone(),
        detail: x.request.reason.clone(),
        by: x.request.requested_by_name.clone(),
        at: crate::ui::case::fmt_ms(x.request.requested_at),
    });
    Ok(Json(InboxJson {
        approvals_total: w.approvals.total(),
        approvals: sign_offs.chain(requests).collect(),
        page: w.page,
        more: w.has_more(),
        clocks_total: w.clocks.total,
        referrals_total: w.referrals.total,
        tasks_total: w.tasks.total,
        notices_total: w.notices.total,
        clocks: w
            .clocks
            .items
            .iter()
            .map(|(o, st)| InboxItem {
                id: o.clock.id.to_string(),
                case_id: o.clock.case_id.to_string(),
                number: o.number.clone(),
                title: o.title.clone(),
                what: o.clock.kind.code().into(),
                due: o.clock.due_date.to_string(),
                state: st.code().into(),
            })
            .collect(),
        referrals: w
            .referrals
            .items
            .iter()
            .map(|(r, n, t)| InboxItem {
                id: r.id.clone(),
                case_id: r.case_id.clone(),
                number: n.clone(),
                title: t.clone(),
                what: "referral".into(),
                due: r.due_date.clone(),
                state: r.state.clone(),
            })
            .collect(),
        tasks: w
            .tasks
            .items
            .iter()
            .map(|k| InboxItem {
                id: k.id.clone(),
                case_id: k.case_id.clone().unwrap_or_default(),
                number: k.case_number.clone().unwrap_or_default(),
                title: k.title.clone(),
                what: k.source.clone(),
                due: k.due_date.clone(),
                state: "open".into(),
            })
            .collect(),
        notices: w
            .notices
            .items
            .iter()
            .map(|n| NoticeJson {
                id: n.id.clone(),
                kind: n.kind.clone(),
                case_id: n.case_id.clone(),
                at: crate::ui::case::fmt_ms(n.at),
                notice: n.notice.clone(),
            })
            .collect(),
    }))
}

/// The caller marks one of their tasks done (a mitigation task, a meeting's action item).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 404, body = ErrorBody)))]
pub async fn task_done(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Done> {
    s.app.finish_task(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
