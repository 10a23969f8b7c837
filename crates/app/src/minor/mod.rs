//! Minors' protection as its own security class (issue 12 §3, DOMAIN.md §3.9, §6.1): mandatory
//! reports filed by the juvenile team, the child's record encrypted, opened only by the team or by
//! someone granted that one report — every open audited with its reason, every refusal audited —
//! the police notification measured in hours, and statistics with small cells suppressed. The
//! child's record and support plan are in [`child`] and [`support`]; a grid visit's minor clue
//! becomes a report through [`clue`].

pub mod child;
mod clue;
pub mod support;

use chrono::{Datelike, NaiveDate};
use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::minor::{
    self as rules, GuardianSituation, HarmKind, ReportState, ReportStep, ReporterKind,
};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::minor::{self as store, Granted, ReportFilter, ReportListed, ReportRow};
use gongzhi_store::{AnyConnection, Page, Paged, StoreError, reference};

use crate::case::parse_local;
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// Reports listed per page.
pub const REPORT_PAGE: i64 = 50;
const TEXT_MAX: usize = 2000;
const NAME_MAX: usize = 30;

/// The child and what happened: stored as one encrypted document.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ChildRecord {
    pub name: String,
    #[serde(default)]
    pub sex: String,
    /// `YYYY-MM-DD`, if known.
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub school: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub guardian: String,
    #[serde(default)]
    pub guardian_phone: String,
    /// What was reported.
    pub what: String,
}

/// Who reported: the body and the person.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct Reporter {
    pub organisation: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub phone: String,
}

/// `POST /api/v1/minors`: a mandatory report as received.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReportForm {
    /// school, kindergarten, hospital, hotel, village_committee, …
    pub reporter_kind: String,
    pub reporter: Reporter,
    /// Local `YYYY-MM-DD HH:MM`.
    pub received_at: String,
    /// private_injury, sexual_assault_under14, … (the nine situations)
    pub harm_kind: String,
    /// with_parents, left_behind, guardian_away, in_difficulty, no_guardian
    pub guardian_situation: String,
    /// The village or community where the child lives.
    #[serde(default)]
    pub village_id: String,
    pub child: ChildRecord,
    /// The grid visit's minor clue the report is made from (its clue is closed with it).
    #[serde(default)]
    pub finding_id: String,
    /// The child's record the report is about, if the child is already on record.
    #[serde(default)]
    pub child_id: String,
}

/// A report as lists show it: the child's name masked, nothing that locates the child.
#[derive(Clone, Debug)]
pub struct ReportLine {
    pub listed: ReportListed,
    pub state: ReportState,
    pub harm: HarmKind,
    pub reporter_kind: ReporterKind,
    pub child_masked: String,
    /// Hours from receipt to the police being told (or until now).
    pub police_hours: i64,
    pub police_late: bool,
}

/// A report opened, whole.
#[derive(Clone, Debug)]
pub struct ReportView {
    pub line: ReportLine,
    pub child: ChildRecord,
    pub reporter: Reporter,
    pub guardian: GuardianSituation,
    pub under14: bool,
    /// The steps the viewer may take now.
    pub steps: Vec<ReportStep>,
    /// Who else may open it: (user id, name, granted by, at).
    pub grants: Vec<(String, String, String, i64)>,
}

/// `POST /api/v1/minors/{id}/steps/{step}`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReportStepForm {
    pub version: i64,
    /// notify_police: the police station told.
    #[serde(default)]
    pub police_unit: String,
    /// Local `YYYY-MM-DD HH:MM` the police were told (default now).
    #[serde(default)]
    pub at: String,
    /// close: what came of it.
    #[serde(default)]
    pub outcome: String,
}

pub(crate) fn too_long(checks: &mut Checks, field: &str, s: &str, max: usize) {
    if s.chars().count() > max {
        checks.fail(FieldError::new(field, "minor-too-long").arg("max", max));
    }
}

/// Under 14 on `today` (PIPL Art. 28: sensitive); unknown counts as under 14, the safer side.
pub(crate) fn under14(birth: Option<NaiveDate>, today: NaiveDate) -> bool {
    birth.is_none_or(|b| today.years_since(b).is_none_or(|y| y < 14))
}

/// A child's birth date as typed (`YYYY-MM-DD`, under 18 today), or none.
pub(crate) fn birth_of(checks: &mut Checks, field: &str, typed: &str, today: NaiveDate) -> Option<NaiveDate> {
    match typed.trim() {
        "" => None,
        d => {
            let b = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .ok()
                .filter(|b| *b <= today && today.year() - b.year() < 18);
            checks.check(b.is_some(), field, "minor-birth-invalid");
            b
        }
    }
}

/// The active village where the child lives, or none.
pub(crate) async fn village_of(
    conn: &mut AnyConnection,
    checks: &mut Checks,
    typed: &str,
) -> Result<Option<gongzhi_store::reference::OrgUnit>, AppError> {
    Ok(match typed.trim() {
        "" => None,
        v => {
            let unit = match v.parse::<Id>() {
                Ok(id) => reference::org_get(conn, id).await?,
                Err(_) => None,
            };
            let unit = unit.filter(|u| u.level == OrgLevel::Village && u.active);
            checks.check(unit.is_some(), "village_id", "minor-village-invalid");
            unit
        }
    })
}

impl App {
    /// A record as stored: JSON, SM4-encrypted.
    /// A record as stored, opened; `what` names it in the error if it does not decode.
    pub(crate) fn unsealed<T: serde::de::DeserializeOwned>(
        &self,
        enc: &str,
        what: &str,
    ) -> Result<T, AppError> {
        serde_json::from_str(&self.cipher().decrypt(enc)?)
            .map_err(|_| AppError::Internal(format!("minor record {what}")))
    }

    pub(crate) fn sealed<T: serde::Serialize>(&self, v: &T) -> Result<String, AppError> {
        let json = serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(self.cipher().encrypt(&json)?)
    }

    fn line_of(&self, listed: ReportListed) -> Result<ReportLine, AppError> {
        let r = &listed.row;
        let bad = || AppError::Internal(format!("minor report {}", r.id));
        let child: ChildRecord = self.unsealed(&r.child_enc, &r.id)?;
        let now = time::to_millis(self.now());
        Ok(ReportLine {
            state: ReportState::parse(&r.state).ok_or_else(bad)?,
            harm: HarmKind::parse(&r.harm_kind).ok_or_else(bad)?,
            reporter_kind: ReporterKind::parse(&r.reporter_kind).ok_or_else(bad)?,
            child_masked: rules::masked_name(&child.name),
            police_hours: rules::hours_between(r.received_at, r.police_notified_at.unwrap_or(now)),
            police_late: rules::police_late(r.received_at, r.police_notified_at, now),
            listed,
        })
    }

    /// Whether the actor may open the report: the juvenile team, or a live grant of it.
    async fn may_open(&self, conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<bool, AppError> {
        Ok(actor.can(Action::ManageMinors)
            || store::granted(conn, Granted::Report, id, &actor.user_id.to_string()).await?)
    }

    /// Files a mandatory report as received (the juvenile team).
    pub async fn file_minor_report(&self, ctx: &Ctx, f: &ReportForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let reporter_kind = ReporterKind::parse(&f.reporter_kind);
        checks.check(reporter_kind.is_some(), "reporter_kind", "minor-reporter-invalid");
        let harm = HarmKind::parse(&f.harm_kind);
        checks.check(harm.is_some(), "harm_kind", "minor-harm-invalid");
        let guardian = GuardianSituation::parse(&f.guardian_situation);
        checks.check(guardian.is_some(), "guardian_situation", "minor-guardian-invalid");
        let received = parse_local(&f.received_at);
        checks.check(
            received.is_some_and(|t| t <= self.now() + chrono::Duration::minutes(5)),
            "received_at",
            "minor-received-invalid",
        );
        let n = f.child.name.trim().chars().count();
        checks.check((1..=NAME_MAX).contains(&n), "child.name", "minor-name-invalid");
        checks.check(
            !f.child.what.trim().is_empty(),
            "child.what",
            "minor-what-required",
        );
        too_long(&mut checks, "child.what", &f.child.what, TEXT_MAX);
        for (field, s) in [
            ("child.school", &f.child.school),
            ("child.address", &f.child.address),
            ("child.guardian", &f.child.guardian),
            ("reporter.organisation", &f.reporter.organisation),
            ("reporter.person", &f.reporter.person),
        ] {
            too_long(&mut checks, field, s, 200);
        }
        checks.check(
            !f.reporter.organisation.trim().is_empty(),
            "reporter.organisation",
            "minor-reporter-required",
        );
        let today = time::local_date(self.now());
        let birth = birth_of(&mut checks, "child.birth_date", &f.child.birth_date, today);
        let village = village_of(tx.conn(), &mut checks, &f.village_id).await?;
        let child_id = match f.child_id.trim() {
            "" => None,
            c => {
                let found = match c.parse::<Id>() {
                    Ok(id) => store::child::child(tx.conn(), &id.to_string()).await?,
                    Err(_) => None,
                };
                checks.check(found.is_some(), "child_id", "minor-child-invalid");
                found.map(|c| c.row.id)
            }
        };
        let clue = self
            .minor_clue(tx.conn(), &actor, &f.finding_id, &mut checks)
            .await?;
        checks.finish()?;
        let (Some(reporter_kind), Some(harm), Some(guardian), Some(received)) =
            (reporter_kind, harm, guardian, received)
        else {
            return Err(AppError::field("harm_kind", "minor-harm-invalid"));
        };
        let trimmed = ChildRecord {
            name: f.child.name.trim().to_owned(),
            sex: f.child.sex.trim().to_owned(),
            birth_date: birth.map(|b| b.to_string()).unwrap_or_default(),
            school: f.child.school.trim().to_owned(),
            address: f.child.address.trim().to_owned(),
            guardian: f.child.guardian.trim().to_owned(),
            guardian_phone: f.child.guardian_phone.trim().to_owned(),
            what: f.child.what.trim().to_owned(),
        };
        let now = time::to_millis(self.now());
        let id = Id::new();
        store::insert_report(
            tx.conn(),
            &ReportRow {
                id: id.to_string(),
                agency_id: actor.agency_id.to_string(),
                state: ReportState::Reported.code().into(),
                reporter_kind: reporter_kind.code().into(),
                reporter_enc: self.sealed(&f.reporter)?,
                received_at: time::to_millis(received),
                harm_kind: harm.code().into(),
                child_enc: self.sealed(&trimmed)?,
                guardian_situation: guardian.code().into(),
                under14: i64::from(under14(birth, today)),
                village_id: village.as_ref().map(|v| v.id.to_string()),
                township_id: village.and_then(|v| v.parent_id).map(|t| t.to_string()),
                finding_id: clue.as_ref().map(|c| c.row.id.clone()),
                child_id,
                created_by_name: actor.display_name.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
                ..ReportRow::default()
            },
        )
        .await?;
        if let Some(clue) = clue {
            self.close_minor_clue(ctx, tx.conn(), &actor, clue).await?;
        }
        // The audit names the report, never the child.
        ctx.audit(
            tx.conn(),
            "minor.report",
            "minor_report",
            &id.to_string(),
            Changes::new()
                .set("harm", harm.code())
                .set("reporter", reporter_kind.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The reports the viewer may open: all of them for the juvenile team, the granted ones for
    /// anyone else; the child's name masked.
    pub async fn minor_reports(&self, ctx: &Ctx, page: Page) -> Result<Paged<ReportLine>, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        let filter = ReportFilter {
            granted_to: (!actor.can(Action::ManageMinors)).then(|| actor.user_id.to_string()),
            child_id: None,
        };
        let found = store::reports(&mut conn, &filter, page).await?;
        Ok(Paged {
            items: found
                .items
                .into_iter()
                .map(|l| self.line_of(l))
                .collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    /// Whether the viewer may open this report at all (asked before the reason is): a refusal is
    /// audited and answered 403.
    pub async fn minor_gate(&self, ctx: &Ctx, id: Id) -> Result<ReportLine, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        let listed = store::report(&mut conn, &id.to_string()).await?;
        match listed {
            Some(l) if self.may_open(&mut conn, &actor, &l.row.id).await? => self.line_of(l),
            _ => {
                drop(conn);
                self.record(
                    ctx,
                    "denied.minor.open",
                    "minor_report",
                    &id.to_string(),
                    Outcome::Denied,
                    Changes::new(),
                )
                .await?;
                Err(AppError::Forbidden)
            }
        }
    }

    /// Opens a report whole, for a stated reason (audited with it).
    pub async fn open_minor_report(&self, ctx: &Ctx, id: Id, reason: &str) -> Result<ReportView, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let line = self.minor_gate(ctx, id).await?;
        let reason = reason.trim();
        let n = reason.chars().count();
        if !(2..=200).contains(&n) {
            return Err(AppError::field("reason", "minor-reason-required"));
        }
        let r = &line.listed.row;
        let bad = || AppError::Internal(format!("minor report {}", r.id));
        let child: ChildRecord = self.unsealed(&r.child_enc, &r.id)?;
        let reporter: Reporter = self.unsealed(&r.reporter_enc, &r.id)?;
        let mut tx = self.db().begin().await?;
        let grants = store::grants(tx.conn(), Granted::Report, &r.id).await?;
        ctx.audit(
            tx.conn(),
            "minor.open",
            "minor_report",
            &r.id,
            Changes::new().set("reason", reason),
        )
        .await?;
        tx.commit().await?;
        let team = actor.can(Action::ManageMinors);
        Ok(ReportView {
            guardian: GuardianSituation::parse(&r.guardian_situation).ok_or_else(bad)?,
            under14: r.under14 == 1,
            steps: if team {
                ReportStep::ALL
                    .iter()
                    .copied()
                    .filter(|s| line.state.after(*s).is_some())
                    .collect()
            } else {
                Vec::new()
            },
            grants: if team { grants } else { Vec::new() },
            child,
            reporter,
            line,
        })
    }

    /// Tells the police, files, or closes a report (the juvenile team).
    pub async fn minor_step(
        &self,
        ctx: &Ctx,
        id: Id,
        step: ReportStep,
        f: &ReportStepForm,
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        let mut r = store::report(tx.conn(), &id.to_string())
            .await?
            .ok_or(AppError::NotFound)?
            .row;
        if f.version != r.version {
            return Err(AppError::Conflict(vec![("state".into(), r.state.clone())]));
        }
        let state = ReportState::parse(&r.state).ok_or(AppError::NotFound)?;
        let Some(next) = state.after(step) else {
            return Err(AppError::field("step", "minor-step-not-now"));
        };
        let now = self.now();
        match step {
            ReportStep::NotifyPolice => {
                let unit = f.police_unit.trim();
                let at = match f.at.trim() {
                    "" => Some(now),
                    s => parse_local(s).filter(|t| *t <= now + chrono::Duration::minutes(5)),
                };
                let mut checks = Checks::new();
                checks.check(!unit.is_empty(), "police_unit", "minor-police-required");
                too_long(&mut checks, "police_unit", unit, 100);
                checks.check(
                    at.is_some_and(|t| time::to_millis(t) >= r.received_at),
                    "at",
                    "minor-police-at-invalid",
                );
                checks.finish()?;
                r.police_unit = unit.to_owned();
                r.police_notified_at = at.map(time::to_millis);
            }
            ReportStep::File => r.filed_at = Some(time::to_millis(now)),
            ReportStep::Close => {
                let outcome = f.outcome.trim();
                if outcome.is_empty() {
                    return Err(AppError::field("outcome", "minor-outcome-required"));
                }
                let mut checks = Checks::new();
                too_long(&mut checks, "outcome", outcome, TEXT_MAX);
                checks.finish()?;
                r.outcome = outcome.to_owned();
                r.closed_at = Some(time::to_millis(now));
            }
        }
        let before = r.state.clone();
        r.state = next.code().into();
        r.updated_at = time::to_millis(now);
        store::save_report(tx.conn(), &r, f.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), before.clone())]),
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            &format!("minor.{}", step.code()),
            "minor_report",
            &r.id,
            Changes::new().field("state", before.as_str(), r.state.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants one report to a user (by id or username) outside the juvenile team, or revokes the
    /// grant.
    pub async fn minor_grant(&self, ctx: &Ctx, id: Id, user: &str, revoke: bool) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageMinors).await?;
        let mut tx = self.db().begin().await?;
        store::report(tx.conn(), &id.to_string())
            .await?
            .ok_or(AppError::NotFound)?;
        self.grant_in(ctx, tx.conn(), &actor, Granted::Report, id, user, revoke)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants a report or a child's record to a user (by id or username), or revokes the grant;
    /// audited with the user's name.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn grant_in(
        &self,
        ctx: &Ctx,
        conn: &mut AnyConnection,
        actor: &Actor,
        what: Granted,
        id: Id,
        user: &str,
        revoke: bool,
    ) -> Result<(), AppError> {
        let found = match user.trim().parse::<Id>() {
            Ok(uid) => gongzhi_store::users::get(conn, uid).await?,
            Err(_) => gongzhi_store::users::by_username(conn, user.trim()).await?,
        };
        let who = found
            .filter(|u| u.active)
            .ok_or_else(|| AppError::field("user", "minor-user-invalid"))?;
        let (user, id) = (who.id.to_string(), id.to_string());
        let at = time::to_millis(self.now());
        if revoke {
            if !store::revoke(conn, what, &id, &user, at).await? {
                return Err(AppError::NotFound);
            }
        } else {
            store::grant(conn, what, &id, &user, &actor.display_name, at).await?;
        }
        let (action, target) = match (what, revoke) {
            (Granted::Report, false) => ("minor.grant", "minor_report"),
            (Granted::Report, true) => ("minor.grant.revoke", "minor_report"),
            (Granted::Child, false) => ("minor.child.grant", "minor_child"),
            (Granted::Child, true) => ("minor.child.grant.revoke", "minor_child"),
        };
        ctx.audit(
            conn,
            action,
            target,
            &id,
            Changes::new().set("user", who.display_name.as_str()),
        )
        .await?;
        Ok(())
    }

    /// Reports received in a year by harm kind, a cell under five suppressed (`None`): for the
    /// juvenile team and for statistics.
    pub async fn minor_counts(&self, ctx: &Ctx, year: i32) -> Result<Vec<(HarmKind, Option<i64>)>, AppError> {
        self.authorize_any(ctx, &[Action::ManageMinors, Action::ViewStatistics])
            .await?;
        let mut conn = self.db().conn().await?;
        let bound = |y: i32| {
            NaiveDate::from_ymd_opt(y, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|d| d.and_local_timezone(time::china()).single())
                .map(|d| time::to_millis(d.with_timezone(&chrono::Utc)))
                .unwrap_or_default()
        };
        let counts = store::counts_by_harm(&mut conn, bound(year), bound(year + 1)).await?;
        Ok(HarmKind::ALL
            .iter()
            .map(|h| {
                let n = counts.iter().find(|(k, _)| k == h.code()).map_or(0, |(_, n)| *n);
                (*h, rules::shown_count(n))
            })
            .collect())
    }
}
