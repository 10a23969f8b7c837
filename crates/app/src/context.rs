//! Who is asking, from where, in which request: passed to every use case and written to the audit.

use gongzhi_domain::Actor;
use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::policy::Action;
use gongzhi_store::AnyConnection;
use gongzhi_store::audit::{self, NewEvent};

use crate::{App, AppError};

#[derive(Clone, Debug, Default)]
pub struct Ctx {
    pub actor: Option<Actor>,
    pub request_id: String,
    pub ip: String,
    /// The session key of the request, so "log out everywhere else" keeps it.
    pub session_key: Option<String>,
}

impl Ctx {
    /// A context for the command line and start-up work: no user, audited as the system.
    pub fn system(what: &str) -> Self {
        Self {
            actor: None,
            request_id: what.to_owned(),
            ip: String::new(),
            session_key: None,
        }
    }

    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }

    pub(crate) fn event(
        &self,
        action: &str,
        target_type: &str,
        target_id: &str,
        outcome: Outcome,
        changes: &Changes,
    ) -> NewEvent {
        let (uid, name, agency) = match &self.actor {
            Some(a) => (
                a.user_id.to_string(),
                a.display_name.clone(),
                a.agency_id.to_string(),
            ),
            None => (String::new(), "系统".to_owned(), String::new()),
        };
        NewEvent {
            occurred_at: chrono::Utc::now(),
            actor_user_id: uid,
            actor_name: name,
            agency_id: agency,
            action: action.to_owned(),
            target_type: target_type.to_owned(),
            target_id: target_id.to_owned(),
            outcome,
            changes: changes.to_json(),
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
        }
    }

    /// Writes a successful act inside the caller's transaction.
    pub(crate) async fn audit(
        &self,
        conn: &mut AnyConnection,
        action: &str,
        target_type: &str,
        target_id: &str,
        changes: Changes,
    ) -> Result<(), AppError> {
        audit::insert(
            conn,
            &self.event(action, target_type, target_id, Outcome::Success, &changes),
        )
        .await?;
        Ok(())
    }
}

impl App {
    /// The actor if the policy allows `action`; otherwise the denial is audited and `Forbidden`.
    pub async fn authorize(&self, ctx: &Ctx, action: Action) -> Result<gongzhi_domain::Actor, AppError> {
        let actor = ctx.actor()?;
        if actor.can(action) {
            return Ok(actor.clone());
        }
        self.record(
            ctx,
            &format!("denied.{}", action.code()),
            "",
            "",
            Outcome::Denied,
            Changes::new(),
        )
        .await?;
        Err(AppError::Forbidden)
    }

    /// Writes an event in its own transaction (failures and denials, which have none).
    pub async fn record(
        &self,
        ctx: &Ctx,
        action: &str,
        target_type: &str,
        target_id: &str,
        outcome: Outcome,
        changes: Changes,
    ) -> Result<(), AppError> {
        let mut tx = self.db().begin().await?;
        audit::insert(
            tx.conn(),
            &ctx.event(action, target_type, target_id, outcome, &changes),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
