//! The web UI. Every page is a full document; forms post back and, when invalid, come back as 422
//! with each field marked and everything typed kept.

mod account;
mod admin;
mod aid;
mod attachment;
pub(crate) mod case;
mod clock;
mod contact;
pub mod dashboard;
mod deadline;
pub(crate) mod document;
mod education;
mod follow_up;
mod grid;
mod hearing;
pub(crate) mod inbox;
mod lockout;
mod mediation;
mod meeting;
mod minor;
mod people;
mod portal;
mod publication;
mod reception;
mod reconciliation;
mod referral;
mod reply;
mod report;
mod risk;
mod roster;
mod search;
mod suggestion;
mod supervision;
mod timeline;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongzhi_app::domain::policy::{Action, Actor, Can, Role};
use gongzhi_app::stats::Overview;
use http::{HeaderMap, StatusCode, header};

use crate::AppState;
use crate::error::{PageError, render};
use crate::form::FormState;
use crate::i18n::T;
use crate::middleware::{LANG_COOKIE, Req};
use crate::routes::{Access, Routes};
use gongzhi_app::AppError;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
    /// The menu it is gathered under ("" for the bar itself): the procuratorate's work under
    /// "检察业务", reference data and settings under "基础资料", so the bar fits on one line.
    pub menu: &'static str,
}

/// The menus of the bar, in order, with their pages.
const MENUS: &[(&str, &[&str])] = &[
    (
        "nav-procuratorate",
        &[
            "/hearings",
            "/suggestions",
            "/aid-cases",
            "/reception-days",
            "/minors",
            "/hearing-officers",
        ],
    ),
    ("nav-reference", REFERENCE),
];

/// The pages gathered under the reference menu.
const REFERENCE: &[&str] = &[
    "/admin/org",
    "/admin/agencies",
    "/admin/roster",
    "/admin/calendar",
    "/admin/deadline-rules",
    "/admin/risk-rules",
    "/admin/templates",
    "/admin/categories",
    "/admin/import",
    "/admin/documents",
];

/// What every page shows around its content.
pub struct Chrome {
    pub t: T,
    /// Who the bar names (also half-way through logging in).
    pub actor: Option<Actor>,
    /// What the signed-in user may do, as the policy says; nothing before the login is complete.
    pub can: Can,
    pub nav: Vec<NavItem>,
    pub flash: String,
    pub lang: &'static str,
}

const NAV: &[(&str, &str, Option<Action>)] = &[
    ("/", "nav-home", None),
    ("/dashboard", "nav-dashboard", Some(Action::ViewStatistics)),
    ("/reports", "nav-reports", Some(Action::ViewStatistics)),
    ("/inbox", "nav-inbox", Some(Action::ViewCases)),
    ("/cases", "nav-cases", Some(Action::ViewCases)),
    ("/grid", "nav-grid", Some(Action::ViewCases)),
    ("/grid/visits", "nav-grid-visits", Some(Action::ViewGrid)),
    ("/hearings", "nav-hearings", Some(Action::ViewHearings)),
    ("/suggestions", "nav-suggestions", Some(Action::ViewSuggestions)),
    ("/aid-cases", "nav-aid", Some(Action::ViewAid)),
    ("/reception-days", "nav-reception", Some(Action::ViewReception)),
    ("/education", "nav-education", Some(Action::ViewEducation)),
    ("/minors", "nav-minors", Some(Action::ManageMinors)),
    (
        "/hearing-officers",
        "nav-hearing-officers",
        Some(Action::ManageHearingPool),
    ),
    ("/admin/org", "nav-org", Some(Action::ViewReference)),
    ("/admin/agencies", "nav-agencies", Some(Action::ViewReference)),
    ("/admin/roster", "nav-roster", Some(Action::ViewRoster)),
    ("/admin/users", "nav-users", Some(Action::ViewUsers)),
    (
        "/admin/lockouts",
        "nav-lockouts",
        Some(Action::ManageUserSecurity),
    ),
    ("/admin/calendar", "nav-calendar", Some(Action::ViewReference)),
    (
        "/admin/deadline-rules",
        "nav-deadline-rules",
        Some(Action::ViewReference),
    ),
    ("/admin/risk-rules", "nav-risk-rules", Some(Action::ViewReference)),
    ("/admin/templates", "nav-templates", Some(Action::ManageTemplates)),
    ("/admin/categories", "nav-categories", Some(Action::ViewReference)),
    ("/admin/import", "nav-import", Some(Action::ManageReference)),
    ("/admin/documents", "nav-documents", Some(Action::ManageReference)),
    (
        "/admin/permissions",
        "nav-permissions",
        Some(Action::ViewPermissions),
    ),
    ("/admin/audit", "nav-audit", Some(Action::ViewAudit)),
];

impl Chrome {
    pub fn new(req: &Req) -> Self {
        // Half-way through logging in (second factor or forced password change) the bar still names
        // the user, but every link would only lead back to that step: show none.
        let actor = req.session.as_ref().map(|s| s.actor().clone());
        // The page's own item: the longest one whose path it is under ("/grid/visits/…" is not
        // "/grid").
        // The grid's pages (/grid/log, /grid/coverage, …) belong to 网格走访, not to 我的网格.
        let path = if req.path.starts_with("/grid/") {
            "/grid/visits"
        } else {
            req.path.as_str()
        };
        let under =
            |href: &str| path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'));
        let own = NAV
            .iter()
            .map(|(href, _, _)| *href)
            .filter(|h| *h != "/" && under(h))
            .max_by_key(|h| h.len());
        let nav = match req.ctx.user() {
            Some(a) => NAV
                .iter()
                .filter(|(_, _, action)| action.is_none_or(|x| a.can(x)))
                .map(|(href, key, _)| NavItem {
                    href,
                    label: req.t.t(key),
                    menu: MENUS
                        .iter()
                        .find(|(_, pages)| pages.contains(href))
                        .map_or("", |(key, _)| *key),
                    active: if *href == "/" {
                        req.path == "/"
                    } else {
                        own == Some(*href)
                    },
                })
                .collect(),
            None => Vec::new(),
        };
        Self {
            t: req.t.clone(),
            actor,
            can: req.ctx.user().map(|u| Can::of(&u.roles)).unwrap_or_default(),
            nav,
            flash: String::new(),
            lang: req.t.lang.code(),
        }
    }

    /// The bar's menus the user has pages in: (label key, pages, whether one of them is shown).
    pub fn menus(&self) -> Vec<(&'static str, Vec<&NavItem>, bool)> {
        MENUS
            .iter()
            .map(|(key, _)| {
                let items: Vec<&NavItem> = self.nav.iter().filter(|n| n.menu == *key).collect();
                let active = items.iter().any(|n| n.active);
                (*key, items, active)
            })
            .filter(|(_, items, _)| !items.is_empty())
            .collect()
    }

    /// A confirmation carried in `?ok=key` after a redirect.
    pub fn with_flash(mut self, ok: Option<&str>) -> Self {
        if let Some(key) = ok.map(|k| format!("flash-{k}")).filter(|k| self.t.has(k)) {
            self.flash = self.t.t(&key);
        }
        self
    }

    pub fn roles(&self) -> String {
        self.actor
            .as_ref()
            .map(|a| {
                a.roles
                    .iter()
                    .map(|r| self.t.code("role", r.code()))
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .unwrap_or_default()
    }
}

pub type PageResult = Result<Response, PageError>;

/// The last page number a list link may ask for: far past any real list, and far from overflowing
/// `page × size` or the template's `page + 1`.
pub const MAX_PAGE: i64 = 100_000;

/// Runs a use case and turns its failure into an error page.
/// The year a yearly page or list asks for, else this one (China time), within sane bounds.
pub(crate) fn year_or_this(s: &AppState, asked: Option<i32>) -> i32 {
    asked
        .unwrap_or_else(|| chrono::Datelike::year(&gongzhi_app::domain::time::local_date(s.app.now())))
        .clamp(2000, 2100)
}

pub fn page<T>(req: &Req, r: Result<T, gongzhi_app::AppError>) -> Result<T, PageError> {
    r.map_err(|e| PageError(req.clone(), e))
}

/// Turns a validation failure into a re-rendered form, anything else into an error page.
pub fn form_error(req: &Req, e: AppError, f: FormState) -> Result<(FormState, StatusCode), PageError> {
    match e {
        AppError::Invalid(errs) => Ok((f.errors(&req.t, &errs), StatusCode::UNPROCESSABLE_ENTITY)),
        AppError::Conflict(now) => {
            let mut f = f;
            f.conflict = now;
            Ok((f, StatusCode::CONFLICT))
        }
        other => Err(PageError(req.clone(), other)),
    }
}

pub fn ok<P: Template>(req: &Req, p: &P) -> PageResult {
    Ok(render(StatusCode::OK, p, req.ctx.request_id()))
}

pub fn see_other(to: &str) -> PageResult {
    Ok(Redirect::to(to).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    pub ok: Option<String>,
}

pub fn router() -> Routes {
    Routes::new()
        .get("/", Access::Public, home)
        .get("/lang/{lang}", Access::Public, set_lang)
        .merge(account::router())
        .merge(admin::router())
        .merge(people::router())
        .merge(lockout::router())
        .merge(roster::router())
        .merge(case::router())
        .merge(reply::router())
        .merge(risk::router())
        .merge(supervision::router())
        .merge(contact::router())
        .merge(referral::router())
        .merge(mediation::router())
        .merge(follow_up::router())
        .merge(attachment::router())
        .merge(clock::router())
        .merge(reconciliation::router())
        .merge(inbox::router())
        .merge(grid::router())
        .merge(hearing::router())
        .merge(suggestion::router())
        .merge(aid::router())
        .merge(reception::router())
        .merge(document::router())
        .merge(education::router())
        .merge(minor::router())
        .merge(meeting::router())
        .merge(search::router())
        .merge(dashboard::router())
        .merge(report::router())
        .merge(deadline::router())
        .merge(portal::router())
        .merge(publication::router())
        .merge(timeline::router())
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    c: Chrome,
    overview: Option<Overview>,
    /// The years whose holidays the administrator must load now ("" when none).
    calendar_missing: String,
}

async fn home(State(s): State<AppState>, req: Req) -> PageResult {
    let Some(actor) = req.ctx.user() else {
        return see_other("/login");
    };
    // Issue 13 §6: the leader's and each agency head's home page is their dashboard.
    if actor
        .roles
        .iter()
        .any(|r| matches!(r, Role::Leader | Role::AgencyHead))
    {
        return dashboard::dashboard_page(&s, &req, &dashboard::DashParams::default()).await;
    }
    let overview = if actor.can(Action::ViewStatistics) {
        Some(page(&req, s.app.overview(&req.ctx).await)?)
    } else {
        None
    };
    // The administrator is told, from November, that next year's holidays are not loaded.
    let calendar_missing = if actor.can(Action::ManageReference) {
        page(&req, s.app.calendar_missing(&req.ctx).await)?
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join("、")
    } else {
        String::new()
    };
    ok(
        &req,
        &Home {
            c: Chrome::new(&req),
            overview,
            calendar_missing,
        },
    )
}

/// A path on this site to send a browser back to, or `None`: it starts with one `/` (not `//` or
/// `/\`, which browsers read as another host) and holds printable ASCII only (browsers drop tabs
/// and line breaks, which would make `/\t/evil.example` another host too).
pub fn local_path(p: &str) -> Option<&str> {
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && p.chars().all(|c| c.is_ascii_graphic());
    ok.then_some(p)
}

/// The path of the page a request came from, if that page is on this host (see `local_path`).
pub fn referer_path(headers: &HeaderMap) -> Option<&str> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let (_, rest) = headers.get(header::REFERER)?.to_str().ok()?.split_once("://")?;
    let i = rest.find('/')?;
    (&rest[..i] == host).then(|| &rest[i..]).and_then(local_path)
}

async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    // Back to the page it came from, if that page is this site's.
    let back = referer_path(&headers).unwrap_or("/").to_owned();
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = format!("{LANG_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax").parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct NotFound {
    c: Chrome,
    status: u16,
    title: String,
    message: String,
}

pub async fn not_found(req: Req) -> Response {
    if req.path.starts_with("/api/") {
        return crate::error::json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            &req.t.t("error-not-found"),
            None,
        );
    }
    let p = NotFound {
        title: req.t.t("error-title-404"),
        message: req.t.t("error-page-missing"),
        status: 404,
        c: Chrome::new(&req),
    };
    render(StatusCode::NOT_FOUND, &p, req.ctx.request_id())
}
