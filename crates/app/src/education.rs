//! Legal-education events (普法, DOMAIN.md §3.11): planned by the procuratorate or a partner
//! agency, held in a village, school or community centre (or posted online), their audience
//! recorded, published; the cases they explain shown with the parties masked; a calendar and the
//! count per township and month.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::education::{self as rules, EventCommand, EventKind, EventState, Platform, VenueKind};
use gongzhi_domain::hearing::masked;
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::education::{self as store, EventRow, Listed};
use gongzhi_store::{AnyConnection, Page, Paged, StoreError, case, reference};

use crate::case::parse_local;
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

pub use gongzhi_store::education::EventFilter;

pub const EVENT_PAGE: i64 = 100;
const TOPIC_MAX: usize = 200;
const TEXT_MAX: usize = 4000;

/// A new event: `POST /api/v1/education-events`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EventForm {
    pub kind: String,
    pub topic: String,
    /// Local `YYYY-MM-DD HH:MM`.
    pub starts_at: String,
    /// `village`, `school`, `community_centre`, `procuratorate`; `online` for a post.
    #[serde(default)]
    pub venue_kind: String,
    /// The village or community it is held in or for (not for a post).
    #[serde(default)]
    pub place_id: String,
    /// The room or school, e.g. 乌江镇中心小学.
    #[serde(default)]
    pub venue: String,
    /// A post's platform: `wechat`, `weibo`, `app`, `video`.
    #[serde(default)]
    pub platform: String,
    pub speakers: String,
    #[serde(default)]
    pub audience_expected: i64,
    #[serde(default)]
    pub materials: String,
    /// Numbers of the cases it explains (以案释法).
    #[serde(default)]
    pub cases: Vec<String>,
}

/// A step's fields (`POST /api/v1/education-events/{id}/steps/{step}`).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EventStep {
    #[serde(default)]
    pub version: i64,
    /// `record`: how many attended (for a post: how many read it).
    #[serde(default)]
    pub attendance: i64,
    /// `record`, `publish`: what it was about and how it went.
    #[serde(default)]
    pub summary: String,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub row: EventRow,
    pub kind: EventKind,
    pub state: EventState,
    pub venue_kind: VenueKind,
    pub agency_name: String,
    pub place_name: String,
    pub township_name: String,
}

#[derive(Clone, Debug)]
pub struct EventView {
    pub event: Event,
    /// (id, number, title with the parties masked).
    pub cases: Vec<(String, String, String)>,
    pub commands: Vec<EventCommand>,
}

/// Events held per township and month of a year.
#[derive(Clone, Debug, Default)]
pub struct EducationCounts {
    pub year: i32,
    /// (township, events per month, attendance in the year).
    pub townships: Vec<(String, [i64; 12], i64)>,
    /// Online posts per month.
    pub online: [i64; 12],
    pub total: i64,
}

fn event_of(l: Listed) -> Result<Event, AppError> {
    let bad = || AppError::Internal(format!("education event {}", l.event.id));
    Ok(Event {
        kind: EventKind::parse(&l.event.kind).ok_or_else(bad)?,
        state: EventState::parse(&l.event.state).ok_or_else(bad)?,
        venue_kind: VenueKind::parse(&l.event.venue_kind).ok_or_else(bad)?,
        agency_name: l.agency_name,
        place_name: l.place_name.unwrap_or_default(),
        township_name: l.township_name.unwrap_or_default(),
        row: l.event,
    })
}

fn too_long(checks: &mut Checks, field: &str, s: &str, max: usize) {
    if s.chars().count() > max {
        checks.fail(FieldError::new(field, "education-too-long").arg("max", max));
    }
}

impl App {
    pub async fn plan_education(&self, ctx: &Ctx, f: &EventForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ManageEducation).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let kind = EventKind::parse(&f.kind);
        checks.check(kind.is_some(), "kind", "education-kind-invalid");
        let topic = f.topic.trim();
        checks.check(!topic.is_empty(), "topic", "education-field-required");
        too_long(&mut checks, "topic", topic, TOPIC_MAX);
        let starts = parse_local(&f.starts_at);
        checks.check(starts.is_some(), "starts_at", "education-time-invalid");
        checks.check(
            !f.speakers.trim().is_empty(),
            "speakers",
            "education-field-required",
        );
        too_long(&mut checks, "materials", &f.materials, TEXT_MAX);
        if !(0..=rules::MAX_AUDIENCE).contains(&f.audience_expected) {
            checks.fail(
                FieldError::new("audience_expected", "education-audience-invalid")
                    .arg("max", rules::MAX_AUDIENCE),
            );
        }
        let online = kind.is_some_and(EventKind::online);
        let (venue_kind, platform, place) = if online {
            let p = Platform::parse(&f.platform);
            checks.check(p.is_some(), "platform", "education-platform-required");
            (
                Some(VenueKind::Online),
                p.map(|p| p.code()).unwrap_or_default(),
                None,
            )
        } else {
            let v = VenueKind::parse(&f.venue_kind).filter(|v| *v != VenueKind::Online);
            checks.check(v.is_some(), "venue_kind", "education-venue-invalid");
            let place = match f.place_id.trim().parse::<Id>() {
                Ok(id) => reference::org_get(tx.conn(), id)
                    .await?
                    .filter(|u| u.level == OrgLevel::Village && u.active),
                Err(_) => None,
            };
            checks.check(place.is_some(), "place_id", "education-place-invalid");
            (v, "", place)
        };
        let mut cases = Vec::new();
        for n in f.cases.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let found = match case::case_by_number(tx.conn(), n).await? {
                Some(c) => self
                    .case_for_read(tx.conn(), ctx, c.id)
                    .await
                    .ok()
                    .map(|(c, _)| c.id),
                None => None,
            };
            match found {
                Some(id) if !cases.contains(&id) => cases.push(id),
                Some(_) => {}
                None => checks.fail(FieldError::new("cases", "education-case-unknown").arg("number", n)),
            }
        }
        checks.finish()?;
        let (Some(kind), Some(starts), Some(venue_kind)) = (kind, starts, venue_kind) else {
            return Err(AppError::field("kind", "education-kind-invalid"));
        };
        let local = time::format_local(starts);
        let now = time::to_millis(self.now());
        let id = Id::new();
        let row = EventRow {
            id: id.to_string(),
            agency_id: actor.agency_id.to_string(),
            kind: kind.code().into(),
            state: EventState::Planned.code().into(),
            topic: topic.to_owned(),
            month: local.get(..7).unwrap_or_default().to_owned(),
            starts_at: local,
            venue_kind: venue_kind.code().into(),
            place_id: place.as_ref().map(|p| p.id.to_string()),
            township_id: place.as_ref().and_then(|p| p.parent_id).map(|t| t.to_string()),
            venue: f.venue.trim().to_owned(),
            platform: platform.to_owned(),
            speakers: f.speakers.trim().to_owned(),
            audience_expected: f.audience_expected,
            attendance: None,
            summary: String::new(),
            materials: f.materials.trim().to_owned(),
            created_by_name: actor.display_name.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_event(tx.conn(), &row, &cases).await?;
        ctx.audit(
            tx.conn(),
            "education.plan",
            "education_event",
            &row.id,
            Changes::new()
                .set("kind", row.kind.as_str())
                .set("starts_at", row.starts_at.as_str())
                .set("cases", cases.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn education_events(
        &self,
        ctx: &Ctx,
        f: &EventFilter,
        page: Page,
    ) -> Result<Paged<Event>, AppError> {
        self.authorize(ctx, Action::ViewEducation).await?;
        let mut conn = self.db().conn().await?;
        let found = store::events(&mut conn, f, page).await?;
        Ok(Paged {
            items: found.items.into_iter().map(event_of).collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    async fn masked_cases(
        &self,
        conn: &mut AnyConnection,
        event: &str,
    ) -> Result<Vec<(String, String, String)>, AppError> {
        let mut out = Vec::new();
        for (id, number, title) in store::event_cases(&mut *conn, event).await? {
            let names: Vec<String> = match id.parse::<Id>() {
                Ok(cid) => case::parties(&mut *conn, cid)
                    .await?
                    .into_iter()
                    .map(|p| p.name)
                    .collect(),
                Err(_) => Vec::new(),
            };
            out.push((id, number, masked(&title, &names)));
        }
        Ok(out)
    }

    pub async fn education_event(&self, ctx: &Ctx, id: Id) -> Result<EventView, AppError> {
        let actor = self.authorize(ctx, Action::ViewEducation).await?;
        let mut conn = self.db().conn().await?;
        let event = event_of(store::event(&mut conn, id).await?.ok_or(AppError::NotFound)?)?;
        let mine = event.row.agency_id == actor.agency_id.to_string() && actor.can(Action::ManageEducation);
        Ok(EventView {
            cases: self.masked_cases(&mut conn, &event.row.id).await?,
            commands: if mine { event.state.commands() } else { Vec::new() },
            event,
        })
    }

    pub async fn education_step(
        &self,
        ctx: &Ctx,
        id: Id,
        command: EventCommand,
        f: &EventStep,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageEducation).await?;
        let mut tx = self.db().begin().await?;
        let e = event_of(store::event(tx.conn(), id).await?.ok_or(AppError::NotFound)?)?;
        if e.row.agency_id != actor.agency_id.to_string() {
            return Err(AppError::Invalid(vec![
                FieldError::new("command", "education-not-yours").arg("agency", &e.agency_name),
            ]));
        }
        if f.version != 0 && f.version != e.row.version {
            return Err(AppError::Conflict(vec![("state".into(), e.state.code().into())]));
        }
        let to =
            rules::next(e.state, command).map_err(|_| AppError::field("command", "education-not-now"))?;
        let mut row = e.row.clone();
        let mut checks = Checks::new();
        let summary = f.summary.trim();
        too_long(&mut checks, "summary", summary, TEXT_MAX);
        match command {
            EventCommand::Record => {
                if !(0..=rules::MAX_AUDIENCE).contains(&f.attendance) {
                    checks.fail(
                        FieldError::new("attendance", "education-audience-invalid")
                            .arg("max", rules::MAX_AUDIENCE),
                    );
                }
                row.attendance = Some(f.attendance);
                row.summary = summary.to_owned();
            }
            // What the portal shows is what was recorded; a publication needs it.
            EventCommand::Publish => {
                if !summary.is_empty() {
                    row.summary = summary.to_owned();
                }
                checks.check(!row.summary.is_empty(), "summary", "education-summary-required");
            }
            EventCommand::Announce | EventCommand::Hold | EventCommand::Cancel => {}
        }
        checks.finish()?;
        row.state = to.code().into();
        row.updated_at = time::to_millis(self.now());
        store::save_event(tx.conn(), &row, e.row.version)
            .await
            .map_err(|err| match err {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), e.state.code().into())]),
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            &format!("education.{}", command.code()),
            "education_event",
            &row.id,
            Changes::new()
                .field("state", e.state.code(), to.code())
                .set("attendance", row.attendance.unwrap_or(0)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Published events for the public portal, newest first: what was taught, where and to how
    /// many — never the cases or who entered them.
    pub async fn public_education(&self, page: Page) -> Result<Paged<Event>, AppError> {
        let mut conn = self.db().conn().await?;
        let f = EventFilter {
            published: true,
            newest_first: true,
            ..EventFilter::default()
        };
        let found = store::events(&mut conn, &f, page).await?;
        Ok(Paged {
            items: found.items.into_iter().map(event_of).collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    /// Events held per township and month of a year, and online posts apart.
    pub async fn education_counts(&self, ctx: &Ctx, year: i32) -> Result<EducationCounts, AppError> {
        self.authorize(ctx, Action::ViewEducation).await?;
        let mut conn = self.db().conn().await?;
        let townships = reference::org_by_level(&mut conn, OrgLevel::Township).await?;
        let mut out = EducationCounts {
            year,
            townships: townships.iter().map(|t| (t.name.clone(), [0; 12], 0)).collect(),
            ..EducationCounts::default()
        };
        for (township, month, n, people) in store::held_counts(&mut conn, year).await? {
            let Some(m) = month
                .get(5..7)
                .and_then(|m| m.parse::<usize>().ok())
                .filter(|m| (1..=12).contains(m))
            else {
                continue;
            };
            out.total += n;
            match township.and_then(|t| townships.iter().position(|u| u.id.to_string() == t)) {
                Some(k) => {
                    out.townships[k].1[m - 1] += n;
                    out.townships[k].2 += people;
                }
                None => out.online[m - 1] += n,
            }
        }
        Ok(out)
    }
}
