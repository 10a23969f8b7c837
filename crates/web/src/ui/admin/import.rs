//! Importing reference data from CSV, all or nothing, with the failing lines named.

use askama::Template;
use axum::extract::{Multipart, State};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::import::{ImportKind, ImportOutcome};
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, ok, page};

pub fn router() -> Routes {
    let manage = Access::Staff(Action::ManageReference);
    Routes::new()
        .get("/admin/import", manage, import_form)
        .post("/admin/import", manage, import)
}

#[derive(Template)]
#[template(path = "admin/import.html")]
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
