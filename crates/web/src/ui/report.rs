//! Statistical returns (统计报表, issue 13 §4): the list of returns issued with the form that issues
//! one, a return as issued beside its figures now, any period's figures, and each as .xlsx.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::document::DocumentFile;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::report::Line;
use gongzhi_app::export::{Cell, Sheet, XLSX_MIME, workbook};
use gongzhi_app::report::{IssueReturn, ReturnView, StatReturn};
use http::StatusCode;

use super::case::fmt_ms;
use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::document::download;

pub fn router() -> Routes {
    let view = Access::Staff(Action::ViewStatistics);
    Routes::new()
        .get("/reports", view, list)
        .post("/reports", view, issue)
        .get("/reports/figures", view, figures)
        .get("/reports/{id}", view, show)
        .get("/reports/{id}/export.xlsx", view, export)
}

/// A line as the page shows it: what it counts, the count ("<5" where suppressed), and the list
/// it opens ("" for none).
pub struct Row {
    /// The heading of the group the line opens ("" inside a group).
    pub group: String,
    pub label: String,
    pub value: String,
    pub now: String,
    pub changed: bool,
    pub href: String,
}

/// The group a line belongs to (its heading's message key).
fn group_of(key: &str) -> &'static str {
    match key.split_once('.').map_or(key, |(k, _)| k) {
        "received" | "procedural_reply" | "result_reply" => "return-group-cases",
        "category" => "dash-by-category",
        "channel" => "dash-by-channel",
        "township" => "dash-by-township",
        "referral" => "dash-referrals",
        "grid" => "dash-grid",
        _ => "return-group-work",
    }
}

/// Each row's group heading where a group begins.
fn grouped(t: &T, mut rows: Vec<Row>, keys: &[String]) -> Vec<Row> {
    let mut last = "";
    for (r, k) in rows.iter_mut().zip(keys) {
        let g = group_of(k);
        if g != last {
            r.group = t.t(g);
            last = g;
        }
    }
    rows
}

/// What a line counts, in the reader's language.
pub fn label(t: &T, l: &Line) -> String {
    let (kind, code) = l.key.split_once('.').unwrap_or((l.key.as_str(), ""));
    match kind {
        "category" => t.ta("return-line-category", &[("name", l.label.clone())]),
        "township" => t.ta("return-line-township", &[("name", l.label.clone())]),
        "channel" => t.ta("return-line-channel", &[("name", t.code("channel", code))]),
        "referral" => t.code("referral-outcome", code),
        _ => t.code("return-line", &l.key.replace('.', "-")),
    }
}

fn shown(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "<5".into())
}

/// The case list a line of a period opens, where it counts cases.
fn drill(l: &Line, r: &StatReturn) -> String {
    let (kind, code) = l.key.split_once('.').unwrap_or((l.key.as_str(), ""));
    let extra = match kind {
        "received" => vec![],
        "category" | "channel" | "township" => vec![(kind, code.to_owned())],
        "referral" => vec![("referred", code.to_owned())],
        // A rate's replies that fell due open as a list; the on-time ones are a share of them.
        "procedural_reply" | "result_reply" if code == "due" => vec![("clock", kind.to_owned())],
        _ => return String::new(),
    };
    let mut q = vec![
        ("state", "all".to_owned()),
        ("from", r.from.to_string()),
        ("to", r.to.to_string()),
    ];
    q.extend(extra);
    format!("/cases?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
}

#[derive(Template)]
#[template(path = "report/list.html")]
struct ListPage {
    c: Chrome,
    f: FormState,
    /// Each with when it was issued, as shown.
    returns: Vec<(StatReturn, String)>,
}

async fn list_page(
    s: &AppState,
    req: &Req,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let returns = page(req, s.app.returns(&req.ctx).await)?
        .into_iter()
        .map(|r| {
            let at = fmt_ms(r.issued_at);
            (r, at)
        })
        .collect();
    let p = ListPage {
        c: Chrome::new(req).with_flash(ok),
        f,
        returns,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<Flash>) -> PageResult {
    list_page(&s, &req, FormState::default(), StatusCode::OK, q.ok.as_deref()).await
}

async fn issue(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = IssueReturn {
        period: d.get("period"),
        note: d.get("note"),
    };
    match s.app.issue_return(&req.ctx, &f).await {
        Ok(r) => see_other(&format!("/reports/{}?ok=return-issued", r.id)),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            list_page(&s, &req, fs, status, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "report/show.html")]
struct ShowPage {
    c: Chrome,
    r: StatReturn,
    at: String,
    rows: Vec<Row>,
    /// The figures now are shown beside the issued ones (the reader's own scope).
    compared: bool,
    changes: usize,
}

fn rows(t: &T, v: &ReturnView, can_cases: bool) -> Vec<Row> {
    let keys: Vec<String> = v
        .issued
        .lines
        .iter()
        .map(|l| l.key.clone())
        .chain(
            v.differences
                .iter()
                .filter(|d| d.issued.is_none())
                .map(|d| d.key.clone()),
        )
        .collect();
    let rows = v
        .issued
        .lines
        .iter()
        .map(|l| {
            let now = v
                .now
                .as_ref()
                .and_then(|n| n.iter().find(|x| x.key == l.key))
                .map(|x| x.value);
            Row {
                group: String::new(),
                label: label(t, l),
                value: shown(l.value),
                now: now.map(shown).unwrap_or_default(),
                changed: now.is_some_and(|n| n != l.value),
                href: if can_cases && v.now.is_some() {
                    drill(l, &v.issued)
                } else {
                    String::new()
                },
            }
        })
        .chain(v.differences.iter().filter(|d| d.issued.is_none()).map(|d| Row {
            group: String::new(),
            label: label(
                t,
                &Line {
                    key: d.key.clone(),
                    label: d.label.clone(),
                    value: d.now,
                },
            ),
            value: "—".into(),
            now: shown(d.now),
            changed: true,
            href: String::new(),
        }))
        .collect();
    grouped(t, rows, &keys)
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.return_view(&req.ctx, id).await)?;
    let c = Chrome::new(&req).with_flash(q.ok.as_deref());
    let rows = rows(&c.t, &v, c.can.view_cases);
    crate::ui::ok(
        &req,
        &ShowPage {
            compared: v.now.is_some(),
            changes: v.differences.len(),
            rows,
            at: fmt_ms(v.issued.issued_at),
            r: v.issued,
            c,
        },
    )
}

async fn export(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    let v = page(&req, s.app.return_view(&req.ctx, id).await)?;
    let t = &req.t;
    let mut header = vec![t.t("dash-figure"), t.t("return-issued-value")];
    if v.now.is_some() {
        header.push(t.t("return-now-value"));
    }
    let sheet = Sheet {
        name: format!("{} {}", t.t("nav-reports"), v.issued.period),
        header,
        widths: vec![36, 14, 14],
        rows: rows(t, &v, false)
            .into_iter()
            .map(|r| {
                let mut row = vec![Cell::from(r.label), cell(&r.value)];
                if v.now.is_some() {
                    row.push(cell(&r.now));
                }
                row
            })
            .collect(),
    };
    let bytes = page(&req, workbook(&[sheet]))?;
    Ok(download(
        DocumentFile {
            filename: format!(
                "{}-{}-{}.xlsx",
                t.t("nav-reports"),
                v.issued.period,
                v.issued.revision
            ),
            bytes,
        },
        XLSX_MIME,
        "return.xlsx",
    ))
}

fn cell(v: &str) -> Cell {
    v.parse::<i64>().map(Cell::from).unwrap_or_else(|_| Cell::from(v))
}

#[derive(serde::Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "report/figures.html")]
struct FiguresPage {
    c: Chrome,
    f: FormState,
    rows: Vec<Row>,
}

/// Any period's figures, not issued: the seed report's kind of summary for a half year, say.
async fn figures(State(s): State<AppState>, req: Req, Query(q): Query<PeriodQuery>) -> PageResult {
    let f = FormState::default()
        .with("from", q.from.clone())
        .with("to", q.to.clone());
    let c = Chrome::new(&req);
    if q.from.is_empty() && q.to.is_empty() {
        return crate::ui::ok(
            &req,
            &FiguresPage {
                c,
                f,
                rows: Vec::new(),
            },
        );
    }
    match s.app.period_figures(&req.ctx, &q.from, &q.to).await {
        Ok(lines) => {
            let keys: Vec<String> = lines.iter().map(|l| l.key.clone()).collect();
            let rows = lines
                .iter()
                .map(|l| Row {
                    group: String::new(),
                    label: label(&c.t, l),
                    value: shown(l.value),
                    now: String::new(),
                    changed: false,
                    href: String::new(),
                })
                .collect();
            let rows = grouped(&c.t, rows, &keys);
            crate::ui::ok(&req, &FiguresPage { c, f, rows })
        }
        Err(e) => {
            let (f, status) = form_error(&req, e, f)?;
            Ok(render(
                status,
                &FiguresPage {
                    c,
                    f,
                    rows: Vec::new(),
                },
                req.ctx.request_id(),
            ))
        }
    }
}
