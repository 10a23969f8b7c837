//! State judicial aid cases (DOMAIN.md §3.8) and the provincial wage table behind their amounts.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::aid::{Aid, AidStep, NewAid};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::aid::{AidCommand, AidState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AidParams {
    pub state: Option<AidState>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AidJson {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    /// The decision's number (司法救助决定书), once decided.
    pub number: Option<String>,
    pub applicant: String,
    pub state: AidState,
    pub categories: Vec<String>,
    /// Yuan.
    pub amount: i64,
    pub advance: i64,
    /// Decided minus advanced: paid on top (positive) or clawed back (negative).
    pub settlement: i64,
    pub review_due: Option<String>,
    pub notify_due: Option<String>,
    /// The review or the notice is past its working-day limit.
    pub late: bool,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AidList {
    pub total: i64,
    pub items: Vec<AidJson>,
}

fn json_of(a: &Aid, number: &str) -> AidJson {
    AidJson {
        id: a.row.id.clone(),
        case_id: a.row.case_id.clone(),
        case_number: number.to_owned(),
        number: a.row.number.clone(),
        applicant: a.row.applicant_name.clone(),
        state: a.state,
        categories: a.categories.iter().map(|c| c.code().to_owned()).collect(),
        amount: a.row.amount,
        advance: a.row.advance,
        settlement: gongzhi_app::domain::aid::settlement(a.row.amount, a.row.advance),
        review_due: a.row.review_due.clone(),
        notify_due: a.row.notify_due.clone(),
        late: a.late,
        version: a.row.version,
    }
}

/// The procuratorate's judicial-aid cases, newest first.
#[utoipa::path(get, path = "/api/v1/aid-cases", tag = "aid", security(("bearer" = [])), params(AidParams),
    responses((status = 200, body = AidList), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, req: Req, Query(q): Query<AidParams>) -> Res<AidList> {
    let page = s
        .app
        .aid_cases(&req.ctx, q.state, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(AidList {
        total: page.total,
        items: page.items.iter().map(|i| json_of(&i.aid, &i.number)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Open an aid case from the case department's clue (one per person per case).
#[utoipa::path(post, path = "/api/v1/aid-cases", tag = "aid", security(("bearer" = [])), request_body = NewAid,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: NewAid = body.json()?;
    let id = s.app.open_aid(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct SocialAidJson {
    pub agency: String,
    /// The referral's state: pending, accepted, returned, reported, revoked.
    pub state: String,
    pub note: String,
    pub answer: String,
}

#[derive(Serialize, ToSchema)]
pub struct AidDetail {
    #[serde(flatten)]
    pub aid: AidJson,
    pub clue: String,
    pub hardship: String,
    pub exclusions: Vec<String>,
    pub decision: String,
    /// The base wage and cap the decision used (yuan).
    pub monthly_wage: i64,
    pub cap: i64,
    pub social_aid: Vec<SocialAidJson>,
    pub commands: Vec<String>,
}

/// One aid case, with the social aid its case was referred for.
#[utoipa::path(get, path = "/api/v1/aid-cases/{id}", tag = "aid", security(("bearer" = [])),
    responses((status = 200, body = AidDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<AidDetail> {
    let v = s.app.aid_case(&req.ctx, id).await.map_err(fail(&req))?;
    let r = &v.aid.row;
    let wage = if r.monthly_wage > 0 {
        r.monthly_wage
    } else {
        v.cap.map(|c| c.1).unwrap_or(0)
    };
    Ok(Json(AidDetail {
        aid: json_of(&v.aid, &v.number),
        clue: r.clue.clone(),
        hardship: r.hardship.clone(),
        exclusions: v.aid.exclusions.iter().map(|e| e.code().to_owned()).collect(),
        decision: r.decision_text.clone(),
        monthly_wage: wage,
        cap: gongzhi_app::domain::aid::cap(wage),
        social_aid: v
            .social
            .iter()
            .map(|x| SocialAidJson {
                agency: x.agency.clone(),
                state: x.state.clone(),
                note: x.note.clone(),
                answer: x.answer.clone(),
            })
            .collect(),
        commands: v.commands.iter().map(|c| c.code().to_owned()).collect(),
    }))
}

/// A step: `inform`, `apply`, `advance`, `decide`, `reject`, `request_funds`, `receive_funds`,
/// `notify`, `pay`, `close`.
#[utoipa::path(post, path = "/api/v1/aid-cases/{id}/steps/{step}", tag = "aid", security(("bearer" = [])), request_body = AidStep,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let f: AidStep = body.json()?;
    let command = AidCommand::parse(&name)
        .ok_or_else(|| ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()))?;
    s.app
        .aid_step(&req.ctx, id, command, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct WageBody {
    /// Yuan per month: the province's average wage of employees in that year.
    pub monthly: i64,
    /// Where the figure comes from (the statistics bureau's bulletin).
    pub source: String,
}

/// Record Gansu's average monthly wage of a year (the base of aid amounts in the year after).
#[utoipa::path(put, path = "/api/v1/aid-wages/{year}", tag = "aid", security(("bearer" = [])), request_body = WageBody,
    responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn put_wage(
    State(s): State<AppState>,
    req: Req,
    Path(year): Path<i32>,
    body: ApiBody,
) -> Res<Done> {
    let b: WageBody = body.json()?;
    s.app
        .set_provincial_wage(&req.ctx, year, b.monthly, &b.source)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
