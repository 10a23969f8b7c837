//! The chief prosecutor's reception day (检察长接访日, DOMAIN.md §3.10, §4.1): the complaints unit
//! schedules leaders' half days and publishes them; staff or the public (on the portal, with the
//! portal's captcha and rate limit) book a visit; the reception is recorded in `visit`.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::policy::{Action, Role};
use gongzhi_domain::reception::{
    self as rules, BookingChannel, ReceptionHalf, SlotError, SlotState, VisitState,
};
use gongzhi_domain::{Id, Principal, time};
use gongzhi_store::reception::{self as store, SlotRow, VisitRow};
use gongzhi_store::users::{self, UserFilter};
use gongzhi_store::{AnyConnection, Page, StoreError};

use crate::error::Checks;
use crate::hearing::pool::parse_date;
use crate::{App, AppError, Ctx, FieldError};

mod visit;

pub use visit::{Owner, VisitItem, VisitStep, VisitView};

/// Bookings per client address per hour on the portal (as its submissions, `portal`).
pub const BOOKINGS_PER_HOUR: i64 = 5;
/// How far ahead the public schedule reaches.
pub const PUBLIC_DAYS: i64 = 62;
pub const VISIT_PAGE: i64 = 50;

/// Roles whose holders receive visitors: leaders and department heads (§4.1).
const RECEIVING: [Role; 2] = [Role::ChiefProsecutor, Role::Prosecutor];

/// A half day to schedule: `POST /api/v1/reception-days`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SlotForm {
    pub leader_id: String,
    /// `YYYY-MM-DD`
    pub day: String,
    /// `am` or `pm`
    pub half: String,
    pub place: String,
    /// What the day is for, if it has a theme (e.g. land disputes).
    #[serde(default)]
    pub topic: String,
    pub capacity: i64,
    /// Published at once (else a draft).
    #[serde(default)]
    pub publish: bool,
    /// The same day of each month for a year (12 slots, §4.1).
    #[serde(default)]
    pub monthly: bool,
}

/// A booking: `POST /api/v1/reception-days/{id}/visits` by staff, or the portal's form.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct BookingForm {
    pub name: String,
    pub phone: String,
    /// What the visitor wants to raise with the leader.
    pub matter: String,
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub row: SlotRow,
    pub state: SlotState,
    pub half: ReceptionHalf,
    pub day: NaiveDate,
}

impl Slot {
    pub fn remaining(&self) -> i64 {
        (self.row.capacity - self.row.booked).max(0)
    }
}

/// A leader's receptions in a year against the §4.1 minimum.
#[derive(Clone, Debug)]
pub struct LeaderYear {
    pub leader_id: String,
    pub name: String,
    pub scheduled: i64,
    pub shortfall: usize,
}

#[derive(Clone, Debug)]
pub struct Schedule {
    pub year: i32,
    pub slots: Vec<Slot>,
    pub leaders: Vec<LeaderYear>,
    /// Who may be scheduled: (user id, name).
    pub receivers: Vec<(String, String)>,
}

/// A slot as the public schedule shows it: the leader's name and place are published, nothing else.
#[derive(Clone, Debug)]
pub struct PublicSlot {
    pub id: String,
    pub day: NaiveDate,
    pub half: ReceptionHalf,
    pub leader: String,
    pub place: String,
    pub topic: String,
    pub remaining: i64,
}

/// What a booking answers: the code to show at the door, and the slot.
#[derive(Clone, Debug)]
pub struct Booked {
    pub visit_id: Id,
    pub code: String,
    pub slot: PublicSlot,
}

pub(crate) fn slot_of(row: SlotRow) -> Result<Slot, AppError> {
    let bad = || AppError::Internal(format!("reception slot {}", row.id));
    Ok(Slot {
        state: SlotState::parse(&row.state).ok_or_else(bad)?,
        half: ReceptionHalf::parse(&row.half).ok_or_else(bad)?,
        day: parse_date(&row.day).ok_or_else(bad)?,
        row,
    })
}

fn public_of(s: &Slot) -> PublicSlot {
    PublicSlot {
        id: s.row.id.clone(),
        day: s.day,
        half: s.half,
        leader: s.row.leader_name.clone(),
        place: s.row.place.clone(),
        topic: s.row.topic.clone(),
        remaining: s.remaining(),
    }
}

impl App {
    /// The year's schedule of the actor's agency, with each leader's count against the minimum.
    pub async fn reception_schedule(&self, ctx: &Ctx, year: i32) -> Result<Schedule, AppError> {
        let actor = self.authorize(ctx, Action::ViewReception).await?;
        let mut conn = self.db().conn().await?;
        let rows = store::slots(
            &mut conn,
            Some(actor.agency_id),
            &format!("{year:04}-01-01"),
            &format!("{year:04}-12-31"),
            false,
        )
        .await?;
        let slots = rows.into_iter().map(slot_of).collect::<Result<Vec<_>, _>>()?;
        let receivers = self.receivers(&mut conn, actor.agency_id).await?;
        let counts = store::counts_in_year(&mut conn, actor.agency_id, year).await?;
        // Every chief prosecutor (leader) is held to the minimum even before a first slot.
        let mut leaders: Vec<LeaderYear> = counts
            .into_iter()
            .map(|(leader_id, name, n)| LeaderYear {
                shortfall: rules::shortfall(usize::try_from(n).unwrap_or(0)),
                leader_id,
                name,
                scheduled: n,
            })
            .collect();
        for (id, name, chief) in self.leaders_of(&mut conn, actor.agency_id).await? {
            if chief && !leaders.iter().any(|l| l.leader_id == id) {
                leaders.push(LeaderYear {
                    leader_id: id,
                    name,
                    scheduled: 0,
                    shortfall: rules::MIN_PER_YEAR,
                });
            }
        }
        Ok(Schedule {
            year,
            slots,
            leaders,
            receivers,
        })
    }

    /// Active users of an agency who may receive: (id, name, is a chief prosecutor).
    async fn leaders_of(
        &self,
        conn: &mut AnyConnection,
        agency: Id,
    ) -> Result<Vec<(String, String, bool)>, AppError> {
        let mut out: Vec<(String, String, bool)> = Vec::new();
        for role in RECEIVING {
            let f = UserFilter {
                agency_id: Some(agency),
                role: Some(role),
                limit: 500,
                ..UserFilter::default()
            };
            let (found, _) = users::list(&mut *conn, &gongzhi_domain::policy::Scope::All, &f).await?;
            for u in found.into_iter().filter(|u| u.active) {
                if !out.iter().any(|(id, _, _)| *id == u.id.to_string()) {
                    let chief = u.roles.contains(&Role::ChiefProsecutor);
                    out.push((u.id.to_string(), u.display_name, chief));
                }
            }
        }
        Ok(out)
    }

    async fn receivers(
        &self,
        conn: &mut AnyConnection,
        agency: Id,
    ) -> Result<Vec<(String, String)>, AppError> {
        let mut all = self.leaders_of(conn, agency).await?;
        // Leaders first, then department heads.
        all.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
        Ok(all.into_iter().map(|(id, name, _)| (id, name)).collect())
    }

    /// A slot of the actor's agency with its visits (cancelled ones too, last).
    pub async fn reception_day(&self, ctx: &Ctx, id: Id) -> Result<(Slot, Vec<VisitItem>), AppError> {
        let actor = self.authorize(ctx, Action::ViewReception).await?;
        let mut conn = self.db().conn().await?;
        let row = store::slot(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        if row.agency_id != actor.agency_id.to_string() {
            return Err(AppError::NotFound);
        }
        let slot = slot_of(row)?;
        drop(conn);
        let mut visits = self
            .reception_visits(ctx, Some(id), &[], Page::first(VISIT_PAGE * 4))
            .await?
            .items;
        visits.sort_by_key(|v| (v.state == VisitState::Cancelled, v.row.created_at));
        Ok((slot, visits))
    }

    /// Schedules a half day (or the same day of each month for a year). Returns the slots made.
    pub async fn schedule_reception(&self, ctx: &Ctx, f: &SlotForm) -> Result<Vec<Id>, AppError> {
        let actor = self.authorize(ctx, Action::ScheduleReception).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let leader = self
            .leaders_of(tx.conn(), actor.agency_id)
            .await?
            .into_iter()
            .find(|(id, _, _)| *id == f.leader_id.trim());
        checks.check(leader.is_some(), "leader_id", "reception-leader-invalid");
        let half = ReceptionHalf::parse(&f.half);
        checks.check(half.is_some(), "half", "reception-half-invalid");
        checks.check(!f.place.trim().is_empty(), "place", "reception-field-required");
        let day = parse_date(&f.day);
        let today = time::local_date(self.now());
        match day.map(|d| rules::check_slot(d, f.capacity, today)) {
            None => checks.fail(FieldError::new("day", "reception-day-invalid")),
            Some(Err(SlotError::Past)) => {
                checks.fail(FieldError::new("day", "reception-day-past").arg("today", today));
            }
            Some(Err(SlotError::Capacity)) => checks.fail(
                FieldError::new("capacity", "reception-capacity-invalid").arg("max", rules::MAX_CAPACITY),
            ),
            Some(Ok(())) => {}
        }
        checks.finish()?;
        let (Some((leader_id, leader_name, _)), Some(half), Some(day)) = (leader, half, day) else {
            return Err(AppError::field("leader_id", "reception-leader-invalid"));
        };
        let days = if f.monthly { rules::monthly(day) } else { vec![day] };
        let now = time::to_millis(self.now());
        let state = if f.publish {
            SlotState::Published
        } else {
            SlotState::Draft
        };
        let mut made = Vec::new();
        for d in days {
            let id = Id::new();
            let row = SlotRow {
                id: id.to_string(),
                agency_id: actor.agency_id.to_string(),
                leader_id: leader_id.clone(),
                leader_name: leader_name.clone(),
                day: d.to_string(),
                half: half.code().into(),
                place: f.place.trim().to_owned(),
                topic: f.topic.trim().to_owned(),
                capacity: f.capacity,
                booked: 0,
                state: state.code().into(),
                created_by_name: actor.display_name.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
            };
            store::insert_slot(tx.conn(), &row).await.map_err(|e| match e {
                StoreError::Duplicate(_) => AppError::Invalid(vec![
                    FieldError::new("day", "reception-slot-taken")
                        .arg("name", &leader_name)
                        .arg("day", d),
                ]),
                other => other.into(),
            })?;
            ctx.audit(
                tx.conn(),
                "reception.schedule",
                "reception_slot",
                &row.id,
                Changes::new()
                    .set("leader", leader_name.as_str())
                    .set("day", row.day.as_str())
                    .set("half", row.half.as_str())
                    .set("state", row.state.as_str()),
            )
            .await?;
            made.push(id);
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Publishes a draft slot, or cancels one nobody is booked on.
    pub async fn reception_slot_step(
        &self,
        ctx: &Ctx,
        id: Id,
        version: i64,
        to: SlotState,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ScheduleReception).await?;
        let mut tx = self.db().begin().await?;
        let row = store::slot(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        if row.agency_id != actor.agency_id.to_string() {
            return Err(AppError::NotFound);
        }
        let slot = slot_of(row)?;
        if version != 0 && version != slot.row.version {
            return Err(AppError::Conflict(vec![(
                "state".into(),
                slot.state.code().into(),
            )]));
        }
        let allowed = match (slot.state, to) {
            (SlotState::Draft, SlotState::Published) => true,
            (SlotState::Draft | SlotState::Published, SlotState::Cancelled) => {
                if slot.row.booked > 0 {
                    return Err(AppError::Invalid(vec![
                        FieldError::new("state", "reception-slot-has-visits").arg("n", slot.row.booked),
                    ]));
                }
                true
            }
            _ => false,
        };
        if !allowed {
            return Err(AppError::field("state", "reception-slot-not-now"));
        }
        let mut row = slot.row.clone();
        row.state = to.code().into();
        row.updated_at = time::to_millis(self.now());
        store::save_slot(tx.conn(), &row, slot.row.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), slot.state.code().into())]),
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            &format!(
                "reception.{}",
                if to == SlotState::Published {
                    "publish"
                } else {
                    "cancel"
                }
            ),
            "reception_slot",
            &row.id,
            Changes::new().field("state", slot.state.code(), to.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The published half days from today, for the portal (public fields only).
    pub async fn public_reception_days(&self) -> Result<Vec<PublicSlot>, AppError> {
        let mut conn = self.db().conn().await?;
        let today = time::local_date(self.now());
        let until = today + chrono::Duration::days(PUBLIC_DAYS);
        let rows = store::slots(&mut conn, None, &today.to_string(), &until.to_string(), true).await?;
        rows.into_iter()
            .map(|r| slot_of(r).map(|s| public_of(&s)))
            .collect()
    }

    /// Books a visit on a published slot: staff for a visitor (at the desk or on the phone), or the
    /// public on the portal with a captcha, within the portal's rate limit.
    pub async fn book_reception(
        &self,
        ctx: &Ctx,
        slot: Id,
        f: &BookingForm,
        captcha: Option<(&str, &str)>,
    ) -> Result<Booked, AppError> {
        let (channel, by) = match (ctx.principal(), captcha) {
            (Principal::Public, Some((token, answer))) => {
                // Committed on its own, as the portal's submissions: a refused form still counts.
                let mut tx = self.db().begin().await?;
                self.count_hit(tx.conn(), "reception", &ctx.address_key(), BOOKINGS_PER_HOUR)
                    .await?;
                let verdict = self.spend_captcha(tx.conn(), token, answer).await?;
                tx.commit().await?;
                verdict?;
                (BookingChannel::Portal, None)
            }
            (Principal::Public, None) => return Err(AppError::field("captcha", "captcha-wrong")),
            _ => {
                let actor = self.authorize(ctx, Action::ScheduleReception).await?;
                (BookingChannel::Staff, Some(actor))
            }
        };
        let mut checks = Checks::new();
        let name = f.name.trim();
        checks.check(!name.is_empty(), "name", "reception-field-required");
        let phone = Phone::parse(&f.phone);
        checks.check(phone.is_ok(), "phone", "phone-invalid");
        let matter = f.matter.trim();
        checks.check(!matter.is_empty(), "matter", "reception-field-required");
        if matter.chars().count() > rules::MATTER_MAX {
            checks.fail(FieldError::new("matter", "reception-matter-long").arg("max", rules::MATTER_MAX));
        }
        checks.finish()?;
        let Ok(phone) = phone else {
            return Err(AppError::field("phone", "phone-invalid"));
        };
        let mut tx = self.db().begin().await?;
        let row = store::slot(tx.conn(), slot).await?.ok_or(AppError::NotFound)?;
        if let Some(a) = &by
            && row.agency_id != a.agency_id.to_string()
        {
            return Err(AppError::NotFound);
        }
        let s = slot_of(row)?;
        // A draft is not on the schedule: to the public it does not exist.
        if s.state != SlotState::Published {
            return Err(if by.is_some() {
                AppError::field("slot", "reception-slot-not-published")
            } else {
                AppError::NotFound
            });
        }
        if s.day < time::local_date(self.now()) {
            return Err(AppError::field("slot", "reception-slot-past"));
        }
        if !store::take_place(tx.conn(), slot).await? {
            return Err(AppError::field("slot", "reception-slot-full"));
        }
        let mut random = [0u8; 10];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        let code = gongzhi_domain::case::tracking_code(&random);
        let now = time::to_millis(self.now());
        let visit_id = Id::new();
        let v = VisitRow {
            id: visit_id.to_string(),
            slot_id: s.row.id.clone(),
            agency_id: s.row.agency_id.clone(),
            code: code.clone(),
            channel: channel.code().into(),
            visitor_name: name.to_owned(),
            phone_enc: self.cipher().encrypt(phone.as_str())?,
            phone_masked: phone.masked(),
            matter: matter.to_owned(),
            state: VisitState::Booked.code().into(),
            created_by_name: by
                .as_ref()
                .map_or_else(|| ctx.timeline_name(), |a| a.display_name.clone()),
            version: 1,
            created_at: now,
            updated_at: now,
            ..VisitRow::default()
        };
        store::insert_visit(tx.conn(), &v).await?;
        ctx.audit(
            tx.conn(),
            "reception.book",
            "reception_visit",
            &v.id,
            Changes::new()
                .set("slot", s.row.id.as_str())
                .set("channel", channel.code()),
        )
        .await?;
        tx.commit().await?;
        let mut slot = public_of(&s);
        slot.remaining = (slot.remaining - 1).max(0);
        Ok(Booked { visit_id, code, slot })
    }
}
