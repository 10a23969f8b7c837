//! Documents: a hearing's, a suggestion's or an aid case's .docx from its page, and the
//! administrator's page of templates (download the one in use, upload a replacement, go back to
//! the built-in one).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use gongzhi_app::AppError;
use gongzhi_app::document::{DOCX_MIME, DocumentFile, TemplateInfo};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::document::DocumentKind;
use gongzhi_app::domain::policy::Action;
use http::{StatusCode, header};

use super::case::fmt_ms;
use super::{Chrome, Flash, PageResult, page, see_other};
use crate::AppState;
use crate::error::{PageError, render, urlencode};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    let manage = Access::Staff(Action::ManageReference);
    Routes::new()
        .get(
            "/cases/{id}/documents/{file}",
            Access::Staff(Action::ViewCases),
            case,
        )
        .get(
            "/hearings/{id}/documents/{file}",
            Access::Staff(Action::ViewHearings),
            hearing,
        )
        .get(
            "/suggestions/{id}/documents/{file}",
            Access::Staff(Action::ViewSuggestions),
            suggestion,
        )
        .get(
            "/aid-cases/{id}/documents/{file}",
            Access::Staff(Action::ViewAid),
            aid,
        )
        .get("/admin/documents", manage, templates)
        .get("/admin/documents/{kind}/template.docx", manage, template_file)
        .post("/admin/documents/{kind}", manage, upload)
        .post("/admin/documents/{kind}/reset", manage, reset)
}

/// `hearing_notice.docx` → the kind, if it is one of `allowed`.
pub(crate) fn kind_of(file: &str, allowed: &[DocumentKind]) -> Option<DocumentKind> {
    let kind = DocumentKind::parse(file.strip_suffix(".docx")?)?;
    allowed.contains(&kind).then_some(kind)
}

/// A .docx as a download, named in Chinese (RFC 6266 `filename*`).
pub(crate) fn docx(f: DocumentFile) -> Response {
    download(f, DOCX_MIME, "document.docx")
}

/// A generated file as a download: named in Chinese for browsers that read `filename*`, and
/// `fallback` for those that do not.
pub(crate) fn download(f: DocumentFile, mime: &str, fallback: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        urlencode(&f.filename)
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        f.bytes,
    )
        .into_response()
}

async fn generate(
    s: &AppState,
    req: &Req,
    id: Id,
    file: &str,
    allowed: &[DocumentKind],
) -> Result<Response, PageError> {
    let Some(kind) = kind_of(file, allowed) else {
        return Err(PageError(req.clone(), AppError::NotFound));
    };
    Ok(docx(page(req, s.app.document(&req.ctx, kind, id).await)?))
}

async fn case(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, PageError> {
    use DocumentKind::{AcceptanceNotice, ReplyOpinion};
    generate(&s, &req, id, &file, &[AcceptanceNotice, ReplyOpinion]).await
}

async fn hearing(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, PageError> {
    use DocumentKind::{HearingAnnouncement, HearingNotice};
    generate(&s, &req, id, &file, &[HearingNotice, HearingAnnouncement]).await
}

async fn suggestion(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, PageError> {
    generate(&s, &req, id, &file, &[DocumentKind::Suggestion]).await
}

async fn aid(
    State(s): State<AppState>,
    req: Req,
    Path((id, file)): Path<(Id, String)>,
) -> Result<Response, PageError> {
    generate(&s, &req, id, &file, &[DocumentKind::AidDecision]).await
}

struct Row {
    kind: String,
    title: String,
    uploaded: String,
    /// Each marker as written in a template, and what it is filled with.
    markers: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "admin/documents.html")]
struct TemplatesPage {
    c: Chrome,
    rows: Vec<Row>,
    /// The kind whose upload was refused, and why.
    error: (String, String),
}

async fn templates_page(
    s: &AppState,
    req: &Req,
    error: (String, String),
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let list: Vec<TemplateInfo> = page(req, s.app.document_templates(&req.ctx).await)?;
    let rows = list
        .into_iter()
        .map(|i| Row {
            kind: i.kind.code().to_owned(),
            title: i.kind.title().to_owned(),
            uploaded: i
                .uploaded
                .map(|u| {
                    format!(
                        "{} · {} · {}",
                        u.filename,
                        u.uploaded_by_name,
                        fmt_ms(u.uploaded_at)
                    )
                })
                .unwrap_or_default(),
            markers: i
                .kind
                .markers()
                .into_iter()
                .map(|(n, what)| (format!("{{{{{n}}}}}"), what))
                .collect(),
        })
        .collect();
    let p = TemplatesPage {
        c: Chrome::new(req).with_flash(ok),
        rows,
        error,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn templates(State(s): State<AppState>, req: Req, Query(q): Query<Flash>) -> PageResult {
    templates_page(&s, &req, Default::default(), StatusCode::OK, q.ok.as_deref()).await
}

async fn template_file(
    State(s): State<AppState>,
    req: Req,
    Path(kind): Path<String>,
) -> Result<Response, PageError> {
    let Some(kind) = DocumentKind::parse(&kind) else {
        return Err(PageError(req.clone(), AppError::NotFound));
    };
    Ok(docx(page(&req, s.app.document_template(&req.ctx, kind).await)?))
}

async fn upload(
    State(s): State<AppState>,
    req: Req,
    Path(kind): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    let Some(k) = DocumentKind::parse(&kind) else {
        return Err(PageError(req.clone(), AppError::NotFound));
    };
    let (mut filename, mut data) = (String::new(), Vec::new());
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            filename = field.file_name().unwrap_or_default().to_owned();
            data = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    match s
        .app
        .upload_document_template(&req.ctx, k, &filename, &data)
        .await
    {
        Ok(()) => see_other("/admin/documents?ok=document-template-uploaded"),
        Err(e @ AppError::Invalid(_)) => {
            let why = crate::error::page_message(&req.t, &e);
            templates_page(&s, &req, (kind, why), StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(PageError(req.clone(), e)),
    }
}

async fn reset(State(s): State<AppState>, req: Req, Path(kind): Path<String>) -> PageResult {
    let Some(k) = DocumentKind::parse(&kind) else {
        return Err(PageError(req.clone(), AppError::NotFound));
    };
    page(&req, s.app.reset_document_template(&req.ctx, k).await)?;
    see_other("/admin/documents?ok=document-template-reset")
}
