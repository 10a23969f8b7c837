//! Use cases. Each public method checks the policy, opens a transaction, calls the store, writes the
//! audit event in that same transaction and commits; handlers in `web` and commands in `server` call
//! these and nothing below them.

pub mod admin;
pub mod aid;
pub mod approval;
pub mod audit;
pub mod auth;
#[cfg(test)]
mod authorization_tests;
pub mod boot;
pub mod calendar;
pub mod captcha;
pub mod case;
pub mod contact;
mod context;
pub mod dashboard;
pub mod deadlines;
mod demo;
pub mod document;
pub mod education;
mod error;
pub mod export;
pub mod follow_up;
pub mod grid;
pub mod hearing;
pub mod import;
pub mod inbox;
#[cfg(test)]
mod layering_tests;
mod lease;
pub mod lockout;
pub mod mediation;
pub mod meeting;
pub mod minor;
pub mod open311;
mod partner;
pub mod portal;
pub mod publication;
pub mod reception;
mod reconciliation;
pub mod referral;
pub mod reply;
pub mod report;
pub mod review;
pub mod risk;
pub mod roster;
pub mod search;
pub mod seed;
pub mod stats;
pub mod suggestion;
pub mod supervision;
pub mod task;
mod throttle;
pub mod users;

use std::sync::Arc;

pub use context::{Ctx, Operator, PartnerKey, System};
pub use error::{AppError, FieldError};
pub use gongzhi_domain as domain;
use gongzhi_store::{Db, FieldCipher};
/// Lists a page at a time: what to fetch, and what came back with the total.
pub use gongzhi_store::{Page, Paged};

/// Security settings (MLPS level 3 defaults, DOMAIN.md §6.2).
#[derive(Clone, Debug)]
pub struct Security {
    /// Failed secrets (password or second factor) of one account before it is locked.
    pub max_failed_logins: i64,
    /// Failed secrets from one client address, whichever accounts they name, before the address is
    /// locked (higher: an office's users share one address behind its gateway).
    pub max_failures_per_address: i64,
    pub lockout: chrono::Duration,
    pub idle_timeout: chrono::Duration,
    pub session_lifetime: chrono::Duration,
    pub api_token_lifetime: chrono::Duration,
    pub admin_totp_required: bool,
    /// CSL Art. 21: network logs are kept at least six months; nothing younger is ever deleted.
    pub audit_retention_days: i64,
}

pub const MIN_AUDIT_RETENTION_DAYS: i64 = 183;

impl Default for Security {
    fn default() -> Self {
        Self {
            max_failed_logins: 5,
            max_failures_per_address: 30,
            lockout: chrono::Duration::minutes(15),
            idle_timeout: chrono::Duration::minutes(30),
            session_lifetime: chrono::Duration::hours(12),
            api_token_lifetime: chrono::Duration::hours(12),
            admin_totp_required: true,
            audit_retention_days: 190,
        }
    }
}

struct Inner {
    db: Db,
    cipher: FieldCipher,
    security: Security,
    cases: case::CaseSettings,
    /// A precomputed hash verified against when a user name is unknown, so that the answer takes
    /// as long as for a real account.
    dummy_hash: String,
    /// The deadline rules and the calendar, with the `reference_version` they were read at.
    clocks: std::sync::RwLock<Option<(i64, Arc<deadlines::Clocks>)>>,
    /// Registrations waiting to be written together.
    committer: case::Committer,
}

/// The application: cheap to clone, shared by every request and job.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl App {
    /// The application and the one capability to act as the system, for the binary's command line
    /// and jobs (never for the web layer).
    pub fn new(
        db: Db,
        cipher: FieldCipher,
        security: Security,
        cases: case::CaseSettings,
    ) -> Result<(Self, System), AppError> {
        let dummy_hash = auth::hash_password_blocking("gongzhi-dummy-password-Aa1!")?;
        let app = Self(Arc::new(Inner {
            db,
            cipher,
            security,
            cases,
            dummy_hash,
            clocks: Default::default(),
            committer: Default::default(),
        }));
        Ok((app, System::new()))
    }

    pub(crate) fn db(&self) -> &Db {
        &self.0.db
    }

    /// A connection for the reads a replica may answer — search, dashboards, returns, exports
    /// (issue 13 §8): the replica's when one is configured, unless the caller has just written
    /// and must see it (read-your-writes, `Ctx::reading_own_writes`).
    pub(crate) async fn read_conn(&self, ctx: &Ctx) -> Result<gongzhi_store::Conn, AppError> {
        Ok(if ctx.reads_own_writes() {
            self.db().conn().await?
        } else {
            self.db().read_conn().await?
        })
    }

    /// Whether a read replica is configured: the web layer then marks a caller who wrote.
    pub fn has_read_replica(&self) -> bool {
        self.db().has_replica()
    }

    pub(crate) fn committer(&self) -> &case::Committer {
        &self.0.committer
    }

    pub(crate) fn cipher(&self) -> &FieldCipher {
        &self.0.cipher
    }

    pub fn security(&self) -> &Security {
        &self.0.security
    }

    pub fn case_settings(&self) -> &case::CaseSettings {
        &self.0.cases
    }

    pub fn now(&self) -> domain::time::Timestamp {
        chrono::Utc::now()
    }

    /// Ready to serve: the database answers and its schema is exactly this binary's (a load
    /// balancer's probe; it reads only).
    pub async fn readiness(&self) -> Result<(), AppError> {
        match self.db().schema_is_current().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AppError::Unavailable),
            Err(e) => {
                tracing::warn!(error = %e, "readiness check failed");
                Err(AppError::Unavailable)
            }
        }
    }
}
