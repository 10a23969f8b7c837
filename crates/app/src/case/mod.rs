//! Cases: the room of the case core. Loading a case within the caller's scope, its timeline
//! events, saving it, and the settings; intake, the case page, editing, revealing, attachments and
//! transitions each have their own file.

use chrono::NaiveDateTime;
use gongzhi_domain::case as dcase;
use gongzhi_domain::policy::{Action, Role, Scope};
use gongzhi_domain::{Actor, Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Event};
pub use gongzhi_store::case::{Case, CaseFilter, Clock};
use sm3::{Digest, Sm3};

use crate::{App, AppError, Ctx, FieldError};

mod attachment;
mod duplicate;
mod edit;
mod import;
mod intake;
mod merge;
mod register;
mod reveal;
mod setup;
mod transition;
mod view;

pub use duplicate::{Likely, RepeatSettings};
pub use edit::CaseEdit;
pub use import::{ImportLine, ImportReport, Refusal};
pub(crate) use intake::Source;
pub use intake::{IntakeForm, PartyInput, Upload};
pub use merge::{LinkDecision, MergeRequest, MergedNote, UnmergeRequest};
pub(crate) use register::Committer;
pub use reveal::{RevealRequest, Revealed};
pub use setup::IntakeSetup;
pub(crate) use setup::own_township;
pub use transition::TransitionInput;
pub use view::{CaseCan, CaseView, ClockView, Listed, MeetingView, PartyView, TimelineEvent};

/// Case settings (the `[cases]` section of the configuration).
#[derive(Clone, Debug)]
pub struct CaseSettings {
    /// `{agency}{kind}〔{year}〕{seq}号` by default.
    pub number_pattern: String,
    pub max_attachment_bytes: usize,
    /// What makes an earlier case a likely repeat at intake (issue 13 §2).
    pub repeats: RepeatSettings,
}

impl Default for CaseSettings {
    fn default() -> Self {
        Self {
            number_pattern: dcase::DEFAULT_NUMBER_PATTERN.to_owned(),
            max_attachment_bytes: 5 * 1024 * 1024,
            repeats: RepeatSettings::default(),
        }
    }
}

/// A new Open311 id for a request that came in publicly.
pub(crate) fn new_public_id() -> String {
    let mut random = [0u8; 8];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    data_encoding::HEXLOWER.encode(&random)
}

pub(crate) fn sm3_hex(data: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sm3::digest(data))
}

pub(crate) fn parse_local(s: &str) -> Option<time::Timestamp> {
    let s = s.trim().replace('T', " ");
    let naive = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    naive
        .and_local_timezone(time::china())
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Timeline events on a case page; the whole timeline is paged on its own page.
pub const TIMELINE_SHOWN: i64 = 100;

/// Related cases listed on a case page; the rest are one click away in the case list.
pub const RELATED_SHOWN: i64 = 20;

pub(crate) fn district_wide(a: &Actor) -> bool {
    a.scope(Action::ViewCases) == Some(Scope::All)
}

/// The fields a conflict shows: what the case says now.
pub(crate) fn conflict_of(c: &Case) -> AppError {
    AppError::Conflict(vec![
        ("status".into(), c.status.code().into()),
        ("title".into(), c.title.clone()),
        ("category".into(), c.category_code.clone()),
        ("urgent".into(), c.urgent.to_string()),
        ("handler".into(), c.handler_name.clone()),
        ("version".into(), c.version.to_string()),
    ])
}

impl App {
    /// Loads a case the actor may see: district-wide roles see all, others their agency's cases and
    /// the cases referred to their agency.
    pub(crate) async fn case_for_read(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
    ) -> Result<(Case, bool), AppError> {
        // Callers have authorized (and audited) their own action; no second audited check here, as
        // it would open a second transaction beside the caller's.
        let actor = ctx.actor()?;
        if !actor.can(Action::ViewCases) {
            return Err(AppError::Forbidden);
        }
        let c = case::get_case(&mut *conn, case)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner = district_wide(actor) || c.owner_agency_id == actor.agency_id;
        // The owner of the township's patch reads its open high-risk cases (issue 12 §2).
        if owner
            || case::referred_to(conn, case, actor.agency_id).await?
            || self.patch_reads(conn, actor, &c).await?
        {
            Ok((c, owner))
        } else {
            // Not found rather than forbidden: a case number is itself information.
            Err(AppError::NotFound)
        }
    }

    /// Whether a party is a minor on `today` (issue 9 §12): from the identity number when there is
    /// one, recomputed as the case runs; otherwise as marked at intake.
    pub(crate) fn minor_now(&self, p: &gongzhi_store::case::Party, today: chrono::NaiveDate) -> bool {
        match p
            .id_enc
            .as_deref()
            .and_then(|enc| self.cipher().decrypt(enc).ok())
        {
            Some(id) => {
                gongzhi_domain::idcard::ResidentId::parse(&id, today).is_ok_and(|id| id.is_minor_on(today))
            }
            None => p.minor != 0,
        }
    }

    /// Loads a case for an approval (a risk sign-off, a clock change): approvals belong to the head
    /// of the agency that handles the case (§3.3 "approved by organ head", §3.5 "department head
    /// signs"), not to anyone else who may see it.
    pub(crate) async fn case_for_approval(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
        field: &str,
    ) -> Result<Case, AppError> {
        let (c, _) = self.case_for_read(conn, ctx, case).await?;
        if c.owner_agency_id != ctx.actor()?.agency_id {
            return Err(AppError::Invalid(vec![
                FieldError::new(field, "approval-own-agency").arg("agency", &c.owner_agency_name),
            ]));
        }
        Ok(c)
    }

    /// Loads a case the actor's agency owns, for changes.
    pub(crate) async fn case_for_write(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
    ) -> Result<Case, AppError> {
        let (c, owner) = self.case_for_read(conn, ctx, case).await?;
        if !owner {
            return Err(AppError::NotOwner);
        }
        self.refuse_merged(conn, &c).await?;
        Ok(c)
    }

    /// A timeline entry, written in the caller's transaction.
    pub(crate) async fn event(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &Case,
        kind: &str,
        detail: &str,
        public: bool,
    ) -> Result<(), AppError> {
        case::insert_event(conn, &self.event_row(ctx, c, kind, detail, public)).await?;
        Ok(())
    }

    /// A timeline entry of `ctx` on a case.
    pub(crate) fn event_row(&self, ctx: &Ctx, c: &Case, kind: &str, detail: &str, public: bool) -> Event {
        let (actor_id, actor_name, agency_name) = match ctx.user() {
            Some(a) => (
                Some(a.user_id.to_string()),
                a.display_name.clone(),
                a.agency_name.clone(),
            ),
            None => (None, ctx.timeline_name(), String::new()),
        };
        Event {
            id: Id::new().to_string(),
            case_id: c.id.to_string(),
            at: time::to_millis(self.now()),
            actor_id,
            actor_name,
            agency_name,
            kind: kind.to_owned(),
            detail: detail.to_owned(),
            public: i64::from(public),
        }
    }

    /// Saves a case row; a concurrent change becomes a conflict listing the case as it is now.
    pub(crate) async fn save(&self, conn: &mut AnyConnection, c: &Case) -> Result<(), AppError> {
        match case::update_case(&mut *conn, c, self.now()).await {
            Ok(()) => Ok(()),
            Err(gongzhi_store::StoreError::Conflict) => {
                let now = case::get_case(conn, c.id).await?.ok_or(AppError::NotFound)?;
                Err(conflict_of(&now))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Users of an agency who can handle cases (for assignment and task owners).
    pub async fn handlers(
        &self,
        ctx: &Ctx,
        agency: Option<Id>,
    ) -> Result<Vec<gongzhi_store::users::User>, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let f = gongzhi_store::users::UserFilter {
            agency_id: Some(agency.unwrap_or(actor.agency_id)),
            limit: 500,
            ..Default::default()
        };
        let (list, _) = gongzhi_store::users::list(&mut conn, &Scope::All, &f).await?;
        Ok(list
            .into_iter()
            .filter(|u| u.active && u.roles.iter().any(|r| r.is_staff() || *r == Role::Leader))
            .collect())
    }
}
