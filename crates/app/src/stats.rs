//! Figures for the home page: how complete the org tree, agencies, accounts and roster are.

use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::Action;
use gongzhi_domain::roster::Slot;
use gongzhi_store::reference::{self, AgencyFilter};
use gongzhi_store::{roster, users};

use crate::{App, AppError, Ctx};

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Overview {
    pub townships: i64,
    pub villages: i64,
    pub grids: i64,
    pub agencies: i64,
    pub users: i64,
    pub patches: i64,
    pub slots_filled: i64,
    pub slots_total: i64,
}

impl Overview {
    pub fn roster_percent(&self) -> i64 {
        if self.slots_total == 0 {
            0
        } else {
            self.slots_filled * 100 / self.slots_total
        }
    }
}

impl App {
    pub async fn overview(&self, ctx: &Ctx) -> Result<Overview, AppError> {
        self.authorize(ctx, Action::ViewStatistics).await?;
        let mut conn = self.db().conn().await?;
        let counts = reference::org_count_by_level(&mut conn).await?;
        let of = |l: OrgLevel| counts.iter().find(|(k, _)| *k == l).map(|(_, n)| *n).unwrap_or(0);
        let villages = of(OrgLevel::Village);
        Ok(Overview {
            townships: of(OrgLevel::Township),
            villages,
            grids: of(OrgLevel::Grid),
            agencies: reference::agency_list(&mut conn, &AgencyFilter::default())
                .await?
                .len() as i64,
            users: users::count(&mut conn).await?,
            patches: roster::patches(&mut conn).await?.len() as i64,
            slots_filled: roster::slots(&mut conn, None).await?.len() as i64,
            slots_total: villages * Slot::ALL.len() as i64,
        })
    }
}
