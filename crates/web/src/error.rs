//! One error type for handlers: HTML pages for the UI, `{"code","message","fields"}` for the API.

use askama::Template;
use axum::Json;
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongzhi_app::AppError;
use http::StatusCode;
use serde_json::json;

use crate::i18n::{Lang, T};
use crate::middleware::Req;
use crate::ui::Chrome;

pub fn json_error(
    status: StatusCode,
    code: &str,
    message: &str,
    fields: Option<serde_json::Value>,
) -> Response {
    let mut body = json!({ "code": code, "message": message });
    if let Some(f) = fields {
        body["fields"] = f;
    }
    (status, Json(body)).into_response()
}

pub fn internal(api: bool, request_id: &str) -> Response {
    let t = T::new(Lang::Zh);
    let msg = t.ta("error-internal", &[("id", request_id.to_owned())]);
    if api {
        json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", &msg, None)
    } else {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(format!(
                "<!doctype html><meta charset=utf-8><title>500</title><p>{msg}</p>"
            )),
        )
            .into_response()
    }
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated
        | AppError::LoginFailed
        | AppError::SecondFactorRequired
        | AppError::SecondFactorFailed => StatusCode::UNAUTHORIZED,
        AppError::Forbidden
        | AppError::NotOwner
        | AppError::PasswordChangeRequired
        | AppError::SecondFactorEnrolmentRequired => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) | AppError::Transition(_) => StatusCode::CONFLICT,
        AppError::Locked(_) | AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The Chinese message of an error.
pub fn message(t: &T, e: &AppError) -> String {
    match e {
        AppError::Locked(until) => t.ta(
            "login-locked",
            &[("until", gongzhi_app::domain::time::format_local(*until))],
        ),
        AppError::Transition(te) => transition_message(t, te),
        other => t.t(&format!("error-{}", other.code().replace('_', "-"))),
    }
}

/// An error page's message: a refusal names what was wrong, field by field, as no form shows it
/// (a document link, an upload).
pub fn page_message(t: &T, e: &AppError) -> String {
    match e {
        AppError::Invalid(errs) if !errs.is_empty() => errs
            .iter()
            .map(|e| {
                let args: Vec<(&str, String)> = e.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                t.ta(&e.key, &args)
            })
            .collect::<Vec<_>>()
            .join("；"),
        other => message(t, other),
    }
}

/// Why a workflow command was refused, in words: the state and the command by name.
pub fn transition_message(t: &T, e: &gongzhi_app::domain::workflow::TransitionError) -> String {
    use gongzhi_app::domain::workflow::TransitionError;
    match e {
        TransitionError::NotAllowed { from, command } => t.ta(
            e.key(),
            &[
                ("from", t.code("status", from.code())),
                ("command", t.code("command", command.code())),
            ],
        ),
        other => t.t(other.key()),
    }
}

/// Where an answer goes: the JSON API, the Open311 interface, or people's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Api,
    Open311,
    Page,
    /// Health and metrics probes answer in plain text, for machines.
    Probe,
}

impl Surface {
    pub fn of(path: &str) -> Self {
        if path.starts_with("/api/") {
            Surface::Api
        } else if path.starts_with("/open311/") {
            Surface::Open311
        } else if matches!(path, "/healthz" | "/readyz" | "/metrics") {
            Surface::Probe
        } else {
            Surface::Page
        }
    }
}

/// The stable code of an HTTP status that no use case produced (a body too large, a malformed
/// path, a method the route does not have).
pub fn status_code_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        409 => "conflict",
        413 => "too_large",
        415 => "unsupported_media_type",
        422 => "invalid",
        429 => "rate_limited",
        503 => "unavailable",
        _ => "internal",
    }
}

/// An error in the shape its surface speaks: `{"code","message","fields"}` on the API, the
/// GeoReport array on Open311, a Chinese page elsewhere.
pub fn shaped(
    req: &Req,
    status: StatusCode,
    code: &str,
    message: &str,
    fields: Option<serde_json::Value>,
) -> Response {
    match Surface::of(&req.path) {
        Surface::Api => json_error(status, code, message, fields),
        Surface::Open311 => crate::open311::error(status, message),
        Surface::Probe => (status, message.to_owned()).into_response(),
        Surface::Page => {
            let page = ErrorPage {
                title: req.t.t(&format!("error-title-{}", status.as_u16())),
                message: message.to_owned(),
                status: status.as_u16(),
                c: Chrome::new(req),
            };
            render(status, &page, req.ctx.request_id())
        }
    }
}

/// An error answered as an HTML page.
pub struct PageError(pub Req, pub AppError);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    title: String,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(req, e) = self;
        if matches!(e, AppError::Unauthenticated) {
            return Redirect::to(&format!("/login?next={}", urlencode(&req.return_to))).into_response();
        }
        let status = status_of(&e);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, request_id = %req.ctx.request_id(), "request failed");
            return internal(false, req.ctx.request_id());
        }
        let page = ErrorPage {
            title: req.t.t(&format!("error-title-{}", status.as_u16())),
            message: page_message(&req.t, &e),
            status: status.as_u16(),
            c: Chrome::new(&req),
        };
        render(status, &page, req.ctx.request_id())
    }
}

pub fn render<P: Template>(status: StatusCode, page: &P, request_id: &str) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, request_id, "template failed");
            internal(false, request_id)
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// An error answered as JSON.
pub struct ApiError(pub AppError, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(e, request_id) = self;
        let t = T::new(Lang::Zh);
        let status = status_of(&e);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, request_id, "api request failed");
            return internal(true, &request_id);
        }
        let fields = match &e {
            AppError::Invalid(fs) => Some(json!(
                fs.iter()
                    .map(|f| {
                        let args: Vec<(&str, String)> =
                            f.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                        (f.field.clone(), serde_json::Value::String(t.ta(&f.key, &args)))
                    })
                    .collect::<serde_json::Map<_, _>>()
            )),
            AppError::Conflict(now) => Some(json!(
                now.iter().cloned().collect::<std::collections::BTreeMap<_, _>>()
            )),
            _ => None,
        };
        json_error(status, e.code(), &message(&t, &e), fields)
    }
}
