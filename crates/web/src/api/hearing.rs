//! Procuratorial hearings and the officer pool (DOMAIN.md §3.6).

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::hearing::officer::{OfficerCategory, OfficerStatus};
use gongzhi_app::domain::hearing::{HearingKind, HearingState, Opinion, Venue};
use gongzhi_app::domain::time;
use gongzhi_app::hearing::pool::{Officer, OfficerForm};
use gongzhi_app::hearing::{DrawForm, HearingForm, HearingItem, HearingView, Step, StepForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HearingQuery {
    pub state: Option<HearingState>,
    #[param(value_type = Option<String>, format = Uuid)]
    pub case_id: Option<Id>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct HearingJson {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub kind: HearingKind,
    pub state: HearingState,
    pub venue: Venue,
    pub place: String,
    pub public: bool,
    /// A party is a minor: closed, never published.
    pub minor: bool,
    pub topic: String,
    /// Local `YYYY-MM-DD HH:MM`, once prepared.
    pub scheduled_at: Option<String>,
    pub officers: i64,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HearingList {
    pub total: i64,
    pub items: Vec<HearingJson>,
}

fn local(ms: Option<i64>) -> Option<String> {
    ms.map(|m| time::format_local(time::from_millis(m)))
}

fn json_of(h: &gongzhi_app::hearing::Hearing, case_number: &str, officers: i64) -> HearingJson {
    HearingJson {
        id: h.row.id.clone(),
        case_id: h.row.case_id.clone(),
        case_number: case_number.to_owned(),
        kind: h.kind,
        state: h.state,
        venue: h.venue,
        place: h.row.place.clone(),
        public: h.public,
        minor: h.row.minor != 0,
        topic: h.row.topic.clone(),
        scheduled_at: local(h.row.scheduled_at),
        officers,
        version: h.row.version,
    }
}

/// The hearings of the caller's procuratorate, newest first.
#[utoipa::path(get, path = "/api/v1/hearings", tag = "hearings", security(("bearer" = [])), params(HearingQuery),
    responses((status = 200, body = HearingList), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<HearingQuery>) -> Res<HearingList> {
    let page = s
        .app
        .hearings(&req.ctx, q.state, q.case_id, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(HearingList {
        total: page.total,
        items: page
            .items
            .iter()
            .map(
                |HearingItem {
                     hearing,
                     number,
                     officers,
                     ..
                 }| json_of(hearing, number, *officers),
            )
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Propose a hearing on one's case, or record a party's application for one.
#[utoipa::path(post, path = "/api/v1/hearings", tag = "hearings", security(("bearer" = [])), request_body = HearingForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: HearingForm = body.json()?;
    let id = s.app.propose_hearing(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct SeatJson {
    pub officer_id: String,
    pub name: String,
    pub category: String,
    /// `drawn` or `chosen`.
    pub how: String,
    pub warning: String,
    pub opinion: Option<Opinion>,
    pub opinion_text: String,
}

#[derive(Serialize, ToSchema)]
pub struct DrawJson {
    pub seed: String,
    pub wanted: i64,
    pub expertise: String,
    pub candidates: usize,
    pub picked: Vec<String>,
    /// Re-running the draw from its seed on the recorded candidates gives the same names.
    pub verified: bool,
    pub drawn_by: String,
    pub drawn_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct HearingDetail {
    #[serde(flatten)]
    pub hearing: HearingJson,
    pub proposed_handling: String,
    pub chair: String,
    pub approved_by: String,
    pub refusal_reason: String,
    pub seats: Vec<SeatJson>,
    pub participants: Vec<String>,
    pub draws: Vec<DrawJson>,
    /// What the caller may do now.
    pub commands: Vec<String>,
    /// The earliest day it may sit if notified today (`YYYY-MM-DD`).
    pub earliest: String,
    pub majority: Option<Opinion>,
    pub decision: String,
    pub decision_text: String,
    pub report: String,
    pub announcement: String,
}

fn detail(v: HearingView) -> HearingDetail {
    HearingDetail {
        hearing: json_of(&v.hearing, &v.number, v.seats.len() as i64),
        proposed_handling: v.hearing.row.proposed_handling.clone(),
        chair: v.hearing.row.chair_name.clone(),
        approved_by: v.hearing.row.approved_by_name.clone(),
        refusal_reason: v.hearing.row.refusal_reason.clone(),
        seats: v
            .seats
            .iter()
            .map(|s| SeatJson {
                officer_id: s.row.officer_id.clone(),
                name: s.row.officer_name.clone(),
                category: s.row.category.clone(),
                how: s.row.how.clone(),
                warning: s.row.warning.clone(),
                opinion: s.opinion,
                opinion_text: s.row.opinion_text.clone(),
            })
            .collect(),
        participants: v
            .participants
            .iter()
            .map(|p| format!("{} {}", p.role, p.name))
            .collect(),
        draws: v
            .draws
            .iter()
            .map(|d| DrawJson {
                seed: d.row.seed.clone(),
                wanted: d.row.wanted,
                expertise: d.row.expertise.clone(),
                candidates: d.candidates,
                picked: d.picked.clone(),
                verified: d.verified,
                drawn_by: d.row.drawn_by_name.clone(),
                drawn_at: time::format_local(time::from_millis(d.row.drawn_at)),
            })
            .collect(),
        commands: v.commands.iter().map(|c| c.code().to_owned()).collect(),
        earliest: v.earliest.to_string(),
        majority: v.majority,
        decision: v.hearing.row.decision.clone(),
        decision_text: v.hearing.row.decision_text.clone(),
        report: v.hearing.row.report.clone(),
        announcement: v.hearing.row.announcement.clone(),
    }
}

/// One hearing with its officers, participants, draws and what the caller may do next.
#[utoipa::path(get, path = "/api/v1/hearings/{id}", tag = "hearings", security(("bearer" = [])),
    responses((status = 200, body = HearingDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<HearingDetail> {
    let v = s.app.hearing(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(detail(v)))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
}

/// The chief prosecutor approves a hearing (and its venue) or rejects it with reasons.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/review", tag = "hearings", security(("bearer" = [])), request_body = ReviewBody,
    responses((status = 200, body = Done), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: ReviewBody = body.json()?;
    s.app
        .hearing_step(
            &req.ctx,
            id,
            b.version,
            Step::Review {
                approve: b.approve,
                reason: b.reason,
            },
        )
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// A step of the hearing: `answer` (a party's application), `prepare`, `notify`, `hold`,
/// `opinions`, `decide`, `announce`, `archive`, `withdraw`.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/steps/{step}", tag = "hearings", security(("bearer" = [])), request_body = StepForm,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let f: StepForm = body.json()?;
    let version = f.version;
    let step = f
        .into_step(&name)
        .ok_or_else(|| ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()))?;
    s.app
        .hearing_step(&req.ctx, id, version, step)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct Drawn {
    /// The officers drawn, in the order drawn.
    pub picked: Vec<String>,
}

/// Draw officers for the free seats of a prepared hearing (recorded with its seed).
#[utoipa::path(post, path = "/api/v1/hearings/{id}/draw", tag = "hearings", security(("bearer" = [])), request_body = DrawForm,
    responses((status = 200, body = Drawn), (status = 422, body = ErrorBody)))]
pub async fn draw(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Drawn> {
    let f: DrawForm = body.json()?;
    let picked = s.app.draw_officers(&req.ctx, id, &f).await.map_err(fail(&req))?;
    Ok(Json(Drawn {
        picked: picked.iter().map(Id::to_string).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SeatBody {
    pub officer_id: String,
    /// true: seat the officer (chosen by hand); false: free the seat.
    pub seat: bool,
}

/// Seat an officer chosen by hand, or free a seat, before the notices go out.
#[utoipa::path(post, path = "/api/v1/hearings/{id}/seats", tag = "hearings", security(("bearer" = [])), request_body = SeatBody,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn seat(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<Done> {
    let b: SeatBody = body.json()?;
    s.app
        .seat_officer(&req.ctx, id, &b.officer_id, b.seat)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficerQuery {
    pub status: Option<OfficerStatus>,
}

#[derive(Serialize, ToSchema)]
pub struct OfficerJson {
    pub id: String,
    pub name: String,
    pub category: OfficerCategory,
    pub status: OfficerStatus,
    pub expertise: Vec<String>,
    pub employer: String,
    pub birth_date: String,
    pub phone: String,
    pub available: bool,
    pub disqualifications: Vec<String>,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    pub term_no: i64,
    pub participations: i64,
    /// Why the person could not sit today (a translation key), if so.
    pub blocked_today: Option<String>,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OfficerList {
    pub total: i64,
    pub items: Vec<OfficerJson>,
}

fn officer_json(o: &Officer) -> OfficerJson {
    OfficerJson {
        id: o.row.id.clone(),
        name: o.row.name.clone(),
        category: o.category,
        status: o.status,
        expertise: o.expertise.clone(),
        employer: o.row.employer.clone(),
        birth_date: o.row.birth_date.clone(),
        phone: o.row.phone_masked.clone(),
        available: o.row.available != 0,
        disqualifications: o.disqualifications.iter().map(|d| d.code().to_owned()).collect(),
        term_start: o.row.term_start.clone(),
        term_end: o.term_end.map(|d| d.to_string()),
        term_no: o.row.term_no,
        participations: o.row.participations,
        blocked_today: o.block_today.as_ref().map(|b| b.key().to_owned()),
        version: o.row.version,
    }
}

/// The hearing-officer pool (听证员库), with the people's supervisors.
#[utoipa::path(get, path = "/api/v1/hearing-officers", tag = "hearings", security(("bearer" = [])), params(OfficerQuery),
    responses((status = 200, body = OfficerList), (status = 403, body = ErrorBody)))]
pub async fn officers(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<OfficerQuery>,
) -> Res<OfficerList> {
    let all = s
        .app
        .hearing_officers(&req.ctx, q.status)
        .await
        .map_err(fail(&req))?;
    Ok(Json(OfficerList {
        total: all.len() as i64,
        items: all.iter().map(officer_json).collect(),
    }))
}

/// Enter a person into the pool (awaiting the pool manager's review).
#[utoipa::path(post, path = "/api/v1/hearing-officers", tag = "hearings", security(("bearer" = [])), request_body = OfficerForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create_officer(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: OfficerForm = body.json()?;
    let id = s
        .app
        .save_hearing_officer(&req.ctx, None, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

/// Correct a person's record (at the version read).
#[utoipa::path(put, path = "/api/v1/hearing-officers/{id}", tag = "hearings", security(("bearer" = [])), request_body = OfficerForm,
    responses((status = 200, body = Created), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_officer(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Created> {
    let f: OfficerForm = body.json()?;
    let id = s
        .app
        .save_hearing_officer(&req.ctx, Some(id), &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Deserialize, ToSchema)]
pub struct OfficerReview {
    /// `admit`, `refuse` (with reasons) or `retire` (with reasons).
    pub decision: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
}

/// The pool manager admits, refuses or retires a person.
#[utoipa::path(post, path = "/api/v1/hearing-officers/{id}/review", tag = "hearings", security(("bearer" = [])), request_body = OfficerReview,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_officer(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    body: ApiBody,
) -> Res<Done> {
    let b: OfficerReview = body.json()?;
    s.app
        .review_hearing_officer(&req.ctx, id, &b.decision, &b.reason, b.version)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
