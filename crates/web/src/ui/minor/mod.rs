//! 未成年人保护: the mandatory reports the viewer may open (the child masked), filing one, and a
//! report opened for a stated reason — its steps and its grants for the juvenile team. Children's
//! records and agencies' support tasks are in [`child`].

mod child;

pub(crate) use child::inbox_rows;

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::minor::{GuardianSituation, HarmKind, ReportStep, ReporterKind};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::minor::{
    ChildRecord, REPORT_PAGE, ReportForm, ReportLine, ReportStepForm, ReportView, Reporter,
};
use gongzhi_app::{AppError, Page};
use http::StatusCode;

use super::education::options;
use super::{Chrome, Flash, MAX_PAGE, PageError, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let team = Access::Staff(Action::ManageMinors);
    Routes::new()
        .get("/minors", Access::Account, list)
        .get("/minors/new", team, new)
        .post("/minors", team, create)
        .get("/minors/{id}", Access::Account, gate)
        .post("/minors/{id}/open", Access::Account, open)
        .post("/minors/{id}/steps/{step}", team, step)
        .post("/minors/{id}/grants", team, grant)
        .merge(child::router())
}

pub(crate) struct Line {
    id: String,
    received: String,
    child: String,
    harm: String,
    reporter: String,
    state: String,
    township: String,
    police: String,
    late: bool,
}

fn line(t: &T, l: &ReportLine) -> Line {
    let r = &l.listed.row;
    Line {
        id: r.id.clone(),
        received: time::format_local(time::from_millis(r.received_at)),
        child: l.child_masked.clone(),
        harm: t.code("minor-harm", l.harm.code()),
        reporter: t.code("minor-reporter", l.reporter_kind.code()),
        state: t.code("minor-state", l.state.code()),
        township: l.listed.township_name.clone().unwrap_or_default(),
        police: t.ta(
            if r.police_notified_at.is_some() {
                "minor-police-told-after"
            } else {
                "minor-police-waiting"
            },
            &[("hours", l.police_hours.to_string())],
        ),
        late: l.police_late,
    }
}

#[derive(Template)]
#[template(path = "minor/list.html")]
struct ListPage {
    c: Chrome,
    lines: Vec<Line>,
    total: i64,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let found = page(
        &req,
        s.app.minor_reports(&req.ctx, Page::nth(n, REPORT_PAGE)).await,
    )?;
    let p = ListPage {
        c: Chrome::new(&req).with_flash(q.ok.as_deref()),
        lines: found.items.iter().map(|l| line(&req.t, l)).collect(),
        more: n * REPORT_PAGE < found.total,
        total: found.total,
        page: n,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "minor/new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    reporters: Vec<(String, String)>,
    harms: Vec<(String, String)>,
    guardians: Vec<(String, String)>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let t = &req.t;
    let p = NewPage {
        c: Chrome::new(req),
        reporters: options(t, "minor-reporter", ReporterKind::ALL, ReporterKind::code),
        harms: options(t, "minor-harm", HarmKind::ALL, HarmKind::code),
        guardians: options(
            t,
            "minor-guardian",
            GuardianSituation::ALL,
            GuardianSituation::code,
        ),
        places: page(req, s.app.portal_places().await)?,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    /// A grid visit's minor clue to report.
    finding: Option<Id>,
}

async fn new(State(s): State<AppState>, req: Req, Query(q): Query<NewQuery>) -> PageResult {
    let f = match q.finding {
        Some(finding) => {
            let r = page(&req, s.app.minor_report_from_clue(&req.ctx, finding).await)?;
            FormState::default()
                .with("reporter_kind", r.reporter_kind)
                .with("reporter.organisation", r.reporter.organisation)
                .with("reporter.person", r.reporter.person)
                .with("received_at", r.received_at)
                .with("guardian_situation", r.guardian_situation)
                .with("village_id", r.village_id)
                .with("child.what", r.child.what)
                .with("finding_id", r.finding_id)
        }
        None => FormState::default().with("received_at", time::format_local(s.app.now())),
    };
    new_page(&s, &req, f, StatusCode::OK).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = ReportForm {
        reporter_kind: d.get("reporter_kind"),
        reporter: Reporter {
            organisation: d.get("reporter.organisation"),
            person: d.get("reporter.person"),
            phone: d.get("reporter.phone"),
        },
        received_at: d.get("received_at"),
        harm_kind: d.get("harm_kind"),
        guardian_situation: d.get("guardian_situation"),
        village_id: d.get("village_id"),
        child: ChildRecord {
            name: d.get("child.name"),
            sex: d.get("child.sex"),
            birth_date: d.get("child.birth_date"),
            school: d.get("child.school"),
            address: d.get("child.address"),
            guardian: d.get("child.guardian"),
            guardian_phone: d.get("child.guardian_phone"),
            what: d.get("child.what"),
        },
        finding_id: d.get("finding_id"),
        child_id: d.get("child_id"),
    };
    match s.app.file_minor_report(&req.ctx, &f).await {
        Ok(id) => see_other(&format!("/minors/{id}?ok=minor-filed")),
        Err(e) => {
            let (fs, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, fs, status).await
        }
    }
}

/// Asks why a report or a child's record is opened before it shows the child.
#[derive(Template)]
#[template(path = "minor/gate.html")]
pub(crate) struct GatePage {
    pub(crate) c: Chrome,
    pub(crate) f: FormState,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// The tab the page is under.
    pub(crate) tab: &'static str,
    /// Where the reason is posted.
    pub(crate) action: String,
}

async fn gate_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let l = page(req, s.app.minor_gate(&req.ctx, id).await)?;
    let l = line(&req.t, &l);
    let p = GatePage {
        c: Chrome::new(req).with_flash(ok),
        title: format!("{} · {}", req.t.t("minor-report"), l.child),
        summary: format!("{} · {} · {} · {}", l.received, l.reporter, l.harm, l.state),
        action: format!("/minors/{}/open", l.id),
        tab: "reports",
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

/// A report asks why it is opened before it shows the child; a viewer who may not open it gets
/// 403 (audited).
async fn gate(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    gate_page(
        &s,
        &req,
        id,
        FormState::default(),
        StatusCode::OK,
        q.ok.as_deref(),
    )
    .await
}

#[derive(Template)]
#[template(path = "minor/report.html")]
struct ReportPage {
    c: Chrome,
    v: ReportView,
    l: Line,
    f: FormState,
    reason: String,
    guardian: String,
    steps: Vec<String>,
}

async fn report_page(
    s: &AppState,
    req: &Req,
    id: Id,
    reason: &str,
    f: FormState,
    status: StatusCode,
) -> PageResult {
    match s.app.open_minor_report(&req.ctx, id, reason).await {
        Ok(v) => {
            let p = ReportPage {
                c: Chrome::new(req),
                l: line(&req.t, &v.line),
                guardian: req.t.code("minor-guardian", v.guardian.code()),
                steps: v.steps.iter().map(|s| s.code().to_owned()).collect(),
                reason: reason.trim().to_owned(),
                f,
                v,
            };
            Ok(render(status, &p, req.ctx.request_id()))
        }
        Err(AppError::Invalid(errs)) => {
            let f = FormState::default().with("reason", reason).errors(&req.t, &errs);
            gate_page(s, req, id, f, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(PageError(req.clone(), e)),
    }
}

async fn open(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    report_page(
        &s,
        &req,
        id,
        &d.get("reason"),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let Some(step) = ReportStep::parse(&name) else {
        return Err(PageError(req.clone(), AppError::NotFound));
    };
    let f = ReportStepForm {
        version: d.int("version"),
        police_unit: d.get("police_unit"),
        at: d.get("at"),
        outcome: d.get("outcome"),
    };
    let r = s.app.minor_step(&req.ctx, id, step, &f).await;
    changed(&s, &req, id, &d, r).await
}

async fn grant(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .minor_grant(&req.ctx, id, &d.get("user"), d.flag("revoke"))
        .await;
    changed(&s, &req, id, &d, r).await
}

/// After a step or a grant: the report again, opened for the same reason (and audited again),
/// with the form's messages if it was refused.
async fn changed(s: &AppState, req: &Req, id: Id, d: &FormData, r: Result<(), AppError>) -> PageResult {
    let (f, status) = match r {
        Ok(()) => (FormState::default(), StatusCode::OK),
        Err(e) => form_error(req, e, FormState::from_data(d))?,
    };
    report_page(s, req, id, &d.get("reason"), f, status).await
}
