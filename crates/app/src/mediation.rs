//! Mediation (调解): recording a session and its outcome, with the judicial-confirmation clock.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::MediationOutcome;
use gongzhi_domain::deadline::Trigger;
use gongzhi_domain::policy::Action;
use gongzhi_domain::referral::ReceiverWork;
use gongzhi_domain::{Id, time};
use gongzhi_store::case;
use gongzhi_store::mediation;
use gongzhi_store::mediation::Mediation;

use crate::case::{Upload, parse_local};
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// A mediation session and its outcome, as the case page's form and the API give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MediationForm {
    pub mediator: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub held_at: String,
    pub place: String,
    pub attendees: String,
    /// agreed, continued, failed
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub agreement: String,
    /// `YYYY-MM-DD`; starts the 30-day judicial-confirmation clock.
    #[serde(default)]
    pub agreement_date: String,
}

impl App {
    /// Records a session; `scan` is the signed agreement (调解协议书), kept among the case's
    /// attachments and linked to the session (at most one file, only with an agreement).
    pub async fn record_mediation(
        &self,
        ctx: &Ctx,
        case: Id,
        f: &MediationForm,
        scan: &[Upload],
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self
            .case_for_work(tx.conn(), ctx, case, ReceiverWork::Mediation)
            .await?;
        let mut checks = Checks::new();
        checks.check(
            (1..=30).contains(&f.mediator.trim().chars().count()),
            "mediator",
            "name-invalid",
        );
        let held = parse_local(&f.held_at);
        checks.check(
            held.is_some_and(|h| h <= self.now() + chrono::Duration::minutes(5)),
            "held_at",
            "held-invalid",
        );
        checks.check(!f.place.trim().is_empty(), "place", "place-required");
        checks.check(!f.attendees.trim().is_empty(), "attendees", "attendees-required");
        let outcome = MediationOutcome::parse(&f.outcome);
        checks.check(outcome.is_some(), "outcome", "outcome-invalid");
        checks.check(!c.status.is_closed(), "outcome", "case-closed");
        let agreed = outcome == Some(MediationOutcome::Agreed);
        let agreement_date = NaiveDate::parse_from_str(f.agreement_date.trim(), "%Y-%m-%d").ok();
        if agreed {
            checks.check(!f.agreement.trim().is_empty(), "agreement", "agreement-required");
            checks.check(agreement_date.is_some(), "agreement_date", "date-invalid");
        }
        checks.check(scan.len() <= 1, "attachments", "agreement-scan-one");
        checks.check(
            scan.is_empty() || agreed,
            "attachments",
            "agreement-scan-needs-agreement",
        );
        let mimes = self.check_uploads(&mut checks, scan);
        checks.finish()?;
        let scan_id = match (scan.first(), mimes.first()) {
            (Some(u), Some(mime)) => Some(self.store_attachment(tx.conn(), ctx, &c, u, mime).await?),
            _ => None,
        };
        let held = held.ok_or_else(|| AppError::field("held_at", "held-invalid"))?;
        let now = self.now();
        mediation::insert_mediation(
            tx.conn(),
            &Mediation {
                id: Id::new().to_string(),
                case_id: case.to_string(),
                mediator: f.mediator.trim().to_owned(),
                held_at: time::to_millis(held),
                place: f.place.trim().to_owned(),
                attendees: f.attendees.trim().to_owned(),
                outcome: outcome.map(|o| o.code()).unwrap_or_default().into(),
                notes: f.notes.trim().to_owned(),
                agreement: if agreed {
                    f.agreement.trim().to_owned()
                } else {
                    String::new()
                },
                agreement_date: agreement_date.filter(|_| agreed).map(|d| d.to_string()),
                created_by_name: actor.display_name.clone(),
                created_at: time::to_millis(now),
                agreement_attachment_id: scan_id.map(|a| a.to_string()),
            },
        )
        .await?;
        // 人民调解法 Art. 33: the parties may apply for judicial confirmation within 30 days of the
        // agreement taking effect; the clock reminds the mediator inside that window.
        if let (true, Some(d)) = (agreed, agreement_date) {
            let clocks = self.clocks(tx.conn()).await?;
            for k in clocks.started(case, c.kind, Trigger::Agreement, d, 1) {
                case::insert_clock(tx.conn(), &k).await?;
            }
        }
        let code = outcome.map(|o| o.code()).unwrap_or_default();
        self.event(
            tx.conn(),
            ctx,
            &c,
            &format!("mediation-{code}"),
            f.mediator.trim(),
            agreed,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.mediation",
            "case",
            &case.to_string(),
            Changes::new().set("outcome", code),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
