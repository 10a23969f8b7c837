//! Attachments to a case.

use axum::Json;
use axum::extract::{Path, State};
use gongzhi_app::AppError;
use gongzhi_app::domain::Id;

use crate::AppState;
use crate::middleware::Req;

use super::{Done, ErrorBody, Res, fail};

/// Add attachments (multipart, field `attachments`; PDF, PNG, JPEG, DOCX, XLSX or text, checked by
/// content).
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "one or more files in the field `attachments`"),
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn attach(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    request: axum::extract::Request,
) -> Res<Done> {
    let mut files = Vec::new();
    let mut mp = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| fail(&req)(AppError::field("attachments", "upload-unreadable")))?;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| fail(&req)(AppError::field("attachments", "upload-unreadable")))?
    {
        if let Some(filename) = field.file_name().map(str::to_owned) {
            let data = field
                .bytes()
                .await
                .map_err(|_| fail(&req)(AppError::field("attachments", "upload-unreadable")))?;
            files.push(gongzhi_app::case::Upload {
                filename,
                data: data.to_vec(),
            });
        }
    }
    s.app
        .add_attachments(&req.ctx, id, &files)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
