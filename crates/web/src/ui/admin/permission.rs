//! The permission matrix, role by action, as the policy grants it.

use askama::Template;
use axum::extract::State;
use gongzhi_app::domain::policy::{Action, Role};

use crate::AppState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, ok, page};

pub fn router() -> Routes {
    Routes::new().get(
        "/admin/permissions",
        Access::Staff(Action::ViewPermissions),
        permissions,
    )
}

#[derive(Template)]
#[template(path = "admin/permissions.html")]
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
