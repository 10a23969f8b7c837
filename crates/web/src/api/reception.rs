//! The chief prosecutor's reception day (DOMAIN.md §3.10): the schedule of leaders' half days, the
//! visits booked on them, and the reception's record.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::reception::{ReceptionHalf, SlotState, VisitCommand, VisitState};
use gongzhi_app::reception::{BookingForm, Slot, SlotForm, VisitItem, VisitStep};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// The calendar year (default: this one).
    pub year: Option<i32>,
    pub state: Option<SlotState>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DayJson {
    pub id: String,
    pub leader_id: String,
    pub leader: String,
    /// `YYYY-MM-DD`
    pub day: String,
    pub half: ReceptionHalf,
    /// Local time the half day runs, `HH:MM`.
    pub from: String,
    pub to: String,
    pub place: String,
    pub topic: String,
    pub capacity: i64,
    pub booked: i64,
    pub state: SlotState,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LeaderJson {
    pub leader_id: String,
    pub name: String,
    pub scheduled: i64,
    /// How many more receptions the year needs to reach 12 (§4.1).
    pub shortfall: usize,
}

#[derive(Serialize, ToSchema)]
pub struct DayList {
    pub total: i64,
    pub items: Vec<DayJson>,
    /// Each leader's receptions this year against the minimum.
    pub leaders: Vec<LeaderJson>,
}

fn day_json(s: &Slot) -> DayJson {
    let (from, to) = s.half.hours();
    DayJson {
        id: s.row.id.clone(),
        leader_id: s.row.leader_id.clone(),
        leader: s.row.leader_name.clone(),
        day: s.row.day.clone(),
        half: s.half,
        from: from.into(),
        to: to.into(),
        place: s.row.place.clone(),
        topic: s.row.topic.clone(),
        capacity: s.row.capacity,
        booked: s.row.booked,
        state: s.state,
        version: s.row.version,
    }
}

/// The agency's reception days of a year, in the order of the schedule.
#[utoipa::path(get, path = "/api/v1/reception-days", tag = "reception", security(("bearer" = [])), params(DayParams),
    responses((status = 200, body = DayList), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<DayParams>) -> Res<DayList> {
    let year = crate::ui::year_or_this(&s, q.year);
    let sch = s
        .app
        .reception_schedule(&req.ctx, year)
        .await
        .map_err(fail(&req))?;
    let page = page_of(q.limit, q.offset);
    let matching: Vec<&Slot> = sch
        .slots
        .iter()
        .filter(|x| q.state.is_none_or(|st| x.state == st))
        .collect();
    Ok(Json(DayList {
        total: i64::try_from(matching.len()).unwrap_or(i64::MAX),
        items: matching
            .into_iter()
            .skip(usize::try_from(page.offset).unwrap_or(0))
            .take(usize::try_from(page.limit).unwrap_or(0))
            .map(day_json)
            .collect(),
        leaders: sch
            .leaders
            .into_iter()
            .map(|l| LeaderJson {
                leader_id: l.leader_id,
                name: l.name,
                scheduled: l.scheduled,
                shortfall: l.shortfall,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Scheduled {
    pub ids: Vec<String>,
}

/// Schedule a leader's half day, or the same day of each month for a year (`monthly`).
#[utoipa::path(post, path = "/api/v1/reception-days", tag = "reception", security(("bearer" = [])), request_body = SlotForm,
    responses((status = 200, body = Scheduled), (status = 422, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Scheduled> {
    let f: SlotForm = body.json()?;
    let ids = s.app.schedule_reception(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Scheduled {
        ids: ids.iter().map(ToString::to_string).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VisitJson {
    pub id: String,
    pub slot_id: String,
    pub day: String,
    pub half: String,
    pub leader: String,
    /// The code the visitor shows at the door.
    pub code: String,
    /// `staff` or `portal`.
    pub channel: String,
    pub visitor: String,
    pub phone_masked: String,
    pub matter: String,
    pub state: VisitState,
    pub record: String,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    /// The leader who owns (包案) the matter.
    pub owner: String,
    pub commands: Vec<VisitCommand>,
    pub version: i64,
}

fn visit_json(v: &VisitItem, commands: Vec<VisitCommand>) -> VisitJson {
    let r = &v.row;
    VisitJson {
        id: r.id.clone(),
        slot_id: r.slot_id.clone(),
        day: v.day.clone(),
        half: v.half.clone(),
        leader: v.leader_name.clone(),
        code: r.code.clone(),
        channel: r.channel.clone(),
        visitor: r.visitor_name.clone(),
        phone_masked: r.phone_masked.clone(),
        matter: r.matter.clone(),
        state: v.state,
        record: r.record.clone(),
        case_id: r.case_id.clone(),
        case_number: v.case_number.clone(),
        owner: r.owner_name.clone(),
        commands,
        version: r.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DayDetail {
    #[serde(flatten)]
    pub day: DayJson,
    pub visits: Vec<VisitJson>,
}

/// One reception day with its visits.
#[utoipa::path(get, path = "/api/v1/reception-days/{id}", tag = "reception", security(("bearer" = [])),
    responses((status = 200, body = DayDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<DayDetail> {
    let (slot, visits) = s.app.reception_day(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(DayDetail {
        day: day_json(&slot),
        visits: visits.iter().map(|v| visit_json(v, Vec::new())).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SlotStepBody {
    #[serde(default)]
    pub version: i64,
}

/// `publish` a draft, or `cancel` a day nobody is booked on.
#[utoipa::path(post, path = "/api/v1/reception-days/{id}/steps/{step}", tag = "reception", security(("bearer" = [])), request_body = SlotStepBody,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn slot_step(
    State(s): State<AppState>,
    req: Req,
    Path((id, step)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let b: SlotStepBody = body.json()?;
    let to = match step.as_str() {
        "publish" => SlotState::Published,
        "cancel" => SlotState::Cancelled,
        _ => return Err(ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()).into()),
    };
    s.app
        .reception_slot_step(&req.ctx, id, b.version, to)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct BookedJson {
    pub id: String,
    pub code: String,
}

/// Book a visitor on a published day (at the desk or on the phone).
#[utoipa::path(post, path = "/api/v1/reception-days/{id}/visits", tag = "reception", security(("bearer" = [])), request_body = BookingForm,
    responses((status = 200, body = BookedJson), (status = 422, body = ErrorBody)))]
pub async fn book(State(s): State<AppState>, req: Req, Path(id): Path<Id>, body: ApiBody) -> Res<BookedJson> {
    let f: BookingForm = body.json()?;
    let b = s
        .app
        .book_reception(&req.ctx, id, &f, None)
        .await
        .map_err(fail(&req))?;
    Ok(Json(BookedJson {
        id: b.visit_id.to_string(),
        code: b.code,
    }))
}

/// One visit, with the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/reception-visits/{id}", tag = "reception", security(("bearer" = [])),
    responses((status = 200, body = VisitJson), (status = 404, body = ErrorBody)))]
pub async fn visit(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<VisitJson> {
    let v = s.app.reception_visit(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(visit_json(&v.item, v.commands)))
}

/// A step: `answer` (answered on the spot), `own` (包案, with a case linked or opened), `no_show`,
/// `cancel`, `close` (once the owned case is closed).
#[utoipa::path(post, path = "/api/v1/reception-visits/{id}/steps/{step}", tag = "reception", security(("bearer" = [])), request_body = VisitStep,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn visit_step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let f: VisitStep = body.json()?;
    let command = VisitCommand::parse(&name)
        .ok_or_else(|| ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()))?;
    s.app
        .visit_step(&req.ctx, id, command, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
