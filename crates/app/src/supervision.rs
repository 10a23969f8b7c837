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
        // The key names the supervising agency: the answer goes back to it.
        self.notify_case(
            tx.conn(),
            &c,
            format!(
                "supervised:{case}:{}:{}",
                actor.agency_id,
                time::to_millis(self.now())
            ),
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
        let mut told: Vec<&str> = Vec::new();
        for n in &open {
            let Some(agency) = n.dedup[prefix.len()..]
                .split(':')
                .next()
                .filter(|a| !told.contains(a) && a.parse::<Id>().is_ok())
            else {
                continue;
            };
            told.push(agency);
            notice::raise_notice(
                tx.conn(),
                &notice::Notice {
                    id: Id::new().to_string(),
                    dedup: format!("supervision-answered:{case}:{agency}:{now}"),
                    user_id: None,
                    agency_id: Some(agency.to_owned()),
                    case_id: Some(case.to_string()),
                    kind: "supervision_answered".into(),
                    body: Notice {
                        number: c.number.clone(),
                        title: c.title.clone(),
                        message: Message::SupervisionAnswered {
                            by: actor.agency_name.clone(),
                            answer: answer.to_owned(),
                        },
                    }
                    .encode(),
                    created_at: now,
                    read_at: None,
                    audience: "all".into(),
                },
            )
            .await?;
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
