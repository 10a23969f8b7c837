//! Likely earlier cases (issue 13 §2). On the intake form, a panel refreshed as the clerk types:
//! each with why it is likely the same grievance, and a choice — a repeat petition of one of them,
//! or a new matter — sent with the registration. On a case's page, the same list with the
//! decisions to take about each: a repeat petition of it, not the same matter, or a true
//! duplicate merged into it — and, on a merged case, taking the merge back.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::case::{Likely, LinkDecision, MergeRequest, UnmergeRequest};
use gongzhi_app::domain::{Id, time};

use super::after;
use super::intake::intake_form;
use crate::AppState;
use crate::form::FormData;
use crate::i18n::T;
use crate::middleware::Req;
use crate::ui::{Chrome, PageResult, ok, page};

pub struct Row {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub received: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "case/duplicates.html")]
struct Panel {
    c: Chrome,
    rows: Vec<Row>,
    /// The earlier case chosen so far ('' for a new matter).
    chosen: String,
}

fn rows(t: &T, found: Vec<Likely>) -> Vec<Row> {
    found
        .into_iter()
        .map(|l| Row {
            received: time::format_local(time::from_millis(l.received_at)),
            status: t.code("status", &l.status),
            reasons: l
                .reasons
                .iter()
                .map(|r| match *r {
                    "similar_text" => t.ta("duplicates-similar-text", &[("bits", l.distance.to_string())]),
                    other => t.code("duplicates-why", other),
                })
                .collect(),
            id: l.id,
            number: l.number,
            title: l.title,
        })
        .collect()
}

pub(crate) async fn check(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let form = intake_form(&d);
    let found = page(&req, s.app.likely_duplicates(&req.ctx, &form).await)?;
    let c = Chrome::new(&req);
    let rows = rows(&c.t, found);
    let chosen = d.get("repeat_of");
    let chosen = if rows.iter().any(|r| r.id == chosen) {
        chosen
    } else {
        String::new()
    };
    ok(&req, &Panel { c, rows, chosen })
}

#[derive(Template)]
#[template(path = "case/duplicates_of.html")]
struct CasePanel {
    c: Chrome,
    case: Id,
    version: i64,
    rows: Vec<Row>,
}

#[derive(serde::Deserialize)]
pub(crate) struct PanelQuery {
    /// The case's version as the page showed it, sent back with a merge.
    #[serde(default)]
    version: i64,
}

/// `GET /cases/{id}/duplicates`: the case page's panel, loaded after the page.
pub(crate) async fn case_panel(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(q): Query<PanelQuery>,
) -> PageResult {
    let found = page(&req, s.app.case_duplicates(&req.ctx, id).await)?;
    let version = q.version;
    let c = Chrome::new(&req);
    let rows = rows(&c.t, found);
    ok(
        &req,
        &CasePanel {
            c,
            case: id,
            version,
            rows,
        },
    )
}

pub(crate) async fn link(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let l = LinkDecision {
        other_id: d.get("other_id"),
        kind: d.get("kind"),
    };
    let r = s.app.link_case(&req.ctx, id, &l).await;
    let done = if l.kind == "repeat" {
        "linked-repeat"
    } else {
        "dismissed-duplicate"
    };
    after(&s, &req, id, "duplicates", &d, r, done).await
}

pub(crate) async fn merge(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    d: FormData,
) -> PageResult {
    let m = MergeRequest {
        into: d.get("into"),
        version: d.get("version").parse().unwrap_or(-1),
    };
    let r = s.app.merge_case(&req.ctx, id, &m).await;
    after(&s, &req, id, "duplicates", &d, r, "merged").await
}

pub(crate) async fn unmerge(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    d: FormData,
) -> PageResult {
    let u = UnmergeRequest {
        version: d.get("version").parse().unwrap_or(-1),
    };
    let r = s.app.unmerge_case(&req.ctx, id, &u).await;
    after(&s, &req, id, "merge", &d, r, "unmerged").await
}
