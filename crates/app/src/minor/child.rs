//! A child's record (issue 12 §3, DOMAIN.md §3.9): who the child is and who cares for them, kept
//! encrypted (PIPL Art. 28: all data of under-14s is sensitive); the guardian's situation and the
//! weekly contact a guardian away owes; opened only by the juvenile team or someone granted that
//! record, for a stated reason, audited; refused with 403, audited too. The support plan on it is
//! in [`super::support`].

use chrono::NaiveDate;
use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::idcard::ResidentId;
use gongzhi_domain::minor::{self as rules, ChildState, GuardianSituation};
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::minor::child::{self as store, ChildFilter, ChildListed, ChildRow};
use gongzhi_store::minor::{self as reports, Granted, ReportFilter};
use gongzhi_store::{AnyConnection, Page, Paged, StoreError};

use super::support::{Contact, Pairing, TaskLine};
use super::{ChildRecord, NAME_MAX, ReportLine, birth_of, too_long, under14, village_of};
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// Records listed per page.
pub const CHILD_PAGE: i64 = 50;
/// Contacts shown on a record, the latest first.
const CONTACTS_SHOWN: i64 = 100;

/// Who the child is and who cares for them: stored as one encrypted document.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub sex: String,
    /// `YYYY-MM-DD`; taken from the ID number when that is given.
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub school: String,
    #[serde(default)]
    pub address: String,
    /// The guardian (parent) and how to reach them.
    #[serde(default)]
    pub guardian: String,
    #[serde(default)]
    pub guardian_phone: String,
    /// Whom a guardian working away entrusted the child to (§3.9).
    #[serde(default)]
    pub carer: String,
    #[serde(default)]
    pub carer_phone: String,
    #[serde(default)]
    pub notes: String,
}

/// `POST /api/v1/minors/children`: a child put on record.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ChildForm {
    pub person: Person,
    /// with_parents, left_behind, guardian_away, in_difficulty, no_guardian
    pub guardian_situation: String,
    #[serde(default)]
    pub village_id: String,
}

/// A record as lists show it: the name masked, the place at township level.
#[derive(Clone, Debug)]
pub struct ChildLine {
    pub listed: ChildListed,
    pub state: ChildState,
    pub guardian: GuardianSituation,
    pub child_masked: String,
    /// Days the weekly guardian contact is overdue.
    pub contact_overdue: Option<i64>,
}

/// A record opened, whole.
#[derive(Clone, Debug)]
pub struct ChildView {
    pub line: ChildLine,
    pub person: Person,
    pub under14: bool,
    /// The viewer is of the juvenile team (may change the plan, grant, close).
    pub team: bool,
    pub tasks: Vec<TaskLine>,
    pub pairings: Vec<Pairing>,
    pub contacts: Vec<Contact>,
    /// The mandatory reports about the child (for the team).
    pub reports: Vec<ReportLine>,
    pub grants: Vec<(String, String, String, i64)>,
}

/// `POST /api/v1/minors/children/{id}/close`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CloseForm {
    pub version: i64,
    pub outcome: String,
}

fn checked_person(checks: &mut Checks, p: &Person, today: NaiveDate) -> (Person, Option<NaiveDate>) {
    let n = p.name.trim().chars().count();
    checks.check((1..=NAME_MAX).contains(&n), "person.name", "minor-name-invalid");
    let id = match p.id_number.trim() {
        "" => None,
        s => {
            let id = ResidentId::parse(s, today).ok().filter(|i| i.is_minor_on(today));
            checks.check(id.is_some(), "person.id_number", "minor-id-invalid");
            id
        }
    };
    let birth = match &id {
        Some(i) => Some(i.birth_date()),
        None => birth_of(checks, "person.birth_date", &p.birth_date, today),
    };
    for (field, s, max) in [
        ("person.school", &p.school, 200),
        ("person.address", &p.address, 200),
        ("person.guardian", &p.guardian, 100),
        ("person.carer", &p.carer, 100),
        ("person.guardian_phone", &p.guardian_phone, 30),
        ("person.carer_phone", &p.carer_phone, 30),
        ("person.sex", &p.sex, 4),
        ("person.notes", &p.notes, 2000),
    ] {
        too_long(checks, field, s, max);
    }
    let t = |s: &String| s.trim().to_owned();
    let person = Person {
        name: t(&p.name),
        sex: t(&p.sex),
        birth_date: birth.map(|b| b.to_string()).unwrap_or_default(),
        id_number: id.map(|i| i.as_str().to_owned()).unwrap_or_default(),
        school: t(&p.school),
        address: t(&p.address),
        guardian: t(&p.guardian),
        guardian_phone: t(&p.guardian_phone),
        carer: t(&p.carer),
        carer_phone: t(&p.carer_phone),
        notes: t(&p.notes),
    };
    (person, birth)
}

impl App {
    pub(crate) fn person_of(&self, r: &ChildRow) -> Result<Person, AppError> {
        self.unsealed(&r.person_enc, &r.id)
    }

    fn child_line(&self, listed: ChildListed) -> Result<ChildLine, AppError> {
        let r = &listed.row;
        let bad = || AppError::Internal(format!("minor child {}", r.id));
        let guardian = GuardianSituation::parse(&r.guardian_situation).ok_or_else(bad)?;
        let state = ChildState::parse(&r.state).ok_or_else(bad)?;
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let opened = day(&r.opened_on).ok_or_else(bad)?;
        let today = time::local_date(self.now());
        Ok(ChildLine {
            child_masked: rules::masked_name(&self.person_of(r)?.name),
            contact_overdue: (state == ChildState::Open)
                .then(|| {
                    rules::guardian_contact_overdue(
                        guardian,
                        r.guardian_contact_on.as_deref().and_then(day),
                        opened,
                        today,
                    )
                })
                .flatten(),
            guardian,
            state,
            listed,
        })
    }

    /// Whether the actor may open the child's record: the juvenile team, or a live grant of it.
    pub(crate) async fn may_open_child(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: &str,
    ) -> Result<bool, AppError> {
        Ok(actor.can(Action::ManageMinors)
            || reports::granted(conn, Granted::Child, id, &actor.user_id.to_string()).await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_child(
        &self,
        ctx: &Ctx,
        conn: &mut AnyConnection,
        actor: &Actor,
        person: &Person,
        birth: Option<NaiveDate>,
        guardian: GuardianSituation,
        village: Option<gongzhi_store::reference::OrgUnit>,
    ) -> Result<Id, AppError> {
        let now = self.now();
        let ms = time::to_millis(now);
        let today = time::local_date(now);
        let id = Id::new();
        store::insert_child(
            conn,
            &ChildRow {
                id: id.to_string(),
                agency_id: actor.agency_id.to_string(),
                state: ChildState::Open.code().into(),
                person_enc: self.sealed(person)?,
                guardian_situation: guardian.code().into(),
                under14: i64::from(under14(birth, today)),
                village_id: village.as_ref().map(|v| v.id.to_string()),
                township_id: village.and_then(|v| v.parent_id).map(|t| t.to_string()),
                opened_on: today.to_string(),
                created_by_name: actor.display_name.clone(),
                version: 1,
                created_at: ms,
                updated_at: ms,
                ..ChildRow::default()
            },
        )
        .await?;
        // The audit names the record, never the child.
        ctx.audit(
            conn,
            "minor.child.register",
            "minor_child",
            &id.to_string(),
            Changes::new().set("guardian", guardian.code()),
        )
        .await?;
        Ok(id)
    }

    /// Puts a child on record (the juvenile team).
    pub async fn register_child(&self, ctx: &Ctx, f: &ChildForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let (person, birth) = checked_person(&mut checks, &f.person, time::local_date(self.now()));
        let guardian = GuardianSituation::parse(&f.guardian_situation);
        checks.check(guardian.is_some(), "guardian_situation", "minor-guardian-invalid");
        let village = village_of(tx.conn(), &mut checks, &f.village_id).await?;
        checks.finish()?;
        let guardian =
            guardian.ok_or_else(|| AppError::field("guardian_situation", "minor-guardian-invalid"))?;
        let id = self
            .insert_child(ctx, tx.conn(), &actor, &person, birth, guardian, village)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens the record of the child a report is about, from what the report says, and links the
    /// report to it; a report already linked answers its record.
    pub async fn child_from_report(&self, ctx: &Ctx, report: Id) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        let listed = reports::report(tx.conn(), &report.to_string())
            .await?
            .ok_or(AppError::NotFound)?;
        let mut r = listed.row;
        if let Some(c) = r.child_id.as_deref().and_then(|c| c.parse().ok()) {
            return Ok(c);
        }
        let said: ChildRecord = self.unsealed(&r.child_enc, &r.id)?;
        let person = Person {
            name: said.name,
            sex: said.sex,
            birth_date: said.birth_date,
            school: said.school,
            address: said.address,
            guardian: said.guardian,
            guardian_phone: said.guardian_phone,
            ..Person::default()
        };
        let birth = NaiveDate::parse_from_str(&person.birth_date, "%Y-%m-%d").ok();
        let guardian = GuardianSituation::parse(&r.guardian_situation).ok_or(AppError::NotFound)?;
        let village = match r.village_id.as_deref().and_then(|v| v.parse().ok()) {
            Some(v) => gongzhi_store::reference::org_get(tx.conn(), v).await?,
            None => None,
        };
        let id = self
            .insert_child(ctx, tx.conn(), &actor, &person, birth, guardian, village)
            .await?;
        let version = r.version;
        r.child_id = Some(id.to_string());
        r.updated_at = time::to_millis(self.now());
        reports::save_report(tx.conn(), &r, version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("version".into(), version.to_string())]),
                other => other.into(),
            })?;
        tx.commit().await?;
        Ok(id)
    }

    /// The records the viewer may open (all for the team, the granted ones for others), the name
    /// masked.
    pub async fn minor_children(
        &self,
        ctx: &Ctx,
        page: Page,
        open_only: bool,
    ) -> Result<Paged<ChildLine>, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        let filter = ChildFilter {
            granted_to: (!actor.can(Action::ManageMinors)).then(|| actor.user_id.to_string()),
            open_only,
        };
        let found = store::children(&mut conn, &filter, page).await?;
        Ok(Paged {
            items: found
                .items
                .into_iter()
                .map(|l| self.child_line(l))
                .collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    /// The open records whose guardian has not made the weekly contact (§3.9), for the team.
    pub async fn guardian_contact_overdue(&self, ctx: &Ctx) -> Result<Vec<ChildLine>, AppError> {
        self.authorize(ctx, Action::ManageMinors).await?;
        let mut conn = self.db().conn().await?;
        let owed: Vec<&str> = GuardianSituation::ALL
            .iter()
            .filter(|g| g.owes_weekly_contact())
            .map(|g| g.code())
            .collect();
        let before = time::local_date(self.now()) - chrono::Duration::days(rules::GUARDIAN_CONTACT_DAYS);
        store::contact_overdue(&mut conn, &owed, &before.to_string())
            .await?
            .into_iter()
            .map(|l| self.child_line(l))
            .collect()
    }

    /// Whether the viewer may open this record at all (asked before the reason is): a refusal is
    /// audited and answered 403, an unknown id alike.
    pub async fn child_gate(&self, ctx: &Ctx, id: Id) -> Result<ChildLine, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        match store::child(&mut conn, &id.to_string()).await? {
            Some(l) if self.may_open_child(&mut conn, &actor, &l.row.id).await? => self.child_line(l),
            _ => {
                drop(conn);
                self.record(
                    ctx,
                    "denied.minor.child.open",
                    "minor_child",
                    &id.to_string(),
                    Outcome::Denied,
                    Changes::new(),
                )
                .await?;
                Err(AppError::Forbidden)
            }
        }
    }

    /// Opens a record whole, for a stated reason (audited with it).
    pub async fn open_child(&self, ctx: &Ctx, id: Id, reason: &str) -> Result<ChildView, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let line = self.child_gate(ctx, id).await?;
        let reason = reason.trim();
        if !(2..=200).contains(&reason.chars().count()) {
            return Err(AppError::field("reason", "minor-reason-required"));
        }
        let team = actor.can(Action::ManageMinors);
        let cid = line.listed.row.id.clone();
        let mut tx = self.db().begin().await?;
        let tasks = self.task_lines(store::tasks_of(tx.conn(), &cid).await?)?;
        let pairings = self.pairings_of(store::pairings(tx.conn(), &cid).await?)?;
        let contacts = self.contacts_of(store::contacts(tx.conn(), &cid, CONTACTS_SHOWN).await?)?;
        let (found, grants) = if team {
            let filter = ReportFilter {
                child_id: Some(cid.clone()),
                ..ReportFilter::default()
            };
            (
                reports::reports(tx.conn(), &filter, Page::first(50)).await?.items,
                reports::grants(tx.conn(), Granted::Child, &cid).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        ctx.audit(
            tx.conn(),
            "minor.child.open",
            "minor_child",
            &cid,
            Changes::new().set("reason", reason),
        )
        .await?;
        tx.commit().await?;
        Ok(ChildView {
            person: self.person_of(&line.listed.row)?,
            under14: line.listed.row.under14 == 1,
            team,
            tasks,
            pairings,
            contacts,
            reports: found
                .into_iter()
                .map(|l| self.line_of(l))
                .collect::<Result<_, _>>()?,
            grants,
            line,
        })
    }

    /// Grants one child's record to a user (by id or username), or revokes the grant.
    pub async fn child_grant(&self, ctx: &Ctx, id: Id, user: &str, revoke: bool) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        store::child(tx.conn(), &id.to_string())
            .await?
            .ok_or(AppError::NotFound)?;
        self.grant_in(ctx, tx.conn(), &actor, Granted::Child, id, user, revoke)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a record with what came of the support (the team).
    pub async fn close_child(&self, ctx: &Ctx, id: Id, f: &CloseForm) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageMinors).await?;
        let outcome = f.outcome.trim();
        let mut checks = Checks::new();
        checks.check(!outcome.is_empty(), "outcome", "minor-outcome-required");
        too_long(&mut checks, "outcome", outcome, 2000);
        checks.finish()?;
        let mut tx = self.db().begin().await?;
        let mut r = store::child(tx.conn(), &id.to_string())
            .await?
            .ok_or(AppError::NotFound)?
            .row;
        if r.version != f.version {
            return Err(AppError::Conflict(vec![("state".into(), r.state.clone())]));
        }
        if r.state != ChildState::Open.code() {
            return Err(AppError::field("outcome", "minor-child-closed"));
        }
        r.state = ChildState::Closed.code().into();
        r.outcome = outcome.to_owned();
        let now = time::to_millis(self.now());
        r.closed_at = Some(now);
        r.updated_at = now;
        store::save_child(tx.conn(), &r, f.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => {
                    AppError::Conflict(vec![("state".into(), ChildState::Open.code().into())])
                }
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            "minor.child.close",
            "minor_child",
            &r.id,
            Changes::new().field("state", ChildState::Open.code(), ChildState::Closed.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
