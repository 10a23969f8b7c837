//! The dashboard page (驾驶舱, issue 13 §3 and §6): one month of the viewer's scope, every figure a
//! link to the list it counts; the charts are drawn by the vendored ECharts from the same figures,
//! which also stand as tables, so the page reads without script too. It is the home page of the
//! Political-Legal Committee's leader and of each agency head.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::AppError;
use gongzhi_app::dashboard::{Count, Dashboard, DashboardQuery};
use gongzhi_app::document::DocumentFile;
use gongzhi_app::domain::dashboard::Period;
use gongzhi_app::domain::policy::{Action, Can};
use gongzhi_app::export::{Cell, Sheet, XLSX_MIME, workbook};
use serde_json::json;

use super::{Chrome, PageResult, page};
use crate::AppState;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::document::download;

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewStatistics);
    Routes::new()
        .get("/dashboard", view, show)
        .get("/dashboard/export.xlsx", view, export)
}

#[derive(serde::Deserialize, Default)]
pub struct DashParams {
    #[serde(default)]
    month: String,
    #[serde(default)]
    township: String,
}

/// A figure with its label and the list it opens ("" when the viewer may not open that list).
pub struct Link {
    pub label: String,
    pub value: String,
    pub href: String,
    /// A CSS class for the value (a colour of state).
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
pub struct DashPage {
    pub c: Chrome,
    pub d: Dashboard,
    pub f: Figures,
    pub townships: Vec<(String, String)>,
    /// The month asked for could not be read; this month is shown instead.
    pub month_invalid: bool,
}

/// The dashboard's figures as links and the charts' data.
pub struct Figures {
    pub kpis: Vec<Link>,
    pub categories: Vec<Link>,
    pub channels: Vec<Link>,
    pub by_township: Vec<Link>,
    pub trend: Vec<Link>,
    pub risk: Vec<Link>,
    pub clocks: Vec<Link>,
    pub referrals: Vec<Link>,
    pub work: Vec<(String, Vec<Link>)>,
    /// (village, township, this month link, the three months before, heat label, heat class).
    pub heat: Vec<(Link, String, String, String, &'static str)>,
    /// The charts' data, JSON for assets/dashboard.js.
    pub charts: String,
}

async fn show(State(s): State<AppState>, req: Req, Query(q): Query<DashParams>) -> PageResult {
    dashboard_page(&s, &req, &q).await
}

/// The page for `q`, used by `/dashboard` and by the home page of leaders and agency heads.
pub async fn dashboard_page(s: &AppState, req: &Req, q: &DashParams) -> PageResult {
    let asked = DashboardQuery {
        month: q.month.clone(),
        township: q.township.clone(),
    };
    let (d, month_invalid) = match s.app.dashboard(&req.ctx, &asked).await {
        Err(AppError::Invalid(_)) => (
            page(req, s.app.dashboard(&req.ctx, &DashboardQuery::default()).await)?,
            true,
        ),
        other => (page(req, other)?, false),
    };
    let places = page(req, s.app.portal_places().await)?;
    let c = Chrome::new(req);
    let f = figures(&c.t, &c.can, &d);
    let townships = places
        .into_iter()
        .map(|(t, _)| (t.id.to_string(), t.name))
        .collect();
    crate::ui::ok(
        req,
        &DashPage {
            c,
            d,
            f,
            townships,
            month_invalid,
        },
    )
}

/// The month's figures as a workbook: one sheet per table of the page.
async fn export(State(s): State<AppState>, req: Req, Query(q): Query<DashParams>) -> PageResult {
    let asked = DashboardQuery {
        month: q.month.clone(),
        township: q.township.clone(),
    };
    let d = page(&req, s.app.dashboard(&req.ctx, &asked).await)?;
    let t = &req.t;
    let f = figures(t, &Can::default(), &d);
    let figure = t.t("dash-figure");
    let count = t.t("dash-count");
    let table = |name: String, rows: &[Link]| Sheet {
        name,
        header: vec![figure.clone(), count.clone()],
        widths: vec![36, 14],
        rows: rows
            .iter()
            .map(|l| vec![Cell::from(l.label.clone()), value_cell(&l.value)])
            .collect(),
    };
    let mut sheets = vec![
        table(t.t("dash-summary"), &f.kpis),
        table(t.t("dash-trend"), &f.trend),
        table(t.t("dash-by-category"), &f.categories),
        table(t.t("dash-by-township"), &f.by_township),
        table(t.t("dash-by-channel"), &f.channels),
        table(t.t("dash-risk"), &f.risk),
        table(t.t("dash-clocks"), &f.clocks),
        table(t.t("dash-referrals"), &f.referrals),
    ];
    sheets.extend(f.work.iter().map(|(title, rows)| table(title.clone(), rows)));
    sheets.push(Sheet {
        name: t.t("dash-heat"),
        header: vec![
            t.t("dash-village"),
            t.t("field-township"),
            t.t("dash-this-month"),
            t.t("dash-mean-before"),
            t.t("dash-heat"),
        ],
        widths: vec![24, 18, 10, 12, 10],
        rows: d
            .heat
            .iter()
            .map(|h| {
                vec![
                    Cell::from(h.village.clone()),
                    h.township.clone().into(),
                    h.now.into(),
                    format!("{:.1}", h.before as f64 / 3.0).into(),
                    t.code("heat", &h.heat).into(),
                ]
            })
            .collect(),
    });
    let bytes = page(&req, workbook(&sheets))?;
    Ok(download(
        DocumentFile {
            filename: format!("{}-{}.xlsx", t.t("nav-dashboard"), d.month),
            bytes,
        },
        XLSX_MIME,
        "dashboard.xlsx",
    ))
}

/// A count as a number; a rate or an amount ("99.7%", "1200 元") as its text.
fn value_cell(v: &str) -> Cell {
    v.parse::<i64>().map(Cell::from).unwrap_or_else(|_| Cell::from(v))
}

/// The list a figure opens: the case list with the month (or other days) and one more condition.
fn cases(d: &Dashboard, state: &str, days: bool, extra: &[(&str, &str)]) -> String {
    cases_in(
        d,
        state,
        days.then_some(Period {
            from: d.from,
            to: d.to,
        }),
        extra,
    )
}

/// The same for other days than the month's (a month of the trend); a township named in `extra`
/// stands for the dashboard's own.
fn cases_in(d: &Dashboard, state: &str, days: Option<Period>, extra: &[(&str, &str)]) -> String {
    let mut q: Vec<(&str, String)> = vec![("state", state.to_owned())];
    if let Some(p) = days {
        q.push(("from", p.from.to_string()));
        q.push(("to", p.to.to_string()));
    }
    if let Some(t) = d
        .township_id
        .as_ref()
        .filter(|_| !extra.iter().any(|(k, _)| *k == "township"))
    {
        q.push(("township", t.clone()));
    }
    q.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    format!("/cases?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
}

fn link(label: String, n: i64, href: String) -> Link {
    Link {
        label,
        value: n.to_string(),
        href,
        class: "",
    }
}

fn figures(t: &T, can: &Can, d: &Dashboard) -> Figures {
    let can_cases = can.view_cases;
    let gate = |href: String, allowed: bool| if allowed { href } else { String::new() };
    let kpis = vec![
        link(
            t.t("dash-received"),
            d.received,
            gate(cases(d, "all", true, &[]), can_cases),
        ),
        Link {
            label: t.t("dash-procedural-rate"),
            value: d.procedural_reply.percent(),
            href: gate(cases(d, "all", true, &[("clock", "procedural_reply")]), can_cases),
            class: rate_class(d.procedural_reply.permille()),
        },
        Link {
            label: t.t("dash-result-rate"),
            value: d.result_reply.percent(),
            href: gate(cases(d, "all", true, &[("clock", "result_reply")]), can_cases),
            class: rate_class(d.result_reply.permille()),
        },
        Link {
            label: t.t("dash-overdue"),
            value: d.clocks.overdue.to_string(),
            href: gate(cases(d, "open", false, &[("overdue", "1")]), can_cases),
            class: if d.clocks.overdue > 0 { "text-danger" } else { "" },
        },
        link(
            t.t("dash-high-risk"),
            d.risk.iter().filter(|r| r.code == "high").map(|r| r.n).sum(),
            gate(cases(d, "open", false, &[("risk", "high")]), can_cases),
        ),
    ];
    let with = |key: &'static str, counts: &[Count], label: &dyn Fn(&Count) -> String| -> Vec<Link> {
        counts
            .iter()
            .map(|x| {
                link(
                    label(x),
                    x.n,
                    gate(cases(d, "all", true, &[(key, &x.code)]), can_cases),
                )
            })
            .collect()
    };
    let categories = with("category", &d.by_category, &|x| x.name.clone());
    let channels = with("channel", &d.by_channel, &|x| t.code("channel", &x.code));
    let by_township = d
        .by_township
        .iter()
        .map(|x| {
            link(
                x.name.clone(),
                x.n,
                gate(cases(d, "all", true, &[("township", &x.code)]), can_cases),
            )
        })
        .collect();
    let trend = d
        .trend
        .iter()
        .map(|m| {
            let href = Period::parse_month(&m.code).map(|p| cases_in(d, "all", Some(p), &[]));
            link(m.code.clone(), m.n, gate(href.unwrap_or_default(), can_cases))
        })
        .collect::<Vec<_>>();
    let risk = d
        .risk
        .iter()
        .filter(|r| !r.code.is_empty())
        .map(|r| {
            link(
                t.code("risk", &r.code),
                r.n,
                gate(cases(d, "open", false, &[("risk", &r.code)]), can_cases),
            )
        })
        .collect();
    let clocks = d
        .clocks_by_kind
        .iter()
        .map(|k| {
            link(
                t.code("clock", &k.code),
                k.n,
                gate(
                    cases(d, "open", false, &[("overdue", "1"), ("clock", &k.code)]),
                    can_cases,
                ),
            )
        })
        .collect();
    let referrals = d
        .referrals
        .iter()
        .map(|r| {
            link(
                t.code("referral-outcome", &r.code),
                r.n,
                gate(cases(d, "all", true, &[("referred", &r.code)]), can_cases),
            )
        })
        .collect();
    let mut work = Vec::new();
    if let Some(h) = d.hearings {
        let href = gate("/hearings".into(), can.view_hearings);
        work.push((
            t.t("dash-hearings"),
            vec![
                link(t.t("dash-hearings-held"), h.held, href.clone()),
                link(t.t("dash-hearings-public"), h.public, href.clone()),
                link(t.t("dash-hearings-deputies"), h.with_deputies, href),
            ],
        ));
    }
    let sg = d.suggestions;
    let href = gate("/suggestions".into(), can.view_suggestions);
    work.push((
        t.t("dash-suggestions"),
        vec![
            link(t.t("dash-suggestions-issued"), sg.issued, href.clone()),
            link(t.t("dash-suggestions-on-time"), sg.replied_on_time, href.clone()),
            link(t.t("dash-suggestions-adopted"), sg.adopted, href),
        ],
    ));
    if let Some(a) = d.aid {
        let href = gate("/aid-cases".into(), can.view_aid);
        work.push((
            t.t("dash-aid"),
            vec![
                link(t.t("dash-aid-cases"), a.cases, href.clone()),
                Link {
                    label: t.t("dash-aid-amount"),
                    value: t.ta("dash-yuan", &[("amount", a.amount.to_string())]),
                    href: href.clone(),
                    class: "",
                },
                link(t.t("dash-aid-social"), a.with_social_aid, href),
            ],
        ));
    }
    let g = d.grid;
    let coverage = gate(
        format!("/grid/coverage?from={}&to={}", d.from, d.to),
        can.view_grid,
    );
    work.push((
        t.t("dash-grid"),
        vec![
            Link {
                label: t.t("dash-grid-coverage"),
                value: format!("{} / {}", g.visited, g.villages),
                href: coverage.clone(),
                class: "",
            },
            link(t.t("dash-grid-visits"), g.visits, coverage),
        ],
    ));
    let heat = d
        .heat
        .iter()
        .map(|h| {
            let href = gate(
                cases(
                    d,
                    "all",
                    true,
                    &[("township", &h.township_id), ("village", &h.village_id)],
                ),
                can_cases,
            );
            (
                link(h.village.clone(), h.now, href),
                h.township.clone(),
                format!("{:.1}", h.before as f64 / 3.0),
                t.code("heat", &h.heat),
                heat_class(&h.heat),
            )
        })
        .collect();
    let charts = json!({
        "trend": {"labels": trend.iter().map(|l: &Link| l.label.clone()).collect::<Vec<_>>(),
                  "values": d.trend.iter().map(|m| m.n).collect::<Vec<_>>(),
                  "links": trend.iter().map(|l| l.href.clone()).collect::<Vec<_>>(),
                  "name": t.t("dash-trend")},
        "category": {"labels": categories.iter().map(|l: &Link| l.label.clone()).collect::<Vec<_>>(),
                     "values": d.by_category.iter().map(|m| m.n).collect::<Vec<_>>(),
                     "links": categories.iter().map(|l| l.href.clone()).collect::<Vec<_>>(),
                     "name": t.t("dash-by-category")},
    })
    .to_string()
    // Inside <script>: names are staff-entered text and must not close the element.
    .replace('<', "\\u003c");
    Figures {
        kpis,
        categories,
        channels,
        by_township,
        trend,
        risk,
        clocks,
        referrals,
        work,
        heat,
        charts,
    }
}

fn rate_class(permille: Option<i64>) -> &'static str {
    match permille {
        Some(p) if p < 900 => "text-danger",
        Some(p) if p < 970 => "text-warning",
        Some(_) => "text-success",
        None => "text-secondary",
    }
}

fn heat_class(h: &str) -> &'static str {
    match h {
        "red" => "text-bg-danger",
        "yellow" => "text-bg-warning",
        _ => "text-bg-info",
    }
}
