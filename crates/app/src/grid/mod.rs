//! The grid (网格): 我的网格 (issue 10 §6) — the villages a grid worker or township officer works
//! in, each with its open cases and what falls due, and the village's 1+4+6 people to call — and
//! prosecutors into the grid (issue 12 §1): assignments and plans (`assignment`), visits logged on a
//! phone (`visit`), their findings routed (`route`), read and taken up (`view`).

mod assignment;
mod route;
mod view;
mod visit;

pub use assignment::{AssignmentForm, Coverage, PlanItem, TownshipCoverage, VillageCoverage};
pub use gongzhi_store::grid::{AssignmentListed, PhotoMeta, VisitFilter};
pub use route::FindingInput;
pub use view::{ClueStep, Finding, VISIT_PAGE, Visit, VisitView};
pub use visit::{LogOutcome, PhotoInput, VisitChange, VisitLog, VisitPlan, fields_of};

use gongzhi_domain::Id;
use gongzhi_domain::org::{DivisionCode, OrgLevel};
use gongzhi_domain::policy::Action;
use gongzhi_store::case::CaseFilter;
use gongzhi_store::reference::{self, OrgUnit};
use gongzhi_store::roster::{self, Patch};

use crate::case::{Listed, district_wide, own_township};
use crate::roster::RosterMember;
use crate::{App, AppError, Ctx};

/// How many of a village's open cases the view lists (the count says how many there are).
pub const CASES_SHOWN: i64 = 5;

#[derive(Clone, Debug)]
pub struct GridVillage {
    pub village: OrgUnit,
    /// The urgent and newest open cases the viewer may see, at most `CASES_SHOWN`, soonest due
    /// first.
    pub cases: Vec<Listed>,
    /// How many open cases the village has (that the viewer may see).
    pub open: i64,
    pub roster: Vec<RosterMember>,
}

#[derive(Clone, Debug)]
pub struct MyGrid {
    /// The township shown: the viewer's own, or — for a district-wide office, which has no single
    /// grid — the one chosen (None until one is).
    pub township: Option<OrgUnit>,
    /// The township is the viewer's own (the choice is not offered).
    pub own: bool,
    /// The head of a political-legal organ who owns the township's patch (the "4" of 1+4+6).
    pub patch: Option<Patch>,
    pub villages: Vec<GridVillage>,
}

impl App {
    /// The viewer's grid: the own township's villages, or those of `chosen` for an office that
    /// works district-wide (a prosecutor going into a village, the committee).
    pub async fn my_grid(&self, ctx: &Ctx, chosen: Option<Id>) -> Result<MyGrid, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let own = own_township(&mut conn, actor.agency_id).await?;
        let is_own = own.is_some();
        let township = match (own, chosen) {
            (Some(t), _) => Some(t),
            (None, Some(id)) => reference::org_get(&mut conn, id)
                .await?
                .filter(|u| u.level == OrgLevel::Township && u.active),
            (None, None) => None,
        };
        let Some(township) = township else {
            return Ok(MyGrid {
                township: None,
                own: false,
                patch: None,
                villages: Vec::new(),
            });
        };
        let patch = roster::patches(&mut conn)
            .await?
            .into_iter()
            .find(|p| p.township_id == township.id);
        let slots = roster::slots(&mut conn, Some(township.id)).await?;
        let scope = (!district_wide(&actor)).then_some(actor.agency_id);
        let mut villages = Vec::new();
        for v in reference::org_children(&mut conn, Some(township.id)).await? {
            if !v.active {
                continue;
            }
            let prefix = DivisionCode::parse(&v.code)
                .map(|c| c.area_prefix().to_owned())
                .ok();
            let (cases, open) = self
                .soonest_due(
                    &mut conn,
                    &CaseFilter {
                        agency: scope,
                        open: Some(true),
                        place_prefix: prefix.or_else(|| Some(v.code.clone())),
                        limit: CASES_SHOWN,
                        ..Default::default()
                    },
                )
                .await?;
            villages.push(GridVillage {
                roster: self.members(slots.iter().filter(|s| s.village_id == v.id).cloned())?,
                village: v,
                cases,
                open,
            });
        }
        Ok(MyGrid {
            township: Some(township),
            own: is_own,
            patch,
            villages,
        })
    }
}
