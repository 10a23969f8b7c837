//! Reading grid visits: the list (scoped), one visit with its findings and photos, a photo, and
//! the clue queues of the teams that take them up.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::grid::{CheckItem, ClueState, FindingKind, VisitState};
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::grid::{self as store, FindingListed, PhotoMeta, VisitFilter, VisitListed};
use gongzhi_store::{Page, Paged, StoreError};

use crate::case::district_wide;
use crate::{App, AppError, Ctx, FieldError};

pub const VISIT_PAGE: i64 = 50;
const OUTCOME_MAX: usize = 2000;

#[derive(Clone, Debug)]
pub struct Visit {
    pub listed: VisitListed,
    pub state: VisitState,
    pub checklist: Vec<CheckItem>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub listed: FindingListed,
    pub kind: FindingKind,
    pub clue_state: Option<ClueState>,
    /// A minor's finding seen by someone outside the juvenile team: its summary, details, outcome
    /// and who took it are withheld (DOMAIN.md §3.9, issue 12 §3).
    pub redacted: bool,
}

#[derive(Clone, Debug)]
pub struct VisitView {
    pub visit: Visit,
    pub findings: Vec<Finding>,
    pub photos: Vec<PhotoMeta>,
    /// The viewer is its visitor and may log it (again).
    pub loggable: bool,
    /// The viewer may move or cancel it (planned; the visitor or a head of the agency).
    pub changeable: bool,
}

/// A clue's next step: `POST /api/v1/grid/clues/{id}`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ClueStep {
    pub version: i64,
    /// `take` (I work on it) or `close` (what came of it, required).
    pub action: String,
    #[serde(default)]
    pub outcome: String,
}

fn visit_of(l: VisitListed) -> Result<Visit, AppError> {
    let state =
        VisitState::parse(&l.row.state).ok_or_else(|| AppError::Internal(format!("visit {}", l.row.id)))?;
    Ok(Visit {
        checklist: l.row.checklist.split(',').filter_map(CheckItem::parse).collect(),
        state,
        listed: l,
    })
}

fn finding_of(l: FindingListed) -> Result<Finding, AppError> {
    let kind =
        FindingKind::parse(&l.row.kind).ok_or_else(|| AppError::Internal(format!("finding {}", l.row.id)))?;
    Ok(Finding {
        clue_state: l.row.clue_state.as_deref().and_then(ClueState::parse),
        kind,
        listed: l,
        redacted: false,
    })
}

/// Withholds what a minor's finding says from a viewer outside the juvenile team.
fn shown_to(actor: &Actor, mut f: Finding) -> Finding {
    if f.kind == FindingKind::Minor && !actor.can(Action::ManageMinors) {
        let r = &mut f.listed.row;
        r.summary.clear();
        r.details.clear();
        r.outcome.clear();
        r.taken_by_name.clear();
        r.taken_by_id = None;
        f.redacted = true;
    }
    f
}

/// The visits a viewer may read: a district-wide office all, others their agency's.
fn may_read(actor: &Actor, v: &VisitListed) -> bool {
    district_wide(actor) || v.row.agency_id == actor.agency_id.to_string()
}

/// The team codes (actions) whose clues the actor takes up.
fn teams(actor: &Actor) -> Vec<&'static str> {
    [Action::DraftSuggestion, Action::HandleAid, Action::ManageMinors]
        .into_iter()
        .filter(|a| actor.can(*a))
        .map(|a| a.code())
        .collect()
}

impl App {
    pub async fn grid_visits(
        &self,
        ctx: &Ctx,
        f: &VisitFilter,
        page: Page,
    ) -> Result<Paged<Visit>, AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?;
        let mut conn = self.db().conn().await?;
        let scoped = VisitFilter {
            agency: if district_wide(&actor) {
                f.agency
            } else {
                Some(actor.agency_id)
            },
            ..f.clone()
        };
        let found = store::visits(&mut conn, &scoped, page).await?;
        Ok(Paged {
            items: found.items.into_iter().map(visit_of).collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    pub async fn grid_visit(&self, ctx: &Ctx, id: Id) -> Result<VisitView, AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?;
        let mut conn = self.db().conn().await?;
        let listed = store::visit(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        if !may_read(&actor, &listed) {
            return Err(AppError::NotFound);
        }
        let findings = store::findings(&mut conn, &listed.row.id)
            .await?
            .into_iter()
            .map(|l| finding_of(l).map(|f| shown_to(&actor, f)))
            .collect::<Result<_, _>>()?;
        let photos = store::photos(&mut conn, &listed.row.id).await?;
        let visit = visit_of(listed)?;
        let mine = visit.listed.row.visitor_id == actor.user_id.to_string() && actor.can(Action::LogVisit);
        let head = visit.listed.row.agency_id == actor.agency_id.to_string() && actor.can(Action::ManageGrid);
        let open = visit.state != VisitState::Cancelled;
        Ok(VisitView {
            loggable: mine && open,
            changeable: (mine || head) && visit.state == VisitState::Planned,
            visit,
            findings,
            photos,
        })
    }

    /// A visit's photo, for whoever may read the visit.
    pub async fn grid_photo(&self, ctx: &Ctx, id: Id) -> Result<(PhotoMeta, Vec<u8>), AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?;
        let mut conn = self.db().conn().await?;
        let (meta, data) = store::photo_data(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let visit: Id = meta.visit_id.parse().map_err(|_| AppError::NotFound)?;
        let v = store::visit(&mut conn, visit).await?.ok_or(AppError::NotFound)?;
        if !may_read(&actor, &v) {
            return Err(AppError::NotFound);
        }
        Ok((meta, data))
    }

    /// The clues waiting for the teams the viewer belongs to (open and taken), oldest first.
    pub async fn grid_clues(&self, ctx: &Ctx, page: Page) -> Result<Paged<Finding>, AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?;
        let mut conn = self.db().conn().await?;
        let found = store::clues(&mut conn, &teams(&actor), None, page).await?;
        Ok(Paged {
            items: found
                .items
                .into_iter()
                .map(finding_of)
                .collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    /// Takes a clue up, or records what came of it.
    pub async fn clue_step(&self, ctx: &Ctx, id: Id, f: &ClueStep) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?;
        let mut tx = self.db().begin().await?;
        let listed = store::finding(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let mut row = listed.row.clone();
        if !teams(&actor).contains(&row.team.as_str()) {
            return Err(AppError::Forbidden);
        }
        if f.version != row.version {
            return Err(AppError::Conflict(vec![(
                "clue_state".into(),
                row.clue_state.clone().unwrap_or_default(),
            )]));
        }
        let state = row.clue_state.as_deref().and_then(ClueState::parse);
        let outcome = f.outcome.trim();
        match (state, f.action.as_str()) {
            (Some(ClueState::Open), "take") => {
                row.clue_state = Some(ClueState::Taken.code().into());
                row.taken_by_id = Some(actor.user_id.to_string());
                row.taken_by_name = actor.display_name.clone();
            }
            (Some(ClueState::Open | ClueState::Taken), "close") => {
                if outcome.is_empty() {
                    return Err(AppError::field("outcome", "grid-outcome-required"));
                }
                if outcome.chars().count() > OUTCOME_MAX {
                    return Err(AppError::Invalid(vec![
                        FieldError::new("outcome", "grid-too-long").arg("max", OUTCOME_MAX),
                    ]));
                }
                row.clue_state = Some(ClueState::Closed.code().into());
                row.outcome = outcome.to_owned();
                row.closed_at = Some(time::to_millis(self.now()));
                if row.taken_by_id.is_none() {
                    row.taken_by_id = Some(actor.user_id.to_string());
                    row.taken_by_name = actor.display_name.clone();
                }
            }
            _ => return Err(AppError::field("action", "grid-clue-not-now")),
        }
        store::save_finding(tx.conn(), &row, listed.row.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => {
                    AppError::Conflict(vec![("version".into(), listed.row.version.to_string())])
                }
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            &format!("grid.clue.{}", f.action),
            "grid_finding",
            &row.id,
            Changes::new().field(
                "clue_state",
                listed.row.clue_state.as_deref().unwrap_or_default(),
                row.clue_state.as_deref().unwrap_or_default(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
