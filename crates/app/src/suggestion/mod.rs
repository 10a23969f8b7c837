//! Procuratorial suggestions (检察建议, DOMAIN.md §3.7): a clue from cases, investigation, the
//! draft, the chief prosecutor's decision with a gapless number, service with the reply period from
//! receipt, objection and re-check, the recipient's reply online, reminders, escalation up the
//! ladder, the follow-up check, evaluation and closing. The issuing procuratorate sees its own;
//! a recipient agency sees those served on it.

use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::suggestion::{SuggestionCommand, SuggestionState, SuggestionType};
use gongzhi_domain::{Id, time};
use gongzhi_store::suggestion::{self as store, Filter, StepRow, SuggestionRow};
use gongzhi_store::{AnyConnection, Page, Paged};

use crate::{App, AppError, Ctx};

mod flow;

pub use flow::{NewSuggestion, SuggestionStep};

pub const SUGGESTION_PAGE: i64 = 30;

#[derive(Clone, Debug)]
pub struct Suggestion {
    pub row: SuggestionRow,
    pub kind: SuggestionType,
    pub state: SuggestionState,
    /// Past its reply date on today, still unanswered.
    pub overdue: bool,
}

#[derive(Clone, Debug)]
pub struct SuggestionItem {
    pub s: Suggestion,
    pub recipient_name: String,
}

#[derive(Clone, Debug)]
pub struct SuggestionView {
    pub s: Suggestion,
    pub recipient_name: String,
    /// (id, number, title) of the cases it came from — links for the issuing side only.
    pub cases: Vec<(String, String, String)>,
    pub steps: Vec<StepRow>,
    pub commands: Vec<SuggestionCommand>,
    /// The viewer is of the issuing procuratorate (else of the recipient).
    pub issuer: bool,
}

/// What a list shows.
#[derive(Clone, Debug, Default)]
pub struct SuggestionQuery {
    pub state: Option<SuggestionState>,
    pub awaiting: bool,
    pub overdue: bool,
}

/// Per recipient: awaiting a reply, and overdue of those.
#[derive(Clone, Debug)]
pub struct Awaiting {
    pub agency_id: String,
    pub agency_name: String,
    pub awaiting: i64,
    pub overdue: i64,
}

impl App {
    pub(crate) fn suggestion_of(&self, row: SuggestionRow) -> Result<Suggestion, AppError> {
        let kind = SuggestionType::parse(&row.kind)
            .ok_or_else(|| AppError::Internal(format!("suggestion {}: kind", row.id)))?;
        let state = SuggestionState::parse(&row.state)
            .ok_or_else(|| AppError::Internal(format!("suggestion {}: state", row.id)))?;
        let today = time::local_date(self.now()).to_string();
        Ok(Suggestion {
            overdue: state.awaits_reply() && row.due_date.as_deref().is_some_and(|d| d < today.as_str()),
            row,
            kind,
            state,
        })
    }

    /// A suggestion the actor may see: the issuing procuratorate's, or served on the actor's agency.
    /// Returns it with whether the actor is of the issuing side.
    pub(crate) async fn suggestion_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: Id,
    ) -> Result<(Suggestion, bool), AppError> {
        let row = store::suggestion(conn, id).await?.ok_or(AppError::NotFound)?;
        let me = actor.agency_id.to_string();
        let issuer = row.agency_id == me && actor.can(Action::DraftSuggestion);
        let recipient = row.recipient_agency_id == me && row.received_on.is_some();
        if !(issuer || recipient) {
            return Err(AppError::NotFound);
        }
        Ok((self.suggestion_of(row)?, issuer))
    }

    fn filter_for(&self, actor: &Actor, q: &SuggestionQuery) -> Filter {
        let issuer = actor.can(Action::DraftSuggestion);
        Filter {
            agency: issuer.then_some(actor.agency_id),
            recipient: (!issuer).then_some(actor.agency_id),
            state: q.state.map(|s| s.code().to_owned()),
            awaiting: q.awaiting || q.overdue,
            overdue_on: q.overdue.then(|| time::local_date(self.now()).to_string()),
        }
    }

    /// The procuratorate's suggestions, or — for a recipient agency — those served on it.
    pub async fn suggestions(
        &self,
        ctx: &Ctx,
        q: &SuggestionQuery,
        page: Page,
    ) -> Result<Paged<SuggestionItem>, AppError> {
        let actor = self.authorize(ctx, Action::ViewSuggestions).await?;
        let mut conn = self.db().conn().await?;
        let found = store::suggestions(&mut conn, &self.filter_for(&actor, q), page).await?;
        let mut items = Vec::with_capacity(found.items.len());
        for l in found.items {
            items.push(SuggestionItem {
                s: self.suggestion_of(l.s)?,
                recipient_name: l.recipient_name,
            });
        }
        Ok(Paged {
            items,
            total: found.total,
        })
    }

    /// Per recipient, what awaits a reply and what is overdue (the issuing procuratorate's view).
    pub async fn awaiting_replies(&self, ctx: &Ctx) -> Result<Vec<Awaiting>, AppError> {
        let actor = self.authorize(ctx, Action::DraftSuggestion).await?;
        let mut conn = self.db().conn().await?;
        let today = time::local_date(self.now()).to_string();
        Ok(store::awaiting_by_recipient(&mut conn, actor.agency_id, &today)
            .await?
            .into_iter()
            .map(|(agency_id, agency_name, awaiting, overdue)| Awaiting {
                agency_id,
                agency_name,
                awaiting,
                overdue,
            })
            .collect())
    }

    pub async fn suggestion(&self, ctx: &Ctx, id: Id) -> Result<SuggestionView, AppError> {
        let actor = self.authorize(ctx, Action::ViewSuggestions).await?;
        let mut conn = self.db().conn().await?;
        let (s, issuer) = self.suggestion_for(&mut conn, &actor, id).await?;
        let recipient_name = gongzhi_store::reference::agency_get(
            &mut conn,
            s.row
                .recipient_agency_id
                .parse()
                .map_err(|_| AppError::NotFound)?,
        )
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
        let commands = s
            .state
            .commands()
            .into_iter()
            .filter(|c| {
                if c.is_recipients() {
                    actor.can(Action::AnswerSuggestion)
                } else if c.is_chiefs() {
                    issuer && actor.can(Action::DecideSuggestion)
                } else {
                    issuer
                }
            })
            .collect();
        Ok(SuggestionView {
            cases: if issuer {
                store::cases_of(&mut conn, id).await?
            } else {
                Vec::new()
            },
            // The recipient sees what passed between the two agencies, not the procuratorate's
            // own investigation, drafts, send-backs, follow-up and evaluation.
            steps: store::steps(&mut conn, id)
                .await?
                .into_iter()
                .filter(|s| {
                    issuer
                        || s.command.starts_with("recheck")
                        || matches!(
                            s.command.as_str(),
                            "serve" | "object" | "reply" | "remind" | "escalate" | "close"
                        )
                })
                .collect(),
            recipient_name,
            commands,
            issuer,
            s,
        })
    }
}
