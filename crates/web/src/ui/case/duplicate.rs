//! The intake form's panel of likely earlier cases (issue 13 §2), refreshed as the clerk types:
//! each with why it is likely the same grievance, and a choice — a repeat petition of one of them,
//! or a new matter — sent with the registration.

use askama::Template;
use axum::extract::State;
use gongzhi_app::domain::time;

use super::intake::intake_form;
use crate::AppState;
use crate::form::FormData;
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

pub(crate) async fn check(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let form = intake_form(&d);
    let found = page(&req, s.app.likely_duplicates(&req.ctx, &form).await)?;
    let c = Chrome::new(&req);
    let rows = found
        .into_iter()
        .map(|l| Row {
            received: time::format_local(time::from_millis(l.received_at)),
            status: c.t.code("status", &l.status),
            reasons: l
                .reasons
                .iter()
                .map(|r| match *r {
                    "similar_text" => {
                        c.t.ta("duplicates-similar-text", &[("bits", l.distance.to_string())])
                    }
                    other => c.t.code("duplicates-why", other),
                })
                .collect(),
            id: l.id,
            number: l.number,
            title: l.title,
        })
        .collect::<Vec<_>>();
    let chosen = d.get("repeat_of");
    let chosen = if rows.iter().any(|r| r.id == chosen) {
        chosen
    } else {
        String::new()
    };
    ok(&req, &Panel { c, rows, chosen })
}
