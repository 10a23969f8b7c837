//! Where the registration form starts for this user (issue 10 §4): the kind and channel they
//! register most, and the places they work in — a township's own staff and grid workers see
//! their township's villages, district-wide offices every township.

use gongzhi_domain::case as dcase;
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{CaseKind, Channel};
use gongzhi_store::reference::{self, OrgUnit};

use crate::{App, AppError, Ctx};

#[derive(Clone, Debug)]
pub struct IntakeSetup {
    pub kind: CaseKind,
    pub channel: Channel,
    /// The townships with their villages the form offers, the user's own first.
    pub places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    /// The user's agency sits in one township: the places are that township's only.
    pub own_township: bool,
}

impl App {
    pub async fn intake_setup(&self, ctx: &Ctx) -> Result<IntakeSetup, AppError> {
        let actor = self.authorize(ctx, Action::RegisterCase).await?;
        let (kind, channel) = dcase::usual_intake(&actor.roles);
        let all = self.portal_places().await?;
        let mut conn = self.db().conn().await?;
        // The agency's own unit, or the township it lies in (a village's unit).
        let township = match reference::agency_get(&mut conn, actor.agency_id).await? {
            Some(a) => match reference::org_get(&mut conn, a.org_unit_id).await? {
                Some(u) if u.level == OrgLevel::Township => Some(u.id),
                Some(u) if matches!(u.level, OrgLevel::Village | OrgLevel::Grid) => {
                    reference::org_get(&mut conn, u.parent_id.unwrap_or(u.id))
                        .await?
                        .filter(|p| p.level == OrgLevel::Township)
                        .map(|p| p.id)
                }
                _ => None,
            },
            None => None,
        };
        let places: Vec<_> = match township {
            Some(t) if all.iter().any(|(u, _)| u.id == t) => {
                all.into_iter().filter(|(u, _)| u.id == t).collect()
            }
            _ => all,
        };
        Ok(IntakeSetup {
            kind,
            channel,
            own_township: township.is_some() && places.len() == 1,
            places,
        })
    }
}
