//! Lockouts for the security administrator: which accounts, addresses and tracking codes are
//! locked after failed secrets, until when, and lifting one.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::time;

use super::{Chrome, Flash, PageResult, ok, page, see_other};
use crate::AppState;
use crate::form::FormData;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let security = Access::Staff(Action::ManageUserSecurity);
    Routes::new()
        .get("/admin/lockouts", security, lockouts)
        .post("/admin/lockouts/lift", security, lift)
}

pub struct LockoutRow {
    pub bucket: String,
    pub kind: String,
    pub subject: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "lockout/lockouts.html")]
struct LockoutsPage {
    c: Chrome,
    rows: Vec<LockoutRow>,
}

async fn lockouts(State(s): State<AppState>, req: Req, Query(flash): Query<Flash>) -> PageResult {
    let list = page(&req, s.app.lockouts(&req.ctx).await)?;
    let c = Chrome::new(&req).with_flash(flash.ok.as_deref());
    let rows = list
        .into_iter()
        .map(|l| LockoutRow {
            kind: c.t.code_or_raw("lockout", &l.kind),
            subject: l.subject,
            until: time::format_local(l.until),
            bucket: l.bucket,
        })
        .collect();
    ok(&req, &LockoutsPage { c, rows })
}

async fn lift(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    if page(&req, s.app.lift_lockout(&req.ctx, &d.get("bucket")).await)? {
        see_other("/admin/lockouts?ok=lockout-lifted")
    } else {
        see_other("/admin/lockouts?ok=lockout-gone")
    }
}
