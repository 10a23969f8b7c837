//! Grid visits (DOMAIN.md §3.10): planned for a day, logged on a phone in the village — online or
//! later from the device's queue — with the findings routed in the same transaction. A log carries
//! the key the device gave it (sent twice, applied once) and the version it was written against:
//! if someone changed the visit meanwhile, the fields merge one by one, and a field both sides
//! changed comes back for review instead of being overwritten.

use std::collections::BTreeMap;

use gongzhi_domain::audit::Changes;
use gongzhi_domain::grid::{self as rules, CheckItem, FieldConflict, Fields, FindingKind, VisitState};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::grid::{self as store, PhotoMeta, VisitRow};
use gongzhi_store::{AnyConnection, StoreError, reference};

use super::route::{FindingInput, Origin};
use crate::case::{parse_local, sm3_hex};
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

const PLACE_MAX: usize = 100;
const PEOPLE_MAX: usize = 500;
const TEXT_MAX: usize = 4000;
const SUMMARY_MAX: usize = 100;
/// A photo as the phone sends it, after its own downscaling.
const PHOTO_MAX_BYTES: usize = 3 * 1024 * 1024;
/// A log typed offline may reach the server days later; a month is the longest it waits.
const OFFLINE_DAYS: i64 = 30;

/// A visit's log: `POST /api/v1/grid/visits` (a visit not planned) or
/// `POST /api/v1/grid/visits/{id}/log` (a planned one, or a correction).
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct VisitLog {
    /// The village or community (a new visit; a planned one keeps its own).
    #[serde(default)]
    pub village_id: String,
    #[serde(default)]
    pub grid_id: String,
    /// Local `YYYY-MM-DD HH:MM` (or `YYYY-MM-DDTHH:MM`).
    pub visited_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub people_met: String,
    /// Checklist codes looked at: land_water, neighbour, family, wages_owed, key_petitioners,
    /// left_behind_children, elderly_alone, safety_hazard, environment, legal_needs.
    #[serde(default)]
    pub checklist: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    #[serde(default)]
    pub photos: Vec<PhotoInput>,
    /// The visit's version the device last saw (a planned visit's log).
    #[serde(default)]
    pub version: i64,
    /// The visit's fields as the device last saw them (visited_at, place, people_met, checklist,
    /// notes), for the field-by-field merge when the version moved on.
    #[serde(default)]
    pub base: BTreeMap<String, String>,
}

/// A photo: its name and the JPEG or PNG bytes in base64.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct PhotoInput {
    pub filename: String,
    pub data: String,
}

/// What came of a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogOutcome {
    Saved {
        id: Id,
        version: i64,
        /// Fields someone else changed meanwhile that were kept beside the log's own.
        merged: Vec<String>,
        /// (id, number) of the cases registered from the findings.
        cases: Vec<(String, String)>,
        /// The key had been applied before: nothing was written again.
        repeated: bool,
    },
    /// Both sides changed these fields: shown for review, nothing written.
    Conflict {
        id: Id,
        version: i64,
        current: Fields,
        conflicts: Vec<FieldConflict>,
    },
}

/// A visit planned for a day: `POST /api/v1/grid/visits/plan`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct VisitPlan {
    pub village_id: String,
    /// `YYYY-MM-DD`
    pub day: String,
    /// Someone of the own agency (a head planning for them); empty: oneself.
    #[serde(default)]
    pub visitor_id: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub notes: String,
}

/// A planned visit moved or cancelled: `POST /api/v1/grid/visits/{id}`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct VisitChange {
    pub version: i64,
    /// `YYYY-MM-DD`
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub cancel: bool,
}

/// The fields a log sets, by name, as the merge compares them.
pub fn fields_of(v: &VisitRow) -> Fields {
    [
        ("visited_at", v.visited_at.clone().unwrap_or_default()),
        ("place", v.place.clone()),
        ("people_met", v.people_met.clone()),
        ("checklist", v.checklist.clone()),
        ("notes", v.notes.clone()),
    ]
    .into_iter()
    .map(|(k, val)| (k.to_owned(), val))
    .collect()
}

fn too_long(checks: &mut Checks, field: &str, s: &str, max: usize) {
    if s.chars().count() > max {
        checks.fail(FieldError::new(field, "grid-too-long").arg("max", max));
    }
}

/// A checked log: its fields and decoded photos.
struct Checked {
    fields: Fields,
    day: String,
    kinds: Vec<FindingKind>,
    photos: Vec<(String, &'static str, Vec<u8>)>,
}

impl App {
    fn check_log(&self, f: &VisitLog) -> Result<Checked, AppError> {
        let mut checks = Checks::new();
        let now = self.now();
        let at = match parse_local(&f.visited_at) {
            Some(t) if t > now + chrono::Duration::minutes(5) => {
                checks.fail(FieldError::new("visited_at", "grid-visit-in-future"));
                None
            }
            Some(t) if t < now - chrono::Duration::days(OFFLINE_DAYS) => {
                checks.fail(FieldError::new("visited_at", "grid-visit-too-old").arg("days", OFFLINE_DAYS));
                None
            }
            Some(t) => Some(t),
            None => {
                checks.fail(FieldError::new("visited_at", "datetime-invalid"));
                None
            }
        };
        too_long(&mut checks, "place", &f.place, PLACE_MAX);
        too_long(&mut checks, "people_met", &f.people_met, PEOPLE_MAX);
        too_long(&mut checks, "notes", &f.notes, TEXT_MAX);
        let mut items = Vec::new();
        for c in &f.checklist {
            match CheckItem::parse(c.trim()) {
                Some(i) if !items.contains(&i) => items.push(i),
                Some(_) => {}
                None => checks.fail(FieldError::new("checklist", "grid-check-invalid")),
            }
        }
        if f.findings.len() > rules::MAX_FINDINGS {
            checks.fail(FieldError::new("findings", "grid-too-many").arg("max", rules::MAX_FINDINGS));
        }
        let mut kinds = Vec::new();
        for (i, x) in f.findings.iter().enumerate() {
            let field = |n: &str| format!("findings[{i}].{n}");
            let kind = FindingKind::parse(x.kind.trim());
            if kind.is_none() {
                checks.fail(FieldError::new(&field("kind"), "grid-finding-kind-invalid"));
            }
            let n = x.summary.trim().chars().count();
            checks.check(
                (1..=SUMMARY_MAX).contains(&n),
                &field("summary"),
                "grid-summary-invalid",
            );
            too_long(&mut checks, &field("details"), &x.details, TEXT_MAX);
            kinds.extend(kind);
        }
        if f.photos.len() > rules::MAX_PHOTOS {
            checks.fail(FieldError::new("photos", "grid-too-many").arg("max", rules::MAX_PHOTOS));
        }
        let mut photos = Vec::new();
        for p in f.photos.iter().take(rules::MAX_PHOTOS) {
            let name: String = p
                .filename
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("照片.jpg")
                .chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect();
            let data = data_encoding::BASE64.decode(p.data.trim().as_bytes()).ok();
            match data {
                Some(d) if d.len() > PHOTO_MAX_BYTES => checks.fail(
                    FieldError::new("photos", "attachment-too-large")
                        .arg("name", &name)
                        .arg("limit", PHOTO_MAX_BYTES / (1024 * 1024)),
                ),
                Some(d) => match gongzhi_domain::attachment::check(&name, &d) {
                    Ok(mime) if mime.starts_with("image/") => photos.push((name, mime, d)),
                    _ => checks.fail(FieldError::new("photos", "grid-photo-invalid").arg("name", &name)),
                },
                None => checks.fail(FieldError::new("photos", "grid-photo-invalid").arg("name", &name)),
            }
        }
        checks.finish()?;
        let at = at.ok_or_else(|| AppError::field("visited_at", "datetime-invalid"))?;
        let local = time::format_local(at);
        let checklist = CheckItem::ALL
            .iter()
            .filter(|i| items.contains(i))
            .map(|i| i.code())
            .collect::<Vec<_>>()
            .join(",");
        let fields = [
            ("visited_at", local.clone()),
            ("place", f.place.trim().to_owned()),
            ("people_met", f.people_met.trim().to_owned()),
            ("checklist", checklist),
            ("notes", f.notes.trim().to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Ok(Checked {
            fields,
            day: local.get(..10).unwrap_or_default().to_owned(),
            kinds,
            photos,
        })
    }

    /// Logs a visit (new when `id` is `None`) with its findings routed and its photos, once per
    /// key.
    pub async fn log_visit(
        &self,
        ctx: &Ctx,
        id: Option<Id>,
        f: &VisitLog,
        key: Option<&str>,
    ) -> Result<LogOutcome, AppError> {
        let actor = self.authorize(ctx, Action::LogVisit).await?.clone();
        let principal = actor.user_id.to_string();
        let key = key.map(str::trim).filter(|k| !k.is_empty() && k.len() <= 100);
        let mut conn = self.db().conn().await?;
        if let Some(k) = key
            && let Some(done) = store::visit_of_key(&mut conn, &principal, k).await?
        {
            return self.repeated(&mut conn, &done).await;
        }
        drop(conn);
        let checked = self.check_log(f)?;
        let mut tx = self.db().begin().await?;
        let now = time::to_millis(self.now());
        let (mut row, existing) = match id {
            Some(id) => {
                let v = store::visit(tx.conn(), id).await?.ok_or(AppError::NotFound)?.row;
                if v.visitor_id != principal {
                    return Err(AppError::field("visit", "grid-visit-not-yours"));
                }
                if v.state == VisitState::Cancelled.code() {
                    return Err(AppError::field("visit", "grid-visit-cancelled"));
                }
                (v, true)
            }
            None => {
                let village = match f.village_id.trim().parse::<Id>() {
                    Ok(v) => reference::org_get(tx.conn(), v)
                        .await?
                        .filter(|u| u.level == OrgLevel::Village && u.active),
                    Err(_) => None,
                };
                let (Some(village), Some(township)) = (village.clone(), village.and_then(|v| v.parent_id))
                else {
                    return Err(AppError::field("village_id", "grid-village-unknown"));
                };
                let grid = match f.grid_id.trim().parse::<Id>() {
                    Ok(g) => reference::org_get(tx.conn(), g)
                        .await?
                        .filter(|u| u.level == OrgLevel::Grid && u.parent_id == Some(village.id))
                        .map(|u| u.id.to_string()),
                    Err(_) => None,
                };
                let v = VisitRow {
                    id: Id::new().to_string(),
                    agency_id: actor.agency_id.to_string(),
                    village_id: village.id.to_string(),
                    township_id: township.to_string(),
                    grid_id: grid,
                    visitor_id: principal.clone(),
                    visitor_name: actor.display_name.clone(),
                    state: VisitState::Visited.code().into(),
                    day: checked.day.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    ..VisitRow::default()
                };
                (v, false)
            }
        };
        let theirs = fields_of(&row);
        let mut merged = Vec::new();
        let fields = if !existing || f.version == row.version {
            checked.fields.clone()
        } else {
            match rules::merge(&f.base, &checked.fields, &theirs) {
                Ok(m) => {
                    merged = theirs
                        .iter()
                        .filter(|(k, v)| f.base.get(*k).map(String::as_str).unwrap_or_default() != v.as_str())
                        .map(|(k, _)| k.clone())
                        .collect();
                    m
                }
                Err(conflicts) => {
                    return Ok(LogOutcome::Conflict {
                        id: row.id.parse().map_err(|_| AppError::NotFound)?,
                        version: row.version,
                        current: theirs,
                        conflicts,
                    });
                }
            }
        };
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        row.visited_at = Some(get("visited_at"));
        row.day = get("visited_at").get(..10).unwrap_or(&checked.day).to_owned();
        row.place = get("place");
        row.people_met = get("people_met");
        row.checklist = get("checklist");
        row.notes = get("notes");
        row.updated_at = now;
        let earlier = if existing {
            store::findings(tx.conn(), &row.id).await?.len()
        } else {
            0
        };
        if earlier + checked.kinds.len() > 0 {
            row.state = VisitState::Routed.code().into();
        } else if row.state == VisitState::Planned.code() {
            row.state = VisitState::Visited.code().into();
        }
        if existing {
            let expected = row.version;
            store::save_visit(tx.conn(), &row, expected)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict => {
                        AppError::Conflict(vec![("version".into(), expected.to_string())])
                    }
                    other => other.into(),
                })?;
            row.version = expected + 1;
        } else {
            store::insert_visit(tx.conn(), &row).await?;
        }
        let visit_id = row.id.clone();
        let origin = Origin {
            visit_id: &visit_id,
            village: row.village_id.parse().map_err(|_| AppError::NotFound)?,
            township: row.township_id.parse().map_err(|_| AppError::NotFound)?,
            grid: row.grid_id.as_deref(),
            visited_at: row.visited_at.as_deref().unwrap_or_default(),
            earlier,
        };
        let mut cases = Vec::new();
        for (i, (x, kind)) in f.findings.iter().zip(&checked.kinds).enumerate() {
            let (finding, case) = self.route_finding(tx.conn(), ctx, &origin, i, *kind, x).await?;
            store::insert_finding(tx.conn(), &finding).await?;
            if let Some(c) = case {
                cases.push((c.id.to_string(), c.number.clone()));
            }
        }
        for (name, mime, data) in &checked.photos {
            store::insert_photo(
                tx.conn(),
                &PhotoMeta {
                    id: Id::new().to_string(),
                    visit_id: visit_id.clone(),
                    filename: name.clone(),
                    mime: (*mime).to_owned(),
                    size: i64::try_from(data.len()).unwrap_or(i64::MAX),
                    sm3: sm3_hex(data),
                    uploaded_at: now,
                },
                data,
            )
            .await?;
        }
        if let Some(k) = key {
            match store::remember_key(tx.conn(), &principal, k, &visit_id, now).await {
                Ok(()) => {}
                // The same log arriving twice at once: the other one was written.
                Err(StoreError::Duplicate(_)) => {
                    drop(tx);
                    let mut conn = self.db().conn().await?;
                    let done = store::visit_of_key(&mut conn, &principal, k)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    return self.repeated(&mut conn, &done).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        ctx.audit(
            tx.conn(),
            if existing {
                "grid.visit.log"
            } else {
                "grid.visit.new"
            },
            "grid_visit",
            &visit_id,
            Changes::new()
                .set("day", row.day.as_str())
                .set("findings", checked.kinds.len())
                .set("cases", cases.len())
                .set("photos", checked.photos.len())
                .set("merged", merged.join(",")),
        )
        .await?;
        tx.commit().await?;
        Ok(LogOutcome::Saved {
            id: visit_id.parse().map_err(|_| AppError::NotFound)?,
            version: row.version,
            merged,
            cases,
            repeated: false,
        })
    }

    async fn repeated(&self, conn: &mut AnyConnection, visit: &str) -> Result<LogOutcome, AppError> {
        let id: Id = visit.parse().map_err(|_| AppError::NotFound)?;
        let v = store::visit(&mut *conn, id).await?.ok_or(AppError::NotFound)?;
        let cases = store::findings(&mut *conn, visit)
            .await?
            .into_iter()
            .filter_map(|f| Some((f.row.case_id?, f.case_number?)))
            .collect();
        Ok(LogOutcome::Saved {
            id,
            version: v.row.version,
            merged: Vec::new(),
            cases,
            repeated: true,
        })
    }

    /// Plans a visit for oneself, or — a head — for someone of the own agency.
    pub async fn plan_visit(&self, ctx: &Ctx, f: &VisitPlan) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::LogVisit).await?.clone();
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let village = match f.village_id.trim().parse::<Id>() {
            Ok(v) => reference::org_get(tx.conn(), v)
                .await?
                .filter(|u| u.level == OrgLevel::Village && u.active),
            Err(_) => None,
        };
        checks.check(
            village.as_ref().is_some_and(|v| v.parent_id.is_some()),
            "village_id",
            "grid-village-unknown",
        );
        let day = chrono::NaiveDate::parse_from_str(f.day.trim(), "%Y-%m-%d").ok();
        let today = time::local_date(self.now());
        checks.check(day.is_some_and(|d| d >= today), "day", "grid-day-invalid");
        too_long(&mut checks, "place", &f.place, PLACE_MAX);
        too_long(&mut checks, "notes", &f.notes, TEXT_MAX);
        let me = actor.user_id.to_string();
        let visitor = match f.visitor_id.trim() {
            "" => Some((me, actor.display_name.clone())),
            v if v == me => Some((me, actor.display_name.clone())),
            // Planning for someone else is a head's (§3.10 assignments are the head's).
            _ if !actor.can(Action::ManageGrid) => None,
            v => self.own_person(tx.conn(), &actor, v).await?,
        };
        checks.check(visitor.is_some(), "visitor_id", "grid-person-invalid");
        checks.finish()?;
        let (Some(village), Some(day), Some((visitor_id, visitor_name))) = (village, day, visitor) else {
            return Err(AppError::field("village_id", "grid-village-unknown"));
        };
        let now = time::to_millis(self.now());
        let id = Id::new();
        let row = VisitRow {
            id: id.to_string(),
            agency_id: actor.agency_id.to_string(),
            village_id: village.id.to_string(),
            township_id: village.parent_id.map(|t| t.to_string()).unwrap_or_default(),
            visitor_id,
            visitor_name,
            state: VisitState::Planned.code().into(),
            day: day.to_string(),
            place: f.place.trim().to_owned(),
            notes: f.notes.trim().to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
            ..VisitRow::default()
        };
        store::insert_visit(tx.conn(), &row).await?;
        ctx.audit(
            tx.conn(),
            "grid.visit.plan",
            "grid_visit",
            &row.id,
            Changes::new()
                .set("village", village.name.as_str())
                .set("day", row.day.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a planned visit (day, place, notes) or cancels it: its visitor, or a head of the
    /// agency. A logged visit is changed by its log only.
    pub async fn change_visit(&self, ctx: &Ctx, id: Id, f: &VisitChange) -> Result<i64, AppError> {
        let actor = self.authorize(ctx, Action::ViewGrid).await?.clone();
        let mut tx = self.db().begin().await?;
        let mut row = store::visit(tx.conn(), id).await?.ok_or(AppError::NotFound)?.row;
        let mine = row.visitor_id == actor.user_id.to_string() && actor.can(Action::LogVisit);
        let head = row.agency_id == actor.agency_id.to_string() && actor.can(Action::ManageGrid);
        if !mine && !head {
            return Err(AppError::Forbidden);
        }
        if f.version != row.version {
            return Err(AppError::Conflict(vec![(
                "version".into(),
                row.version.to_string(),
            )]));
        }
        if row.state != VisitState::Planned.code() {
            return Err(AppError::field("visit", "grid-visit-logged"));
        }
        let mut checks = Checks::new();
        too_long(&mut checks, "place", &f.place, PLACE_MAX);
        too_long(&mut checks, "notes", &f.notes, TEXT_MAX);
        if !f.cancel {
            let day = chrono::NaiveDate::parse_from_str(f.day.trim(), "%Y-%m-%d").ok();
            checks.check(day.is_some(), "day", "grid-day-invalid");
            if let Some(d) = day {
                row.day = d.to_string();
            }
        }
        checks.finish()?;
        let before = row.state.clone();
        if f.cancel {
            row.state = VisitState::Cancelled.code().into();
        }
        row.place = f.place.trim().to_owned();
        row.notes = f.notes.trim().to_owned();
        row.updated_at = time::to_millis(self.now());
        let expected = row.version;
        store::save_visit(tx.conn(), &row, expected).await?;
        ctx.audit(
            tx.conn(),
            if f.cancel {
                "grid.visit.cancel"
            } else {
                "grid.visit.change"
            },
            "grid_visit",
            &row.id,
            Changes::new()
                .field("state", before.as_str(), row.state.as_str())
                .set("day", row.day.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(expected + 1)
    }
}
