//! Dispute categories.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::admin::Category;
use gongzhi_app::admin::CategoryForm;
use gongzhi_app::domain::policy::Action;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, Flash, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    Routes::new()
        .get(
            "/admin/categories",
            Access::Staff(Action::ViewReference),
            categories,
        )
        .post(
            "/admin/categories",
            Access::Staff(Action::ManageReference),
            category_save,
        )
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
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
