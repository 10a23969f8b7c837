//! The search page behind the navigation bar's box (issue 13 §1): hits of every kind the user may
//! open, best first, the words found marked, with filters; a query it cannot take is answered on
//! the page, the words kept in the box.

use askama::Template;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use gongzhi_app::AppError;
use gongzhi_app::domain::org::DivisionCode;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::search::Segment;
use gongzhi_app::domain::workflow::Status;
use gongzhi_app::search::{COUNT_CAP, Kind, PAGE, SearchItem, SearchQuery};
use http::StatusCode;

use super::case::Opt;
use super::{Chrome, PageResult, page};
use crate::AppState;
use crate::error::render;
use crate::form::FormState;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new().get("/search", Access::Staff(Action::Search), search)
}

#[derive(serde::Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    kind: Option<String>,
    state: Option<String>,
    category: Option<String>,
    township: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

pub struct Hit {
    pub kind: String,
    pub href: String,
    pub number: String,
    pub title: String,
    pub snippet: Vec<Segment>,
    pub day: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    filter: FormState,
    /// Whether a search was made (the page opened empty shows only the form).
    asked: bool,
    /// Whether a filter is set (the filters then show open).
    filtered: bool,
    hits: Vec<Hit>,
    total: String,
    exact: bool,
    kinds: Vec<Opt>,
    states: Vec<Opt>,
    townships: Vec<Opt>,
    categories: Vec<Opt>,
    page: i64,
    more: bool,
    query: String,
}

/// Where a hit opens: a case's things on the case page, the others on their own.
pub fn href(item: &SearchItem) -> String {
    let case = item.case_id.as_deref().unwrap_or_default();
    match Kind::parse(item.kind) {
        Some(Kind::Hearing) => format!("/hearings/{}", item.id),
        Some(Kind::Suggestion) => format!("/suggestions/{}", item.id),
        Some(Kind::Aid) => format!("/aid-cases/{}", item.id),
        Some(Kind::Visit) => format!("/grid/visits/{}", item.id),
        Some(Kind::Reply) => format!("/cases/{case}#replies"),
        _ => format!("/cases/{case}"),
    }
}

/// "1万+" when the count stopped at the cap, so that a count is never a guess dressed as a fact.
pub fn count_text(t: &T, total: i64, capped: bool) -> String {
    if capped {
        t.ta("search-count-capped", &[("n", (COUNT_CAP / 10_000).to_string())])
    } else {
        t.ta("search-count", &[("n", total.to_string())])
    }
}

fn date(s: Option<&str>) -> Result<Option<NaiveDate>, ()> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| ()),
    }
}

async fn search(State(s): State<AppState>, req: Req, Query(p): Query<SearchParams>) -> PageResult {
    let c = Chrome::new(&req);
    let places = page(&req, s.app.portal_places().await)?;
    let categories = page(&req, s.app.portal_categories().await)?;
    let township = p
        .township
        .as_deref()
        .and_then(|id| places.iter().find(|(t, _)| t.id.to_string() == id))
        .and_then(|(t, _)| DivisionCode::parse(&t.code).ok())
        .map(|code| code.area_prefix().to_owned());
    let mut filter = FormState::default()
        .with("q", &p.q)
        .with("kind", p.kind.clone().unwrap_or_default())
        .with("state", p.state.clone().unwrap_or_default())
        .with("category", p.category.clone().unwrap_or_default())
        .with("township", p.township.clone().unwrap_or_default())
        .with("from", p.from.clone().unwrap_or_default())
        .with("to", p.to.clone().unwrap_or_default());
    let pageno = p.page.unwrap_or(1).clamp(1, COUNT_CAP / PAGE);
    let (from, to) = (date(p.from.as_deref()), date(p.to.as_deref()));
    if from.is_err() || to.is_err() {
        filter = filter.error("from", c.t.t("search-date-invalid"));
    }
    let asked = !p.q.trim().is_empty() || p.page.is_some();
    let filtered = [&p.kind, &p.state, &p.category, &p.township, &p.from, &p.to]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty()));
    let mut status = StatusCode::OK;
    let (mut hits, mut total, mut exact, mut more) = (Vec::new(), String::new(), false, false);
    if asked && !filter.any_error() {
        let q = SearchQuery {
            q: p.q.clone(),
            kind: p.kind.as_deref().and_then(Kind::parse),
            state: p.state.clone(),
            category: p.category.clone(),
            place: township,
            agency: None,
            from: from.unwrap_or_default(),
            to: to.unwrap_or_default(),
            page: pageno - 1,
        };
        match s.app.search(&req.ctx, &q).await {
            Ok(r) => {
                total = count_text(&c.t, r.total, r.capped);
                exact = r.exact;
                more = pageno * PAGE < r.total;
                hits = r
                    .items
                    .iter()
                    .map(|i| Hit {
                        kind: c.t.code("search-kind", i.kind),
                        href: href(i),
                        number: i.number.clone(),
                        title: i.title.clone(),
                        snippet: i.snippet.clone(),
                        day: gongzhi_app::domain::time::local_date(gongzhi_app::domain::time::from_millis(
                            i.at,
                        ))
                        .to_string(),
                    })
                    .collect();
            }
            Err(AppError::Invalid(errs)) => {
                filter = filter.errors(&c.t, &errs);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(e) => return page(&req, Err(e)),
        }
    }
    let opt = |code: String, label: String| Opt { code, label };
    let query = serde_urlencoded::to_string([
        ("q", p.q.clone()),
        ("kind", p.kind.unwrap_or_default()),
        ("state", p.state.unwrap_or_default()),
        ("category", p.category.unwrap_or_default()),
        ("township", p.township.unwrap_or_default()),
        ("from", p.from.unwrap_or_default()),
        ("to", p.to.unwrap_or_default()),
    ])
    .unwrap_or_default();
    let page_ = SearchPage {
        kinds: Kind::ALL
            .iter()
            .map(|k| opt(k.code().into(), c.t.code("search-kind", k.code())))
            .collect(),
        states: Status::ALL
            .iter()
            .map(|s| opt(s.code().into(), c.t.code("status", s.code())))
            .collect(),
        townships: places
            .iter()
            .map(|(t, _)| opt(t.id.to_string(), t.name.clone()))
            .collect(),
        categories: categories.into_iter().map(|k| opt(k.code, k.name)).collect(),
        c,
        filter,
        asked,
        filtered,
        hits,
        total,
        exact,
        page: pageno,
        more,
        query,
    };
    Ok(render(status, &page_, req.ctx.request_id()))
}
