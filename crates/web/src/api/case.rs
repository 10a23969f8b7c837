//! `/api/v1/cases`: intake (with `Idempotency-Key`), the list, one case, edits, workflow commands
//! and revealing a party's identity. The same use cases and policy as the case pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::AppError;
use gongzhi_app::case::{Case, CaseFilter, Clock};
use gongzhi_app::case::{CaseEdit, IntakeForm, RevealRequest, Revealed, TransitionInput};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::deadline::ClockState;
use gongzhi_app::domain::event::EventDetail;
use gongzhi_app::domain::time;
use gongzhi_app::domain::workflow::{CaseKind, Command};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail};

#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub level: Option<String>,
    pub channel: String,
    pub category: String,
    pub place: String,
    pub title: String,
    pub received_at: String,
    pub urgent: bool,
    pub owner_agency: String,
    pub handler: String,
    pub risk_level: Option<String>,
    pub tracking_code: Option<String>,
    /// For optimistic versioning: send it back with a change.
    pub version: i64,
    /// In a list: the soonest running clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_due: Option<NextDue>,
}

#[derive(Serialize, ToSchema)]
pub struct NextDue {
    /// The clock's kind.
    pub kind: String,
    pub due: String,
    /// running, due_soon, overdue
    pub state: String,
}

impl NextDue {
    pub fn of(due: &Option<(Clock, ClockState)>) -> Option<Self> {
        due.as_ref().map(|(k, state)| NextDue {
            kind: k.kind.code().into(),
            due: k.due_date.to_string(),
            state: state.code().into(),
        })
    }
}

fn summary(c: &Case) -> CaseSummary {
    CaseSummary {
        id: c.id.to_string(),
        number: c.number.clone(),
        kind: c.kind.code().into(),
        status: c.status.code().into(),
        level: c.level.map(|l| l.code().into()),
        channel: c.channel.code().into(),
        category: c.category_code.clone(),
        place: c.place_name.clone(),
        title: c.title.clone(),
        received_at: time::format_local(c.received_at),
        urgent: c.urgent,
        owner_agency: c.owner_agency_name.clone(),
        handler: c.handler_name.clone(),
        risk_level: c.risk_level.map(|r| r.code().into()),
        tracking_code: c.tracking_code.clone(),
        version: c.version,
        next_due: None,
    }
}

/// Register a case. A retry with the same `Idempotency-Key` header returns the same case.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body = IntakeForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: one case per key and caller")),
    responses((status = 200, body = CaseSummary), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_case(
    State(s): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: ApiBody,
) -> Res<CaseSummary> {
    let form: IntakeForm = body.json()?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.chars().take(100).collect::<String>());
    let c = s
        .app
        .register_case(&req.ctx, &form, &[], key.as_deref())
        .await
        .map_err(fail(&req))?;
    Ok(Json(summary(&c)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Text in the number, title, narrative or a party's name.
    q: Option<String>,
    kind: Option<String>,
    /// open (default), closed or all
    state: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
    /// A case id: the other cases of a party with the same identity number (that the caller may see).
    #[param(value_type = Option<String>, format = Uuid)]
    same_party: Option<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub total: i64,
    pub items: Vec<CaseSummary>,
}

/// Cases the caller may see.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(CaseQuery),
    responses((status = 200, body = CaseList), (status = 403, body = ErrorBody)))]
pub async fn list_cases(State(s): State<AppState>, req: Req, Query(q): Query<CaseQuery>) -> Res<CaseList> {
    let f = CaseFilter {
        text: q.q,
        kind: q.kind.as_deref().and_then(CaseKind::parse),
        open: match q.state.as_deref() {
            Some("closed") => Some(false),
            Some("all") => None,
            _ => Some(true),
        },
        limit: q.limit.unwrap_or(50).clamp(1, 500),
        offset: q.offset.unwrap_or(0).max(0),
        same_party_as: q.same_party,
        ..Default::default()
    };
    let (items, total) = s.app.list_cases(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(CaseList {
        total,
        items: items
            .iter()
            .map(|l| CaseSummary {
                next_due: NextDue::of(&l.due),
                ..summary(&l.case)
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ClockJson {
    pub id: String,
    pub kind: String,
    pub seq: i64,
    pub start: String,
    pub due: String,
    /// running, due_soon, overdue, paused, met, exempt
    pub state: String,
    pub rule: String,
    /// Days the clock was set to run by whoever started it (a referral's deadline); absent: the
    /// rule's term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_days: Option<u32>,
    /// The version of the rule that produced the due date.
    pub rule_version: i64,
    /// The due date falls in a year whose holidays are not loaded yet: it may move, and is
    /// recomputed when the year is loaded.
    pub provisional: bool,
    pub skipped: Vec<String>,
    pub note: String,
    /// Who approved its last pause, resumption or extension ("" when none).
    pub approver: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub uploaded_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartyOut {
    pub id: String,
    pub role: String,
    pub name: String,
    pub sex: String,
    pub id_number: String,
    pub phone: String,
    pub minor: bool,
}

/// The latest risk assessment.
#[derive(Serialize, ToSchema)]
pub struct RiskOut {
    /// low, medium, high
    pub level: String,
    pub score: i64,
    /// The rule set's version.
    pub ruleset: String,
    /// The factors that scored, with their points.
    pub factors: Vec<gongzhi_app::domain::risk::Scored>,
    pub assessor: String,
    pub at: String,
    pub plan: String,
    pub signed_off_by: String,
    /// Made before the case last changed in a way that needs a new assessment, it is not current.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: String,
    pub to: Option<String>,
    /// pending, accepted, returned, reported, revoked
    pub state: String,
    pub due: String,
    pub note: String,
    pub answer: String,
    /// The receiver was asked to reply to the party itself.
    pub reply_requested: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyOut {
    /// procedural, progress, result
    pub kind: String,
    pub channel: String,
    pub body: String,
    pub sent_at: String,
    /// Who sent it, and for which agency (a referral's receiver may answer the party itself).
    pub sent_by: String,
    pub agency: String,
}

#[derive(Serialize, ToSchema)]
pub struct MediationOut {
    pub mediator: String,
    /// agreed, failed, continued
    pub outcome: String,
    pub agreement: String,
    pub held_at: String,
    /// The attachment holding the signed agreement's scan.
    pub agreement_attachment: Option<String>,
}

/// One step of the timeline.
#[derive(Serialize, ToSchema)]
pub struct EventJson {
    /// Local time (UTC+8), `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub who: String,
    pub agency: String,
    /// The event's kind: `registered`, `cmd-<command>`, `reply-<kind>`, `risk-assessed`, …
    pub what: String,
    pub detail: EventDetail,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseSummary,
    pub narrative: String,
    pub parties: Vec<PartyOut>,
    pub clocks: Vec<ClockJson>,
    pub risk: Option<RiskOut>,
    pub referrals: Vec<ReferralOut>,
    pub replies: Vec<ReplyOut>,
    pub mediations: Vec<MediationOut>,
    /// The latest 100 events; `timeline_total` says how many there are in all.
    pub timeline: Vec<EventJson>,
    pub timeline_total: i64,
    /// The case's attachments (their ids name the agreement of a reconciliation record).
    pub attachments: Vec<AttachmentOut>,
    /// A duplicate merged into another case: where, by whom, when (its work goes on there).
    pub merged: Option<gongzhi_app::case::MergedNote>,
    /// Commands the caller may give now.
    pub commands: Vec<String>,
    /// The same commands as steps: which one the workflow expects next, and why one is held back.
    pub steps: Vec<StepOut>,
}

/// A command the caller may give now (`POST /api/v1/cases/{id}/transitions`).
#[derive(Serialize, ToSchema)]
pub struct StepOut {
    pub command: String,
    /// The step the workflow expects next.
    pub expected: bool,
    /// Why the command would be refused now (the risk gate, the top of the ladder), as an error
    /// code such as `transition-needs-assessment`; absent when it may be given.
    pub blocked: Option<String>,
    /// The command needs a reason in `note`.
    pub needs_reason: bool,
}

/// One case with its parties (masked), clocks, risk, referrals, replies, mediation and timeline.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn get_case(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<CaseDetail> {
    let v = s.app.case_view(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(CaseDetail {
        case: summary(&v.case),
        narrative: v.case.narrative.clone(),
        parties: v
            .parties
            .iter()
            .map(|p| PartyOut {
                id: p.id.clone(),
                role: p.role.clone(),
                name: p.name.clone(),
                sex: p.sex.clone(),
                id_number: p.id_masked.clone(),
                phone: p.phone_masked.clone(),
                minor: p.minor,
            })
            .collect(),
        clocks: v
            .clocks
            .iter()
            .map(|k| ClockJson {
                id: k.clock.id.to_string(),
                kind: k.clock.kind.code().into(),
                seq: k.clock.seq,
                start: k.clock.start_date.to_string(),
                due: k.clock.due_date.to_string(),
                state: k.state.code().into(),
                rule: k.clock.rule_code.clone(),
                term_days: k.clock.term_days,
                rule_version: k.rule_version,
                provisional: k.provisional,
                skipped: k.clock.skipped.iter().map(|d| d.to_string()).collect(),
                note: k.clock.note.clone(),
                approver: k.clock.approver_name.clone(),
            })
            .collect(),
        risk: v.assessments.first().map(|a| RiskOut {
            level: a.level.clone(),
            score: a.score,
            ruleset: a.ruleset.clone(),
            factors: a.scored(),
            assessor: a.assessor_name.clone(),
            at: crate::ui::case::fmt_ms(a.at),
            plan: a.plan.clone(),
            signed_off_by: a.signed_off_by.clone(),
            current: v.risk_current,
        }),
        referrals: v
            .referrals
            .iter()
            .map(|r| ReferralOut {
                id: r.id.clone(),
                to: r.to_agency_name.clone(),
                state: r.state.clone(),
                due: r.due_date.clone(),
                note: r.note.clone(),
                answer: r.answer.clone(),
                reply_requested: r.reply_requested != 0,
            })
            .collect(),
        replies: v
            .replies
            .iter()
            .map(|r| ReplyOut {
                kind: r.kind.clone(),
                channel: r.channel.clone(),
                body: r.body.clone(),
                sent_at: crate::ui::case::fmt_ms(r.sent_at),
                sent_by: r.sent_by_name.clone(),
                agency: r.agency_name.clone(),
            })
            .collect(),
        mediations: v
            .mediations
            .iter()
            .map(|m| MediationOut {
                mediator: m.mediator.clone(),
                outcome: m.outcome.clone(),
                agreement: m.agreement.clone(),
                held_at: crate::ui::case::fmt_ms(m.held_at),
                agreement_attachment: m.agreement_attachment_id.clone(),
            })
            .collect(),
        timeline_total: v.events.total,
        merged: v.merged.clone(),
        attachments: v
            .attachments
            .iter()
            .map(|a| AttachmentOut {
                id: a.id.clone(),
                filename: a.filename.clone(),
                mime: a.mime.clone(),
                size: a.size,
                uploaded_by: a.uploaded_by_name.clone(),
            })
            .collect(),
        timeline: v
            .events
            .items
            .iter()
            .map(|e| EventJson {
                at: crate::ui::case::fmt_ms(e.at),
                who: e.actor_name.clone(),
                agency: e.agency_name.clone(),
                what: e.kind.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        commands: v
            .steps
            .offered
            .iter()
            .map(|x| x.command.code().to_owned())
            .collect(),
        steps: v
            .steps
            .offered
            .iter()
            .map(|x| StepOut {
                command: x.command.code().to_owned(),
                expected: x.expected,
                blocked: x.blocked.as_ref().map(|e| e.key().to_owned()),
                needs_reason: x.needs_reason,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionJson {
    /// A workflow command, e.g. accept, not_accept, assign, resolve, close.
    pub command: String,
    #[serde(flatten)]
    pub input: TransitionInput,
}

/// Give a workflow command. A command the state or the risk gate does not allow is 409 with the
/// reason in Chinese.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", security(("bearer" = [])), request_body = TransitionJson,
    responses((status = 200, body = CaseSummary), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<CaseSummary> {
    let b: TransitionJson = body.json()?;
    let cmd = Command::parse(&b.command)
        .ok_or_else(|| fail(&req)(AppError::field("command", "command-invalid")))?;
    let c = s
        .app
        .transition(&req.ctx, id, cmd, &b.input)
        .await
        .map_err(fail(&req))?;
    Ok(Json(summary(&c)))
}

/// Edit a case's title, description, category, urgency and the mark "concerns a minor".
#[utoipa::path(post, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])), request_body = CaseEdit,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_case(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let e: CaseEdit = body.json()?;
    s.app.edit_case(&req.ctx, id, &e).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Reveal a party's identity number, phone and address (a separate permission; audited with the reason).
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party}/reveal", tag = "cases", security(("bearer" = [])), request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reveal(
    State(s): State<AppState>,
    req: Req,
    Path((id, party)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Revealed> {
    let b: RevealRequest = body.json()?;
    let r = s
        .app
        .reveal_party(&req.ctx, id, &party, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(r))
}
