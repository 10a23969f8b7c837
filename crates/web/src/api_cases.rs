//! `/api/v1` for cases: intake (with `Idempotency-Key`), lists, the case, workflow commands,
//! replies, risk, referrals, meetings, mediation, follow-ups, clocks, revealing, the inbox and the
//! public deadline calculator. The same use cases and policy as the UI.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use gongzhi_app::AppError;
use gongzhi_app::case::{Case, CaseFilter};
use gongzhi_app::case::{IntakeForm, PartyInput, TransitionInput};
use gongzhi_app::deadlines::ClockChange;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::deadline::Calculated;
use gongzhi_app::domain::risk::RiskInput;
use gongzhi_app::domain::time;
use gongzhi_app::domain::workflow::{CaseKind, Command};
use gongzhi_app::mediation::MediationForm;
use gongzhi_app::meeting::MeetingForm;
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiBody, Done, ErrorBody};
use crate::error::ApiError;
use crate::middleware::Req;

type Res<T> = Result<Json<T>, Response>;

fn fail(req: &Req) -> impl Fn(AppError) -> Response + '_ {
    |e| axum::response::IntoResponse::into_response(ApiError(e, req.ctx.request_id().to_owned()))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PartyJson {
    /// petitioner, respondent, victim, suspect, guardian, other
    pub role: String,
    pub name: String,
    /// 18-character resident identity number (optional); sex, age and minority are derived.
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub elderly: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub impoverished: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCaseJson {
    /// petition, dispute, gov_petition, minor_criminal
    pub kind: String,
    /// visit, letter, phone, hotline_12309, grid_screening, referral, case_handling, reception_day
    pub channel: String,
    /// A dispute category code, e.g. NEIGHBOUR.
    pub category: String,
    /// Id of the village or community.
    pub place_id: String,
    #[serde(default)]
    pub grid_id: String,
    pub title: String,
    pub narrative: String,
    /// Local time (UTC+8), `YYYY-MM-DD HH:MM`.
    pub received_at: String,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub anonymous: bool,
    /// A minor is concerned though no party's ID number shows it: nothing of the case is published.
    #[serde(default)]
    pub minor_involved: bool,
    #[serde(default)]
    pub parties: Vec<PartyJson>,
}

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
    }
}

/// Register a case. A retry with the same `Idempotency-Key` header returns the same case.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body = NewCaseJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: one case per key and caller")),
    responses((status = 200, body = CaseSummary), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_case(
    State(s): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: ApiBody,
) -> Res<CaseSummary> {
    let b: NewCaseJson = body.json()?;
    let form = IntakeForm {
        kind: b.kind,
        channel: b.channel,
        category: b.category,
        place_id: b.place_id,
        grid_id: b.grid_id,
        title: b.title,
        narrative: b.narrative,
        received_at: b.received_at,
        urgent: b.urgent,
        anonymous: b.anonymous,
        minor_involved: b.minor_involved,
        parties: b
            .parties
            .into_iter()
            .map(|p| PartyInput {
                role: p.role,
                name: p.name,
                id_number: p.id_number,
                phone: p.phone,
                address: p.address,
                elderly: p.elderly,
                disabled: p.disabled,
                impoverished: p.impoverished,
            })
            .collect(),
    };
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
        ..Default::default()
    };
    let (items, total) = s.app.list_cases(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(CaseList {
        total,
        items: items.iter().map(summary).collect(),
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
    pub skipped: Vec<String>,
    pub note: String,
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

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseSummary,
    pub narrative: String,
    pub parties: Vec<PartyOut>,
    pub clocks: Vec<ClockJson>,
    pub risk: Option<serde_json::Value>,
    pub referrals: Vec<serde_json::Value>,
    pub replies: Vec<serde_json::Value>,
    pub mediations: Vec<serde_json::Value>,
    /// The latest 100 events; `timeline_total` says how many there are in all.
    pub timeline: Vec<serde_json::Value>,
    pub timeline_total: i64,
    /// Commands the caller may give now.
    pub commands: Vec<String>,
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
                skipped: k.clock.skipped.iter().map(|d| d.to_string()).collect(),
                note: k.clock.note.clone(),
            })
            .collect(),
        risk: v.assessments.first().map(|a| {
            serde_json::json!({"level": a.level, "score": a.score, "ruleset": a.ruleset, "factors": a.factors,
                "assessor": a.assessor_name, "at": crate::pages::case::fmt_ms(a.at), "plan": a.plan,
                "signed_off_by": a.signed_off_by, "current": v.risk_current})
        }),
        referrals: v
            .referrals
            .iter()
            .map(|r| serde_json::json!({"id": r.id, "to": r.to_agency_name, "state": r.state, "due": r.due_date, "note": r.note, "answer": r.answer}))
            .collect(),
        replies: v
            .replies
            .iter()
            .map(|r| serde_json::json!({"kind": r.kind, "channel": r.channel, "body": r.body, "sent_at": crate::pages::case::fmt_ms(r.sent_at)}))
            .collect(),
        mediations: v
            .mediations
            .iter()
            .map(|m| serde_json::json!({"mediator": m.mediator, "outcome": m.outcome, "agreement": m.agreement, "held_at": crate::pages::case::fmt_ms(m.held_at)}))
            .collect(),
        timeline_total: v.events.total,
        timeline: v
            .events
            .items
            .iter()
            .map(|e| serde_json::json!({"at": crate::pages::case::fmt_ms(e.at), "who": e.actor_name, "agency": e.agency_name, "what": e.kind, "detail": e.detail}))
            .collect(),
        commands: v.commands.iter().map(|c| c.code().to_owned()).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionJson {
    /// A workflow command, e.g. accept, not_accept, assign, resolve, close.
    pub command: String,
    /// The case version read; a stale one is 409 with the current values.
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub handler_id: String,
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
    let input = TransitionInput {
        version: b.version,
        note: b.note,
        handler_id: b.handler_id,
    };
    let c = s
        .app
        .transition(&req.ctx, id, cmd, &input)
        .await
        .map_err(fail(&req))?;
    Ok(Json(summary(&c)))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyJson {
    /// procedural, progress, result
    pub kind: String,
    /// in_person, letter, phone, sms, portal
    pub channel: String,
    pub body: String,
    #[serde(default)]
    pub version: i64,
}

/// Send a reply; it satisfies its clock (and on a petition is also the workflow step).
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "cases", security(("bearer" = [])), request_body = ReplyJson,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: ReplyJson = body.json()?;
    s.app
        .send_reply(&req.ctx, id, &b.kind, &b.channel, &b.body, b.version)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct RiskJson {
    #[serde(default)]
    pub people: u32,
    #[serde(default)]
    pub earlier_petitions: u32,
    #[serde(default)]
    pub extreme_words: bool,
    #[serde(default)]
    pub vulnerable_party: bool,
    #[serde(default)]
    pub amount_yuan: i64,
    #[serde(default)]
    pub media_attention: bool,
    #[serde(default)]
    pub earlier_escalation: bool,
    #[serde(default)]
    pub long_running: bool,
    #[serde(default)]
    pub note: String,
    /// The mitigation plan (稳控措施); required before a medium or high risk can be decided.
    #[serde(default)]
    pub plan: String,
}

#[derive(Serialize, ToSchema)]
pub struct RiskResult {
    pub level: String,
    pub score: i64,
    pub factors: String,
    pub ruleset: String,
}

/// Assess the risk with the current rule set.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk", tag = "cases", security(("bearer" = [])), request_body = RiskJson,
    responses((status = 200, body = RiskResult), (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<RiskResult> {
    let b: RiskJson = body.json()?;
    let input = RiskInput {
        people: b.people,
        earlier_petitions: b.earlier_petitions,
        extreme_words: b.extreme_words,
        vulnerable_party: b.vulnerable_party,
        amount_yuan: b.amount_yuan,
        media_attention: b.media_attention,
        earlier_escalation: b.earlier_escalation,
        long_running: b.long_running,
    };
    let a = s
        .app
        .assess_risk(&req.ctx, id, &input, &b.note, &b.plan)
        .await
        .map_err(fail(&req))?;
    Ok(Json(RiskResult {
        level: a.level,
        score: a.score,
        factors: a.factors,
        ruleset: a.ruleset,
    }))
}

/// A leader signs off the latest (high) risk assessment.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/sign-off", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<Done> {
    s.app.sign_off_risk(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReferralJson {
    pub to_agency: String,
    pub note: String,
    /// Feedback deadline in days (1–90).
    pub days: u32,
}

/// Refer the case to another agency with a feedback deadline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases", security(("bearer" = [])), request_body = ReferralJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn refer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: ReferralJson = body.json()?;
    s.app
        .refer(&req.ctx, id, &b.to_agency, &b.note, &b.days.to_string())
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerJson {
    /// accept, return (reason required), report (report required), revoke (the sender)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

/// Answer a referral: the receiving agency accepts, returns or reports back; the sender revokes.
#[utoipa::path(post, path = "/api/v1/referrals/{id}", tag = "cases", security(("bearer" = [])), request_body = AnswerJson,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_referral(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Done> {
    let b: AnswerJson = body.json()?;
    s.app
        .answer_referral(&req.ctx, id, &b.action, &b.text)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct MediationJson {
    pub mediator: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub held_at: String,
    pub place: String,
    pub attendees: String,
    /// agreed, continued, failed
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub agreement: String,
    /// `YYYY-MM-DD`; starts the 30-day judicial-confirmation clock.
    #[serde(default)]
    pub agreement_date: String,
}

/// Record a mediation session (and its agreement).
#[utoipa::path(post, path = "/api/v1/cases/{id}/mediations", tag = "cases", security(("bearer" = [])), request_body = MediationJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn mediation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: MediationJson = body.json()?;
    let f = MediationForm {
        mediator: b.mediator,
        held_at: b.held_at,
        place: b.place,
        attendees: b.attendees,
        outcome: b.outcome,
        notes: b.notes,
        agreement: b.agreement,
        agreement_date: b.agreement_date,
    };
    s.app
        .record_mediation(&req.ctx, id, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowUpJson {
    /// satisfied, basically, unsatisfied
    pub satisfaction: String,
    #[serde(default)]
    pub notes: String,
}

/// Record a follow-up visit (回访).
#[utoipa::path(post, path = "/api/v1/cases/{id}/follow-ups", tag = "cases", security(("bearer" = [])), request_body = FollowUpJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn follow_up(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: FollowUpJson = body.json()?;
    s.app
        .record_follow_up(&req.ctx, id, &b.satisfaction, &b.notes)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct ClockJsonIn {
    /// pause, resume, extend
    pub action: String,
    #[serde(default)]
    pub days: u32,
    pub reason: String,
}

/// Pause, resume or extend a clock (leaders; the reason is required and the approver recorded).
#[utoipa::path(post, path = "/api/v1/cases/{id}/clocks/{clock}", tag = "cases", security(("bearer" = [])), request_body = ClockJsonIn,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn clock(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    body: ApiBody,
) -> Res<Done> {
    let b: ClockJsonIn = body.json()?;
    let change = match b.action.as_str() {
        "pause" => ClockChange::Pause,
        "resume" => ClockChange::Resume,
        "extend" => ClockChange::Extend(b.days),
        _ => return Err(fail(&req)(AppError::field("action", "clock-not-changeable"))),
    };
    s.app
        .change_clock(&req.ctx, id, clock, change, &b.reason)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct RevealJson {
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RevealedJson {
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

/// Reveal a party's identity number, phone and address (a separate permission; audited with the reason).
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party}/reveal", tag = "cases", security(("bearer" = [])), request_body = RevealJson,
    responses((status = 200, body = RevealedJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reveal(
    State(s): State<AppState>,
    req: Req,
    Path((id, party)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<RevealedJson> {
    let b: RevealJson = body.json()?;
    let r = s
        .app
        .reveal_party(&req.ctx, id, &party, &b.reason)
        .await
        .map_err(fail(&req))?;
    Ok(Json(RevealedJson {
        id_number: r.id_number,
        phone: r.phone,
        address: r.address,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingJson {
    pub title: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub held_at: String,
    pub place: String,
    pub conclusions: String,
    /// Agency ids besides the caller's.
    pub agencies: Vec<String>,
    pub cases: Vec<String>,
    /// Action items: title, owner (user id), due (`YYYY-MM-DD`).
    #[serde(default)]
    pub items: Vec<ItemJson>,
}

#[derive(Deserialize, ToSchema)]
pub struct ItemJson {
    pub title: String,
    pub owner: String,
    pub due: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Record a joint analysis meeting (共同研判) with its action items.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "cases", security(("bearer" = [])), request_body = MeetingJson,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn meeting(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let b: MeetingJson = body.json()?;
    let f = MeetingForm {
        title: b.title,
        held_at: b.held_at,
        place: b.place,
        conclusions: b.conclusions,
        agencies: b.agencies,
        cases: b.cases,
        items: b.items.into_iter().map(|i| (i.title, i.owner, i.due)).collect(),
    };
    let id = s.app.create_meeting(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub what: String,
    pub due: String,
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct InboxJson {
    /// The page (from 1); each list holds at most 50 rows of it.
    pub page: i64,
    /// Whether a later page holds more of any list.
    pub more: bool,
    pub clocks_total: i64,
    pub referrals_total: i64,
    pub tasks_total: i64,
    pub notices_total: i64,
    pub clocks: Vec<InboxItem>,
    pub referrals: Vec<InboxItem>,
    pub tasks: Vec<InboxItem>,
    pub notices: Vec<serde_json::Value>,
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
    Ok(Json(InboxJson {
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
            .map(|n| serde_json::json!({"id": n.id, "kind": n.kind, "case_id": n.case_id, "body": n.body, "at": crate::pages::case::fmt_ms(n.created_at)}))
            .collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalcQuery {
    /// `YYYY-MM-DD`; the start day itself is not counted.
    start: Option<String>,
    amount: Option<String>,
    /// calendar_day, working_day or month
    unit: Option<String>,
}

/// The public deadline calculator (no token needed): Civil Code conventions over the official
/// holiday calendar with its make-up working days.
#[utoipa::path(get, path = "/api/v1/deadlines/calculate", tag = "deadlines", params(CalcQuery),
    responses((status = 200, body = Calculated), (status = 422, body = ErrorBody)))]
pub async fn calculate(State(s): State<AppState>, req: Req, Query(q): Query<CalcQuery>) -> Res<Calculated> {
    let r = s
        .app
        .calculate_deadline(
            q.start.as_deref().unwrap_or(""),
            q.amount.as_deref().unwrap_or(""),
            q.unit.as_deref().unwrap_or(""),
        )
        .await
        .map_err(fail(&req))?;
    Ok(Json(r))
}

#[derive(Deserialize, ToSchema)]
pub struct EditJson {
    pub title: String,
    pub narrative: String,
    pub category: String,
    /// Left as it is when not sent.
    #[serde(default)]
    pub urgent: Option<bool>,
    /// Concerns a minor; left as it is when not sent. Only the agency head may take it off.
    #[serde(default)]
    pub minor_involved: Option<bool>,
    /// The version read; a stale one is 409 with the current values.
    pub version: i64,
}

/// Edit a case's title, description, category, urgency and the mark "concerns a minor".
#[utoipa::path(post, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])), request_body = EditJson,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_case(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: EditJson = body.json()?;
    let e = gongzhi_app::case::CaseEdit {
        title: b.title,
        narrative: b.narrative,
        category: b.category,
        urgent: b.urgent,
        minor_involved: b.minor_involved,
        version: b.version,
    };
    s.app.edit_case(&req.ctx, id, &e).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanJson {
    /// The mitigation plan (稳控措施).
    pub plan: String,
    /// Tasks: title, owner (user id), due (`YYYY-MM-DD`); they appear in their owners' inboxes.
    #[serde(default)]
    pub tasks: Vec<ItemJson>,
}

/// Set the mitigation plan of the latest assessment, with its tasks.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk/plan", tag = "cases", security(("bearer" = [])), request_body = PlanJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn plan(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: PlanJson = body.json()?;
    let tasks: Vec<(String, String, String)> =
        b.tasks.into_iter().map(|i| (i.title, i.owner, i.due)).collect();
    s.app
        .set_mitigation(&req.ctx, id, &b.plan, &tasks)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct Eligibility {
    pub eligible: bool,
    /// Why not: not_civil_dispute, wrong_chapter, sentence_too_long, recent_intentional_crime
    pub reasons: Vec<String>,
}

/// Record and check the criminal-reconciliation conditions (CPL Arts. 288–290) of a criminal case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reconciliation", tag = "cases", security(("bearer" = [])),
    request_body = gongzhi_app::domain::workflow::ReconciliationFacts,
    responses((status = 200, body = Eligibility), (status = 422, body = ErrorBody)))]
pub async fn reconciliation(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Eligibility> {
    let b: gongzhi_app::domain::workflow::ReconciliationFacts = body.json()?;
    let reasons = s
        .app
        .set_reconciliation(&req.ctx, id, &b)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Eligibility {
        eligible: reasons.is_empty(),
        reasons,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TemplateJson {
    pub code: String,
    /// procedural, progress, result
    pub kind: String,
    pub name: String,
    pub body: String,
}

/// Reply templates; `{number}`, `{title}`, `{agency}` and `{date}` are filled in when drafting.
#[utoipa::path(get, path = "/api/v1/templates", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateJson>), (status = 403, body = ErrorBody)))]
pub async fn templates(State(s): State<AppState>, req: Req) -> Res<Vec<TemplateJson>> {
    let list = s.app.templates(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        list.into_iter()
            .map(|t| TemplateJson {
                code: t.code,
                kind: t.kind,
                name: t.name,
                body: t.body,
            })
            .collect(),
    ))
}

/// Add attachments (multipart, field `attachments`; PDF, PNG, JPEG, DOCX, XLSX or text, checked by
/// content).
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "one or more files in the field `attachments`"),
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn attach(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    request: axum::extract::Request,
) -> Res<Done> {
    let mut files = Vec::new();
    let mut mp = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| fail(&req)(AppError::field("attachments", "upload-unreadable")))?;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| fail(&req)(AppError::field("attachments", "upload-unreadable")))?
    {
        if let Some(filename) = field.file_name().map(str::to_owned) {
            let data = field
                .bytes()
                .await
                .map_err(|_| fail(&req)(AppError::field("attachments", "upload-unreadable")))?;
            files.push(gongzhi_app::case::Upload {
                filename,
                data: data.to_vec(),
            });
        }
    }
    s.app
        .add_attachments(&req.ctx, id, &files)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct PublicationJson {
    /// A title written for the public (at most 60 characters; no names, phones or ID numbers).
    #[serde(default)]
    pub title: String,
    /// The agency's reply written for the public (at most 1000 characters).
    #[serde(default)]
    pub reply: String,
}

/// Release a title and a reply for publication (Open311 and the portal show them); both empty
/// withdraw it. Refused for a case with a minor party.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication", tag = "cases", security(("bearer" = [])),
    request_body = PublicationJson,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn publication(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Done> {
    let b: PublicationJson = body.json()?;
    let f = gongzhi_app::publication::PublicationForm {
        title: b.title,
        reply: b.reply,
    };
    s.app.publish(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
