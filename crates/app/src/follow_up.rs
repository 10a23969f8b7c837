//! Follow-up visits (回访) after a case is closed: satisfaction recorded.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::Satisfaction;
use gongzhi_domain::deadline::ClockKind;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::follow_up;
use gongzhi_store::follow_up::FollowUp;

use crate::deadlines;
use crate::{App, AppError, Ctx};

/// A follow-up visit's outcome (回访), as the case page's form and the API give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct FollowUpForm {
    /// satisfied, basically, unsatisfied
    pub satisfaction: String,
    #[serde(default)]
    pub notes: String,
    /// The parties say they have applied to the court for judicial confirmation of their
    /// mediation agreement (人民调解法 Art. 33): the 30-day clock is met.
    #[serde(default)]
    pub confirmation_applied: bool,
}

impl App {
    /// A follow-up visit (回访) with the party's satisfaction.
    pub async fn record_follow_up(&self, ctx: &Ctx, case: Id, input: &FollowUpForm) -> Result<(), AppError> {
        let FollowUpForm {
            satisfaction,
            notes,
            confirmation_applied,
        } = input;
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let s = Satisfaction::parse(satisfaction)
            .ok_or_else(|| AppError::field("satisfaction", "satisfaction-invalid"))?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        follow_up::insert_follow_up(
            tx.conn(),
            &FollowUp {
                id: Id::new().to_string(),
                case_id: case.to_string(),
                at: time::to_millis(self.now()),
                by_name: actor.display_name.clone(),
                satisfaction: s.code().into(),
                notes: notes.trim().to_owned(),
            },
        )
        .await?;
        // A visit alone says nothing of the court: only the parties' application meets the clock.
        if *confirmation_applied {
            deadlines::meet(tx.conn(), case, &[ClockKind::JudicialConfirmation], self.now())
                .await
                .map(|_| ())?;
        }
        self.event(tx.conn(), ctx, &c, "follow-up", s.code(), false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.follow_up",
            "case",
            &case.to_string(),
            Changes::new()
                .set("satisfaction", s.code())
                .set("confirmation_applied", *confirmation_applied),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
