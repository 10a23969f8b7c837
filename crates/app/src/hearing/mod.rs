//! Procuratorial hearings (检察听证, DOMAIN.md §3.6, §4.2): proposed by the case prosecutor or
//! applied for by a party, approved by the chief prosecutor, prepared with officers drawn from the
//! pool, noticed at least 3 days before, held in the seven steps, each officer's opinion recorded,
//! decided (a departure from the majority reported to the chief prosecutor), announced, archived.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::hearing::{self as rules, HearingCommand, HearingKind, HearingState, Opinion, Venue};
use gongzhi_domain::notice::Message;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::hearing::{self as store, Filter, HearingRow, Listed, ParticipantRow, SeatRow};
use gongzhi_store::{AnyConnection, Page, Paged, case};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

mod draw;
mod flow;
pub mod pool;
mod public;

pub use draw::{DrawForm, DrawView, Eligible};
pub use flow::{DecideForm, HoldForm, OfficerOpinion, OpinionForm, PrepareForm, Step, StepForm};
pub use public::PublicHearing;

/// Hearings per page in lists.
pub const HEARING_PAGE: i64 = 30;

/// A hearing, its codes read.
#[derive(Clone, Debug)]
pub struct Hearing {
    pub row: HearingRow,
    pub kind: HearingKind,
    pub state: HearingState,
    pub venue: Venue,
    pub public: bool,
}

/// A hearing in a list, with its case.
#[derive(Clone, Debug)]
pub struct HearingItem {
    pub hearing: Hearing,
    pub number: String,
    pub title: String,
    pub officers: i64,
}

/// One officer's seat, with the opinion once recorded.
#[derive(Clone, Debug)]
pub struct Seat {
    pub row: SeatRow,
    pub opinion: Option<Opinion>,
}

/// What the viewer may do on this hearing.
#[derive(Clone, Copy, Debug, Default)]
pub struct HearingCan {
    /// Run the hearing (the case prosecutor's commands).
    pub conduct: bool,
    /// Approve or reject it (the chief prosecutor).
    pub approve: bool,
}

/// A hearing as its page shows it.
#[derive(Clone, Debug)]
pub struct HearingView {
    pub hearing: Hearing,
    pub case_id: Id,
    pub number: String,
    pub title: String,
    pub seats: Vec<Seat>,
    pub participants: Vec<ParticipantRow>,
    pub draws: Vec<DrawView>,
    /// The commands the viewer may give now.
    pub commands: Vec<HearingCommand>,
    pub can: HearingCan,
    /// The earliest day the hearing may sit if the notices went out today (Art. 10).
    pub earliest: NaiveDate,
    pub majority: Option<Opinion>,
    /// The seven steps of the record, as written.
    pub record: Vec<(String, String)>,
}

/// The proposal form and `POST /api/v1/hearings`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HearingForm {
    pub case_id: String,
    /// One of the hearing kinds (Art. 4).
    pub kind: String,
    /// `prosecutor` (proposed by the case prosecutor) or `party` (a party's application, Art. 9).
    pub origin: String,
    /// Who applied, for a party's application.
    #[serde(default)]
    pub applicant: String,
    /// The questions put to the hearing.
    pub topic: String,
    /// The handling the prosecutor intends, on which the officers give their opinions.
    #[serde(default)]
    pub proposed_handling: String,
    /// `hearing_room`, `doorstep`, `online`, `elsewhere`; away from the room needs the chief's approval.
    pub venue: String,
    #[serde(default)]
    pub place: String,
    /// Held in public (Art. 5); never when a party is a minor.
    #[serde(default)]
    pub public: bool,
}

impl App {
    pub(crate) fn hearing_of(&self, row: HearingRow) -> Result<Hearing, AppError> {
        let corrupt = |what: &str| AppError::Internal(format!("hearing {}: {what}", row.id));
        let kind = HearingKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?;
        let state = HearingState::parse(&row.state).ok_or_else(|| corrupt("state"))?;
        let venue = Venue::parse(&row.venue).ok_or_else(|| corrupt("venue"))?;
        Ok(Hearing {
            public: rules::is_public(row.wants_public != 0, row.minor != 0),
            row,
            kind,
            state,
            venue,
        })
    }

    /// A hearing the actor's agency holds (the chief prosecutor's is the whole procuratorate).
    pub(crate) async fn hearing_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: Id,
    ) -> Result<Hearing, AppError> {
        let row = store::hearing(conn, id).await?.ok_or(AppError::NotFound)?;
        if row.agency_id != actor.agency_id.to_string() {
            return Err(AppError::NotFound);
        }
        self.hearing_of(row)
    }

    /// The hearings of the actor's agency, newest first.
    pub async fn hearings(
        &self,
        ctx: &Ctx,
        state: Option<HearingState>,
        case: Option<Id>,
        page: Page,
    ) -> Result<Paged<HearingItem>, AppError> {
        let actor = self.authorize(ctx, Action::ViewHearings).await?;
        let mut conn = self.db().conn().await?;
        let filter = Filter {
            agency: Some(actor.agency_id),
            state: state.map(|s| s.code().to_owned()),
            case,
        };
        let listed = store::hearings(&mut conn, &filter, page).await?;
        let mut items = Vec::with_capacity(listed.items.len());
        for Listed {
            hearing,
            number,
            title,
            officers,
        } in listed.items
        {
            items.push(HearingItem {
                hearing: self.hearing_of(hearing)?,
                number,
                title,
                officers,
            });
        }
        Ok(Paged {
            items,
            total: listed.total,
        })
    }

    pub async fn hearing(&self, ctx: &Ctx, id: Id) -> Result<HearingView, AppError> {
        let actor = self.authorize(ctx, Action::ViewHearings).await?;
        let mut conn = self.db().conn().await?;
        let h = self.hearing_for(&mut conn, &actor, id).await?;
        let c = case::get_case(&mut conn, h.row.case_id.parse().map_err(|_| AppError::NotFound)?)
            .await?
            .ok_or(AppError::NotFound)?;
        let seats: Vec<Seat> = store::seats(&mut conn, id)
            .await?
            .into_iter()
            .map(|row| Seat {
                opinion: Opinion::parse(&row.opinion),
                row,
            })
            .collect();
        let participants = store::participants(&mut conn, id).await?;
        let mut draws = Vec::new();
        for d in store::draws(&mut conn, id).await? {
            draws.push(self.draw_view(&mut conn, d).await?);
        }
        let can = HearingCan {
            conduct: actor.can(Action::ConductHearing),
            approve: actor.can(Action::ApproveHearing),
        };
        let commands = h
            .state
            .commands()
            .into_iter()
            .filter(|c| if c.is_chiefs() { can.approve } else { can.conduct })
            .collect();
        let opinions: Vec<Opinion> = seats.iter().filter_map(|s| s.opinion).collect();
        let record = flow::record_of(&h.row.record);
        let earliest = self
            .earliest_hearing_day(&mut conn, time::local_date(self.now()))
            .await?;
        Ok(HearingView {
            majority: rules::majority(&opinions),
            case_id: c.id,
            number: c.number,
            title: c.title,
            hearing: h,
            seats,
            participants,
            draws,
            commands,
            can,
            earliest,
            record,
        })
    }

    /// The earliest day a hearing may sit when its notices go out on `day`: the hearing-notice
    /// rule (3 days, Art. 10) over the work calendar, kept as data like every other clock.
    pub(crate) async fn earliest_hearing_day(
        &self,
        conn: &mut AnyConnection,
        day: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        use gongzhi_domain::deadline::{self, ClockKind};
        let clocks = self.clocks(conn).await?;
        // Without a rule in force (retired by an administrator), the statute's 3 days themselves.
        Ok(deadline::pick(
            &clocks.rules,
            ClockKind::HearingNotice,
            day,
            crate::deadlines::REGION,
        )
        .and_then(|rule| rule.due(&clocks.cal, day))
        .map(|d| d.due)
        .unwrap_or(day + chrono::Days::new(3)))
    }

    /// Proposes a hearing on one's case, or records a party's application for one.
    pub async fn propose_hearing(&self, ctx: &Ctx, f: &HearingForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ConductHearing).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let case_id = f.case_id.parse::<Id>().ok();
        let c = match case_id {
            Some(id) => self.case_for_write(tx.conn(), ctx, id).await.ok(),
            None => None,
        };
        checks.check(c.is_some(), "case_id", "case-unknown");
        let kind = HearingKind::parse(&f.kind);
        checks.check(kind.is_some(), "kind", "hearing-kind-invalid");
        let party = match f.origin.as_str() {
            "party" => true,
            "prosecutor" => false,
            _ => {
                checks.fail(FieldError::new("origin", "hearing-origin-invalid"));
                false
            }
        };
        if party {
            checks.check(
                !f.applicant.trim().is_empty(),
                "applicant",
                "hearing-applicant-required",
            );
        }
        checks.check(
            (4..=500).contains(&f.topic.trim().chars().count()),
            "topic",
            "hearing-topic-invalid",
        );
        let venue = Venue::parse(&f.venue);
        checks.check(venue.is_some(), "venue", "hearing-venue-invalid");
        if venue.is_some_and(|v| v != Venue::HearingRoom) {
            checks.check(!f.place.trim().is_empty(), "place", "place-required");
        }
        checks.finish()?;
        let (Some(c), Some(kind), Some(venue)) = (c, kind, venue) else {
            return Err(AppError::field("case_id", "case-unknown"));
        };
        let today = time::local_date(self.now());
        let minor = case::parties(tx.conn(), c.id)
            .await?
            .iter()
            .any(|p| self.minor_now(p, today));
        let id = Id::new();
        let now = time::to_millis(self.now());
        let state = if party {
            HearingState::Applied
        } else {
            HearingState::Proposed
        };
        let row = HearingRow {
            id: id.to_string(),
            case_id: c.id.to_string(),
            agency_id: c.owner_agency_id.to_string(),
            kind: kind.code().into(),
            state: state.code().into(),
            origin: if party { "party" } else { "prosecutor" }.into(),
            applicant: f.applicant.trim().to_owned(),
            topic: f.topic.trim().to_owned(),
            proposed_handling: f.proposed_handling.trim().to_owned(),
            venue: venue.code().into(),
            place: f.place.trim().to_owned(),
            // Art. 5: a hearing with a minor party is never public.
            wants_public: i64::from(f.public && !minor),
            minor: i64::from(minor),
            created_by: actor.user_id.to_string(),
            created_by_name: actor.display_name.clone(),
            created_at: now,
            updated_at: now,
            ..HearingRow::default()
        };
        store::insert_hearing(tx.conn(), &row).await?;
        if state == HearingState::Proposed {
            self.ask_chief(tx.conn(), &c, &row, &actor).await?;
        }
        self.event(tx.conn(), ctx, &c, "hearing", row.topic.as_str(), false)
            .await?;
        ctx.audit(
            tx.conn(),
            "hearing.propose",
            "hearing",
            &row.id,
            Changes::new()
                .set("case", c.number.as_str())
                .set("kind", kind.code())
                .set("state", state.code())
                .set("venue", venue.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Tells the chief prosecutor a hearing waits for approval (Art. 4): in the procuratorate's
    /// inbox for its chief prosecutors, put away once decided.
    pub(crate) async fn ask_chief(
        &self,
        conn: &mut AnyConnection,
        c: &case::Case,
        h: &HearingRow,
        actor: &Actor,
    ) -> Result<(), AppError> {
        self.notify_heads(
            conn,
            c,
            &h.agency_id,
            format!("hearing:{}:approval", h.id),
            Message::HearingProposed {
                hearing: h.id.clone(),
                by: actor.display_name.clone(),
                topic: h.topic.clone(),
            },
        )
        .await
    }
}
