//! The 1+4+6 roster at work (issue 12 §2, DOMAIN.md §0.1): the patch owner of a case's township,
//! the township's open high-risk cases in the patch owner's inbox (read only, whichever agency
//! handles them), and the mediator, legal adviser or counsellor asked to help with a case — from the
//! village's roster first.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::org::{DivisionCode, OrgLevel};
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::referral::ReceiverWork;
use gongzhi_domain::risk::RiskLevel;
use gongzhi_domain::roster::Slot;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{Case, CaseFilter};
use gongzhi_store::reference::{self, OrgUnit};
use gongzhi_store::roster::{self, HelperRow, Patch};

use crate::case::Listed;
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// How many of a patched township's high-risk cases the inbox lists.
const PATCH_SHOWN: i64 = 20;

/// The slots whose people are asked to help with a case: the mediator, the legal adviser and the
/// psychological counsellor (§0.1 "dispute resolution … psychological-crisis intervention").
pub const HELPER_SLOTS: [Slot; 3] = [Slot::Mediator, Slot::LegalAdviser, Slot::Counsellor];

/// `POST /api/v1/cases/{id}/helpers`: the village's roster member of `slot`, or someone else.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HelperForm {
    /// mediator, legal_adviser, counsellor
    pub slot: String,
    /// The village's roster member of that slot (the name and agency are taken from the roster).
    #[serde(default)]
    pub from_roster: bool,
    /// Someone not on the roster: name and organisation.
    #[serde(default)]
    pub person_name: String,
    #[serde(default)]
    pub agency_name: String,
}

/// A helper as shown: the phone in full for staff (a work contact), empty when none is known.
#[derive(Clone, Debug)]
pub struct Helper {
    pub row: HelperRow,
    pub slot: Slot,
    pub phone: String,
}

/// A township whose patch the viewer's agency owns, with its open high-risk cases.
#[derive(Clone, Debug)]
pub struct PatchWatch {
    pub township: OrgUnit,
    pub patch: Patch,
    pub cases: Vec<Listed>,
    pub total: i64,
}

/// The township of a case's place: its parent for a village, the place itself for a township.
async fn township_of(conn: &mut AnyConnection, c: &Case) -> Result<Option<OrgUnit>, AppError> {
    let Some(place) = c.place_id else {
        return Ok(None);
    };
    let unit = reference::org_get(&mut *conn, place).await?;
    Ok(match unit {
        Some(u) if u.level == OrgLevel::Township => Some(u),
        Some(u) => match u.parent_id {
            Some(t) => reference::org_get(&mut *conn, t).await?,
            None => None,
        },
        None => None,
    })
}

impl App {
    /// Whether the actor reads `c` as the owner of its township's patch: an open case assessed
    /// high, in a township whose patch the actor's agency owns.
    pub(crate) async fn patch_reads(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Case,
    ) -> Result<bool, AppError> {
        if !actor.can(Action::WatchPatch) || c.status.is_closed() || c.risk_level != Some(RiskLevel::High) {
            return Ok(false);
        }
        let Some(t) = township_of(&mut *conn, c).await? else {
            return Ok(false);
        };
        Ok(roster::patches(&mut *conn)
            .await?
            .iter()
            .any(|p| p.township_id == t.id && p.agency_id == actor.agency_id))
    }

    /// The patch owner of a case's township (none when the case has no place or the township no
    /// patch).
    pub async fn case_patch(&self, ctx: &Ctx, case: Id) -> Result<Option<Patch>, AppError> {
        self.authorize(ctx, Action::ViewRoster).await?;
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, case).await?;
        let Some(t) = township_of(&mut conn, &c).await? else {
            return Ok(None);
        };
        Ok(roster::patches(&mut conn)
            .await?
            .into_iter()
            .find(|p| p.township_id == t.id))
    }

    /// The townships whose patch the viewer's agency owns, each with its open high-risk cases,
    /// soonest due first.
    pub async fn patch_watch(&self, ctx: &Ctx) -> Result<Vec<PatchWatch>, AppError> {
        let actor = self.authorize(ctx, Action::WatchPatch).await?;
        let mut conn = self.db().conn().await?;
        let mut out = Vec::new();
        for patch in roster::patches(&mut conn).await? {
            if patch.agency_id != actor.agency_id {
                continue;
            }
            let Some(township) = reference::org_get(&mut conn, patch.township_id).await? else {
                continue;
            };
            let prefix = DivisionCode::parse(&township.code)
                .map(|c| c.area_prefix().to_owned())
                .unwrap_or_else(|_| township.code.clone());
            let (cases, total) = self
                .soonest_due(
                    &mut conn,
                    &CaseFilter {
                        open: Some(true),
                        risk: Some(RiskLevel::High),
                        place_prefix: Some(prefix),
                        limit: PATCH_SHOWN,
                        ..Default::default()
                    },
                )
                .await?;
            out.push(PatchWatch {
                township,
                patch,
                cases,
                total,
            });
        }
        Ok(out)
    }

    /// The people helping with a case now.
    pub async fn case_helpers(&self, ctx: &Ctx, case: Id) -> Result<Vec<Helper>, AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        self.case_for_read(&mut conn, ctx, case).await?;
        roster::helpers(&mut conn, case)
            .await?
            .into_iter()
            .map(|row| {
                let phone = match row.phone_enc.as_deref() {
                    Some(enc) => self.cipher().decrypt(enc)?,
                    None => String::new(),
                };
                let slot = Slot::parse(&row.slot).ok_or(AppError::NotFound)?;
                Ok(Helper { row, slot, phone })
            })
            .collect()
    }

    /// Asks a mediator, legal adviser or counsellor to help with the case: the village's roster
    /// member of that slot, or someone named. The case's handler (or the receiver of its referral,
    /// who mediates) does it; each request is on the case's timeline.
    pub async fn add_helper(&self, ctx: &Ctx, case: Id, f: &HelperForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self
            .case_for_work(tx.conn(), ctx, case, ReceiverWork::Mediation)
            .await?;
        let mut checks = Checks::new();
        let slot = Slot::parse(f.slot.trim()).filter(|s| HELPER_SLOTS.contains(s));
        checks.check(slot.is_some(), "slot", "helper-slot-invalid");
        checks.check(!c.status.is_closed(), "slot", "case-closed");
        let (name, agency, phone_enc) = match (f.from_roster, slot) {
            (true, Some(slot)) => {
                let entry = match c.place_id {
                    Some(v) => roster::slots(tx.conn(), None)
                        .await?
                        .into_iter()
                        .find(|e| e.village_id == v && e.slot == slot),
                    None => None,
                };
                checks.check(entry.is_some(), "slot", "helper-roster-empty");
                entry.map_or_else(Default::default, |e| (e.person_name, e.agency_name, e.phone_enc))
            }
            _ => {
                let name = f.person_name.trim().to_owned();
                checks.check(
                    (1..=30).contains(&name.chars().count()),
                    "person_name",
                    "helper-name-invalid",
                );
                checks.check(
                    f.agency_name.trim().chars().count() <= 60,
                    "agency_name",
                    "helper-agency-too-long",
                );
                (name, f.agency_name.trim().to_owned(), None)
            }
        };
        let already = roster::helpers(tx.conn(), case).await?;
        checks.check(
            !already
                .iter()
                .any(|h| Some(h.slot.as_str()) == slot.map(Slot::code) && h.person_name == name),
            "person_name",
            "helper-already",
        );
        checks.finish()?;
        let slot = slot.ok_or_else(|| AppError::field("slot", "helper-slot-invalid"))?;
        let id = Id::new();
        roster::insert_helper(
            tx.conn(),
            &HelperRow {
                id: id.to_string(),
                case_id: case.to_string(),
                slot: slot.code().into(),
                person_name: name.clone(),
                agency_name: agency.clone(),
                phone_enc,
                from_roster: i64::from(f.from_roster),
                assigned_by_name: actor.display_name.clone(),
                assigned_at: time::to_millis(self.now()),
                released_at: None,
            },
        )
        .await?;
        let detail = if agency.is_empty() {
            name.clone()
        } else {
            format!("{name}（{agency}）")
        };
        self.event(
            tx.conn(),
            ctx,
            &c,
            &format!("helper-{}", slot.code()),
            &detail,
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.helper.add",
            "case",
            &case.to_string(),
            Changes::new()
                .set("slot", slot.code())
                .set("person", name.as_str())
                .set("from_roster", f.from_roster),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Releases a helper from the case (kept for the record).
    pub async fn release_helper(&self, ctx: &Ctx, case: Id, helper: Id) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self
            .case_for_work(tx.conn(), ctx, case, ReceiverWork::Mediation)
            .await?;
        let found = roster::helpers(tx.conn(), case)
            .await?
            .into_iter()
            .find(|h| h.id == helper.to_string());
        let Some(h) = found else {
            return Err(AppError::NotFound);
        };
        roster::release_helper(tx.conn(), case, helper, time::to_millis(self.now())).await?;
        self.event(tx.conn(), ctx, &c, "helper-released", &h.person_name, false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.helper.release",
            "case",
            &case.to_string(),
            Changes::new().set("person", h.person_name.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
