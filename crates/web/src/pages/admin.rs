//! Reference data pages: org tree, agencies, categories, the calendar, CSV import, the permission
//! matrix and the audit trail.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use chrono::Datelike;
use gongzhi_app::admin::{Agency, AgencyFilter, CalendarDay, Category, OrgUnit};
use gongzhi_app::admin::{AgencyForm, CategoryForm};
use gongzhi_app::audit::{EventFilter, EventRow};
use gongzhi_app::domain::audit::Outcome;
use gongzhi_app::domain::org::AgencyKind;
use gongzhi_app::domain::policy::{Action, Role};
use gongzhi_app::domain::{Id, time};
use gongzhi_app::import::{ImportKind, ImportOutcome};
use http::StatusCode;

use super::{Chrome, Flash, PageResult, form_error, ok, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    use Action::{ManageReference, ViewAudit, ViewPermissions, ViewReference};
    let view = Access::Staff(ViewReference);
    let manage = Access::Staff(ManageReference);
    Routes::new()
        .get("/admin/org", view, org_root)
        .post("/admin/org", manage, org_create)
        .get("/admin/org/{unit}", view, org_unit)
        .post("/admin/org/{unit}", manage, org_update)
        .get("/admin/agencies", view, agencies)
        .post("/admin/agencies", manage, agency_create)
        .get("/admin/agencies/{agency}", view, agency)
        .post("/admin/agencies/{agency}", manage, agency_update)
        .get("/admin/categories", view, categories)
        .post("/admin/categories", manage, category_save)
        .get("/admin/calendar", view, calendar)
        .post("/admin/calendar", manage, calendar_set)
        .post("/admin/calendar/delete", manage, calendar_delete)
        .get("/admin/import", manage, import_form)
        .post("/admin/import", manage, import)
        .get("/admin/permissions", Access::Staff(ViewPermissions), permissions)
        .get("/admin/audit", Access::Staff(ViewAudit), audit)
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    c: Chrome,
    unit: Option<OrgUnit>,
    path: Vec<OrgUnit>,
    children: Vec<OrgUnit>,
    /// Children not shown (past the cap).
    more_children: i64,
    f: FormState,
    edit: FormState,
}

async fn org_view(
    s: &AppState,
    req: &Req,
    unit: Option<Id>,
    f: FormState,
    edit: Option<FormState>,
    status: StatusCode,
) -> PageResult {
    let (u, path) = match unit {
        Some(id) => {
            let (u, path) = page(req, s.app.org_unit(&req.ctx, id).await)?;
            (Some(u), path)
        }
        None => (None, Vec::new()),
    };
    let children = page(req, s.app.org_children(&req.ctx, unit, ORG_CHILDREN_SHOWN).await)?;
    let edit = edit.unwrap_or_else(|| match &u {
        Some(u) => FormState::default()
            .with("name", &u.name)
            .with("version", u.version)
            .with_all("active", if u.active { vec!["on".into()] } else { vec![] }),
        None => FormState::default(),
    });
    let p = OrgPage {
        c: Chrome::new(req),
        unit: u,
        path,
        more_children: children.total - i64::try_from(children.items.len()).unwrap_or(0),
        children: children.items,
        f,
        edit,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn org_root(State(s): State<AppState>, req: Req) -> PageResult {
    org_view(&s, &req, None, FormState::default(), None, StatusCode::OK).await
}

async fn org_unit(State(s): State<AppState>, req: Req, Path(unit): Path<Id>) -> PageResult {
    org_view(&s, &req, Some(unit), FormState::default(), None, StatusCode::OK).await
}

async fn org_create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let parent = d.get("parent").parse::<Id>().ok();
    match s
        .app
        .create_org_unit(&req.ctx, &d.get("code"), &d.get("name"))
        .await
    {
        Ok(u) => see_other(&format!(
            "/admin/org/{}?ok=saved",
            u.parent_id.map(|p| p.to_string()).unwrap_or_default()
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            org_view(&s, &req, parent, f, None, status).await
        }
    }
}

async fn org_update(State(s): State<AppState>, req: Req, Path(unit): Path<Id>, d: FormData) -> PageResult {
    match s
        .app
        .update_org_unit(&req.ctx, unit, &d.get("name"), d.flag("active"), d.int("version"))
        .await
    {
        Ok(()) => see_other(&format!("/admin/org/{unit}?ok=saved")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            org_view(&s, &req, Some(unit), FormState::default(), Some(f), status).await
        }
    }
}

pub struct KindOption {
    pub code: &'static str,
    pub label: String,
}

fn kinds(c: &Chrome) -> Vec<KindOption> {
    AgencyKind::ALL
        .iter()
        .map(|k| KindOption {
            code: k.code(),
            label: c.t.code("agency-kind", k.code()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    c: Chrome,
    list: Vec<Agency>,
    total: i64,
    page: i64,
    pages: i64,
    /// The filter as a query string, for the page links.
    query: String,
    kinds: Vec<KindOption>,
    filter: FormState,
    f: FormState,
}

#[derive(serde::Deserialize, Default)]
struct AgencyQuery {
    kind: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    ok: Option<String>,
}

/// Agencies per page of the list.
const AGENCIES_PER_PAGE: i64 = 100;
/// Children shown of a unit (a township's villages, a village's grids); more are refused by the
/// import limits long before this.
const ORG_CHILDREN_SHOWN: gongzhi_app::Page = gongzhi_app::Page::first(500);

async fn agencies_view(
    s: &AppState,
    req: &Req,
    q: AgencyQuery,
    f: FormState,
    status: StatusCode,
) -> PageResult {
    let filter = AgencyFilter {
        kind: q.kind.as_deref().and_then(AgencyKind::parse),
        text: q.q.clone(),
    };
    let pageno = q.page.unwrap_or(1).max(1);
    let list = page(
        req,
        s.app
            .agencies(
                &req.ctx,
                &filter,
                gongzhi_app::Page::nth(pageno, AGENCIES_PER_PAGE),
            )
            .await,
    )?;
    let c = Chrome::new(req).with_flash(q.ok.as_deref());
    let query = serde_urlencoded::to_string([
        ("kind", q.kind.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let filter = FormState::default()
        .with("kind", q.kind.unwrap_or_default())
        .with("q", q.q.unwrap_or_default());
    let p = AgenciesPage {
        kinds: kinds(&c),
        c,
        total: list.total,
        pages: (list.total + AGENCIES_PER_PAGE - 1) / AGENCIES_PER_PAGE,
        page: pageno,
        query,
        list: list.items,
        filter,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn agencies(State(s): State<AppState>, req: Req, Query(q): Query<AgencyQuery>) -> PageResult {
    agencies_view(&s, &req, q, FormState::default(), StatusCode::OK).await
}

fn agency_form(d: &FormData) -> AgencyForm {
    AgencyForm {
        code: d.get("code"),
        name: d.get("name"),
        short_name: d.get("short_name"),
        kind: d.get("kind"),
        org_unit_code: d.get("org_unit_code"),
        phone: d.get("phone"),
        address: d.get("address"),
        active: d.flag("active"),
        version: d.int("version"),
    }
}

async fn agency_create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s.app.create_agency(&req.ctx, &agency_form(&d)).await {
        Ok(a) => see_other(&format!("/admin/agencies/{}?ok=saved", a.id)),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            agencies_view(&s, &req, AgencyQuery::default(), f, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    c: Chrome,
    agency: Agency,
    kinds: Vec<KindOption>,
    f: FormState,
}

async fn agency_view(
    s: &AppState,
    req: &Req,
    id: Id,
    f: Option<FormState>,
    ok_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let (a, unit) = page(req, s.app.agency(&req.ctx, id).await)?;
    let f = f.unwrap_or_else(|| {
        FormState::default()
            .with("name", &a.name)
            .with("short_name", &a.short_name)
            .with("kind", a.kind.code())
            .with("org_unit_code", unit.map(|u| u.code).unwrap_or_default())
            .with("phone", &a.phone)
            .with("address", &a.address)
            .with("version", a.version)
            .with_all("active", if a.active { vec!["on".into()] } else { vec![] })
    });
    let c = Chrome::new(req).with_flash(ok_key);
    let p = AgencyPage {
        kinds: kinds(&c),
        c,
        agency: a,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn agency(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(flash): Query<Flash>,
) -> PageResult {
    agency_view(&s, &req, id, None, flash.ok.as_deref(), StatusCode::OK).await
}

async fn agency_update(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    match s.app.update_agency(&req.ctx, id, &agency_form(&d)).await {
        Ok(_) => see_other(&format!("/admin/agencies/{id}?ok=saved")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            agency_view(&s, &req, id, Some(f), None, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "categories.html")]
struct CategoriesPage {
    c: Chrome,
    list: Vec<Category>,
    f: FormState,
}

async fn categories_view(
    s: &AppState,
    req: &Req,
    f: FormState,
    ok_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let list = page(req, s.app.categories(&req.ctx).await)?;
    let p = CategoriesPage {
        c: Chrome::new(req).with_flash(ok_key),
        list,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn categories(State(s): State<AppState>, req: Req, Query(flash): Query<Flash>) -> PageResult {
    categories_view(
        &s,
        &req,
        FormState::default(),
        flash.ok.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn category_save(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let creating = d.get("mode") != "update";
    let form = CategoryForm {
        code: d.get("code"),
        name: d.get("name"),
        name_en: d.get("name_en"),
        sort_order: d.get("sort_order"),
        active: d.flag("active"),
        version: d.int("version"),
    };
    match s.app.save_category(&req.ctx, &form, creating).await {
        Ok(()) => see_other("/admin/categories?ok=saved"),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            categories_view(&s, &req, f, None, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Chrome,
    year: i32,
    days: Vec<CalendarDay>,
    f: FormState,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
    ok: Option<String>,
}

async fn calendar_view(
    s: &AppState,
    req: &Req,
    year: Option<i32>,
    f: FormState,
    ok_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| time::local_date(chrono::Utc::now()).year());
    let days = page(req, s.app.calendar_year(&req.ctx, year).await)?;
    let p = CalendarPage {
        c: Chrome::new(req).with_flash(ok_key),
        year,
        days,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn calendar(State(s): State<AppState>, req: Req, Query(q): Query<YearQuery>) -> PageResult {
    calendar_view(
        &s,
        &req,
        q.year,
        FormState::default(),
        q.ok.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn calendar_set(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s
        .app
        .set_calendar_day(&req.ctx, &d.get("day"), &d.get("kind"), &d.get("name"))
        .await
    {
        Ok(()) => see_other(&format!(
            "/admin/calendar?year={}&ok=saved",
            d.get("day").get(0..4).unwrap_or("")
        )),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            let year = d.get("day").get(0..4).and_then(|y| y.parse().ok());
            calendar_view(&s, &req, year, f, None, status).await
        }
    }
}

async fn calendar_delete(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    page(&req, s.app.delete_calendar_day(&req.ctx, &d.get("day")).await)?;
    see_other(&format!(
        "/admin/calendar?year={}&ok=deleted",
        d.get("day").get(0..4).unwrap_or("")
    ))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    kind: String,
    result: String,
    /// Each error with its line, ready to show.
    errors: Vec<String>,
}

async fn import_form(State(s): State<AppState>, req: Req) -> PageResult {
    page(&req, s.app.authorize(&req.ctx, Action::ManageReference).await)?;
    ok(
        &req,
        &ImportPage {
            c: Chrome::new(&req),
            kind: String::new(),
            result: String::new(),
            errors: Vec::new(),
        },
    )
}

async fn import(State(s): State<AppState>, req: Req, mut multipart: Multipart) -> PageResult {
    let (mut kind, mut data) = (String::new(), Vec::new());
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("kind") => kind = field.text().await.unwrap_or_default(),
            Some("file") => data = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    let mut p = ImportPage {
        c: Chrome::new(&req),
        kind: kind.clone(),
        result: String::new(),
        errors: Vec::new(),
    };
    let Some(k) = ImportKind::parse(&kind) else {
        p.errors.push(req.t.t("import-kind-invalid"));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p, req.ctx.request_id()));
    };
    match page(&req, s.app.import_csv(&req.ctx, k, &data).await)? {
        ImportOutcome::Imported { created, updated } => {
            p.result = req.t.ta(
                "import-done",
                &[("created", created.to_string()), ("updated", updated.to_string())],
            );
            ok(&req, &p)
        }
        ImportOutcome::Rejected(rows) => {
            for r in rows {
                for e in r.errors {
                    let args: Vec<(&str, String)> =
                        e.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                    let line = r.line.to_string();
                    // A cell is named by its line and its column as the header line spells it.
                    let at = if k.header().contains(&e.field.as_str()) {
                        req.t
                            .ta("import-cell", &[("line", line), ("column", e.field.clone())])
                    } else {
                        req.t.ta("import-line", &[("line", line)])
                    };
                    p.errors.push(format!("{at}：{}", req.t.ta(&e.key, &args)));
                }
            }
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p, req.ctx.request_id()))
        }
    }
}

#[derive(Template)]
#[template(path = "permissions.html")]
struct PermissionsPage {
    c: Chrome,
    roles: Vec<(Role, String)>,
    rows: Vec<(String, Vec<bool>)>,
}

async fn permissions(State(s): State<AppState>, req: Req) -> PageResult {
    page(&req, s.app.authorize(&req.ctx, Action::ViewPermissions).await)?;
    let c = Chrome::new(&req);
    let roles: Vec<(Role, String)> = Role::ALL
        .iter()
        .map(|r| (*r, c.t.code("role", r.code())))
        .collect();
    let rows = Action::ALL
        .iter()
        .map(|a| {
            (
                c.t.code("action", a.code()),
                Role::ALL.iter().map(|r| r.allows(*a)).collect(),
            )
        })
        .collect();
    ok(&req, &PermissionsPage { c, roles, rows })
}

/// Who acted, as the trail shows it: the user's name; a partner system or the system by kind and
/// name; the public by kind. Events sealed before principals were recorded show the name alone.
fn actor_label(t: &crate::i18n::T, principal: &str, name: &str) -> String {
    match (principal, name) {
        ("" | "user", n) => n.to_owned(),
        (p, "") => t.code("principal", p),
        (p, n) => format!("{}：{n}", t.code("principal", p)),
    }
}

pub struct AuditRow {
    pub seq: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub changes: String,
    pub ip: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<AuditRow>,
    total: i64,
    f: FormState,
    prev: String,
    next: String,
}

#[derive(serde::Deserialize, Default)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    target: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<i64>,
}

const AUDIT_PAGE: i64 = 50;

/// `修改用户（user.update）`: the name for people, the code for searching.
fn action_label(t: &crate::i18n::T, action: &str) -> String {
    match action.strip_prefix("denied.") {
        Some(what) => format!("{}：{}", t.t("act-denied"), t.code("action", what)),
        None => match t.code_or_raw("act", action) {
            name if name == action => name,
            name => format!("{name}（{action}）"),
        },
    }
}

/// `{"name":{"from":"甲","to":"乙"}}` as `name：甲 → 乙`, one field per line.
fn changes_text(json: &str) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_owned();
    };
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    fields
        .iter()
        .map(|(k, v)| {
            let (from, to) = (show(&v["from"]), show(&v["to"]));
            if from.is_empty() {
                format!("{k}：{to}")
            } else {
                format!("{k}：{from} → {to}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn audit(State(s): State<AppState>, req: Req, Query(q): Query<AuditQuery>) -> PageResult {
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let pg = q.page.unwrap_or(0).max(0);
    let filter = EventFilter {
        actor: q.actor.clone(),
        action: q.action.clone(),
        outcome: q.outcome.as_deref().and_then(Outcome::parse),
        target: q.target.clone(),
        from: date(&q.from).map(time::start_of_local_day),
        until: date(&q.until)
            .and_then(|d| d.succ_opt())
            .map(time::start_of_local_day),
        offset: pg * AUDIT_PAGE,
        limit: AUDIT_PAGE,
    };
    let (events, total): (Vec<EventRow>, i64) = page(&req, s.app.audit_events(&req.ctx, &filter).await)?;
    let rows = events
        .into_iter()
        .map(|e| AuditRow {
            seq: e
                .seq
                .map(|s| s.to_string())
                .unwrap_or_else(|| req.t.t("audit-unsealed")),
            at: time::format_local_seconds(time::from_millis(e.occurred_at)),
            actor: actor_label(&req.t, &e.principal, &e.actor_name),
            action: action_label(&req.t, &e.action),
            target: format!("{} {}", req.t.code_or_raw("target", &e.target_type), e.target_id),
            outcome: req.t.code("outcome", &e.outcome),
            outcome_class: match e.outcome.as_str() {
                "success" => "text-bg-success",
                "denied" => "text-bg-danger",
                _ => "text-bg-warning",
            },
            changes: changes_text(&e.changes),
            ip: e.ip.clone(),
            request_id: e.request_id.clone(),
        })
        .collect();
    let f = FormState::default()
        .with("actor", q.actor.clone().unwrap_or_default())
        .with("action", q.action.clone().unwrap_or_default())
        .with("outcome", q.outcome.clone().unwrap_or_default())
        .with("target", q.target.clone().unwrap_or_default())
        .with("from", q.from.clone().unwrap_or_default())
        .with("until", q.until.clone().unwrap_or_default());
    let link = |p: i64| {
        let params = [
            ("actor", q.actor.clone().unwrap_or_default()),
            ("action", q.action.clone().unwrap_or_default()),
            ("outcome", q.outcome.clone().unwrap_or_default()),
            ("target", q.target.clone().unwrap_or_default()),
            ("from", q.from.clone().unwrap_or_default()),
            ("until", q.until.clone().unwrap_or_default()),
            ("page", p.to_string()),
        ];
        format!(
            "/admin/audit?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    };
    let prev = if pg > 0 { link(pg - 1) } else { String::new() };
    let next = if (pg + 1) * AUDIT_PAGE < total {
        link(pg + 1)
    } else {
        String::new()
    };
    ok(
        &req,
        &AuditPage {
            c: Chrome::new(&req),
            rows,
            total,
            f,
            prev,
            next,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, T};

    #[test]
    fn audit_rows_read_as_chinese() {
        let t = T::new(Lang::Zh);
        assert_eq!(action_label(&t, "user.create"), "新增用户（user.create）");
        assert_eq!(action_label(&t, "denied.view_audit"), "越权访问：查看审计日志");
        assert_eq!(action_label(&t, "something.new"), "something.new");
        assert_eq!(
            changes_text(
                r#"{"display_name":{"from":"甲","to":"乙"},"roles":{"from":null,"to":"prosecutor"}}"#
            ),
            "display_name：甲 → 乙\nroles：prosecutor"
        );
        assert_eq!(changes_text("{}"), "");
        assert_eq!(actor_label(&t, "public", ""), "公众");
        assert_eq!(actor_label(&t, "partner", "12345 热线"), "合作系统：12345 热线");
        assert_eq!(actor_label(&t, "user", "张三"), "张三");
    }
}
