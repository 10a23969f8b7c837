//! The case list with its filters, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::case::{Case, CaseFilter, Listed};
use gongzhi_app::dashboard::period_ms;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::dashboard::{Period, ReferralOutcome};
use gongzhi_app::domain::deadline::ClockKind;
use gongzhi_app::domain::org::DivisionCode;
use gongzhi_app::domain::risk::RiskLevel;
use gongzhi_app::domain::workflow::{CaseKind, Channel};

use super::{Opt, clock_class, fmt_ts, opts, risk_class, status_class};
use crate::AppState;
use crate::form::FormState;
use crate::i18n::T;
use crate::middleware::Req;
use crate::ui::{Chrome, PageError, PageResult, page};

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    township: Option<String>,
    /// One village of a township (the "我的网格" view links here).
    village: Option<String>,
    /// Cases sharing a party's identity number with this case (the case page's "more" link); read
    /// leniently (`same_party()`): the form sends it empty.
    same_party: Option<String>,
    page: Option<i64>,
    ok: Option<String>,
}

impl ListQuery {
    fn same_party(&self) -> Option<Id> {
        self.same_party.as_deref().and_then(|s| s.trim().parse().ok())
    }
}

/// What a dashboard figure adds to the list when it is clicked (issue 13 §3: every number opens
/// the list of what it counts): the days it counts (`from`–`to`, local dates, both counted) and
/// one more condition. The days are the days received, unless `clock` names a clock (its due
/// days) or `referred` an outcome (the days referred). Read from the same query string as
/// `ListQuery`, by an extractor of its own (serde's `flatten` would read `page` as text).
#[derive(serde::Deserialize, Default, Clone)]
pub struct Narrowing {
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    channel: Option<String>,
    risk: Option<String>,
    /// "1": with a duty clock past its due day.
    overdue: Option<String>,
    clock: Option<String>,
    referred: Option<String>,
}

impl Narrowing {
    /// Applies to a filter; `Err` names the first value that is not understood.
    pub fn apply(&self, f: &mut CaseFilter, today: NaiveDate) -> Result<(), &'static str> {
        let day = |v: &Option<String>| -> Result<Option<NaiveDate>, ()> {
            match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| ()),
            }
        };
        let from = day(&self.from).map_err(|_| "from")?;
        let to = day(&self.to).map_err(|_| "to")?;
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(c) = given(&self.category) {
            f.category = Some(c);
        }
        if let Some(c) = given(&self.channel) {
            f.channel = Some(Channel::parse(&c).ok_or("channel")?);
        }
        if let Some(r) = given(&self.risk) {
            f.risk = Some(RiskLevel::parse(&r).ok_or("risk")?);
        }
        let clock = given(&self.clock)
            .map(|k| ClockKind::parse(&k).ok_or("clock"))
            .transpose()?;
        if given(&self.overdue).is_some() {
            // With a clock named: overdue clocks of that kind (the dashboard's rows per kind).
            f.overdue_on = Some((today, clock));
        }
        let period = match (from, to) {
            (None, None) => None,
            (a, b) => Some(Period {
                from: a.unwrap_or(NaiveDate::MIN),
                to: b.unwrap_or(NaiveDate::MAX),
            }),
        };
        let range = |p: Period| {
            (
                if p.from == NaiveDate::MIN {
                    i64::MIN
                } else {
                    period_ms(p).0
                },
                if p.to == NaiveDate::MAX {
                    i64::MAX
                } else {
                    period_ms(p).1
                },
            )
        };
        if let Some(o) = given(&self.referred) {
            let o = ReferralOutcome::parse(&o).ok_or("referred")?;
            let (a, b) = period.map(range).unwrap_or((i64::MIN, i64::MAX));
            f.referred = Some((o, a, b));
        } else if let (Some(k), None) = (clock, f.overdue_on) {
            f.clock_due = Some((
                k,
                period.unwrap_or(Period {
                    from: NaiveDate::MIN,
                    to: NaiveDate::MAX,
                }),
            ));
        } else if let Some(p) = period {
            let (a, b) = range(p);
            f.received_from = (a != i64::MIN).then_some(a);
            f.received_before = (b != i64::MAX).then_some(b);
        }
        Ok(())
    }

    /// The conditions as shown above the list ("2026-12-01 至 2026-12-31 · 婚姻家庭").
    fn describe(&self, t: &T, category: Option<String>) -> Vec<String> {
        let mut out = Vec::new();
        let v = |x: &Option<String>| {
            x.as_deref()
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
        };
        if v(&self.from).is_some() || v(&self.to).is_some() {
            let key = if v(&self.referred).is_some() {
                "cases-narrow-referred-days"
            } else if v(&self.clock).is_some() {
                "cases-narrow-due-days"
            } else {
                "cases-narrow-received-days"
            };
            out.push(t.ta(
                key,
                &[
                    ("from", v(&self.from).unwrap_or_else(|| "…".into())),
                    ("to", v(&self.to).unwrap_or_else(|| "…".into())),
                ],
            ));
        }
        if let Some(c) = v(&self.category) {
            out.push(t.ta("cases-narrow-category", &[("category", category.unwrap_or(c))]));
        }
        if let Some(c) = v(&self.channel) {
            out.push(t.code("channel", &c));
        }
        if let Some(r) = v(&self.risk) {
            out.push(t.ta("cases-narrow-risk", &[("level", t.code("risk", &r))]));
        }
        if v(&self.overdue).is_some() {
            out.push(t.t("cases-narrow-overdue"));
        }
        if let Some(k) = v(&self.clock) {
            out.push(t.ta("cases-narrow-clock", &[("clock", t.code("clock", &k))]));
        }
        if let Some(o) = v(&self.referred) {
            out.push(t.code("referral-outcome", &o));
        }
        out
    }

    /// The conditions as (name, value) pairs: hidden inputs of the filter form and the page links.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("category", &self.category),
            ("channel", &self.channel),
            ("risk", &self.risk),
            ("overdue", &self.overdue),
            ("clock", &self.clock),
            ("referred", &self.referred),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect()
    }
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
    /// A dashboard figure's conditions, as shown, and as hidden inputs of the filter form.
    narrowed: Vec<String>,
    narrow: Vec<(&'static str, String)>,
    narrow_invalid: bool,
}

pub(crate) const PAGE_SIZE: i64 = 30;

/// The cases a list query selects: the form's fields and a dashboard figure's conditions (left
/// out, and said so, when one is not understood). The list and its export read it alike.
pub(crate) struct Selected {
    pub filter: CaseFilter,
    pub village: Option<OrgUnit>,
    pub townships: Vec<OrgUnit>,
    pub narrow_invalid: bool,
}

pub(crate) async fn selected(
    s: &AppState,
    req: &Req,
    q: &ListQuery,
    narrowing: &Narrowing,
) -> Result<Selected, PageError> {
    let places = page(req, s.app.portal_places().await)?;
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
    let base = CaseFilter {
        text: q.q.clone(),
        kind: q.kind.as_deref().and_then(CaseKind::parse),
        open: match q.state.as_deref() {
            Some("open") | None => Some(true),
            Some("closed") => Some(false),
            _ => None,
        },
        place_prefix,
        same_party_as: q.same_party(),
        ..Default::default()
    };
    let today = gongzhi_app::domain::time::local_date(s.app.now());
    let mut filter = base.clone();
    let narrow_invalid = narrowing.apply(&mut filter, today).is_err();
    Ok(Selected {
        // Nothing half-applied: without the dashboard's conditions.
        filter: if narrow_invalid { base } else { filter },
        village,
        townships,
        narrow_invalid,
    })
}

pub(crate) async fn list(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<ListQuery>,
    Query(n): Query<Narrowing>,
) -> PageResult {
    let pageno = q.page.unwrap_or(1).max(1);
    let Selected {
        filter: mut f,
        village,
        townships,
        narrow_invalid,
    } = selected(&s, &req, &q, &n).await?;
    f.limit = PAGE_SIZE;
    f.offset = (pageno - 1).saturating_mul(PAGE_SIZE);
    let (cases, total) = page(&req, s.app.list_cases(&req.ctx, &f).await)?;
    let category = match &f.category {
        Some(code) => page(&req, s.app.portal_categories().await)?
            .into_iter()
            .find(|c| &c.code == code)
            .map(|c| c.name),
        None => None,
    };
    let c = Chrome::new(&req).with_flash(q.ok.as_deref());
    let narrowed = if narrow_invalid {
        Vec::new()
    } else {
        n.describe(&c.t, category)
    };
    let narrow = if narrow_invalid { Vec::new() } else { n.pairs() };
    let rows = cases.iter().map(|x| listed_row(&c.t, x)).collect();
    let filter = FormState::default()
        .with("q", q.q.clone().unwrap_or_default())
        .with("kind", q.kind.clone().unwrap_or_default())
        .with("state", q.state.clone().unwrap_or_else(|| "open".into()))
        .with("township", q.township.clone().unwrap_or_default());
    let same_party = q.same_party().map(|c| c.to_string()).unwrap_or_default();
    let mut params = vec![
        ("q", q.q.unwrap_or_default()),
        ("kind", q.kind.unwrap_or_default()),
        ("state", q.state.unwrap_or_else(|| "open".into())),
        ("township", q.township.unwrap_or_default()),
        ("village", q.village.unwrap_or_default()),
        ("same_party", same_party.clone()),
    ];
    params.extend(narrow.iter().cloned());
    // Only what is set: the page links and the export carry the list's conditions, no empty ones.
    params.retain(|(_, v)| !v.is_empty());
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
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
            same_party,
            village,
            narrowed,
            narrow,
            narrow_invalid,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Intake
