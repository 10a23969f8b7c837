//! Adding attachments to a case and downloading one.

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use http::header;

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::case::{after, read_multipart};
use crate::ui::{PageResult, page};

pub fn router() -> Routes {
    Routes::new()
        .post(
            "/cases/{id}/attachments",
            Access::Staff(Action::HandleCase),
            attach,
        )
        .get(
            "/cases/{id}/attachments/{att}",
            Access::Staff(Action::ViewCases),
            download,
        )
}

async fn attach(State(s): State<AppState>, req: Req, Path(id): Path<Id>, request: Request) -> PageResult {
    let (d, files) = read_multipart(&req, request).await?;
    let r = s.app.add_attachments(&req.ctx, id, &files).await;
    after(&s, &req, id, "attachments", &d, r, "saved").await
}

async fn download(
    State(s): State<AppState>,
    req: Req,
    Path((id, att)): Path<(Id, Id)>,
) -> Result<Response, PageError> {
    let (meta, data) = page(&req, s.app.attachment(&req.ctx, id, att).await)?;
    let disposition = format!(
        "attachment; filename=\"attachment\"; filename*=UTF-8''{}",
        crate::error::urlencode(&meta.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        data,
    )
        .into_response())
}
