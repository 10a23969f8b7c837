//! State judicial aid (国家司法救助, DOMAIN.md §3.8, §4.5) with the social aid it is linked to: a
//! clue from the case department, the applicant informed, the application (written or an oral
//! record), the eligibility checklist, the review within 10 working days, the chief prosecutor's
//! decision on the amount against the 36-month cap, funds, notice within 2 working days, payment.
//! Social aid (civil affairs, HR & social security, education …) is a referral of the case, with
//! the referral's own acceptance, return and report.

use gongzhi_domain::aid::{AidCategory, AidExclusion, AidState};
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::aid::{self as store, AidRow};
use gongzhi_store::{AnyConnection, Page, Paged, reference, referral};

use crate::{App, AppError, Ctx};

mod flow;

pub use flow::{AidStep, NewAid, PROVINCE};

pub const AID_PAGE: i64 = 30;

#[derive(Clone, Debug)]
pub struct Aid {
    pub row: AidRow,
    pub state: AidState,
    pub categories: Vec<AidCategory>,
    pub exclusions: Vec<AidExclusion>,
    /// The review or the notice is past its working-day limit.
    pub late: bool,
}

#[derive(Clone, Debug)]
pub struct AidItem {
    pub aid: Aid,
    pub number: String,
}

/// A referral of the aid's case for social aid, as the aid page lists it.
#[derive(Clone, Debug)]
pub struct SocialAid {
    pub agency: String,
    pub state: String,
    pub note: String,
    pub answer: String,
}

#[derive(Clone, Debug)]
pub struct AidView {
    pub aid: Aid,
    pub number: String,
    pub title: String,
    pub commands: Vec<gongzhi_domain::aid::AidCommand>,
    /// The cap for the wage on record for the year before this one, if one is recorded.
    pub cap: Option<(i32, i64, i64)>,
    pub social: Vec<SocialAid>,
}

fn codes<T>(s: &str, parse: impl Fn(&str) -> Option<T>) -> Vec<T> {
    s.split(',').filter_map(parse).collect()
}

/// Agencies whose help is social aid (§3.8 "judicial aid + social aid").
pub(crate) fn social_kind(k: AgencyKind) -> bool {
    matches!(
        k,
        AgencyKind::CivilAffairs
            | AgencyKind::HumanResources
            | AgencyKind::Education
            | AgencyKind::WomensFederation
            | AgencyKind::Other
    )
}

impl App {
    pub(crate) fn aid_of(&self, row: AidRow) -> Result<Aid, AppError> {
        let state = AidState::parse(&row.state)
            .ok_or_else(|| AppError::Internal(format!("aid {}: state", row.id)))?;
        let today = time::local_date(self.now()).to_string();
        let past = |d: &Option<String>| d.as_deref().is_some_and(|d| d < today.as_str());
        let late = (matches!(state, AidState::Applied | AidState::AdvancePaid) && past(&row.review_due))
            || (state == AidState::FundsReceived && past(&row.notify_due));
        Ok(Aid {
            categories: codes(&row.categories, AidCategory::parse),
            exclusions: codes(&row.exclusions, AidExclusion::parse),
            row,
            state,
            late,
        })
    }

    pub(crate) async fn aid_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: Id,
    ) -> Result<Aid, AppError> {
        let row = store::aid(conn, id).await?.ok_or(AppError::NotFound)?;
        if row.agency_id != actor.agency_id.to_string() {
            return Err(AppError::NotFound);
        }
        self.aid_of(row)
    }

    pub async fn aid_cases(
        &self,
        ctx: &Ctx,
        state: Option<AidState>,
        page: Page,
    ) -> Result<Paged<AidItem>, AppError> {
        let actor = self.authorize(ctx, Action::ViewAid).await?;
        let mut conn = self.db().conn().await?;
        let found = store::aids(&mut conn, actor.agency_id, state.map(|s| s.code()), page).await?;
        let mut items = Vec::new();
        for l in found.items {
            items.push(AidItem {
                aid: self.aid_of(l.aid)?,
                number: l.number,
            });
        }
        Ok(Paged {
            items,
            total: found.total,
        })
    }

    pub async fn aid_case(&self, ctx: &Ctx, id: Id) -> Result<AidView, AppError> {
        let actor = self.authorize(ctx, Action::ViewAid).await?;
        let mut conn = self.db().conn().await?;
        let aid = self.aid_for(&mut conn, &actor, id).await?;
        let case_id: Id = aid.row.case_id.parse().map_err(|_| AppError::NotFound)?;
        let c = gongzhi_store::case::get_case(&mut conn, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let year = chrono::Datelike::year(&time::local_date(self.now())) - 1;
        let cap = store::wage(&mut conn, PROVINCE, year)
            .await?
            .map(|(m, _)| (year, m, gongzhi_domain::aid::cap(m)));
        let mut social = Vec::new();
        for r in referral::referrals(&mut conn, case_id).await? {
            let kind = match r.to_agency_id.parse::<Id>() {
                Ok(a) => reference::agency_get(&mut conn, a).await?.map(|a| a.kind),
                Err(_) => None,
            };
            if kind.is_some_and(social_kind) {
                social.push(SocialAid {
                    agency: r.to_agency_name.unwrap_or_default(),
                    state: r.state,
                    note: r.note,
                    answer: r.answer,
                });
            }
        }
        let commands = aid
            .state
            .commands()
            .into_iter()
            .filter(|c| !c.is_chiefs() || actor.can(Action::DecideAid))
            .collect();
        Ok(AidView {
            number: c.number,
            title: c.title,
            commands,
            cap,
            social,
            aid,
        })
    }
}
