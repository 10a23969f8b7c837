//! Workflow transitions on a case, through the state machine and the risk gate.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::PartyRole;
use gongzhi_domain::deadline::{self, ClockKind, Unit};
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{self, Command, Exempt, Facts, RiskFacts, TransitionError};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case;
pub use gongzhi_store::case::Case;

use crate::case::conflict_of;
use crate::deadlines;
use crate::{App, AppError, Ctx, FieldError};

/// Input of a transition, besides the command itself (a button on the page, a field in the API).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// The case version read; a stale one is 409 with the current values.
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub handler_id: String,
    /// For `route` (a government petition): the competent organ it is sent to, which then handles
    /// it (信访工作条例 Art. 22, §3.3); empty when the registering organ is itself competent
    /// (Art. 23).
    #[serde(default)]
    pub to_agency: String,
    /// For `decide_conditional_non_prosecution`: the supervision period in months (6–12, CPL
    /// Art. 283).
    #[serde(default)]
    pub months: u32,
    /// For `hold_hearing`: whether the hearing is public (never where a party is a minor, §3.6).
    #[serde(default)]
    pub public_hearing: bool,
}

impl App {
    /// §3.4, §3.6, CPL Arts. 282–284: a minor's hearing is closed; the supervision period is 6–12
    /// months; the reconciliation review needs the whole record.
    async fn check_minor_criminal_step(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
        command: Command,
        input: &TransitionInput,
        minor_now: bool,
    ) -> Result<(), AppError> {
        match command {
            Command::HoldHearing if input.public_hearing && minor_now => {
                Err(AppError::field("public_hearing", "hearing-minor-closed"))
            }
            Command::DecideConditionalNonProsecution if !(6..=12).contains(&input.months) => {
                Err(AppError::field("months", "probation-months-invalid"))
            }
            Command::ReviewReconciliation => self.check_reconciliation_record(conn, c).await,
            // CPL Art. 284: not prosecuted once the supervision period has passed, not before.
            Command::CompleteProbation => {
                let today = time::local_date(self.now());
                match case::clocks(conn, c.id)
                    .await?
                    .iter()
                    .find(|k| k.kind == ClockKind::Probation && k.state.is_open())
                {
                    Some(k) if k.due_date > today => Err(AppError::Invalid(vec![
                        FieldError::new("note", "probation-not-over").arg("due", k.due_date),
                    ])),
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    pub(crate) async fn risk_facts(&self, conn: &mut AnyConnection, c: &Case) -> Result<RiskFacts, AppError> {
        Ok(self
            .current_assessment(conn, c)
            .await?
            .map(|(_, facts)| facts)
            .unwrap_or_default())
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
        case::get_case(&mut *self.db().conn().await?, case)
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
        let note = input.note.trim();
        // CPL Art. 282 asks whether the suspect is a minor: as recorded when the case came in
        // (the age at the offence, which the intake date stands for).
        let parties = case::parties(&mut *conn, c.id).await?;
        let minor_suspect = parties
            .iter()
            .any(|p| p.role == PartyRole::Suspect.code() && p.minor != 0);
        // §3.6 (hearing rules Art. 5): a hearing is closed where a party is a minor now.
        let today = time::local_date(self.now());
        let minor_now = parties.iter().any(|p| self.minor_now(p, today));
        let facts = Facts {
            minor_suspect,
            level: c.level,
            risk: self.risk_facts(&mut *conn, &c).await?,
            reason_given: !note.is_empty(),
            replies_exempt: !c.exempt_reason.is_empty(),
            reconciliation: serde_json::from_str(&c.reconciliation).ok(),
        };
        let effects = workflow::apply(c.kind, c.status, command, facts).map_err(|e| match e {
            TransitionError::ReasonRequired => AppError::field("note", "reason-required"),
            TransitionError::ReconciliationNotChecked => {
                AppError::field("reconciliation", "reconciliation-not-checked")
            }
            TransitionError::Ineligible(why) => AppError::Invalid(
                why.into_iter()
                    .map(|w| FieldError::new("reconciliation", &format!("ineligible-{}", w.code())))
                    .collect(),
            ),
            other => AppError::Transition(other),
        })?;
        self.check_minor_criminal_step(&mut *conn, &c, command, input, minor_now)
            .await?;
        // §3.3: the review windows, the next-higher organ, the matter already re-reviewed.
        if let Some((reviewer, name)) = self.check_review_step(&mut *conn, &c, command).await? {
            c.owner_agency_id = reviewer;
            c.owner_agency_name = name;
            c.handler_id = None;
        }
        // §3.3 (Art. 22): routing hands the petition to the competent organ.
        if command == Command::Route && !input.to_agency.trim().is_empty() {
            let to = input
                .to_agency
                .trim()
                .parse::<Id>()
                .map_err(|_| AppError::field("to_agency", "route-to-required"))?;
            let a = gongzhi_store::reference::agency_get(&mut *conn, to)
                .await?
                .filter(|a| a.active)
                .ok_or_else(|| AppError::field("to_agency", "route-to-required"))?;
            if a.id != c.owner_agency_id {
                c.owner_agency_id = a.id;
                c.owner_agency_name = a.name;
                c.handler_id = None;
            }
        }
        if effects.names_handler && !input.handler_id.trim().is_empty() {
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
        c.status = effects.to;
        c.level = effects.level;
        let now = self.now();
        if !effects.meet.is_empty() {
            deadlines::meet(&mut *conn, c.id, effects.meet, now).await?;
        }
        if let Some(trigger) = effects.start {
            let clocks = self.clocks(&mut *conn).await?;
            let today = time::local_date(now);
            for mut k in clocks.started(c.id, c.kind, trigger, today, 1) {
                // CPL Art. 283: the supervision period is the one decided (6–12 months).
                if k.kind == ClockKind::Probation
                    && let Some(due) = deadline::due_date(&clocks.cal, today, input.months, Unit::Month)
                {
                    k.due_date = due.due;
                    k.skipped = due.skipped;
                }
                case::insert_clock(&mut *conn, &k).await?;
            }
        }
        match effects.exempt {
            Exempt::Nothing => {}
            e @ Exempt::Kinds(_) => deadlines::exempt_open(&mut *conn, c.id, e, note, now).await?,
            e @ Exempt::AllOpen => deadlines::exempt_open(&mut *conn, c.id, e, "案件已办结", now).await?,
        }
        if effects.risk_stale {
            c.risk_stale_after = time::to_millis(now) + 1;
        }
        if effects.closes {
            c.closed_at = Some(now);
        }
        self.save(&mut *conn, &c).await?;
        if effects.own_event {
            let detail = match command {
                Command::HoldHearing => {
                    let how = if input.public_hearing {
                        "公开听证"
                    } else {
                        "不公开听证"
                    };
                    if note.is_empty() {
                        how.to_owned()
                    } else {
                        format!("{how}：{note}")
                    }
                }
                Command::DecideConditionalNonProsecution => format!("考验期 {} 个月。{note}", input.months),
                _ => note.to_owned(),
            };
            self.event(
                &mut *conn,
                ctx,
                &c,
                &format!("cmd-{}", command.code()),
                &detail,
                effects.public,
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
