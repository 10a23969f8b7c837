//! What waits for the chief prosecutor's own decision, oldest first: hearings to approve, suggestions
//! to decide or re-check, aid applications to decide. Each is decided on its own page (the decision
//! has fields of its own — a venue, a number, an amount); the inbox lists them.

use gongzhi_domain::policy::Action;
use gongzhi_domain::{aid, hearing, suggestion};
use gongzhi_store::Page;

use crate::suggestion::SuggestionQuery;
use crate::{App, AppError, Ctx};

/// How many of each kind and state are listed.
const SHOWN: i64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    Hearing,
    Suggestion,
    /// An objection to a suggestion, to re-check.
    Recheck,
    Aid,
}

#[derive(Clone, Debug)]
pub struct ChiefDecision {
    pub kind: DecisionKind,
    /// The hearing's, suggestion's or aid case's id.
    pub id: String,
    pub title: String,
    /// Waiting since (ms).
    pub since: i64,
    /// The aid review's last day, if any.
    pub due: Option<String>,
}

impl App {
    pub async fn chief_decisions(&self, ctx: &Ctx) -> Result<Vec<ChiefDecision>, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let first = Page::first(SHOWN);
        let mut out = Vec::new();
        if actor.can(Action::ApproveHearing) {
            for state in hearing::AWAITING_CHIEF {
                let found = self.hearings(ctx, Some(*state), None, first).await?;
                out.extend(found.items.into_iter().map(|i| ChiefDecision {
                    kind: DecisionKind::Hearing,
                    title: format!("{} {}", i.number, i.hearing.row.topic),
                    since: i.hearing.row.updated_at,
                    id: i.hearing.row.id,
                    due: None,
                }));
            }
        }
        if actor.can(Action::DecideSuggestion) {
            for state in suggestion::AWAITING_CHIEF {
                let q = SuggestionQuery {
                    state: Some(*state),
                    ..SuggestionQuery::default()
                };
                let found = self.suggestions(ctx, &q, first).await?;
                out.extend(found.items.into_iter().map(|i| ChiefDecision {
                    kind: if *state == suggestion::SuggestionState::Objected {
                        DecisionKind::Recheck
                    } else {
                        DecisionKind::Suggestion
                    },
                    title: format!("{} → {}", i.s.row.title, i.recipient_name),
                    since: i.s.row.updated_at,
                    id: i.s.row.id,
                    due: None,
                }));
            }
        }
        if actor.can(Action::DecideAid) {
            for state in aid::AWAITING_CHIEF {
                let found = self.aid_cases(ctx, Some(*state), first).await?;
                out.extend(found.items.into_iter().map(|i| ChiefDecision {
                    kind: DecisionKind::Aid,
                    title: format!("{} {}", i.number, i.aid.row.applicant_name),
                    since: i.aid.row.updated_at,
                    due: i.aid.row.review_due,
                    id: i.aid.row.id,
                }));
            }
        }
        out.sort_by_key(|d| d.since);
        Ok(out)
    }
}
