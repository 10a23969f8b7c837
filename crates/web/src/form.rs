//! Forms: parsed leniently from urlencoded bodies (repeated keys kept), and their state for
//! re-rendering with each field's message and everything the user typed.

use std::collections::HashMap;

use gongzhi_app::FieldError;

use crate::i18n::T;

#[derive(Clone, Debug, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default())
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
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
                .and_modify(|m| m.push_str(&format!("；{msg}")))
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
