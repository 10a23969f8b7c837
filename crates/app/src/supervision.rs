//! Supervision (督办) by the political-legal committee: it sees the district's cases and may press
//! one on; the handler (or the handling agency) is told in the inbox. It does not handle cases:
//! decisions and approvals stay with the handling agency and its head (issue 9 §11).

use gongzhi_domain::audit::Changes;
use gongzhi_domain::notice::{Message, Notice};
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::notice;

use crate::{App, AppError, Ctx};

/// The longest supervision note.
const NOTE_MAX: usize = 500;

/// The handling agency's answer to a supervision: what it did (required).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SupervisionAnswer {
    pub answer: String,
}

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
                by_agency: Some(actor.agency_id.to_string()),
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

    /// The handling agency answers the committee's open supervisions of a case (issue 10 §2): the
    /// answer is on the timeline, the supervision notices are put away, and each supervising
    /// agency is told. With no supervision open it says so and changes nothing.
    pub async fn answer_supervision(
        &self,
        ctx: &Ctx,
        case: Id,
        form: &SupervisionAnswer,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let answer = form.answer.trim();
        if answer.is_empty() {
            return Err(AppError::field("answer", "supervision-answer-required"));
        }
        if answer.chars().count() > NOTE_MAX {
            return Err(AppError::field("answer", "too-long"));
        }
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let prefix = format!("supervised:{case}:");
        let open = notice::open_notices(tx.conn(), case, &prefix).await?;
        if open.is_empty() {
            return Err(AppError::field("answer", "supervision-none-open"));
        }
        let now = time::to_millis(self.now());
        notice::resolve_notices(tx.conn(), case, &prefix, now).await?;
        let mut told: Vec<String> = Vec::new();
        for n in &open {
            let agency = match Notice::decode(&n.kind, &n.body).map(|x| x.message) {
                Some(Message::Supervised {
                    by_agency: Some(a), ..
                }) => a,
                _ => continue,
            };
            if told.contains(&agency) {
                continue;
            }
            self.notify(
                tx.conn(),
                &c,
                None,
                &agency,
                format!("supervision-answered:{case}:{agency}:{now}"),
                Message::SupervisionAnswered {
                    by: actor.agency_name.clone(),
                    answer: answer.to_owned(),
                },
            )
            .await?;
            told.push(agency);
        }
        self.event(tx.conn(), ctx, &c, "supervision-answered", answer, false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.supervision_answer",
            "case",
            &case.to_string(),
            Changes::new().set("answer", answer),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
