//! Where the registration form starts for this user (issue 10 §4): the kind and channel they
//! register most, and the places they work in — a township's own staff and grid workers see
//! their township's villages, district-wide offices every township.

use gongzhi_domain::Id;
use gongzhi_domain::case as dcase;
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{CaseKind, Channel};
use gongzhi_store::AnyConnection;
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

/// The township an agency works in: its own unit, or the township its village or grid lies in;
/// None for a district-wide office.
pub(crate) async fn own_township(conn: &mut AnyConnection, agency: Id) -> Result<Option<OrgUnit>, AppError> {
    let Some(a) = reference::agency_get(conn, agency).await? else {
        return Ok(None);
    };
    let mut unit = reference::org_get(conn, a.org_unit_id).await?;
    // A grid lies in a village, a village in a township: two steps up at most.
    for _ in 0..2 {
        match unit {
            Some(u) if matches!(u.level, OrgLevel::Village | OrgLevel::Grid) => {
                unit = match u.parent_id {
                    Some(p) => reference::org_get(conn, p).await?,
                    None => None,
                };
            }
            _ => break,
        }
    }
    Ok(unit.filter(|u| u.level == OrgLevel::Township))
}

impl App {
    pub async fn intake_setup(&self, ctx: &Ctx) -> Result<IntakeSetup, AppError> {
        let actor = self.authorize(ctx, Action::RegisterCase).await?;
        let (kind, channel) = dcase::usual_intake(&actor.roles);
        let all = self.portal_places().await?;
        let mut conn = self.db().conn().await?;
        let township = own_township(&mut conn, actor.agency_id).await?.map(|t| t.id);
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
