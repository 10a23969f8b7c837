//! Documents: the .docx of a hearing, a suggestion or an aid case, and the templates behind them.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use gongzhi_app::AppError;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::document::DocumentKind;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Req;
use crate::ui::document::{docx, kind_of};

use super::{Done, ErrorBody, Res, fail};

async fn generate(
    s: &AppState,
    req: &Req,
    id: Id,
    file: &str,
    allowed: &[DocumentKind],
) -> Result<Response, ApiError> {
    let kind = kind_of(file, allowed).ok_or_else(|| fail(req)(AppError::NotFound))?;
    let f = s.app.document(&req.ctx, kind, id).await.map_err(fail(req))?;
    Ok(docx(f))
}

/// `acceptance_notice.docx` (受理告知书) or `reply_opinion.docx` (答复意见书), once the case's
/// procedural or result reply is recorded.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents/{file}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "the document"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn case(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, ApiError> {
    use DocumentKind::{AcceptanceNotice, ReplyOpinion};
    generate(&s, &req, id, &file, &[AcceptanceNotice, ReplyOpinion]).await
}

/// `hearing_notice.docx` (听证通知书) or `hearing_announcement.docx` (听证公告, public hearings only).
#[utoipa::path(get, path = "/api/v1/hearings/{id}/documents/{file}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "the document"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hearing(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, ApiError> {
    use DocumentKind::{HearingAnnouncement, HearingNotice};
    generate(&s, &req, id, &file, &[HearingNotice, HearingAnnouncement]).await
}

/// `suggestion.docx` (检察建议书), once decided and numbered.
#[utoipa::path(get, path = "/api/v1/suggestions/{id}/documents/{file}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "the document"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suggestion(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, ApiError> {
    generate(&s, &req, id, &file, &[DocumentKind::Suggestion]).await
}

/// `aid_decision.docx` (司法救助决定书), once decided and numbered.
#[utoipa::path(get, path = "/api/v1/aid-cases/{id}/documents/{file}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "the document"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn aid(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, ApiError> {
    generate(&s, &req, id, &file, &[DocumentKind::AidDecision]).await
}

#[derive(Serialize, ToSchema)]
pub struct TemplateJson {
    pub kind: DocumentKind,
    pub title: String,
    /// An uploaded template is in use (else the built-in GB/T 9704 one).
    pub uploaded: bool,
    pub filename: Option<String>,
    pub uploaded_by: Option<String>,
    pub markers: Vec<String>,
}

/// Each kind's template and the markers it may use.
#[utoipa::path(get, path = "/api/v1/document-templates", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateJson>), (status = 403, body = ErrorBody)))]
pub async fn templates(State(s): State<AppState>, req: Req) -> Res<Vec<TemplateJson>> {
    let list = s.app.document_templates(&req.ctx).await.map_err(fail(&req))?;
    Ok(Json(
        list.into_iter()
            .map(|t| TemplateJson {
                kind: t.kind,
                title: t.kind.title().to_owned(),
                uploaded: t.uploaded.is_some(),
                filename: t.uploaded.as_ref().map(|u| u.filename.clone()),
                uploaded_by: t.uploaded.map(|u| u.uploaded_by_name),
                markers: t.kind.markers().iter().map(|(n, _)| (*n).to_owned()).collect(),
            })
            .collect(),
    ))
}

fn parse_kind(req: &Req, kind: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse(kind).ok_or_else(|| fail(req)(AppError::NotFound))
}

/// The template in use for a kind, unfilled.
#[utoipa::path(get, path = "/api/v1/document-templates/{kind}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "the template"),
        (status = 404, body = ErrorBody)))]
pub async fn template(
    State(s): State<AppState>,
    req: Req,
    Path(kind): Path<String>,
) -> Result<Response, ApiError> {
    let kind = parse_kind(&req, &kind)?;
    let f = s
        .app
        .document_template(&req.ctx, kind)
        .await
        .map_err(fail(&req))?;
    Ok(docx(f))
}

/// Replace a kind's template (multipart, field `file`: a .docx using only the kind's markers).
#[utoipa::path(put, path = "/api/v1/document-templates/{kind}", tag = "documents", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "the .docx in the field `file`"),
    responses((status = 200, body = Done), (status = 422, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    req: Req,
    Path(kind): Path<String>,
    request: axum::extract::Request,
) -> Res<Done> {
    let kind = parse_kind(&req, &kind)?;
    let unreadable = || fail(&req)(AppError::field("file", "upload-unreadable"));
    let mut mp = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| unreadable())?;
    let (mut filename, mut data) = (String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            filename = field.file_name().unwrap_or_default().to_owned();
            data = field.bytes().await.map_err(|_| unreadable())?.to_vec();
        }
    }
    s.app
        .upload_document_template(&req.ctx, kind, &filename, &data)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}

/// Go back to a kind's built-in template.
#[utoipa::path(delete, path = "/api/v1/document-templates/{kind}", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 404, body = ErrorBody)))]
pub async fn reset(State(s): State<AppState>, req: Req, Path(kind): Path<String>) -> Res<Done> {
    let kind = parse_kind(&req, &kind)?;
    s.app
        .reset_document_template(&req.ctx, kind)
        .await
        .map_err(fail(&req))?;
    Ok(Json(Done { ok: true }))
}
