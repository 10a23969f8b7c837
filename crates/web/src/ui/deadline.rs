//! The deadline calculator, open to anyone.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::domain::deadline::Unit;
use http::StatusCode;

use super::case::Opt;
use super::{Chrome, PageResult, form_error};
use crate::AppState;
use crate::error::render;
use crate::form::FormState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new().get("/deadlines", Access::Public, calculator)
}

#[derive(serde::Deserialize, Default)]
struct CalcQuery {
    start: Option<String>,
    amount: Option<String>,
    unit: Option<String>,
}

#[derive(Template)]
#[template(path = "deadline/calculator.html")]
struct CalcPage {
    c: Chrome,
    f: FormState,
    units: Vec<Opt>,
    due: String,
    skipped: Vec<String>,
}

/// The public deadline calculator (no account needed): the same function as the case clocks.
async fn calculator(State(s): State<AppState>, req: Req, Query(q): Query<CalcQuery>) -> PageResult {
    let c = Chrome::new(&req);
    let units = Unit::ALL
        .iter()
        .map(|u| Opt {
            code: u.code().to_owned(),
            label: c.t.code("unit", u.code()),
        })
        .collect();
    let today = gongzhi_app::domain::time::local_date(s.app.now()).to_string();
    let mut f = FormState::default()
        .with("start", q.start.clone().unwrap_or(today))
        .with("amount", q.amount.clone().unwrap_or_else(|| "7".into()))
        .with("unit", q.unit.clone().unwrap_or_else(|| "calendar_day".into()));
    let (mut due, mut skipped, mut status) = (String::new(), Vec::new(), StatusCode::OK);
    if q.start.is_some() {
        match s
            .app
            .calculate_deadline(&f.v("start"), &f.v("amount"), &f.v("unit"))
            .await
        {
            Ok(r) => {
                due = r.due;
                skipped = r.skipped;
            }
            Err(e) => {
                let (nf, st) = form_error(&req, e, f)?;
                f = nf;
                status = st;
            }
        }
    }
    let p = CalcPage {
        c,
        f,
        units,
        due,
        skipped,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}
