//! Application errors: what went wrong in terms a handler can answer with.

use gongzhi_store::StoreError;
use thiserror::Error;

/// A field that failed validation, with the translation key of its message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    /// Values the message refers to (e.g. the expected check digit).
    pub args: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> Self {
        Self {
            field: field.to_owned(),
            key: key.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_owned(), value.to_string()));
        self
    }
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    /// Allowed the action, but the case is another agency's (it may only be seen, e.g. referred).
    #[error("not the owner")]
    NotOwner,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The row changed since it was read; the payload says what it is now.
    #[error("conflict")]
    Conflict(Vec<(String, String)>),
    #[error("wrong user name or password")]
    LoginFailed,
    #[error("account locked until {0}")]
    Locked(gongzhi_domain::time::Timestamp),
    #[error("second factor required")]
    SecondFactorRequired,
    #[error("second factor enrolment required")]
    SecondFactorEnrolmentRequired,
    #[error("wrong second factor code")]
    SecondFactorFailed,
    #[error("password change required")]
    PasswordChangeRequired,
    /// A workflow command refused by the state machine or the risk gate (409 with the reason).
    #[error("transition refused: {0}")]
    Transition(gongzhi_domain::workflow::TransitionError),
    /// Too many requests from one client (the public portal's rate limit).
    #[error("too many requests")]
    RateLimited,
    /// The database cannot be reached, or its schema is not this binary's (503, try again).
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            // A unique key a use case did not expect to meet (it maps the ones it does, e.g. a code
            // taken, to a field error): a concurrent change, answered as a conflict.
            StoreError::Conflict | StoreError::Duplicate(_) => AppError::Conflict(Vec::new()),
            e if e.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn field(field: &str, key: &str) -> Self {
        AppError::Invalid(vec![FieldError::new(field, key)])
    }

    /// A stable code for the JSON error shape.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotOwner => "not_owner",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::LoginFailed => "login_failed",
            AppError::Locked(_) => "locked",
            AppError::SecondFactorRequired => "totp_required",
            AppError::SecondFactorEnrolmentRequired => "totp_enrolment_required",
            AppError::SecondFactorFailed => "totp_failed",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::Transition(_) => "transition_refused",
            AppError::RateLimited => "rate_limited",
            AppError::Unavailable => "unavailable",
            AppError::Store(_) | AppError::Internal(_) => "internal",
        }
    }
}

/// Collects field errors and fails once with all of them, so a form shows every problem at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn check(&mut self, ok: bool, field: &str, key: &str) {
        if !ok {
            self.0.push(FieldError::new(field, key));
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}
