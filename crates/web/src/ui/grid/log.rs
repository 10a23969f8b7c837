//! 记录走访 on a phone (issue 12 §1, §6): the visit plan, the planned visits with the version and
//! fields the device saw, and the log form. The page is an installable web app: its manifest and
//! service worker (scope `/grid/`) keep it and its assets on the phone, and `grid-log.js` queues
//! each log in IndexedDB with an idempotency key until the network takes it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use gongzhi_app::Page;
use gongzhi_app::admin::{Category, OrgUnit};
use gongzhi_app::domain::grid::{CheckItem, VisitState};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::time;
use gongzhi_app::grid::{PlanItem, VisitFilter, fields_of};
use http::header;

use super::super::case::village_grids;
use super::super::{Chrome, PageResult, ok, page};
use super::visit::kinds;
use crate::AppState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new()
        .get("/grid/log", Access::Staff(Action::LogVisit), log_page)
        // The browser fetches these without asking who is signed in; they hold no data.
        .get("/grid/sw.js", Access::Public, service_worker)
        .get("/grid/manifest.webmanifest", Access::Public, manifest)
}

/// How many of the plan's villages (soonest due first) show above the form on a phone.
const PLAN_SHOWN: usize = 5;

/// A planned visit the phone can log, with what it saw of it (the merge's base).
struct Planned {
    id: String,
    village_id: String,
    grid_id: String,
    label: String,
    day: String,
    version: i64,
    /// The visit's fields as JSON, for `base`.
    base: String,
    place: String,
    notes: String,
}

#[derive(Template)]
#[template(path = "grid/log.html")]
struct LogPage {
    c: Chrome,
    /// The villages due soonest, shown first.
    plan: Vec<PlanItem>,
    /// The rest of the plan, folded away so the form stays near on a phone.
    later: Vec<PlanItem>,
    planned: Vec<Planned>,
    /// The planned visit asked for (`?visit=`).
    chosen: String,
    now: String,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    grids: Vec<(OrgUnit, Vec<OrgUnit>)>,
    checks: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    categories: Vec<Category>,
}

#[derive(serde::Deserialize, Default)]
struct LogQuery {
    visit: Option<String>,
}

async fn log_page(State(s): State<AppState>, req: Req, Query(q): Query<LogQuery>) -> PageResult {
    let me = req.ctx.user().map(|a| a.user_id);
    let mut plan = page(&req, s.app.my_visit_plan(&req.ctx).await)?;
    let later = plan.split_off(plan.len().min(PLAN_SHOWN));
    let filter = VisitFilter {
        visitor: me,
        state: Some(VisitState::Planned.code().to_owned()),
        ..VisitFilter::default()
    };
    let found = page(&req, s.app.grid_visits(&req.ctx, &filter, Page::first(50)).await)?;
    let planned = found
        .items
        .iter()
        .map(|v| {
            let r = &v.listed.row;
            Planned {
                id: r.id.clone(),
                village_id: r.village_id.clone(),
                grid_id: r.grid_id.clone().unwrap_or_default(),
                label: format!("{} {}", v.listed.township_name, v.listed.village_name),
                day: r.day.clone(),
                version: r.version,
                base: serde_json::to_string(&fields_of(r)).unwrap_or_default(),
                place: r.place.clone(),
                notes: r.notes.clone(),
            }
        })
        .collect();
    let places = page(&req, s.app.portal_places().await)?;
    let grids = village_grids(&s, &req, &places).await?;
    let t = &req.t;
    ok(
        &req,
        &LogPage {
            c: Chrome::new(&req),
            plan,
            later,
            planned,
            chosen: q.visit.unwrap_or_default(),
            now: time::format_local(s.app.now()).replace(' ', "T"),
            grids,
            places,
            checks: CheckItem::ALL
                .iter()
                .map(|c| (c.code().to_owned(), t.code("grid-check", c.code())))
                .collect(),
            kinds: kinds(t),
            categories: page(&req, s.app.portal_categories().await)?,
        },
    )
}

/// The service worker with its cache named after this build's assets, so that an upgrade's new
/// scripts replace the phone's copies instead of being shadowed by them.
static SERVICE_WORKER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    for part in [
        include_str!("../../../assets/grid-sw.js"),
        include_str!("../../../assets/grid-log.js"),
        include_str!("../../../assets/app.js"),
        include_str!("../../../assets/app.css"),
    ] {
        part.hash(&mut h);
    }
    include_str!("../../../assets/grid-sw.js")
        .replace("gongzhi-grid-build", &format!("gongzhi-grid-{:016x}", h.finish()))
});

/// The service worker: the log page network-first with the last copy kept for when there is no
/// network, the assets it needs from the cache. It never caches the API or another page.
async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SERVICE_WORKER.as_str(),
    )
        .into_response()
}

async fn manifest() -> Response {
    (
        [(header::CONTENT_TYPE, "application/manifest+json")],
        include_str!("../../../assets/grid.webmanifest"),
    )
        .into_response()
}
