//! Forms: parsed leniently from urlencoded bodies (repeated keys kept), and their state for
//! re-rendering with each field's message and everything the user typed.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use gongzhi_app::FieldError;
use http::StatusCode;

use crate::i18n::T;

#[derive(Clone, Debug, Default)]
pub struct FormData(Vec<(String, String)>);

/// The body's media type, lower-cased, without parameters ("" when there is none).
pub fn media_type(headers: &http::HeaderMap) -> String {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `application/json` or a structured `…+json` type.
pub fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

/// A form body, read only when it says it is one (`application/x-www-form-urlencoded`, or nothing
/// at all with nothing in it): a body is read as what its Content-Type declares, and as nothing
/// else, so that the edge's checks by that type are the checks of what the handler reads. Anything
/// else is 415, shaped by `edge::error_shape`.
impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let kind = media_type(req.headers());
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if kind == "application/x-www-form-urlencoded" || (kind.is_empty() && body.is_empty()) {
            Ok(Self::parse(&body))
        } else {
            Err(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response())
        }
    }
}

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default())
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The form with `name` set to these values (what the server kept for the next try).
    pub fn set(mut self, name: &str, values: Vec<String>) -> Self {
        self.0.retain(|(k, _)| k != name);
        self.0.extend(values.into_iter().map(|v| (name.to_owned(), v)));
        self
    }

    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name).as_str(), "on" | "true" | "1")
    }

    pub fn int(&self, name: &str) -> i64 {
        self.get(name).trim().parse().unwrap_or(0)
    }
}

/// What a form shows: values and per-field messages.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    values: HashMap<String, Vec<String>>,
    errors: HashMap<String, String>,
    pub conflict: Vec<(String, String)>,
}

impl FormState {
    pub fn from_data(d: &FormData) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in &d.0 {
            // Passwords are never sent back to the browser.
            if !k.contains("password") && k != "current" && k != "new" && k != "confirm" {
                values.entry(k.clone()).or_default().push(v.clone());
            }
        }
        Self {
            values,
            ..Default::default()
        }
    }

    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.values.insert(name.to_owned(), vec![value.to_string()]);
        self
    }

    pub fn with_all(mut self, name: &str, values: Vec<String>) -> Self {
        self.values.insert(name.to_owned(), values);
        self
    }

    pub fn errors(mut self, t: &T, errs: &[FieldError]) -> Self {
        for e in errs {
            let args: Vec<(&str, String)> = e.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let msg = t.ta(&e.key, &args);
            self.errors
                .entry(e.field.clone())
                .and_modify(|m| {
                    // Two sentences in one message: "甲。；乙。" reads wrong, "甲；乙。" right.
                    m.truncate(m.trim_end_matches('。').len());
                    m.push('；');
                    m.push_str(&msg);
                })
                .or_insert(msg);
        }
        self
    }

    pub fn error(mut self, field: &str, msg: String) -> Self {
        self.errors.insert(field.to_owned(), msg);
        self
    }

    pub fn v(&self, name: &str) -> String {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|v| v.iter().any(|x| x == value))
    }

    pub fn checked(&self, name: &str, value: &str) -> &'static str {
        if self.has(name, value) { "checked" } else { "" }
    }

    pub fn selected(&self, name: &str, value: &str) -> &'static str {
        if self.has(name, value) { "selected" } else { "" }
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// Every field's message, for a page that shows them in one alert.
    pub fn all_errors(&self) -> String {
        let mut all: Vec<&String> = self.errors.values().collect();
        all.sort();
        all.into_iter().cloned().collect::<Vec<_>>().join(" ")
    }

    pub fn e(&self, name: &str) -> String {
        self.errors.get(name).cloned().unwrap_or_default()
    }

    pub fn invalid(&self, name: &str) -> &'static str {
        if self.errors.contains_key(name) {
            "is-invalid"
        } else {
            ""
        }
    }

    pub fn any_error(&self) -> bool {
        !self.errors.is_empty() || !self.conflict.is_empty()
    }
}
