//! The edge of the system: what every request must satisfy before a handler sees it, and the one
//! shape every error leaves in, whichever layer produced it.
//!
//! - Text: no path, query value, form field, JSON string or multipart text field may hold a
//!   character `domain::text` forbids (NUL first: PostgreSQL cannot store it). Refused with 422
//!   naming the field; a search term is cleaned instead, since refusing it helps nobody. A body
//!   that is not what its Content-Type says is refused with 400.
//! - Errors: an answer of 400 or more that is not already in its surface's shape (a 413 from the
//!   body limit, a 405, an extractor's plain-text rejection) is rewritten into it.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::middleware::Next;
use axum::response::Response;
use gongzhi_app::domain::text;
use http::{Method, StatusCode, Uri, header};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::MAX_BODY;
use crate::error::{Surface, shaped, status_code_name};
use crate::form::{is_json, media_type};
use crate::i18n::{Lang, T};
use crate::middleware::{LANG_COOKIE, Req, RequestId, cookie};

/// Query keys that are search terms: forbidden characters are dropped from them, not refused.
const SEARCH_KEYS: &[&str] = &["q"];

fn describe(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// The first field (by name) whose name or value holds a forbidden character.
fn bad_pair<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<(String, char)> {
    pairs.into_iter().find_map(|(k, v)| {
        text::first_forbidden(k)
            .or_else(|| text::first_forbidden(v))
            .map(|c| (k.chars().filter(|c| !text::is_forbidden(*c)).collect(), c))
    })
}

/// The first string in a JSON document (or key) with a forbidden character, by its path.
fn bad_json(v: &Value, at: &str) -> Option<(String, char)> {
    match v {
        Value::String(s) => text::first_forbidden(s).map(|c| (at.to_owned(), c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| bad_json(x, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            text::first_forbidden(k)
                .map(|c| (path.clone(), c))
                .or_else(|| bad_json(x, &path))
        }),
        _ => None,
    }
}

/// The first multipart text field with a forbidden character (or that is not UTF-8); `Err` for a
/// body that is not multipart at all. The body is re-read with the request's own parts, so the same
/// size limit applies as for the handler.
async fn bad_multipart(parts: &http::request::Parts, body: &Bytes) -> Result<Option<(String, char)>, ()> {
    let req = Request::from_parts(parts.clone(), Body::from(body.clone()));
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|_| ())?;
    loop {
        let Some(field) = form.next_field().await.map_err(|_| ())? else {
            return Ok(None);
        };
        let name = field.name().unwrap_or("").to_owned();
        if field.file_name().is_some() {
            field.bytes().await.map_err(|_| ())?;
            continue;
        }
        // A text field that is not UTF-8 is not text: refused like a forbidden character.
        let Ok(value) = field.text().await else {
            return Ok(Some((name, char::REPLACEMENT_CHARACTER)));
        };
        if let Some(found) = bad_pair([(name.as_str(), value.as_str())]) {
            return Ok(Some(found));
        }
    }
}

/// A body that is not what its Content-Type says: 400.
fn unreadable(meta: &Req) -> Response {
    let message = meta.t.t("body-unreadable");
    shaped(meta, StatusCode::BAD_REQUEST, "bad_request", &message, None)
}

fn refuse(req: &Req, field: &str, c: char) -> Response {
    let label = req.t.field(field);
    let message = req
        .t
        .ta("text-forbidden-field", &[("field", label), ("char", describe(c))]);
    let fields = serde_json::json!({ field: req.t.ta("text-forbidden", &[("char", describe(c))]) });
    shaped(
        req,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        &message,
        Some(fields),
    )
}

/// Refuses forbidden characters in the path, the query and the body (read as its Content-Type
/// declares, as every reader does); cleans search terms.
pub async fn text_rules(req: Request, next: Next) -> Response {
    let meta = req
        .extensions()
        .get::<Req>()
        .cloned()
        .unwrap_or_else(|| Req::anonymous(&req));
    let decoded = percent_decode_str(req.uri().path()).decode_utf8_lossy();
    if text::first_forbidden(&decoded).is_some() {
        let message = meta.t.t("text-forbidden-path");
        return shaped(&meta, StatusCode::BAD_REQUEST, "bad_request", &message, None);
    }
    let mut req = req;
    if let Some(query) = req.uri().query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let (search, others): (Vec<_>, Vec<_>) =
            pairs.iter().partition(|(k, _)| SEARCH_KEYS.contains(&k.as_str()));
        if let Some((field, c)) = bad_pair(others.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return refuse(&meta, &field, c);
        }
        if search.iter().any(|(_, v)| text::first_forbidden(v).is_some()) {
            let cleaned: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.clone(), text::strip_forbidden(v)))
                .collect();
            let query = serde_urlencoded::to_string(&cleaned).unwrap_or_default();
            if let Ok(uri) = format!("{}?{query}", req.uri().path()).parse::<Uri>() {
                *req.uri_mut() = uri;
            }
        }
    }
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        return next.run(req).await;
    }
    let kind = media_type(req.headers());
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        let message = meta.t.t("error-http-413");
        return shaped(&meta, StatusCode::PAYLOAD_TOO_LARGE, "too_large", &message, None);
    };
    // Every reader reads a body only as what its Content-Type declares (`FormData`, `ApiBody`, the
    // multipart extractor), so it is checked as exactly that. A body that does not parse as what
    // it declares is refused here rather than handed on: a reader more lenient than this check
    // (serde skipping what nests deeper than the check can parse) must never see it.
    let bad = if kind == "multipart/form-data" {
        match bad_multipart(&parts, &bytes).await {
            Ok(found) => found,
            Err(()) => return unreadable(&meta),
        }
    } else if is_json(&kind) {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => bad_json(&v, ""),
            Err(_) if bytes.is_empty() => None,
            Err(_) => return unreadable(&meta),
        }
    } else if kind == "application/x-www-form-urlencoded" {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        bad_pair(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    } else {
        // Nothing reads other types (the readers answer 415).
        None
    };
    if let Some((field, c)) = bad {
        return refuse(&meta, &field, c);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn in_shape(surface: Surface, res: &Response) -> bool {
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match surface {
        Surface::Api | Surface::Open311 => ct.starts_with("application/json"),
        Surface::Page => ct.starts_with("text/html") || ct.starts_with("audio/"),
        Surface::Probe => true,
    }
}

/// Rewrites an error from any layer into its surface's shape, keeping its status.
pub async fn error_shape(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let lang = Lang::from_cookie(cookie(req.headers(), LANG_COOKIE));
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let res = next.run(req).await;
    let status = res.status();
    let surface = Surface::of(&path);
    if status.as_u16() < 400 || in_shape(surface, &res) {
        return res;
    }
    let meta = Req::for_error(&path, &request_id, T::new(lang));
    let key = format!("error-http-{}", status.as_u16());
    let message = if meta.t.has(&key) {
        meta.t.t(&key)
    } else {
        meta.t.t("error-http-500")
    };
    let mut shaped_res = shaped(&meta, status, status_code_name(status), &message, None);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = res.headers().get(&name) {
            shaped_res.headers_mut().insert(name, v.clone());
        }
    }
    shaped_res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_text_is_found_by_its_field() {
        let v: Value = serde_json::json!({"title": "ok", "parties": [{"name": "张\u{0}三"}]});
        assert_eq!(bad_json(&v, ""), Some(("parties[0].name".into(), '\u{0}')));
        assert_eq!(
            bad_pair([("title", "a"), ("reason", "b\u{1b}")]),
            Some(("reason".into(), '\u{1b}'))
        );
        assert_eq!(bad_pair([("note", "第一行\r\n第二行")]), None);
    }
}
