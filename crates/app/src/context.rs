//! Who acts, from where, in which request: passed to every use case and written to the audit.
//!
//! A context always names its principal (a signed-in user, a partner system, the public, or the
//! system). Each is made only from its proof: a resolved session, a checked API key, or the
//! [`System`] capability that `App::new` hands to the binary once — the web layer never holds one,
//! so no handler can act as the system.

use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Actor, Partner, Principal};
use gongzhi_store::AnyConnection;
use gongzhi_store::audit::{self, NewEvent};

use crate::auth::SessionInfo;
use crate::{App, AppError};

/// The capability to act as the system (command line, periodic jobs, start-up work). `App::new`
/// creates the only one; it cannot be cloned or made elsewhere.
#[derive(Debug)]
pub struct System(());

impl System {
    pub(crate) fn new() -> Self {
        System(())
    }
}

/// A partner's API key that has been checked (see `App::partner`).
#[derive(Clone, Debug)]
pub struct PartnerKey {
    partner: Partner,
}

impl PartnerKey {
    pub(crate) fn new(partner: Partner) -> Self {
        Self { partner }
    }

    pub fn name(&self) -> &str {
        &self.partner.name
    }
}

#[derive(Clone, Debug)]
pub struct Ctx {
    principal: Principal,
    request_id: String,
    ip: String,
    /// The session of the request (also a half-finished login), so that "log out everywhere else"
    /// keeps it and the second-factor step finds its user.
    session_key: Option<String>,
    /// The caller has just written: reads that could go to a lagging replica go to the primary
    /// instead, so that the caller sees what it did (issue 13 §8, read-your-writes).
    own_writes: bool,
}

impl Ctx {
    /// The same request, reading its own writes (set by the web layer for a caller that wrote in
    /// the last seconds).
    pub fn reading_own_writes(mut self) -> Self {
        self.own_writes = true;
        self
    }

    pub(crate) fn reads_own_writes(&self) -> bool {
        self.own_writes
    }

    /// Nobody signed in.
    pub fn public(request_id: &str, ip: &str) -> Self {
        Self {
            principal: Principal::Public,
            request_id: request_id.to_owned(),
            ip: ip.to_owned(),
            session_key: None,
            own_writes: false,
        }
    }

    /// The holder of a resolved session: a user once the login is complete, until then the public
    /// with a pending login.
    pub fn signed_in(session: &SessionInfo, request_id: &str, ip: &str) -> Self {
        let principal = if session.is_complete() {
            Principal::User(session.actor().clone())
        } else {
            Principal::Public
        };
        Self {
            principal,
            request_id: request_id.to_owned(),
            ip: ip.to_owned(),
            session_key: Some(session.key().to_owned()),
            own_writes: false,
        }
    }

    pub fn partner(key: &PartnerKey, request_id: &str, ip: &str) -> Self {
        Self {
            principal: Principal::Partner(key.partner.clone()),
            request_id: request_id.to_owned(),
            ip: ip.to_owned(),
            session_key: None,
            own_writes: false,
        }
    }

    /// The command line, a job or start-up work; `what` says which in the audit trail.
    pub fn system(_: &System, what: &str) -> Self {
        Self {
            principal: Principal::System(what.to_owned()),
            request_id: what.to_owned(),
            ip: String::new(),
            session_key: None,
            own_writes: false,
        }
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The signed-in user, if the principal is one.
    pub fn user(&self) -> Option<&Actor> {
        match &self.principal {
            Principal::User(a) => Some(a),
            _ => None,
        }
    }

    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.user().ok_or(AppError::Unauthenticated)
    }

    pub fn partner_of(&self) -> Option<&Partner> {
        match &self.principal {
            Principal::Partner(p) => Some(p),
            _ => None,
        }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.principal, Principal::System(_))
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    pub fn ip(&self) -> &str {
        &self.ip
    }

    /// The client's address as limits count it: an IPv6 client by its /64, since one household or
    /// office is given a whole /64 and would otherwise rotate through it.
    pub(crate) fn address_key(&self) -> String {
        match self.ip.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
            _ => self.ip.clone(),
        }
    }

    pub fn session_key(&self) -> Option<&str> {
        self.session_key.as_deref()
    }

    /// How a case's timeline names who acted when it was not a member of staff.
    pub(crate) fn timeline_name(&self) -> String {
        match &self.principal {
            Principal::User(a) => a.display_name.clone(),
            Principal::Partner(p) => format!("开放接口：{}", p.name),
            Principal::Public => "群众在线提交".to_owned(),
            Principal::System(what) => what.clone(),
        }
    }

    /// The same request acting as another user (after a login completes, for its audit event).
    pub(crate) fn as_user(&self, actor: Actor) -> Self {
        Self {
            principal: Principal::User(actor),
            ..self.clone()
        }
    }

    pub(crate) fn event(
        &self,
        action: &str,
        target_type: &str,
        target_id: &str,
        outcome: Outcome,
        changes: &Changes,
    ) -> NewEvent {
        let (uid, name, agency) = self.principal.audit_identity();
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
            principal: self.principal.kind(),
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

/// Who may run an operation that both staff (by permission) and the operator's command line may.
#[derive(Clone, Debug)]
pub enum Operator {
    User(Actor),
    System,
}

impl Operator {
    pub fn can(&self, action: Action) -> bool {
        match self {
            Operator::User(a) => a.can(action),
            Operator::System => true,
        }
    }
}

impl App {
    /// The signed-in user if the policy allows `action`. Anyone else — the public, a partner
    /// system, even the system — is refused, and the refusal is audited.
    pub async fn authorize(&self, ctx: &Ctx, action: Action) -> Result<Actor, AppError> {
        match &ctx.principal {
            Principal::User(a) if a.can(action) => Ok(a.clone()),
            Principal::Public => Err(self.deny(ctx, action, AppError::Unauthenticated).await),
            _ => Err(self.deny(ctx, action, AppError::Forbidden).await),
        }
    }

    /// The signed-in user if the policy allows any of `actions` (account administration is split
    /// between two administrators, each keeping to their half inside the use case).
    pub async fn authorize_any(&self, ctx: &Ctx, actions: &[Action]) -> Result<Actor, AppError> {
        match (ctx.user(), actions.first()) {
            (Some(a), _) if actions.iter().any(|x| a.can(*x)) => Ok(a.clone()),
            (_, Some(first)) => self.authorize(ctx, *first).await,
            (_, None) => Err(AppError::Forbidden),
        }
    }

    /// A user allowed `action`, or the system (the command line bootstraps the first
    /// administrators and issues partner keys).
    pub async fn authorize_operator(&self, ctx: &Ctx, action: Action) -> Result<Operator, AppError> {
        if ctx.is_system() {
            return Ok(Operator::System);
        }
        self.authorize(ctx, action).await.map(Operator::User)
    }

    /// Only the system: maintenance that no user starts.
    pub async fn authorize_system(&self, ctx: &Ctx, what: &str) -> Result<(), AppError> {
        if ctx.is_system() {
            return Ok(());
        }
        let denied = if ctx.user().is_some() || ctx.partner_of().is_some() {
            AppError::Forbidden
        } else {
            AppError::Unauthenticated
        };
        self.record(
            ctx,
            &format!("denied.{what}"),
            "",
            "",
            Outcome::Denied,
            Changes::new(),
        )
        .await?;
        Err(denied)
    }

    /// Any signed-in user (their own account, their own session).
    pub async fn authorize_user(&self, ctx: &Ctx) -> Result<Actor, AppError> {
        match ctx.user() {
            Some(a) => Ok(a.clone()),
            None => {
                self.record(ctx, "denied.account", "", "", Outcome::Denied, Changes::new())
                    .await?;
                Err(AppError::Unauthenticated)
            }
        }
    }

    async fn deny(&self, ctx: &Ctx, action: Action, answer: AppError) -> AppError {
        match self
            .record(
                ctx,
                &format!("denied.{}", action.code()),
                "",
                "",
                Outcome::Denied,
                Changes::new(),
            )
            .await
        {
            Ok(()) => answer,
            Err(e) => e,
        }
    }

    /// Writes an event in its own transaction (failures and denials, which have none).
    pub(crate) async fn record(
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
