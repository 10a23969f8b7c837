//! A child's support plan (issue 12 §3, DOMAIN.md §3.9 `SupportPlan`): tasks under the six
//! protections, each given to an agency, which sees its tasks with the child masked and reports
//! back; one-to-one pairing with a Women's Federation caring mother (爱心妈妈) and her visits;
//! counselling sessions; and the guardian's contacts, which the weekly check counts.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::minor::{self as rules, ChildState, ContactKind, Protection, TaskState};
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::minor::child::{self as store, ChildRow, ContactRow, PairingRow, TaskListed, TaskRow};
use gongzhi_store::{AnyConnection, Page, Paged, StoreError, reference};

use super::too_long;
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// Tasks listed per page for an agency.
pub const TASK_PAGE: i64 = 50;

/// `POST /api/v1/minors/children/{id}/tasks`: a task of the support plan for an agency.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TaskForm {
    /// family, school, society, network, government, judicial
    pub protection: String,
    pub agency_id: String,
    /// What the agency is asked to do.
    pub detail: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

/// `POST /api/v1/minors/tasks/{id}/done`: the agency reports back, or the team cancels.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TaskDoneForm {
    pub version: i64,
    pub note: String,
    /// The team withdraws the task instead.
    #[serde(default)]
    pub cancel: bool,
}

/// A task as its agency and the team see it: the child masked.
#[derive(Clone, Debug)]
pub struct TaskLine {
    pub listed: TaskListed,
    pub protection: Protection,
    pub state: TaskState,
    pub child_masked: String,
    pub detail: String,
    pub note: String,
    pub overdue: bool,
}

/// The caring mother (name and phone), encrypted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct Mother {
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

/// `POST /api/v1/minors/children/{id}/pairing`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PairingForm {
    pub mother: Mother,
    /// `YYYY-MM-DD` (default today).
    #[serde(default)]
    pub started_on: String,
}

#[derive(Clone, Debug)]
pub struct Pairing {
    pub row: PairingRow,
    pub mother: Mother,
}

/// `POST /api/v1/minors/children/{id}/contacts`: a caring mother's visit, a counselling session,
/// or the guardian's contact with the child.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ContactForm {
    /// mother_visit, counselling, guardian_contact
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub on_day: String,
    /// How long (counselling).
    #[serde(default)]
    pub minutes: Option<i64>,
    /// Who met the child (the counsellor; the guardian's call: by phone or video).
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub notes: String,
}

/// A contact's encrypted part.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct ContactNotes {
    pub who: String,
    pub notes: String,
}

#[derive(Clone, Debug)]
pub struct Contact {
    pub row: ContactRow,
    pub kind: ContactKind,
    pub said: ContactNotes,
}

fn day_of(checks: &mut Checks, field: &str, s: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    checks.check(d.is_some(), field, "minor-day-invalid");
    d
}

impl App {
    fn open_text(&self, enc: &str) -> Result<String, AppError> {
        Ok(if enc.is_empty() {
            String::new()
        } else {
            self.cipher().decrypt(enc)?
        })
    }

    pub(crate) fn task_lines(&self, tasks: Vec<TaskListed>) -> Result<Vec<TaskLine>, AppError> {
        let today = time::local_date(self.now()).to_string();
        tasks
            .into_iter()
            .map(|t| {
                let bad = || AppError::Internal(format!("minor task {}", t.row.id));
                let person: super::child::Person = self.unsealed(&t.person_enc, &t.row.id)?;
                let state = TaskState::parse(&t.row.state).ok_or_else(bad)?;
                Ok(TaskLine {
                    protection: Protection::parse(&t.row.protection).ok_or_else(bad)?,
                    child_masked: rules::masked_name(&person.name),
                    detail: self.open_text(&t.row.detail_enc)?,
                    note: self.open_text(&t.row.note_enc)?,
                    overdue: state == TaskState::Open && t.row.due_on < today,
                    state,
                    listed: t,
                })
            })
            .collect()
    }

    pub(crate) fn pairings_of(&self, rows: Vec<PairingRow>) -> Result<Vec<Pairing>, AppError> {
        rows.into_iter()
            .map(|row| {
                let mother = self.unsealed(&row.mother_enc, &row.id)?;
                Ok(Pairing { row, mother })
            })
            .collect()
    }

    pub(crate) fn contacts_of(&self, rows: Vec<ContactRow>) -> Result<Vec<Contact>, AppError> {
        rows.into_iter()
            .map(|row| {
                let bad = || AppError::Internal(format!("minor contact {}", row.id));
                Ok(Contact {
                    kind: ContactKind::parse(&row.kind).ok_or_else(bad)?,
                    said: self.unsealed(&row.notes_enc, &row.id)?,
                    row,
                })
            })
            .collect()
    }

    /// The open record a change is made to; a closed one refuses.
    async fn open_record(&self, conn: &mut AnyConnection, id: Id) -> Result<ChildRow, AppError> {
        let r = store::child(conn, &id.to_string())
            .await?
            .ok_or(AppError::NotFound)?
            .row;
        if r.state != ChildState::Open.code() {
            return Err(AppError::field("state", "minor-child-closed"));
        }
        Ok(r)
    }

    /// Adds a task to a child's support plan for an agency (the team).
    pub async fn add_minor_task(&self, ctx: &Ctx, child: Id, f: &TaskForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let protection = Protection::parse(&f.protection);
        checks.check(protection.is_some(), "protection", "minor-protection-invalid");
        let agency = match f.agency_id.trim().parse::<Id>() {
            Ok(a) => reference::agency_get(tx.conn(), a).await?.filter(|a| a.active),
            Err(_) => None,
        };
        checks.check(agency.is_some(), "agency_id", "minor-agency-invalid");
        let detail = f.detail.trim();
        checks.check(!detail.is_empty(), "detail", "minor-task-required");
        too_long(&mut checks, "detail", detail, 1000);
        let due = day_of(&mut checks, "due_on", &f.due_on);
        checks.finish()?;
        let (Some(protection), Some(agency), Some(due)) = (protection, agency, due) else {
            return Err(AppError::field("protection", "minor-protection-invalid"));
        };
        let r = self.open_record(tx.conn(), child).await?;
        let id = Id::new();
        store::insert_task(
            tx.conn(),
            &TaskRow {
                id: id.to_string(),
                child_id: r.id.clone(),
                protection: protection.code().into(),
                agency_id: agency.id.to_string(),
                detail_enc: self.cipher().encrypt(detail)?,
                due_on: due.to_string(),
                state: TaskState::Open.code().into(),
                created_by_name: actor.display_name.clone(),
                version: 1,
                created_at: time::to_millis(self.now()),
                ..TaskRow::default()
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "minor.task.add",
            "minor_child",
            &r.id,
            Changes::new()
                .set("protection", protection.code())
                .set("agency", agency.short_name.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The open support tasks given to the viewer's agency, the child masked.
    pub async fn agency_minor_tasks(&self, ctx: &Ctx, page: Page) -> Result<Paged<TaskLine>, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        let found = store::agency_tasks(&mut conn, &actor.agency_id.to_string(), page).await?;
        Ok(Paged {
            items: self.task_lines(found.items)?,
            total: found.total,
        })
    }

    /// The agency given a task reports it done (with what it did), or the team withdraws it.
    pub async fn minor_task_done(&self, ctx: &Ctx, id: Id, f: &TaskDoneForm) -> Result<(), AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut tx = self.db().begin().await?;
        let found = store::task(tx.conn(), &id.to_string()).await?;
        let team = actor.can(Action::ManageMinors);
        let Some(t) = found.filter(|t| team || t.row.agency_id == actor.agency_id.to_string()) else {
            return Err(AppError::NotFound);
        };
        if f.cancel && !team {
            return Err(AppError::Forbidden);
        }
        if t.row.version != f.version {
            return Err(AppError::Conflict(vec![("state".into(), t.row.state.clone())]));
        }
        if t.row.state != TaskState::Open.code() {
            return Err(AppError::field("note", "minor-task-not-open"));
        }
        let note = f.note.trim();
        let mut checks = Checks::new();
        checks.check(!note.is_empty(), "note", "minor-note-required");
        too_long(&mut checks, "note", note, 1000);
        checks.finish()?;
        let mut row = t.row;
        let before = row.state.clone();
        row.state = if f.cancel {
            TaskState::Cancelled
        } else {
            TaskState::Done
        }
        .code()
        .into();
        row.note_enc = self.cipher().encrypt(note)?;
        row.done_by_name = actor.display_name.clone();
        row.done_at = Some(time::to_millis(self.now()));
        store::save_task(tx.conn(), &row, f.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), before.clone())]),
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            &format!("minor.task.{}", row.state),
            "minor_child",
            &row.child_id,
            Changes::new().field("state", before.as_str(), row.state.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Pairs the child with a caring mother (the team); a child has one at a time.
    pub async fn pair_caring_mother(&self, ctx: &Ctx, child: Id, f: &PairingForm) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut checks = Checks::new();
        let n = f.mother.name.trim().chars().count();
        checks.check((1..=30).contains(&n), "mother.name", "minor-name-invalid");
        too_long(&mut checks, "mother.phone", &f.mother.phone, 30);
        let today = time::local_date(self.now());
        let started = match f.started_on.trim() {
            "" => Some(today),
            s => day_of(&mut checks, "started_on", s).filter(|d| *d <= today),
        };
        checks.check(started.is_some(), "started_on", "minor-day-invalid");
        checks.finish()?;
        let mut tx = self.db().begin().await?;
        let r = self.open_record(tx.conn(), child).await?;
        if store::pairings(tx.conn(), &r.id)
            .await?
            .iter()
            .any(|p| p.ended_on.is_none())
        {
            return Err(AppError::field("mother.name", "minor-paired-already"));
        }
        let mother = Mother {
            name: f.mother.name.trim().to_owned(),
            phone: f.mother.phone.trim().to_owned(),
        };
        store::insert_pairing(
            tx.conn(),
            &PairingRow {
                id: Id::new().to_string(),
                child_id: r.id.clone(),
                mother_enc: self.sealed(&mother)?,
                started_on: started.unwrap_or(today).to_string(),
                ended_on: None,
                end_reason: String::new(),
                created_by_name: actor.display_name.clone(),
                created_at: time::to_millis(self.now()),
            },
        )
        .await?;
        ctx.audit(tx.conn(), "minor.pair", "minor_child", &r.id, Changes::new())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the child's current pairing, with the reason (the team).
    pub async fn end_caring_mother(&self, ctx: &Ctx, child: Id, reason: &str) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageMinors).await?;
        let reason = reason.trim();
        let mut checks = Checks::new();
        checks.check(!reason.is_empty(), "end_reason", "minor-end-reason-required");
        too_long(&mut checks, "end_reason", reason, 200);
        checks.finish()?;
        let mut tx = self.db().begin().await?;
        let r = self.open_record(tx.conn(), child).await?;
        let today = time::local_date(self.now()).to_string();
        if !store::end_pairing(tx.conn(), &r.id, &today, reason).await? {
            return Err(AppError::field("end_reason", "minor-not-paired"));
        }
        ctx.audit(tx.conn(), "minor.pair.end", "minor_child", &r.id, Changes::new())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a caring mother's visit, a counselling session or the guardian's contact: the team,
    /// or someone granted the record (the caring mothers' coordinator).
    pub async fn record_minor_contact(&self, ctx: &Ctx, child: Id, f: &ContactForm) -> Result<(), AppError> {
        let actor = self.authorize_user(ctx).await?;
        let line = self.child_gate(ctx, child).await?;
        let mut checks = Checks::new();
        let kind = ContactKind::parse(&f.kind);
        checks.check(kind.is_some(), "kind", "minor-contact-kind-invalid");
        let today = time::local_date(self.now());
        let day = day_of(&mut checks, "on_day", &f.on_day);
        checks.check(day.is_none_or(|d| d <= today), "on_day", "minor-day-future");
        checks.check(
            f.minutes.is_none_or(|m| (1..=600).contains(&m)),
            "minutes",
            "minor-minutes-invalid",
        );
        too_long(&mut checks, "who", &f.who, 100);
        too_long(&mut checks, "notes", &f.notes, 2000);
        checks.check(
            kind != Some(ContactKind::Counselling) || !f.who.trim().is_empty(),
            "who",
            "minor-counsellor-required",
        );
        checks.finish()?;
        let (Some(kind), Some(day)) = (kind, day) else {
            return Err(AppError::field("kind", "minor-contact-kind-invalid"));
        };
        let mut tx = self.db().begin().await?;
        let mut r = self.open_record(tx.conn(), child).await?;
        if kind == ContactKind::MotherVisit
            && !store::pairings(tx.conn(), &r.id)
                .await?
                .iter()
                .any(|p| p.ended_on.is_none())
        {
            return Err(AppError::field("kind", "minor-not-paired"));
        }
        self.insert_contact(tx.conn(), &actor, &r.id, kind, day, f)
            .await?;
        if kind == ContactKind::GuardianContact
            && r.guardian_contact_on
                .as_deref()
                .is_none_or(|d| d < day.to_string().as_str())
        {
            let version = r.version;
            r.guardian_contact_on = Some(day.to_string());
            r.updated_at = time::to_millis(self.now());
            store::save_child(tx.conn(), &r, version)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict => AppError::Conflict(vec![("version".into(), version.to_string())]),
                    other => other.into(),
                })?;
        }
        ctx.audit(
            tx.conn(),
            &format!("minor.contact.{}", kind.code()),
            "minor_child",
            &line.listed.row.id,
            Changes::new().set("day", day.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn insert_contact(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        child: &str,
        kind: ContactKind,
        day: NaiveDate,
        f: &ContactForm,
    ) -> Result<(), AppError> {
        let said = ContactNotes {
            who: f.who.trim().to_owned(),
            notes: f.notes.trim().to_owned(),
        };
        store::insert_contact(
            conn,
            &ContactRow {
                id: Id::new().to_string(),
                child_id: child.to_owned(),
                kind: kind.code().into(),
                on_day: day.to_string(),
                minutes: f.minutes,
                notes_enc: self.sealed(&said)?,
                recorded_by_name: actor.display_name.clone(),
                created_at: time::to_millis(self.now()),
            },
        )
        .await?;
        Ok(())
    }
}
