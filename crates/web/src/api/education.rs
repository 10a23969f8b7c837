//! Legal-education events (DOMAIN.md §3.11) and their count per township and month.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::education::{EventCommand, EventKind, EventState};
use gongzhi_app::education::{Event, EventFilter, EventForm, EventStep};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// `YYYY-MM`
    pub month: Option<String>,
    /// A township's id.
    pub township: Option<String>,
    pub kind: Option<EventKind>,
    pub state: Option<EventState>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventJson {
    pub id: String,
    pub agency: String,
    pub kind: EventKind,
    pub state: EventState,
    pub topic: String,
    /// Local `YYYY-MM-DD HH:MM`.
    pub starts_at: String,
    pub venue_kind: String,
    pub township: String,
    pub place: String,
    pub venue: String,
    pub platform: String,
    pub speakers: String,
    pub audience_expected: i64,
    pub attendance: Option<i64>,
    pub summary: String,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub total: i64,
    pub items: Vec<EventJson>,
}

fn json_of(e: &Event) -> EventJson {
    let r = &e.row;
    EventJson {
        id: r.id.clone(),
        agency: e.agency_name.clone(),
        kind: e.kind,
        state: e.state,
        topic: r.topic.clone(),
        starts_at: r.starts_at.clone(),
        venue_kind: r.venue_kind.clone(),
        township: e.township_name.clone(),
        place: e.place_name.clone(),
        venue: r.venue.clone(),
        platform: r.platform.clone(),
        speakers: r.speakers.clone(),
        audience_expected: r.audience_expected,
        attendance: r.attendance,
        summary: r.summary.clone(),
        version: r.version,
    }
}

/// Legal-education events, in the order they take place.
#[utoipa::path(get, path = "/api/v1/education-events", tag = "education", security(("bearer" = [])), params(EventParams),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<EventParams>) -> Res<EventList> {
    let township = match q.township.as_deref().map(str::parse::<Id>) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return Err(fail(&req)(gongzhi_app::AppError::field(
                "township",
                "education-place-invalid",
            ))
            .into());
        }
        None => None,
    };
    let f = EventFilter {
        month: q.month.clone(),
        township,
        kind: q.kind.map(|k| k.code().to_owned()),
        state: q.state.map(|s| s.code().to_owned()),
        published: false,
        newest_first: false,
    };
    let page = s
        .app
        .education_events(&req.ctx, &f, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(EventList {
        total: page.total,
        items: page.items.iter().map(json_of).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Plan an event (the cases it explains by their numbers).
#[utoipa::path(post, path = "/api/v1/education-events", tag = "education", security(("bearer" = [])), request_body = EventForm,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: EventForm = body.json()?;
    let id = s.app.plan_education(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct CaseJson {
    pub number: String,
    /// The case's title with the parties' names masked.
    pub title: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: EventJson,
    pub materials: String,
    pub cases: Vec<CaseJson>,
    pub commands: Vec<EventCommand>,
}

/// One event, with the cases it explains.
#[utoipa::path(get, path = "/api/v1/education-events/{id}", tag = "education", security(("bearer" = [])),
    responses((status = 200, body = EventDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<EventDetail> {
    let v = s.app.education_event(&req.ctx, id).await.map_err(fail(&req))?;
    Ok(Json(EventDetail {
        event: json_of(&v.event),
        materials: v.event.row.materials.clone(),
        cases: v
            .cases
            .into_iter()
            .map(|(_, number, title)| CaseJson { number, title })
            .collect(),
        commands: v.commands,
    }))
}

/// A step: `announce`, `hold`, `record` (attendance), `publish`, `cancel`.
#[utoipa::path(post, path = "/api/v1/education-events/{id}/steps/{step}", tag = "education", security(("bearer" = [])), request_body = EventStep,
    responses((status = 200, body = Done), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let f: EventStep = body.json()?;
    let command = EventCommand::parse(&name)
        .ok_or_else(|| ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()))?;
    s.app
        .education_step(&req.ctx, id, command, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountParams {
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct TownshipCount {
    pub township: String,
    /// Events held in each month, January first.
    pub months: Vec<i64>,
    pub attendance: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Counts {
    pub year: i32,
    pub total: i64,
    pub townships: Vec<TownshipCount>,
    /// Online posts per month.
    pub online: Vec<i64>,
}

/// Events held per township and month of a year.
#[utoipa::path(get, path = "/api/v1/education-counts", tag = "education", security(("bearer" = [])), params(CountParams),
    responses((status = 200, body = Counts), (status = 403, body = ErrorBody)))]
pub async fn counts(State(s): State<AppState>, req: Req, Query(q): Query<CountParams>) -> Res<Counts> {
    let year = crate::ui::year_or_this(&s, q.year);
    let k = s.app.education_counts(&req.ctx, year).await.map_err(fail(&req))?;
    Ok(Json(Counts {
        year: k.year,
        total: k.total,
        townships: k
            .townships
            .into_iter()
            .map(|(township, months, attendance)| TownshipCount {
                township,
                months: months.to_vec(),
                attendance,
            })
            .collect(),
        online: k.online.to_vec(),
    }))
}
