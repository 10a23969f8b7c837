//! The 1+4+6 roster: a patch owner per township and six people per village/community, with the gaps;
//! the roster at work (`work`): a case's patch owner, the patch owner's high-risk cases, a case's
//! helpers.

mod work;

pub use gongzhi_store::roster::{HelperRow, Patch};
pub use work::{HELPER_SLOTS, Helper, HelperForm, PatchWatch};

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::policy::Action;
use gongzhi_domain::roster::{HeadKind, Slot};
use gongzhi_store::StoreError;
use gongzhi_store::reference::{self, OrgUnit};
use gongzhi_store::roster::{self, SlotEntry};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// One slot as shown: filled (phone masked) or a gap.
#[derive(Clone, Debug)]
pub struct SlotView {
    pub slot: Slot,
    pub entry: Option<SlotEntry>,
    pub phone_masked: String,
}

#[derive(Clone, Debug)]
pub struct VillageRoster {
    pub village: OrgUnit,
    pub slots: Vec<SlotView>,
}

impl VillageRoster {
    pub fn gaps(&self) -> usize {
        self.slots.iter().filter(|s| s.entry.is_none()).count()
    }
}

#[derive(Clone, Debug)]
pub struct TownshipRoster {
    pub township: OrgUnit,
    pub patch: Option<Patch>,
    pub villages: usize,
    pub filled: usize,
}

/// A roster member as staff reach them: the number in full, to call (an official's work contact).
#[derive(Clone, Debug)]
pub struct RosterMember {
    pub village_id: Id,
    pub slot: Slot,
    pub person_name: String,
    pub agency_name: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default)]
pub struct SlotForm {
    pub person_name: String,
    pub agency_id: String,
    pub phone: String,
    pub version: i64,
}

impl App {
    /// Every township with its patch owner and how full its villages' rosters are.
    pub async fn roster_overview(&self, ctx: &Ctx) -> Result<Vec<TownshipRoster>, AppError> {
        self.authorize(ctx, Action::ViewRoster).await?;
        let mut conn = self.db().conn().await?;
        let townships = reference::org_by_level(&mut conn, OrgLevel::Township).await?;
        let villages = reference::org_by_level(&mut conn, OrgLevel::Village).await?;
        let patches = roster::patches(&mut conn).await?;
        let slots = roster::slots(&mut conn, None).await?;
        Ok(townships
            .into_iter()
            .filter(|t| t.active)
            .map(|t| {
                let ids: Vec<Id> = villages
                    .iter()
                    .filter(|v| v.parent_id == Some(t.id) && v.active)
                    .map(|v| v.id)
                    .collect();
                TownshipRoster {
                    patch: patches.iter().find(|p| p.township_id == t.id).cloned(),
                    villages: ids.len(),
                    filled: slots.iter().filter(|s| ids.contains(&s.village_id)).count(),
                    township: t,
                }
            })
            .collect())
    }

    /// The six slots of every village under a township.
    pub async fn township_roster(
        &self,
        ctx: &Ctx,
        township: Id,
    ) -> Result<(OrgUnit, Vec<VillageRoster>), AppError> {
        self.authorize(ctx, Action::ViewRoster).await?;
        let mut conn = self.db().conn().await?;
        let t = reference::org_get(&mut conn, township)
            .await?
            .filter(|t| t.level == OrgLevel::Township)
            .ok_or(AppError::NotFound)?;
        let villages = reference::org_children(&mut conn, Some(township)).await?;
        let slots = roster::slots(&mut conn, Some(township)).await?;
        let mut out = Vec::new();
        for v in villages.into_iter().filter(|v| v.active) {
            let mut views = Vec::new();
            for s in Slot::ALL {
                let entry = slots
                    .iter()
                    .find(|e| e.village_id == v.id && e.slot == *s)
                    .cloned();
                let phone_masked = match entry.as_ref().and_then(|e| e.phone_enc.as_deref()) {
                    Some(enc) => Phone::parse(&self.cipher().decrypt(enc)?)
                        .map(|p| p.masked())
                        .unwrap_or_default(),
                    None => String::new(),
                };
                views.push(SlotView {
                    slot: *s,
                    entry,
                    phone_masked,
                });
            }
            out.push(VillageRoster {
                village: v,
                slots: views,
            });
        }
        Ok((t, out))
    }

    /// The people of a village's roster (the "6" of 1+4+6), in slot order, as staff reach them: a
    /// mediator to choose, a number to call from the village (issue 10 §6).
    pub async fn village_people(&self, ctx: &Ctx, village: Id) -> Result<Vec<RosterMember>, AppError> {
        self.authorize(ctx, Action::ViewRoster).await?;
        let mut conn = self.db().conn().await?;
        let slots = roster::slots(&mut conn, None).await?;
        self.members(slots.into_iter().filter(|e| e.village_id == village))
    }

    /// Roster entries with their numbers decrypted, in slot order.
    pub(crate) fn members(
        &self,
        entries: impl Iterator<Item = SlotEntry>,
    ) -> Result<Vec<RosterMember>, AppError> {
        let mut out = entries
            .map(|e| {
                let phone = match e.phone_enc.as_deref() {
                    Some(enc) => self.cipher().decrypt(enc)?,
                    None => String::new(),
                };
                Ok(RosterMember {
                    village_id: e.village_id,
                    slot: e.slot,
                    person_name: e.person_name,
                    agency_name: e.agency_name,
                    phone,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        out.sort_by_key(|m| Slot::ALL.iter().position(|s| *s == m.slot));
        Ok(out)
    }

    pub async fn put_slot(&self, ctx: &Ctx, village: Id, slot: Slot, f: &SlotForm) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageRoster).await?;
        let mut tx = self.db().begin().await?;
        let v = reference::org_get(tx.conn(), village)
            .await?
            .filter(|v| v.level == OrgLevel::Village)
            .ok_or(AppError::NotFound)?;
        let mut checks = Checks::new();
        let name_len = f.person_name.trim().chars().count();
        checks.check((1..=30).contains(&name_len), "person_name", "name-invalid");
        let agency = match f.agency_id.parse::<Id>() {
            Ok(a) => reference::agency_get(tx.conn(), a).await?,
            Err(_) => None,
        };
        match &agency {
            None => checks.fail(FieldError::new("agency_id", "agency-unknown")),
            Some(a) if !slot.fits_agency(a.kind) => {
                checks.fail(FieldError::new("agency_id", "roster-agency-mismatch").arg("slot", slot))
            }
            Some(_) => {}
        }
        let phone = if f.phone.trim().is_empty() {
            None
        } else {
            match Phone::parse(&f.phone) {
                Ok(p) => Some(p),
                Err(_) => {
                    checks.fail(FieldError::new("phone", "phone-invalid"));
                    None
                }
            }
        };
        checks.finish()?;
        let agency = agency.ok_or(AppError::NotFound)?;
        let existing = roster::slots(tx.conn(), v.parent_id)
            .await?
            .into_iter()
            .find(|e| e.village_id == village && e.slot == slot);
        let entry = SlotEntry {
            village_id: village,
            slot,
            person_name: f.person_name.trim().into(),
            agency_id: agency.id,
            agency_name: agency.name.clone(),
            // A blank phone keeps the one on record.
            phone_enc: match &phone {
                Some(p) => Some(self.cipher().encrypt(p.as_str())?),
                None => existing.as_ref().and_then(|x| x.phone_enc.clone()),
            },
            version: f.version,
        };
        roster::put_slot(tx.conn(), &entry, f.version, self.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(match &existing {
                    Some(x) => vec![
                        ("person_name".into(), x.person_name.clone()),
                        ("agency".into(), x.agency_name.clone()),
                    ],
                    None => vec![("person_name".into(), String::new())],
                }),
                other => other.into(),
            })?;
        let changes = Changes::new()
            .field(
                "person_name",
                existing
                    .as_ref()
                    .map(|x| x.person_name.clone())
                    .unwrap_or_default(),
                entry.person_name.as_str(),
            )
            .field(
                "agency_id",
                existing
                    .as_ref()
                    .map(|x| x.agency_id.to_string())
                    .unwrap_or_default(),
                agency.id.to_string(),
            )
            .field(
                "phone",
                existing
                    .as_ref()
                    .and_then(|x| x.phone_enc.clone())
                    .unwrap_or_default(),
                entry.phone_enc.clone().unwrap_or_default(),
            );
        ctx.audit(
            tx.conn(),
            "roster.put",
            "village",
            &format!("{village}/{slot}"),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_slot(&self, ctx: &Ctx, village: Id, slot: Slot) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageRoster).await?;
        let mut tx = self.db().begin().await?;
        if !roster::clear_slot(tx.conn(), village, slot).await? {
            return Err(AppError::NotFound);
        }
        ctx.audit(
            tx.conn(),
            "roster.clear",
            "village",
            &format!("{village}/{slot}"),
            Changes::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn put_patch(
        &self,
        ctx: &Ctx,
        township: Id,
        head: &str,
        person: &str,
        agency: &str,
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageRoster).await?;
        let mut tx = self.db().begin().await?;
        reference::org_get(tx.conn(), township)
            .await?
            .filter(|t| t.level == OrgLevel::Township)
            .ok_or(AppError::NotFound)?;
        let mut checks = Checks::new();
        let head = HeadKind::parse(head);
        checks.check(head.is_some(), "head_kind", "head-kind-invalid");
        checks.check(
            (1..=30).contains(&person.trim().chars().count()),
            "person_name",
            "name-invalid",
        );
        let agency = match agency.parse::<Id>() {
            Ok(a) => reference::agency_get(tx.conn(), a).await?,
            Err(_) => None,
        };
        match (&agency, head) {
            (None, _) => checks.fail(FieldError::new("agency_id", "agency-unknown")),
            (Some(a), Some(h)) if !h.fits_agency(a.kind) => {
                checks.fail(FieldError::new("agency_id", "patch-agency-mismatch").arg("head", h))
            }
            _ => {}
        }
        checks.finish()?;
        let (Some(agency), Some(head)) = (agency, head) else {
            return Err(AppError::NotFound);
        };
        let before = roster::patches(tx.conn())
            .await?
            .into_iter()
            .find(|p| p.township_id == township);
        let patch = Patch {
            township_id: township,
            head_kind: head,
            person_name: person.trim().into(),
            agency_id: agency.id,
            agency_name: agency.name,
            version: 0,
        };
        roster::upsert_patch(tx.conn(), &patch, self.now()).await?;
        let changes = Changes::new()
            .field(
                "head_kind",
                before.as_ref().map(|b| b.head_kind.code()).unwrap_or(""),
                head.code(),
            )
            .field(
                "person_name",
                before.as_ref().map(|b| b.person_name.clone()).unwrap_or_default(),
                patch.person_name.as_str(),
            );
        ctx.audit(tx.conn(), "patch.put", "org_unit", &township.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_patch(&self, ctx: &Ctx, township: Id) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageRoster).await?;
        let mut tx = self.db().begin().await?;
        if !roster::delete_patch(tx.conn(), township).await? {
            return Err(AppError::NotFound);
        }
        ctx.audit(
            tx.conn(),
            "patch.clear",
            "org_unit",
            &township.to_string(),
            Changes::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
