//! Accounts: the list, creation with business roles, editing, and the security administrator's acts.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::AppError;
use gongzhi_app::admin::Agency;
use gongzhi_app::domain::policy::Role;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::users::UserForm;
use gongzhi_app::users::{User, UserFilter};
use http::StatusCode;

use super::{Chrome, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::{PageError, render};
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use gongzhi_app::domain::policy::Action;

pub fn router() -> Routes {
    use Action::{ManageUserSecurity, ManageUsers, ViewUsers};
    let security = Access::Staff(ManageUserSecurity);
    Routes::new()
        .get("/admin/users", Access::Staff(ViewUsers), users)
        .post("/admin/users", Access::Staff(ManageUsers), create)
        .get("/admin/users/{user}", Access::Staff(ViewUsers), user)
        .post(
            "/admin/users/{user}",
            Access::Either(ManageUsers, ManageUserSecurity),
            update,
        )
        .post("/admin/users/{user}/unlock", security, unlock)
        .post("/admin/users/{user}/reset-password", security, reset_password)
        .post("/admin/users/{user}/reset-totp", security, reset_totp)
        .post("/admin/users/{user}/revoke-sessions", security, revoke)
}

pub struct RoleOption {
    pub code: &'static str,
    pub label: String,
    pub admin: bool,
}

fn role_options(c: &Chrome) -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            code: r.code(),
            label: c.t.code("role", r.code()),
            admin: r.is_admin(),
        })
        .collect()
}

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub agency: String,
    pub roles: String,
    pub active: bool,
    pub demo: bool,
    pub last_login: String,
}

fn row(c: &Chrome, u: &User) -> UserRow {
    UserRow {
        id: u.id.to_string(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        agency: u.agency_name.clone(),
        roles: u
            .roles
            .iter()
            .map(|r| c.t.code("role", r.code()))
            .collect::<Vec<_>>()
            .join("、"),
        active: u.active,
        demo: u.demo,
        last_login: u.last_login_at.map(time::format_local).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<UserRow>,
    total: i64,
    agencies: Vec<Agency>,
    roles: Vec<RoleOption>,
    filter: FormState,
    f: FormState,
    created: String,
}

#[derive(serde::Deserialize, Default)]
struct UsersQuery {
    q: Option<String>,
    agency: Option<String>,
    role: Option<String>,
}

async fn users_view(
    s: &AppState,
    req: &Req,
    q: UsersQuery,
    f: FormState,
    created: String,
    status: StatusCode,
) -> PageResult {
    let filter = UserFilter {
        text: q.q.clone(),
        agency_id: q.agency.as_deref().and_then(|a| a.parse().ok()),
        role: q.role.as_deref().and_then(Role::parse),
        offset: 0,
        limit: 200,
    };
    let (list, total) = page(req, s.app.users(&req.ctx, &filter).await)?;
    let agencies = page(req, s.app.agency_choices(&req.ctx).await)?;
    let c = Chrome::new(req);
    let rows = list.iter().map(|u| row(&c, u)).collect();
    let filter = FormState::default()
        .with("q", q.q.unwrap_or_default())
        .with("agency", q.agency.unwrap_or_default())
        .with("role", q.role.unwrap_or_default());
    let p = UsersPage {
        roles: role_options(&c),
        c,
        rows,
        total,
        agencies,
        filter,
        f,
        created,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn users(State(s): State<AppState>, req: Req, Query(q): Query<UsersQuery>) -> PageResult {
    users_view(&s, &req, q, FormState::default(), String::new(), StatusCode::OK).await
}

fn user_form(d: &FormData) -> UserForm {
    UserForm {
        username: d.get("username"),
        display_name: d.get("display_name"),
        agency_id: d.get("agency_id"),
        roles: d.all("roles"),
        password: d.get("password"),
        active: d.flag("active"),
        version: d.int("version"),
    }
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s.app.create_user(&req.ctx, &user_form(&d)).await {
        Ok((u, password)) => {
            let msg = req.t.ta(
                "user-created",
                &[("username", u.username.clone()), ("password", password)],
            );
            users_view(
                &s,
                &req,
                UsersQuery::default(),
                FormState::default(),
                msg,
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            users_view(&s, &req, UsersQuery::default(), f, String::new(), status).await
        }
    }
}

#[derive(Template)]
#[template(path = "users/user.html")]
struct UserPage {
    c: Chrome,
    user: UserRow,
    agencies: Vec<Agency>,
    roles: Vec<RoleOption>,
    f: FormState,
    locked_until: String,
    totp_enabled: bool,
    notice: String,
}

async fn user_view(
    s: &AppState,
    req: &Req,
    id: Id,
    f: Option<FormState>,
    notice: String,
    status: StatusCode,
) -> PageResult {
    let u = page(req, s.app.user(&req.ctx, id).await)?;
    let agencies = page(req, s.app.agency_choices(&req.ctx).await)?;
    let locked_until = page(req, s.app.locked_until(&req.ctx, &u.username).await)?
        .map(time::format_local)
        .unwrap_or_default();
    let f = f.unwrap_or_else(|| {
        FormState::default()
            .with("display_name", &u.display_name)
            .with("agency_id", u.agency_id)
            .with("version", u.version)
            .with_all("roles", u.roles.iter().map(|r| r.code().to_owned()).collect())
            .with_all("active", if u.active { vec!["on".into()] } else { vec![] })
    });
    let c = Chrome::new(req);
    let notice = if notice.is_empty() { String::new() } else { notice };
    let p = UserPage {
        user: row(&c, &u),
        roles: role_options(&c),
        c,
        agencies,
        f,
        locked_until,
        totp_enabled: u.totp_enabled,
        notice,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
struct Ok_ {
    ok: Option<String>,
}

async fn user(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Ok_>) -> PageResult {
    let notice =
        q.ok.map(|k| format!("flash-{k}"))
            .filter(|k| req.t.has(k))
            .map(|k| req.t.t(&k))
            .unwrap_or_default();
    user_view(&s, &req, id, None, notice, StatusCode::OK).await
}

async fn update(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    match s.app.update_user(&req.ctx, id, &user_form(&d)).await {
        Ok(_) => see_other(&format!("/admin/users/{id}?ok=saved")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            user_view(&s, &req, id, Some(f), String::new(), status).await
        }
    }
}

async fn unlock(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.unlock_user(&req.ctx, id).await)?;
    see_other(&format!("/admin/users/{id}?ok=unlocked"))
}

/// A refusal with a reason, shown on the user's page.
async fn refused(s: &AppState, req: &Req, id: Id, errs: &[gongzhi_app::FieldError]) -> PageResult {
    let notice = errs.first().map(|e| req.t.t(&e.key)).unwrap_or_default();
    user_view(s, req, id, None, notice, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn reset_password(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    match s.app.reset_password(&req.ctx, id, None).await {
        Ok(password) => {
            let notice = req.t.ta("user-password-reset", &[("password", password)]);
            user_view(&s, &req, id, None, notice, StatusCode::OK).await
        }
        Err(AppError::Invalid(errs)) => refused(&s, &req, id, &errs).await,
        Err(e) => Err(PageError(req, e)),
    }
}

async fn reset_totp(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    match s.app.reset_totp(&req.ctx, id).await {
        Ok(()) => see_other(&format!("/admin/users/{id}?ok=totp-reset")),
        Err(AppError::Invalid(errs)) => refused(&s, &req, id, &errs).await,
        Err(e) => Err(PageError(req, e)),
    }
}

async fn revoke(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.revoke_sessions(&req.ctx, id).await)?;
    see_other(&format!("/admin/users/{id}?ok=sessions-revoked"))
}
