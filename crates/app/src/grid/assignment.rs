//! Who goes into which village (DOMAIN.md §3.10 "roster prosecutor ↔ villages/communities; routine
//! village-by-village screening"): assignments with a rhythm of visits, each person's plan of what
//! falls due, and the coverage — villages not visited in a period, villages nobody is assigned to,
//! and the empty slots of the 1+4+6 roster.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::grid::Rhythm;
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::{Action, Actor, Scope};
use gongzhi_domain::roster::Slot;
use gongzhi_domain::{Id, time};
use gongzhi_store::grid::{self as store, AssignmentFilter, AssignmentListed, AssignmentRow};
use gongzhi_store::reference::{self, OrgUnit};
use gongzhi_store::users::{self, UserFilter};
use gongzhi_store::{AnyConnection, StoreError, roster};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// `POST /api/v1/grid/assignments`: a person of the own agency into a village.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AssignmentForm {
    pub user_id: String,
    pub village_id: String,
    #[serde(default)]
    pub grid_id: String,
    /// The roster slot filled there (judge, prosecutor, police_officer, legal_adviser, mediator,
    /// counsellor); empty for a grid worker's own grid.
    #[serde(default)]
    pub slot: String,
    /// weekly, fortnightly, monthly, quarterly
    pub rhythm: String,
}

/// One assignment and when its next visit is due.
#[derive(Clone, Debug)]
pub struct PlanItem {
    pub assignment: AssignmentListed,
    pub rhythm: Rhythm,
    pub slot: Option<Slot>,
    pub last_visit: Option<NaiveDate>,
    pub due: NaiveDate,
    pub overdue: bool,
}

/// A village in the coverage view.
#[derive(Clone, Debug)]
pub struct VillageCoverage {
    pub village: OrgUnit,
    /// Visits logged in the period.
    pub visits: i64,
    pub last_visit: Option<String>,
    /// People assigned now (name, agency).
    pub assigned: Vec<(String, String)>,
    /// Roster slots nobody fills.
    pub empty_slots: Vec<Slot>,
}

#[derive(Clone, Debug)]
pub struct TownshipCoverage {
    pub township: OrgUnit,
    pub villages: Vec<VillageCoverage>,
}

impl TownshipCoverage {
    pub fn unvisited(&self) -> usize {
        self.villages.iter().filter(|v| v.visits == 0).count()
    }
}

/// Coverage of every township for a period.
#[derive(Clone, Debug)]
pub struct Coverage {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub townships: Vec<TownshipCoverage>,
    pub villages: usize,
    pub unvisited: usize,
    pub unassigned: usize,
    pub empty_slots: usize,
}

fn plan_item(a: AssignmentListed, last: Option<NaiveDate>, today: NaiveDate) -> Option<PlanItem> {
    let rhythm = Rhythm::parse(&a.row.rhythm)?;
    let assigned_on = NaiveDate::parse_from_str(&a.row.assigned_on, "%Y-%m-%d").ok()?;
    let due = rhythm.due(last, assigned_on);
    Some(PlanItem {
        slot: Slot::parse(&a.row.slot),
        rhythm,
        last_visit: last,
        overdue: due < today,
        due,
        assignment: a,
    })
}

impl App {
    /// A person of the actor's agency who may log visits: (id, name).
    pub(crate) async fn own_person(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        user: &str,
    ) -> Result<Option<(String, String)>, AppError> {
        let Ok(id) = user.trim().parse::<Id>() else {
            return Ok(None);
        };
        Ok(users::get(conn, id)
            .await?
            .filter(|u| {
                u.active
                    && u.agency_id == actor.agency_id
                    && u.roles.iter().any(|r| r.allows(Action::LogVisit))
            })
            .map(|u| (u.id.to_string(), u.display_name)))
    }

    /// The people of the own agency who may be assigned: (id, name).
    pub async fn assignable_people(&self, ctx: &Ctx) -> Result<Vec<(String, String)>, AppError> {
        let actor = self.authorize(ctx, Action::ManageGrid).await?;
        let mut conn = self.db().conn().await?;
        let filter = UserFilter {
            text: None,
            agency_id: Some(actor.agency_id),
            role: None,
            offset: 0,
            limit: 500,
        };
        let (people, _) = users::list(&mut conn, &Scope::Agency(actor.agency_id), &filter).await?;
        let mut out: Vec<_> = people
            .into_iter()
            .filter(|u| u.active && u.roles.iter().any(|r| r.allows(Action::LogVisit)))
            .map(|u| (u.id.to_string(), u.display_name))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// Assigns a person of the own agency to a village (or reopens an ended assignment there).
    pub async fn assign_to_village(&self, ctx: &Ctx, f: &AssignmentForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ManageGrid).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let person = self.own_person(tx.conn(), &actor, &f.user_id).await?;
        checks.check(person.is_some(), "user_id", "grid-person-invalid");
        let village = match f.village_id.trim().parse::<Id>() {
            Ok(v) => reference::org_get(tx.conn(), v)
                .await?
                .filter(|u| u.level == OrgLevel::Village && u.active && u.parent_id.is_some()),
            Err(_) => None,
        };
        checks.check(village.is_some(), "village_id", "grid-village-unknown");
        let grid = match f.grid_id.trim() {
            "" => None,
            g => {
                let unit = match g.parse::<Id>() {
                    Ok(g) => reference::org_get(tx.conn(), g).await?,
                    Err(_) => None,
                };
                let fits = unit.as_ref().is_some_and(|u| {
                    u.level == OrgLevel::Grid && village.as_ref().is_some_and(|v| u.parent_id == Some(v.id))
                });
                checks.check(fits, "grid_id", "grid-unknown");
                unit.map(|u| u.id.to_string())
            }
        };
        let rhythm = Rhythm::parse(f.rhythm.trim());
        checks.check(rhythm.is_some(), "rhythm", "grid-rhythm-invalid");
        let agency = reference::agency_get(tx.conn(), actor.agency_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let slot = match f.slot.trim() {
            "" => None,
            s => match Slot::parse(s) {
                // DOMAIN.md §0.1: each slot is a person from the right organisation.
                Some(slot) if slot.fits_agency(agency.kind) => Some(slot),
                _ => {
                    checks.fail(FieldError::new("slot", "grid-slot-invalid").arg("agency", &agency.name));
                    None
                }
            },
        };
        checks.finish()?;
        let (Some((user_id, user_name)), Some(village), Some(rhythm)) = (person, village, rhythm) else {
            return Err(AppError::field("user_id", "grid-person-invalid"));
        };
        let now = time::to_millis(self.now());
        let today = time::local_date(self.now()).to_string();
        let uid: Id = user_id.parse().map_err(|_| AppError::NotFound)?;
        let row = match store::assignment_of(tx.conn(), uid, village.id).await? {
            Some(old) => {
                let row = AssignmentRow {
                    grid_id: grid,
                    slot: slot.map(|s| s.code().to_owned()).unwrap_or_default(),
                    rhythm: rhythm.code().into(),
                    assigned_on: if old.ended_on.is_some() {
                        today
                    } else {
                        old.assigned_on.clone()
                    },
                    ended_on: None,
                    updated_at: now,
                    ..old.clone()
                };
                store::save_assignment(tx.conn(), &row, old.version).await?;
                row
            }
            None => {
                let row = AssignmentRow {
                    id: Id::new().to_string(),
                    user_id,
                    agency_id: actor.agency_id.to_string(),
                    village_id: village.id.to_string(),
                    township_id: village.parent_id.map(|t| t.to_string()).unwrap_or_default(),
                    grid_id: grid,
                    slot: slot.map(|s| s.code().to_owned()).unwrap_or_default(),
                    rhythm: rhythm.code().into(),
                    assigned_on: today,
                    ended_on: None,
                    created_by_name: actor.display_name.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                store::insert_assignment(tx.conn(), &row)
                    .await
                    .map_err(|e| match e {
                        StoreError::Duplicate(_) => AppError::field("user_id", "grid-assignment-exists"),
                        other => other.into(),
                    })?;
                row
            }
        };
        ctx.audit(
            tx.conn(),
            "grid.assign",
            "grid_assignment",
            &row.id,
            Changes::new()
                .set("person", user_name.as_str())
                .set("village", village.name.as_str())
                .set("rhythm", rhythm.code()),
        )
        .await?;
        tx.commit().await?;
        row.id.parse().map_err(|_| AppError::NotFound)
    }

    /// Ends an assignment of the own agency (kept for the record).
    pub async fn end_assignment(&self, ctx: &Ctx, id: Id, version: i64) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageGrid).await?;
        let mut tx = self.db().begin().await?;
        let old = store::assignment(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        if old.agency_id != actor.agency_id.to_string() {
            return Err(AppError::Forbidden);
        }
        if old.ended_on.is_some() {
            return Err(AppError::field("assignment", "grid-assignment-ended"));
        }
        if version != old.version {
            return Err(AppError::Conflict(vec![(
                "version".into(),
                old.version.to_string(),
            )]));
        }
        let row = AssignmentRow {
            ended_on: Some(time::local_date(self.now()).to_string()),
            updated_at: time::to_millis(self.now()),
            ..old.clone()
        };
        store::save_assignment(tx.conn(), &row, old.version).await?;
        ctx.audit(
            tx.conn(),
            "grid.unassign",
            "grid_assignment",
            &row.id,
            Changes::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Current assignments: of a township, or all.
    pub async fn grid_assignments(
        &self,
        ctx: &Ctx,
        township: Option<Id>,
    ) -> Result<Vec<AssignmentListed>, AppError> {
        self.authorize(ctx, Action::ViewGrid).await?;
        let mut conn = self.db().conn().await?;
        Ok(store::assignments(
            &mut conn,
            &AssignmentFilter {
                township,
                current: true,
                ..AssignmentFilter::default()
            },
        )
        .await?)
    }

    /// The viewer's own assignments, soonest due first (the visit plan).
    pub async fn my_visit_plan(&self, ctx: &Ctx) -> Result<Vec<PlanItem>, AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?;
        let mut conn = self.db().conn().await?;
        let today = time::local_date(self.now());
        let mine = store::assignments(
            &mut conn,
            &AssignmentFilter {
                user: Some(actor.user_id),
                current: true,
                ..AssignmentFilter::default()
            },
        )
        .await?;
        let me = actor.user_id.to_string();
        let last: HashMap<String, NaiveDate> = store::last_visits(&mut conn, &today.to_string())
            .await?
            .into_iter()
            .filter(|(u, _, _)| *u == me)
            .filter_map(|(_, v, d)| Some((v, NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?)))
            .collect();
        let mut out: Vec<PlanItem> = mine
            .into_iter()
            .filter_map(|a| {
                let l = last.get(&a.row.village_id).copied();
                plan_item(a, l, today)
            })
            .collect();
        out.sort_by_key(|p| p.due);
        Ok(out)
    }

    /// Coverage of `[from, to]`: every township's villages with their visits, who is assigned and
    /// which roster slots are empty.
    pub async fn grid_coverage(
        &self,
        ctx: &Ctx,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Coverage, AppError> {
        self.authorize(ctx, Action::ViewGrid).await?;
        if to < from {
            return Err(AppError::field("to", "grid-period-invalid"));
        }
        let mut conn = self.db().conn().await?;
        let visited: HashMap<String, (String, i64)> =
            store::visited_villages(&mut conn, None, &from.to_string(), &to.to_string())
                .await?
                .into_iter()
                .map(|(v, last, n)| (v, (last, n)))
                .collect();
        let mut assigned: HashMap<String, Vec<(String, String)>> = HashMap::new();
        // A slot is filled by the roster (DOMAIN.md §0.1) or by someone assigned to it here.
        let mut filled: HashMap<Id, Vec<Slot>> = HashMap::new();
        for s in roster::slots(&mut conn, None).await? {
            filled.entry(s.village_id).or_default().push(s.slot);
        }
        for a in store::assignments(
            &mut conn,
            &AssignmentFilter {
                current: true,
                ..AssignmentFilter::default()
            },
        )
        .await?
        {
            if let (Some(slot), Ok(v)) = (Slot::parse(&a.row.slot), a.row.village_id.parse::<Id>()) {
                filled.entry(v).or_default().push(slot);
            }
            assigned
                .entry(a.row.village_id.clone())
                .or_default()
                .push((a.user_name, a.agency_name));
        }
        let mut out = Coverage {
            from,
            to,
            townships: Vec::new(),
            villages: 0,
            unvisited: 0,
            unassigned: 0,
            empty_slots: 0,
        };
        let villages = reference::org_by_level(&mut conn, OrgLevel::Village).await?;
        for township in reference::org_by_level(&mut conn, OrgLevel::Township).await? {
            if !township.active {
                continue;
            }
            let mut t = TownshipCoverage {
                township,
                villages: Vec::new(),
            };
            for v in villages
                .iter()
                .filter(|v| v.active && v.parent_id == Some(t.township.id))
            {
                let key = v.id.to_string();
                let (last, n) = visited
                    .get(&key)
                    .cloned()
                    .map_or((None, 0), |(l, n)| (Some(l), n));
                let have = filled.get(&v.id).cloned().unwrap_or_default();
                let empty: Vec<Slot> = Slot::ALL.iter().copied().filter(|s| !have.contains(s)).collect();
                let people = assigned.get(&key).cloned().unwrap_or_default();
                out.villages += 1;
                out.unvisited += usize::from(n == 0);
                out.unassigned += usize::from(people.is_empty());
                out.empty_slots += empty.len();
                t.villages.push(VillageCoverage {
                    village: v.clone(),
                    visits: n,
                    last_visit: last,
                    assigned: people,
                    empty_slots: empty,
                });
            }
            if !t.villages.is_empty() {
                out.townships.push(t);
            }
        }
        Ok(out)
    }
}
