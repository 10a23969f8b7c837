//! Supervision (督办) by the political-legal committee: it sees the district's cases and may press
//! one on; the handler (or the handling agency) is told in the inbox. It does not handle cases:
//! decisions and approvals stay with the handling agency and its head (issue 9 §11).

use gongzhi_domain::audit::Changes;
use gongzhi_domain::notice::Message;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};

use crate::{App, AppError, Ctx};

/// The longest supervision note.
const NOTE_MAX: usize = 500;

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SuperviseForm {
    /// What the committee asks of the handler (required).
    pub note: String,
}

impl App {
    pub async fn supervise_case(&self, ctx: &Ctx, case: Id, form: &SuperviseForm) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::SuperviseCase).await?;
        let note = form.note.trim();
        if note.is_empty() {
            return Err(AppError::field("note", "supervise-note-required"));
        }
        if note.chars().count() > NOTE_MAX {
            return Err(AppError::field("note", "too-long"));
        }
        let mut tx = self.db().begin().await?;
        let (c, _) = self.case_for_read(tx.conn(), ctx, case).await?;
        if c.status.is_closed() {
            return Err(AppError::field("note", "case-closed"));
        }
        self.event(tx.conn(), ctx, &c, "supervised", note, false).await?;
        self.notify_case(
            tx.conn(),
            &c,
            format!("supervised:{case}:{}", time::to_millis(self.now())),
            Message::Supervised {
                by: actor.agency_name.clone(),
                note: note.to_owned(),
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.supervise",
            "case",
            &case.to_string(),
            Changes::new().set("note", note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
