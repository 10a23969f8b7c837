//! The case list with its filters, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::case::{Case, CaseFilter, Listed};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::org::DivisionCode;
use gongzhi_app::domain::workflow::CaseKind;

use super::{Opt, clock_class, fmt_ts, opts, risk_class, status_class};
use crate::AppState;
use crate::form::FormState;
use crate::i18n::T;
use crate::middleware::Req;
use crate::ui::{Chrome, PageResult, page};

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    township: Option<String>,
    /// One village of a township (the "我的网格" view links here).
    village: Option<String>,
    /// Cases sharing a party's identity number with this case (the case page's "more" link).
    same_party: Option<Id>,
    page: Option<i64>,
    ok: Option<String>,
}

pub struct CaseRow {
    pub id: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub status_class: &'static str,
    pub category: String,
    pub place: String,
    pub received: String,
    pub risk: String,
    pub risk_class: &'static str,
    pub urgent: bool,
    pub handler: String,
    /// The soonest running clock: "交办反馈 12-14", and its colour by state ("" when none runs).
    pub due: String,
    pub due_class: &'static str,
}

pub fn case_row(t: &T, c: &Case) -> CaseRow {
    CaseRow {
        id: c.id.to_string(),
        number: c.number.clone(),
        title: c.title.clone(),
        kind: t.code("kind", c.kind.code()),
        status: t.code("status", c.status.code()),
        status_class: status_class(c.status),
        category: c.category_name.clone(),
        place: c.place_name.clone(),
        received: fmt_ts(c.received_at),
        risk: c.risk_level.map(|r| t.code("risk", r.code())).unwrap_or_default(),
        risk_class: risk_class(c.risk_level.map(|r| r.code()).unwrap_or("")),
        urgent: c.urgent,
        handler: c.handler_name.clone(),
        due: String::new(),
        due_class: "",
    }
}

/// A listed case's row, with what falls due next.
pub fn listed_row(t: &T, l: &Listed) -> CaseRow {
    let mut row = case_row(t, &l.case);
    if let Some((k, state)) = &l.due {
        row.due = format!(
            "{} {}",
            t.code("clock", k.kind.code()),
            k.due_date.format("%m-%d")
        );
        row.due_class = clock_class(*state);
    }
    row
}

#[derive(Template)]
#[template(path = "case/list.html")]
pub(crate) struct ListPage {
    c: Chrome,
    rows: Vec<CaseRow>,
    total: i64,
    page: i64,
    pages: i64,
    filter: FormState,
    kinds: Vec<Opt>,
    townships: Vec<OrgUnit>,
    query: String,
    /// The case whose parties select the list ("" for none).
    same_party: String,
    /// The one village the list is narrowed to.
    village: Option<OrgUnit>,
}

pub(crate) const PAGE_SIZE: i64 = 30;

pub(crate) async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let pageno = q.page.unwrap_or(1).max(1);
    let places = page(&req, s.app.portal_places().await)?;
    let village = q.village.as_deref().and_then(|id| {
        places
            .iter()
            .flat_map(|(_, vs)| vs)
            .find(|v| v.id.to_string() == id)
            .cloned()
    });
    let townships = places.into_iter().map(|(t, _)| t).collect::<Vec<_>>();
    let place_prefix = village
        .as_ref()
        .or_else(|| {
            q.township
                .as_deref()
                .and_then(|id| townships.iter().find(|t| t.id.to_string() == id))
        })
        .and_then(|u| DivisionCode::parse(&u.code).ok())
        .map(|code| code.area_prefix().to_owned());
    let f = CaseFilter {
        text: q.q.clone(),
        kind: q.kind.as_deref().and_then(CaseKind::parse),
        open: match q.state.as_deref() {
            Some("open") | None => Some(true),
            Some("closed") => Some(false),
            _ => None,
        },
        place_prefix,
        same_party_as: q.same_party,
        limit: PAGE_SIZE,
        offset: (pageno - 1).saturating_mul(PAGE_SIZE),
        ..Default::default()
    };
    let (cases, total) = page(&req, s.app.list_cases(&req.ctx, &f).await)?;
    let c = Chrome::new(&req).with_flash(q.ok.as_deref());
    let rows = cases.iter().map(|x| listed_row(&c.t, x)).collect();
    let filter = FormState::default()
        .with("q", q.q.clone().unwrap_or_default())
        .with("kind", q.kind.clone().unwrap_or_default())
        .with("state", q.state.clone().unwrap_or_else(|| "open".into()))
        .with("township", q.township.clone().unwrap_or_default());
    let query = serde_urlencoded::to_string([
        ("q", q.q.unwrap_or_default()),
        ("kind", q.kind.unwrap_or_default()),
        ("state", q.state.unwrap_or_else(|| "open".into())),
        ("township", q.township.unwrap_or_default()),
        ("village", q.village.unwrap_or_default()),
        (
            "same_party",
            q.same_party.map(|c| c.to_string()).unwrap_or_default(),
        ),
    ])
    .unwrap_or_default();
    let kinds = opts(
        &c.t,
        "kind",
        &CaseKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
    );
    crate::ui::ok(
        &req,
        &ListPage {
            c,
            rows,
            total,
            page: pageno,
            pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
            filter,
            kinds,
            townships,
            query,
            same_party: q.same_party.map(|c| c.to_string()).unwrap_or_default(),
            village,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Intake
