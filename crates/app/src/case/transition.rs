//! Workflow transitions on a case, through the state machine and the risk gate.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{ClockKind, Trigger};
use gongzhi_domain::policy::Action;
use gongzhi_domain::risk::RiskLevel;
use gongzhi_domain::workflow::{self, CaseKind, Command, ReconciliationFacts, RiskFacts};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::cases;
pub use gongzhi_store::cases::Case;
use gongzhi_store::risk;

use crate::case::conflict_of;
use crate::deadlines::{self, Clocks};
use crate::{App, AppError, Ctx, FieldError};

/// Input of a transition.
#[derive(Clone, Debug, Default)]
pub struct TransitionInput {
    pub version: i64,
    pub note: String,
    pub handler_id: String,
}

impl App {
    pub(crate) async fn risk_facts(&self, conn: &mut AnyConnection, c: &Case) -> Result<RiskFacts, AppError> {
        let latest = risk::assessments(conn, c.id).await?.into_iter().next();
        Ok(match latest {
            Some(a) if a.at >= c.risk_stale_after => RiskFacts {
                current: RiskLevel::parse(&a.level),
                signed_off: a.signed_off_at.is_some(),
                has_plan: !a.plan.trim().is_empty(),
            },
            _ => RiskFacts::default(),
        })
    }

    /// Gives a workflow command. The state machine decides; the role, the agency and the version
    /// are checked here. A forbidden transition is a `Transition` error (409 with the reason).
    pub async fn transition(
        &self,
        ctx: &Ctx,
        case: Id,
        command: Command,
        input: &TransitionInput,
    ) -> Result<Case, AppError> {
        // Authorised before the transaction: a denial is recorded in a transaction of its own.
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        self.transition_in(tx.conn(), ctx, case, command, input).await?;
        tx.commit().await?;
        cases::get_case(&mut *self.db().conn().await?, case)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The transition inside the caller's transaction (a reply that is also a workflow step).
    pub(crate) async fn transition_in(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
        command: Command,
        input: &TransitionInput,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut c = self.case_for_write(&mut *conn, ctx, case).await?;
        if input.version != 0 && c.version != input.version {
            return Err(conflict_of(&c));
        }
        if !workflow::allowed(c.kind, command, &actor.roles) {
            return Err(AppError::Transition(workflow::TransitionError::Role));
        }
        let facts = self.risk_facts(&mut *conn, &c).await?;
        let out = workflow::next(c.kind, c.status, command, c.level, facts).map_err(AppError::Transition)?;
        let note = input.note.trim();
        // Decisions against the petitioner and returns carry their reasons.
        if matches!(
            command,
            Command::NotAccept | Command::TransferOut | Command::Divert | Command::Fail
        ) && note.is_empty()
        {
            return Err(AppError::field("note", "reason-required"));
        }
        if command == Command::StartReconciliation {
            let facts: ReconciliationFacts = serde_json::from_str(&c.reconciliation)
                .map_err(|_| AppError::field("reconciliation", "reconciliation-not-checked"))?;
            if let Err(why) = facts.check() {
                return Err(AppError::Invalid(
                    why.into_iter()
                        .map(|w| FieldError::new("reconciliation", &format!("ineligible-{}", w.code())))
                        .collect(),
                ));
            }
        }
        if matches!(
            command,
            Command::Assign | Command::StartHandling | Command::Escalate
        ) && !input.handler_id.trim().is_empty()
        {
            let h = input
                .handler_id
                .trim()
                .parse::<Id>()
                .map_err(|_| AppError::field("handler_id", "user-unknown"))?;
            let u = gongzhi_store::users::get(&mut *conn, h)
                .await?
                .ok_or_else(|| AppError::field("handler_id", "user-unknown"))?;
            c.handler_id = Some(u.id);
        }
        let from = c.status;
        c.status = out.to;
        c.level = out.level;
        let now = self.now();
        let today = time::local_date(now);
        let clocks = Clocks::load(&mut *conn).await?;
        match command {
            Command::Route => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::Routing], now).await?;
                for k in clocks.started(c.id, c.kind, Trigger::Routed, today, 1) {
                    cases::insert_clock(&mut *conn, &k).await?;
                }
            }
            Command::Accept if c.kind == CaseKind::GovPetition => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::Acceptance], now).await?;
                for k in clocks.started(c.id, c.kind, Trigger::Accepted, today, 1) {
                    cases::insert_clock(&mut *conn, &k).await?;
                }
            }
            Command::NotAccept | Command::TransferOut => {
                deadlines::meet(
                    &mut *conn,
                    c.id,
                    &[ClockKind::Acceptance, ClockKind::Routing],
                    now,
                )
                .await?;
                deadlines::exempt_open(
                    &mut *conn,
                    c.id,
                    Some(&[
                        ClockKind::ResultReply,
                        ClockKind::ProgressReply,
                        ClockKind::Handling,
                    ]),
                    note,
                )
                .await?;
            }
            Command::IssueOpinion => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::Handling], now).await?;
            }
            Command::RequestReview | Command::RequestReReview => {
                for k in clocks.started(c.id, c.kind, Trigger::ReviewRequested, today, 1) {
                    cases::insert_clock(&mut *conn, &k).await?;
                }
                // New facts: the earlier assessment no longer counts (§3.5).
                c.risk_stale_after = time::to_millis(now) + 1;
            }
            Command::IssueReviewOpinion | Command::IssueReReviewOpinion => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::ReviewOpinion], now).await?;
            }
            Command::Escalate => {
                c.risk_stale_after = time::to_millis(now) + 1;
            }
            Command::Resolve | Command::Divert => {
                deadlines::meet(
                    &mut *conn,
                    c.id,
                    &[ClockKind::GridClosure, ClockKind::UrgentHandling],
                    now,
                )
                .await?;
            }
            Command::Close => {
                c.closed_at = Some(now);
                deadlines::meet(&mut *conn, c.id, &[ClockKind::UrgentHandling], now).await?;
                deadlines::exempt_open(&mut *conn, c.id, None, "案件已办结").await?;
            }
            _ => {}
        }
        if matches!(
            command,
            Command::Register | Command::Assign | Command::StartHandling | Command::Intervene
        ) {
            deadlines::meet(&mut *conn, c.id, &[ClockKind::UrgentHandling], now).await?;
        }
        self.save(&mut *conn, &c).await?;
        let public = matches!(
            command,
            Command::Register
                | Command::Accept
                | Command::NotAccept
                | Command::TransferOut
                | Command::Close
                | Command::Route
        );
        // A reply that is also a workflow step is recorded once, by the reply.
        if !matches!(command, Command::ReplyProcedural | Command::ReplyResult) {
            self.event(
                &mut *conn,
                ctx,
                &c,
                &format!("cmd-{}", command.code()),
                note,
                public,
            )
            .await?;
        }
        ctx.audit(
            &mut *conn,
            &format!("case.{}", command.code()),
            "case",
            &case.to_string(),
            Changes::new().field("status", from.code(), c.status.code()),
        )
        .await?;
        Ok(())
    }
}
