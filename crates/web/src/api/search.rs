//! `GET /api/v1/search` (issue 13 §1): the same search as the navigation bar's box.

use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use gongzhi_app::domain::Id;
use gongzhi_app::search::{Kind, SearchQuery};
use gongzhi_app::{AppError, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;

use super::{ErrorBody, Res, fail};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words (two characters at least), a pinyin name or its initials, or exactly a case or
    /// suggestion number, an identity number or a phone.
    pub q: Option<String>,
    /// case, party, reply, meeting, hearing, suggestion, aid or visit.
    pub kind: Option<String>,
    /// A state code of the kind (a case's status for case, party, reply and meeting).
    pub state: Option<String>,
    /// A dispute category code.
    pub category: Option<String>,
    /// A division code or its prefix (a township's or a village's).
    pub place: Option<String>,
    /// An agency id: only what it owns.
    #[param(value_type = Option<String>)]
    pub agency: Option<Id>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// From 0; 20 hits a page.
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    pub kind: String,
    pub id: String,
    pub case_id: Option<String>,
    pub number: String,
    pub title: String,
    /// The text around the match; `marks` are the [start, end) character ranges found.
    pub snippet: String,
    pub marks: Vec<[usize; 2]>,
    /// Higher is better, comparable within one answer only.
    pub score: f64,
    /// UTC milliseconds: received, sent, held or created.
    pub at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    /// Counted up to 10,000; `capped` when there are more.
    pub total: i64,
    pub capped: bool,
    /// Found exactly by number, identity number or phone.
    pub exact: bool,
    pub items: Vec<SearchHit>,
}

fn invalid(req: &Req, field: &str, key: &str) -> ApiError {
    ApiError(
        AppError::Invalid(vec![FieldError::new(field, key)]),
        req.ctx.request_id().to_owned(),
    )
}

fn date(req: &Req, field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(req, field, "search-date-invalid")),
    }
}

/// Everything the caller may open that matches, best first, with a match count.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = SearchAnswer), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn search(State(s): State<AppState>, req: Req, Query(p): Query<SearchParams>) -> Res<SearchAnswer> {
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| invalid(&req, "kind", "search-kind-unknown"))?),
    };
    let q = SearchQuery {
        q: p.q.unwrap_or_default(),
        kind,
        state: p.state,
        category: p.category,
        place: p.place,
        agency: p.agency,
        from: date(&req, "from", p.from.as_deref())?,
        to: date(&req, "to", p.to.as_deref())?,
        page: p.page.unwrap_or(0),
    };
    let r = s.app.search(&req.ctx, &q).await.map_err(fail(&req))?;
    Ok(Json(SearchAnswer {
        total: r.total,
        capped: r.capped,
        exact: r.exact,
        items: r
            .items
            .into_iter()
            .map(|i| {
                let mut snippet = String::new();
                let mut marks = Vec::new();
                let mut at = 0;
                for seg in &i.snippet {
                    let n = seg.text.chars().count();
                    if seg.mark {
                        marks.push([at, at + n]);
                    }
                    snippet.push_str(&seg.text);
                    at += n;
                }
                SearchHit {
                    kind: i.kind.to_owned(),
                    id: i.id,
                    case_id: i.case_id,
                    number: i.number,
                    title: i.title,
                    snippet,
                    marks,
                    score: i.score,
                    at: i.at,
                }
            })
            .collect(),
    }))
}
