//! A case's whole timeline, a page at a time (the case page shows the latest events).

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::case::TIMELINE_SHOWN;
use gongzhi_app::domain::Id;

use super::case::EventRow;
use super::{Chrome, PageResult, ok, page};
use crate::AppState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use gongzhi_app::domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().get("/cases/{id}/timeline", Access::Staff(Action::ViewCases), timeline)
}

#[derive(serde::Deserialize)]
struct TimelineQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "timeline/timeline.html")]
struct TimelinePage {
    c: Chrome,
    case_id: String,
    number: String,
    events: Vec<EventRow>,
    total: i64,
    page: i64,
    pages: i64,
}

async fn timeline(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(q): Query<TimelineQuery>,
) -> PageResult {
    let pageno = q.page.unwrap_or(1).max(1);
    let (c, events) = page(&req, s.app.case_timeline(&req.ctx, id, pageno).await)?;
    let chrome = Chrome::new(&req);
    let rows = events
        .items
        .iter()
        .rev()
        .map(|e| EventRow::of(&chrome.t, e))
        .collect();
    ok(
        &req,
        &TimelinePage {
            c: chrome,
            case_id: c.id.to_string(),
            number: c.number,
            events: rows,
            total: events.total,
            page: pageno,
            pages: (events.total + TIMELINE_SHOWN - 1) / TIMELINE_SHOWN,
        },
    )
}
