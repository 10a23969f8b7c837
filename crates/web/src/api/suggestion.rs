//! Procuratorial suggestions (DOMAIN.md §3.7): the issuing procuratorate's and, for a recipient
//! agency, those served on it.

use axum::Json;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::suggestion::{SuggestionCommand, SuggestionState, SuggestionType};
use gongzhi_app::suggestion::{NewSuggestion, Suggestion, SuggestionQuery, SuggestionStep};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ApiBody, Done, ErrorBody, Res, fail, page_of};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionParams {
    pub state: Option<SuggestionState>,
    /// Only those awaiting the recipient's written reply.
    pub awaiting: Option<bool>,
    /// Only those past their reply date.
    pub overdue: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionJson {
    pub id: String,
    /// 甘州检建〔2026〕1号, once decided.
    pub number: Option<String>,
    pub kind: SuggestionType,
    pub state: SuggestionState,
    pub title: String,
    pub recipient_agency_id: String,
    pub recipient: String,
    /// `YYYY-MM-DD`
    pub received_on: Option<String>,
    pub due_date: Option<String>,
    pub overdue: bool,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionList {
    pub total: i64,
    pub items: Vec<SuggestionJson>,
}

fn json_of(s: &Suggestion, recipient: &str) -> SuggestionJson {
    SuggestionJson {
        id: s.row.id.clone(),
        number: s.row.number.clone(),
        kind: s.kind,
        state: s.state,
        title: s.row.title.clone(),
        recipient_agency_id: s.row.recipient_agency_id.clone(),
        recipient: recipient.to_owned(),
        received_on: s.row.received_on.clone(),
        due_date: s.row.due_date.clone(),
        overdue: s.overdue,
        version: s.row.version,
    }
}

/// Suggestions: the caller's procuratorate's, or those served on the caller's agency.
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "suggestions", security(("bearer" = [])), params(SuggestionParams),
    responses((status = 200, body = SuggestionList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<SuggestionParams>,
) -> Res<SuggestionList> {
    let query = SuggestionQuery {
        state: q.state,
        awaiting: q.awaiting.unwrap_or(false),
        overdue: q.overdue.unwrap_or(false),
    };
    let page = s
        .app
        .suggestions(&req.ctx, &query, page_of(q.limit, q.offset))
        .await
        .map_err(fail(&req))?;
    Ok(Json(SuggestionList {
        total: page.total,
        items: page
            .items
            .iter()
            .map(|i| json_of(&i.s, &i.recipient_name))
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AwaitingJson {
    pub agency_id: String,
    pub agency: String,
    pub awaiting: i64,
    pub overdue: i64,
}

/// Per recipient agency: suggestions awaiting a reply, and how many are overdue.
#[utoipa::path(get, path = "/api/v1/suggestions/awaiting", tag = "suggestions", security(("bearer" = [])),
    responses((status = 200, body = Vec<AwaitingJson>), (status = 403, body = ErrorBody)))]
pub async fn awaiting(State(s): State<AppState>, req: Req) -> Res<Vec<AwaitingJson>> {
    let rows = s.app.awaiting_replies(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AwaitingJson {
                agency_id: a.agency_id,
                agency: a.agency_name,
                awaiting: a.awaiting,
                overdue: a.overdue,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Open a suggestion from a clue found in one or more of the procuratorate's cases.
#[utoipa::path(post, path = "/api/v1/suggestions", tag = "suggestions", security(("bearer" = [])), request_body = NewSuggestion,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, req: Req, body: ApiBody) -> Res<Created> {
    let f: NewSuggestion = body.json()?;
    let id = s.app.open_suggestion(&req.ctx, &f).await.map_err(fail(&req))?;
    Ok(Json(Created { id: id.to_string() }))
}

#[derive(Serialize, ToSchema)]
pub struct StepJson {
    pub command: String,
    pub note: String,
    pub by: String,
    pub agency: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionDetail {
    #[serde(flatten)]
    pub suggestion: SuggestionJson,
    pub facts: String,
    pub problems: String,
    pub proposals: String,
    pub legal_basis: String,
    pub objection_days: i64,
    pub urgent: bool,
    pub delivery: String,
    pub observers: String,
    pub copies: String,
    pub objection: String,
    pub reply: String,
    pub evidence: String,
    /// Rungs of the escalation ladder climbed (0–3).
    pub rung: i64,
    pub reminders: i64,
    pub steps: Vec<StepJson>,
    /// What the caller may do now.
    pub commands: Vec<String>,
}

/// One suggestion with its history and what the caller may do next.
#[utoipa::path(get, path = "/api/v1/suggestions/{id}", tag = "suggestions", security(("bearer" = [])),
    responses((status = 200, body = SuggestionDetail), (status = 404, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> Res<SuggestionDetail> {
    let v = s.app.suggestion(&req.ctx, id).await.map_err(fail(&req))?;
    let r = &v.s.row;
    Ok(Json(SuggestionDetail {
        suggestion: json_of(&v.s, &v.recipient_name),
        facts: r.facts.clone(),
        problems: r.problems.clone(),
        proposals: r.proposals.clone(),
        legal_basis: r.legal_basis.clone(),
        objection_days: r.objection_days,
        urgent: r.urgent != 0,
        delivery: r.delivery.clone(),
        observers: r.observers.clone(),
        copies: r.copies.clone(),
        objection: r.objection.clone(),
        reply: r.reply.clone(),
        evidence: r.evidence.clone(),
        rung: r.rung,
        reminders: r.reminders,
        steps: v
            .steps
            .iter()
            .map(|x| StepJson {
                command: x.command.clone(),
                note: x.note.clone(),
                by: x.by_name.clone(),
                agency: x.by_agency.clone(),
                at: gongzhi_app::domain::time::format_local(gongzhi_app::domain::time::from_millis(x.at)),
            })
            .collect(),
        commands: v.commands.iter().map(|c| c.code().to_owned()).collect(),
    }))
}

/// A step: `investigate`, `draft`, `decide`, `send_back`, `serve`, `object`, `recheck`, `reply`,
/// `remind`, `escalate`, `follow_up`, `evaluate`, `close`, `withdraw`.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/steps/{step}", tag = "suggestions", security(("bearer" = [])), request_body = SuggestionStep,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    body: ApiBody,
) -> Res<Done> {
    let f: SuggestionStep = body.json()?;
    let command = SuggestionCommand::parse(&name)
        .ok_or_else(|| ApiError(gongzhi_app::AppError::NotFound, req.ctx.request_id().to_owned()))?;
    s.app
        .suggestion_step(&req.ctx, id, command, &f)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
