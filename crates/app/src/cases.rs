//! Cases: intake on every channel, the case page, lists, workflow transitions and the risk gate.

use chrono::{Datelike, NaiveDateTime};
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::{self as dcase, PartyRole};
use gongzhi_domain::deadline::{ClockKind, ClockState, Trigger};
use gongzhi_domain::idcard::{IdCardError, ResidentId};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::policy::{Action, Role, Scope};
use gongzhi_domain::risk::{self, RiskInput, RiskLevel};
use gongzhi_domain::workflow::{self, CaseKind, Channel, Command, ReconciliationFacts, RiskFacts, Status};
use gongzhi_domain::{Actor, Id, time};
use gongzhi_store::cases::{self, Clock, Event, Party};
pub use gongzhi_store::cases::{Case, CaseFilter};
use gongzhi_store::casework::{self, Assessment, Task};
use gongzhi_store::reference;
use gongzhi_store::{AnyConnection, Page, Paged};
use sm3::{Digest, Sm3};

use crate::deadlines::{self, Clocks};
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// Case settings (the `[cases]` section of the configuration).
#[derive(Clone, Debug)]
pub struct CaseSettings {
    /// `{agency}{kind}〔{year}〕{seq}号` by default.
    pub number_pattern: String,
    pub max_attachment_bytes: usize,
}

impl Default for CaseSettings {
    fn default() -> Self {
        Self {
            number_pattern: dcase::DEFAULT_NUMBER_PATTERN.to_owned(),
            max_attachment_bytes: 5 * 1024 * 1024,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct PartyInput {
    pub role: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub elderly: bool,
    pub disabled: bool,
    pub impoverished: bool,
}

#[derive(Clone, Debug, Default)]
pub struct IntakeForm {
    pub kind: String,
    pub channel: String,
    pub category: String,
    /// Id of a village or community.
    pub place_id: String,
    /// Id of a grid under it (optional).
    pub grid_id: String,
    pub title: String,
    pub narrative: String,
    /// Local time, `YYYY-MM-DDTHH:MM` (what a datetime-local input sends) or `YYYY-MM-DD HH:MM`.
    pub received_at: String,
    pub urgent: bool,
    pub anonymous: bool,
    /// A minor is concerned (when no party's ID number shows it): nothing of the case is published.
    pub minor_involved: bool,
    pub parties: Vec<PartyInput>,
}

#[derive(Clone, Debug)]
pub struct Upload {
    pub filename: String,
    pub data: Vec<u8>,
}

/// A party as shown: masked unless revealed.
#[derive(Clone, Debug)]
pub struct PartyView {
    pub id: String,
    pub role: String,
    pub name: String,
    pub sex: String,
    pub age: Option<i64>,
    pub id_masked: String,
    pub phone_masked: String,
    pub has_address: bool,
    pub minor: bool,
    pub elderly: bool,
    pub disabled: bool,
    pub impoverished: bool,
}

#[derive(Clone, Debug)]
pub struct ClockView {
    pub clock: Clock,
    /// Each skipped rest day with the holiday's name (empty for an ordinary weekend).
    pub skipped: Vec<(chrono::NaiveDate, String)>,
    pub state: ClockState,
    pub rule_source: String,
    pub rule_text: String,
}

#[derive(Clone, Debug)]
pub struct MeetingView {
    pub meeting: casework::Meeting,
    pub agencies: Vec<String>,
    pub items: Vec<Task>,
}

#[derive(Clone, Debug)]
pub struct CaseView {
    pub case: Case,
    pub parties: Vec<PartyView>,
    pub clocks: Vec<ClockView>,
    pub assessments: Vec<Assessment>,
    pub risk_current: bool,
    pub plan_tasks: Vec<Task>,
    pub referrals: Vec<casework::Referral>,
    pub meetings: Vec<MeetingView>,
    pub mediations: Vec<casework::Mediation>,
    pub follow_ups: Vec<casework::FollowUp>,
    pub replies: Vec<casework::Reply>,
    pub attachments: Vec<casework::AttachmentMeta>,
    /// Other cases the viewer may see with a party of the same identity number: (id, number,
    /// title), newest first, at most `RELATED_SHOWN`, and how many in all.
    pub related: Paged<(String, String, String)>,
    /// The latest `TIMELINE_SHOWN` events, oldest first, and how many there are.
    pub events: Paged<Event>,
    /// Commands the actor's roles allow from the current state.
    pub commands: Vec<Command>,
    /// The actor's agency owns the case (or the actor works district-wide).
    pub owner: bool,
    pub can_reveal: bool,
    pub reconciliation: Option<ReconciliationFacts>,
}

/// Where an intake comes from: a member of staff at a desk, a citizen on the portal, or a partner
/// system (which may know only the township).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Desk,
    Portal,
    Partner,
}

/// An edit of a case's description.
#[derive(Clone, Debug, Default)]
pub struct CaseEdit {
    pub title: String,
    pub narrative: String,
    pub category: String,
    /// `None` keeps what the case says (an API client that does not send the field).
    pub urgent: Option<bool>,
    pub minor_involved: Option<bool>,
    pub version: i64,
}

/// Input of a transition.
#[derive(Clone, Debug, Default)]
pub struct TransitionInput {
    pub version: i64,
    pub note: String,
    pub handler_id: String,
}

/// What a reveal shows.
#[derive(Clone, Debug)]
pub struct Revealed {
    pub id_number: String,
    pub phone: String,
    pub address: String,
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
        let c = cases::get_case(&mut *conn, case)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner = district_wide(actor) || c.owner_agency_id == actor.agency_id;
        if owner || cases::referred_to(conn, case, actor.agency_id).await? {
            Ok((c, owner))
        } else {
            // Not found rather than forbidden: a case number is itself information.
            Err(AppError::NotFound)
        }
    }

    /// Loads a case the actor's agency owns, for changes.
    pub(crate) async fn case_for_write(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
    ) -> Result<Case, AppError> {
        let (c, owner) = self.case_for_read(conn, ctx, case).await?;
        if owner { Ok(c) } else { Err(AppError::NotOwner) }
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
        let (actor_id, actor_name, agency_name) = match ctx.user() {
            Some(a) => (
                Some(a.user_id.to_string()),
                a.display_name.clone(),
                a.agency_name.clone(),
            ),
            None => (None, ctx.timeline_name(), String::new()),
        };
        cases::insert_event(
            conn,
            &Event {
                id: Id::new().to_string(),
                case_id: c.id.to_string(),
                at: time::to_millis(self.now()),
                actor_id,
                actor_name,
                agency_name,
                kind: kind.to_owned(),
                detail: detail.to_owned(),
                public: i64::from(public),
            },
        )
        .await?;
        Ok(())
    }

    /// Registers a case from a staff member's form (UI or API). With an idempotency key, a retry
    /// returns the case the first call created.
    pub async fn register_case(
        &self,
        ctx: &Ctx,
        f: &IntakeForm,
        uploads: &[Upload],
        idempotency_key: Option<&str>,
    ) -> Result<Case, AppError> {
        let actor = self.authorize(ctx, Action::RegisterCase).await?;
        let principal = actor.user_id.to_string();
        let mut tx = self.db().begin().await?;
        if let Some(key) = idempotency_key.filter(|k| !k.trim().is_empty())
            && let Some(existing) = casework::idempotent_case(tx.conn(), &principal, key).await?
        {
            return cases::get_case(tx.conn(), existing)
                .await?
                .ok_or(AppError::NotFound);
        }
        let agency = reference::agency_get(tx.conn(), actor.agency_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let intake = self.check_intake(tx.conn(), f, uploads, Source::Desk).await?;
        let c = self.insert_case(tx.conn(), ctx, &agency, intake, uploads).await?;
        if let Some(key) = idempotency_key.filter(|k| !k.trim().is_empty()) {
            match casework::remember_idempotent(tx.conn(), &principal, key, c.id, self.now()).await {
                Ok(()) => {}
                // A concurrent retry got there first: this attempt rolls back (its number too) and
                // answers with the case the first one made.
                Err(gongzhi_store::StoreError::Duplicate(_)) => {
                    drop(tx);
                    let mut conn = self.db().conn().await?;
                    let first = casework::idempotent_case(&mut conn, &principal, key)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    return cases::get_case(&mut conn, first).await?.ok_or(AppError::NotFound);
                }
                Err(e) => return Err(e.into()),
            }
        }
        ctx.audit(
            tx.conn(),
            "case.register",
            "case",
            &c.id.to_string(),
            Changes::new()
                .set("number", c.number.clone())
                .set("kind", c.kind.code())
                .set("channel", c.channel.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Validates an intake form; every problem is reported at once.
    pub(crate) async fn check_intake(
        &self,
        conn: &mut AnyConnection,
        f: &IntakeForm,
        uploads: &[Upload],
        source: Source,
    ) -> Result<Intake, AppError> {
        let portal = source != Source::Desk;
        let mut checks = Checks::new();
        let now = self.now();
        let today = time::local_date(now);
        let kind = CaseKind::parse(&f.kind);
        checks.check(kind.is_some(), "kind", "case-kind-invalid");
        let channel = if portal {
            Some(Channel::Portal)
        } else {
            Channel::parse(&f.channel)
        };
        checks.check(channel.is_some(), "channel", "channel-invalid");
        let category = reference::category_get(&mut *conn, f.category.trim()).await?;
        checks.check(
            category.as_ref().is_some_and(|c| c.active != 0),
            "category",
            "category-unknown",
        );
        // A village or community; a partner system that knows only the township sends the case
        // there for triage.
        let place = match f.place_id.trim().parse::<Id>() {
            Ok(p) => reference::org_get(&mut *conn, p).await?.filter(|u| {
                u.active
                    && (u.level == OrgLevel::Village
                        || (source == Source::Partner && u.level == OrgLevel::Township))
            }),
            Err(_) => None,
        };
        checks.check(place.is_some(), "place_id", "place-unknown");
        let grid = match f.grid_id.trim() {
            "" => None,
            g => {
                let unit = match g.parse::<Id>() {
                    Ok(g) => reference::org_get(&mut *conn, g).await?,
                    Err(_) => None,
                };
                let fits = unit.as_ref().is_some_and(|u| {
                    u.level == OrgLevel::Grid && place.as_ref().is_some_and(|p| u.parent_id == Some(p.id))
                });
                checks.check(fits, "grid_id", "grid-unknown");
                unit.filter(|_| fits)
            }
        };
        let title = f.title.trim();
        checks.check(
            (1..=100).contains(&title.chars().count()),
            "title",
            "title-invalid",
        );
        let narrative = f.narrative.trim();
        checks.check(!narrative.is_empty(), "narrative", "narrative-required");
        checks.check(
            narrative.chars().count() <= 10_000,
            "narrative",
            "narrative-too-long",
        );
        let received_at = if portal {
            Some(now)
        } else {
            match parse_local(&f.received_at) {
                None => {
                    checks.fail(FieldError::new("received_at", "datetime-invalid"));
                    None
                }
                // Five minutes of clock skew between a phone and the server are tolerated.
                Some(t) if t > now + chrono::Duration::minutes(5) => {
                    checks.fail(FieldError::new("received_at", "received-in-future"));
                    None
                }
                Some(t) if t < now - chrono::Duration::days(3 * 365) => {
                    checks.fail(FieldError::new("received_at", "received-too-old"));
                    None
                }
                Some(t) => Some(t),
            }
        };
        let mut parties = Vec::new();
        for (i, p) in f.parties.iter().enumerate() {
            let blank =
                p.name.trim().is_empty() && p.id_number.trim().is_empty() && p.phone.trim().is_empty();
            if blank {
                continue;
            }
            let field = |name: &str| format!("parties[{i}].{name}");
            let role = PartyRole::parse(&p.role);
            if role.is_none() {
                checks.fail(FieldError::new(&field("role"), "party-role-invalid"));
            }
            let name_len = p.name.trim().chars().count();
            if !(1..=30).contains(&name_len) {
                checks.fail(FieldError::new(&field("name"), "name-invalid"));
            }
            let id = match p.id_number.trim() {
                "" => None,
                s => match ResidentId::parse(s, today) {
                    Ok(id) => Some(id),
                    Err(IdCardError::CheckDigit { expected, found }) => {
                        checks.fail(
                            FieldError::new(&field("id_number"), "id-check-digit")
                                .arg("expected", expected)
                                .arg("found", found),
                        );
                        None
                    }
                    Err(IdCardError::BirthDate(d)) => {
                        checks.fail(FieldError::new(&field("id_number"), "id-birth-date").arg("date", d));
                        None
                    }
                    Err(IdCardError::Length) => {
                        checks.fail(FieldError::new(&field("id_number"), "id-length"));
                        None
                    }
                    Err(IdCardError::Characters) => {
                        checks.fail(FieldError::new(&field("id_number"), "id-characters"));
                        None
                    }
                },
            };
            let phone = match p.phone.trim() {
                "" => None,
                s => match Phone::parse(s) {
                    Ok(ph) => Some(ph),
                    Err(_) => {
                        checks.fail(FieldError::new(&field("phone"), "phone-invalid"));
                        None
                    }
                },
            };
            if p.address.chars().count() > 200 {
                checks.fail(FieldError::new(&field("address"), "address-too-long"));
            }
            parties.push(CheckedParty {
                role: role.unwrap_or(PartyRole::Other),
                name: p.name.trim().to_owned(),
                id,
                phone,
                address: p.address.trim().to_owned(),
                elderly: p.elderly,
                disabled: p.disabled,
                impoverished: p.impoverished,
            });
        }
        if !f.anonymous
            && !parties
                .iter()
                .any(|p| matches!(p.role, PartyRole::Petitioner | PartyRole::Victim))
        {
            checks.fail(FieldError::new("parties[0].name", "petitioner-required"));
        }
        if portal && parties.first().is_none_or(|p| p.phone.is_none()) {
            checks.fail(FieldError::new("parties[0].phone", "portal-phone-required"));
        }
        let files = self.check_uploads(&mut checks, uploads);
        checks.finish()?;
        let (Some(kind), Some(channel), Some(place), Some(received_at)) = (kind, channel, place, received_at)
        else {
            return Err(AppError::Internal("intake checks passed without values".into()));
        };
        Ok(Intake {
            kind,
            channel,
            category: f.category.trim().to_owned(),
            place: place.id,
            grid: grid.map(|g| g.id),
            title: title.to_owned(),
            narrative: narrative.to_owned(),
            received_at,
            urgent: f.urgent,
            anonymous: f.anonymous,
            minor_involved: f.minor_involved,
            parties,
            mimes: files,
        })
    }

    /// Inserts a checked case with its parties, clocks, attachments and first timeline entry.
    pub(crate) async fn insert_case(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        agency: &reference::Agency,
        i: Intake,
        uploads: &[Upload],
    ) -> Result<Case, AppError> {
        let now = self.now();
        // Whoever gave a phone number can follow the case on the portal with a tracking code (on
        // the receipt for a visit or a letter) and the last four digits of that number.
        let tracking = match i.parties.iter().find_map(|p| p.phone.as_ref()) {
            Some(phone) if !i.anonymous => {
                let mut random = [0u8; 10];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
                let code = dcase::tracking_code(&random);
                let key = self.tracking_key(&code, phone.last4());
                Some((code, key))
            }
            _ => None,
        };
        let received = time::local_date(i.received_at);
        let year = received.year();
        let seq = cases::next_seq(&mut *conn, agency.id, year).await?;
        let number = dcase::case_number(
            &self.case_settings().number_pattern,
            &agency.short_name,
            i.kind,
            year,
            seq,
        );
        let contactable = i.parties.iter().any(|p| p.phone.is_some());
        // §3.2 exemptions: anonymous petitions and petitions without contact cannot be answered;
        // the reason is recorded on the case and on its reply clocks.
        let exempt_reason = if i.anonymous {
            "匿名信访，无法答复"
        } else if !contactable && i.kind != CaseKind::MinorCriminal {
            "无联系方式，无法答复"
        } else {
            ""
        };
        let c = Case {
            id: Id::new(),
            number,
            kind: i.kind,
            status: i.kind.initial(i.channel),
            level: None,
            channel: i.channel,
            category_code: i.category,
            category_name: String::new(),
            place_id: Some(i.place),
            place_name: String::new(),
            place_code: String::new(),
            grid_id: i.grid,
            grid_name: String::new(),
            title: i.title,
            narrative: i.narrative,
            received_at: i.received_at,
            urgent: i.urgent,
            anonymous: i.anonymous,
            exempt_reason: exempt_reason.to_owned(),
            owner_agency_id: agency.id,
            owner_agency_name: agency.name.clone(),
            handler_id: None,
            handler_name: String::new(),
            created_by: ctx.user().map(|a| a.user_id),
            related_case_id: None,
            tracking_code: tracking.as_ref().map(|t| t.0.clone()),
            tracking_phone: tracking.map(|t| t.1),
            reconciliation: String::new(),
            risk_level: None,
            risk_stale_after: 0,
            closed_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
            public_title: String::new(),
            public_reply: String::new(),
            published_by_name: String::new(),
            published_at: None,
            source_key_id: ctx.partner_of().map(|p| p.key_id),
            public_id: (i.channel == Channel::Portal).then(new_public_id),
            minor_involved: i.minor_involved,
            has_minor: i.minor_involved
                || i.parties.iter().any(|p| {
                    p.id.as_ref()
                        .is_some_and(|id| id.is_minor_on(time::local_date(now)))
                }),
        };
        cases::insert_case(&mut *conn, &c).await?;
        let today = time::local_date(now);
        for (n, p) in i.parties.iter().enumerate() {
            let minor = p.id.as_ref().is_some_and(|id| id.is_minor_on(today));
            let elderly = p.elderly || p.id.as_ref().is_some_and(|id| id.age_on(today) >= 60);
            cases::insert_party(
                &mut *conn,
                &Party {
                    id: Id::new().to_string(),
                    case_id: c.id.to_string(),
                    seq: i64::try_from(n).unwrap_or(0),
                    role: p.role.code().into(),
                    name: p.name.clone(),
                    sex: p
                        .id
                        .as_ref()
                        .map(|id| id.sex().code().to_owned())
                        .unwrap_or_default(),
                    birth_year: p.id.as_ref().map(|id| i64::from(id.birth_date().year())),
                    id_enc: p
                        .id
                        .as_ref()
                        .map(|id| self.cipher().encrypt(id.as_str()))
                        .transpose()?,
                    id_index: p.id.as_ref().map(|id| self.cipher().blind_index(id.as_str())),
                    id_masked: p.id.as_ref().map(ResidentId::masked).unwrap_or_default(),
                    phone_enc: p
                        .phone
                        .as_ref()
                        .map(|ph| self.cipher().encrypt(ph.as_str()))
                        .transpose()?,
                    phone_masked: p.phone.as_ref().map(Phone::masked).unwrap_or_default(),
                    address_enc: Some(&p.address)
                        .filter(|a| !a.is_empty())
                        .map(|a| self.cipher().encrypt(a))
                        .transpose()?,
                    minor: i64::from(minor),
                    elderly: i64::from(elderly),
                    disabled: i64::from(p.disabled),
                    impoverished: i64::from(p.impoverished),
                },
            )
            .await?;
        }
        let clocks = Clocks::load(&mut *conn).await?;
        let mut started = clocks.started(c.id, c.kind, Trigger::Received, received, 1);
        if c.urgent {
            started.extend(clocks.started(c.id, c.kind, Trigger::Urgent, received, 1));
        }
        for mut clock in started {
            if !exempt_reason.is_empty()
                && matches!(clock.kind, ClockKind::ProceduralReply | ClockKind::ResultReply)
            {
                clock.state = ClockState::Exempt;
                clock.note = exempt_reason.to_owned();
            }
            cases::insert_clock(&mut *conn, &clock).await?;
        }
        for (u, mime) in uploads.iter().zip(&i.mimes) {
            self.store_attachment(&mut *conn, ctx, &c, u, mime).await?;
        }
        let detail = format!("{}｜{}", c.number, c.channel.code());
        self.event(&mut *conn, ctx, &c, "registered", &detail, true)
            .await?;
        Ok(c)
    }

    /// What is stored to check a tracking look-up: a keyed hash of the code and the last four digits.
    pub(crate) fn tracking_key(&self, code: &str, last4: &str) -> String {
        self.cipher().blind_index(&format!("track|{code}|{last4}"))
    }

    pub(crate) async fn store_attachment(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &Case,
        u: &Upload,
        mime: &str,
    ) -> Result<(), AppError> {
        let name: String = u
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("附件")
            .chars()
            .filter(|ch| !ch.is_control())
            .take(120)
            .collect();
        casework::insert_attachment(
            conn,
            &casework::AttachmentMeta {
                id: Id::new().to_string(),
                case_id: c.id.to_string(),
                filename: name,
                mime: mime.to_owned(),
                size: i64::try_from(u.data.len()).unwrap_or(i64::MAX),
                sm3: sm3_hex(&u.data),
                uploaded_by_name: ctx.timeline_name(),
                uploaded_at: time::to_millis(self.now()),
            },
            &u.data,
        )
        .await?;
        Ok(())
    }

    /// At most ten files, each within the size limit and of an accepted type by its content; returns
    /// the content types of the files that passed.
    fn check_uploads(&self, checks: &mut Checks, uploads: &[Upload]) -> Vec<&'static str> {
        let limit = self.case_settings().max_attachment_bytes;
        if uploads.len() > 10 {
            checks.fail(FieldError::new("attachments", "attachments-too-many"));
        }
        let mut mimes = Vec::new();
        for u in uploads {
            if u.data.len() > limit {
                checks.fail(
                    FieldError::new("attachments", "attachment-too-large")
                        .arg("name", &u.filename)
                        .arg("limit", limit / (1024 * 1024)),
                );
            } else {
                match gongzhi_domain::attachment::check(&u.filename, &u.data) {
                    Ok(mime) => mimes.push(mime),
                    Err(e) => checks.fail(
                        FieldError::new("attachments", e.message_key()).arg(
                            "name",
                            u.filename
                                .chars()
                                .filter(|c| !gongzhi_domain::attachment::is_disguising(*c))
                                .collect::<String>(),
                        ),
                    ),
                }
            }
        }
        mimes
    }

    /// Adds attachments to an existing case.
    pub async fn add_attachments(&self, ctx: &Ctx, case: Id, uploads: &[Upload]) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let mut checks = Checks::new();
        checks.check(!uploads.is_empty(), "attachments", "attachments-none");
        let mimes = self.check_uploads(&mut checks, uploads);
        checks.finish()?;
        for (u, m) in uploads.iter().zip(mimes) {
            self.store_attachment(tx.conn(), ctx, &c, u, m).await?;
        }
        self.event(
            tx.conn(),
            ctx,
            &c,
            "attachment",
            &uploads.len().to_string(),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.attach",
            "case",
            &case.to_string(),
            Changes::new().set("files", uploads.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn attachment(
        &self,
        ctx: &Ctx,
        case: Id,
        attachment: Id,
    ) -> Result<(casework::AttachmentMeta, Vec<u8>), AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, case).await?;
        let (meta, data) = casework::attachment_data(&mut conn, attachment)
            .await?
            .ok_or(AppError::NotFound)?;
        if meta.case_id != c.id.to_string() {
            return Err(AppError::NotFound);
        }
        Ok((meta, data))
    }

    pub async fn list_cases(&self, ctx: &Ctx, f: &CaseFilter) -> Result<(Vec<Case>, i64), AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut f = f.clone();
        if !district_wide(&actor) {
            f.agency = Some(actor.agency_id);
        }
        let mut conn = self.db().conn().await?;
        if let Some(case) = f.same_party_as {
            // The case itself must be visible; its parties' identity numbers then select the rest.
            self.case_for_read(&mut conn, ctx, case).await?;
            f.party_indexes = cases::parties(&mut conn, case)
                .await?
                .into_iter()
                .filter_map(|p| p.id_index)
                .collect();
            if f.party_indexes.is_empty() {
                return Ok((Vec::new(), 0));
            }
        }
        Ok(cases::list_cases(&mut conn, &f).await?)
    }

    pub async fn case_view(&self, ctx: &Ctx, case: Id) -> Result<CaseView, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, owner) = self.case_for_read(&mut conn, ctx, case).await?;
        let today = time::local_date(self.now());
        let clocks = Clocks::load(&mut conn).await?;
        let clock_views = cases::clocks(&mut conn, case)
            .await?
            .into_iter()
            .map(|k| {
                let rule = clocks.rules.iter().find(|r| r.code == k.rule_code);
                ClockView {
                    skipped: k
                        .skipped
                        .iter()
                        .map(|d| (*d, clocks.names.get(d).cloned().unwrap_or_default()))
                        .collect(),
                    state: clocks.state(&k, today),
                    rule_source: rule.map(|r| r.source.clone()).unwrap_or_default(),
                    rule_text: rule
                        .map(|r| format!("{}|{}", r.amount, r.unit.code()))
                        .unwrap_or_default(),
                    clock: k,
                }
            })
            .collect();
        let stored = cases::parties(&mut conn, case).await?;
        // Only cases the viewer may see themselves: a shared identity number must not reveal
        // another agency's case.
        let indexes: Vec<String> = stored.iter().filter_map(|p| p.id_index.clone()).collect();
        let visible_to = (!district_wide(&actor)).then_some(actor.agency_id);
        let related =
            cases::related_cases(&mut conn, &indexes, case, visible_to, Page::first(RELATED_SHOWN)).await?;
        let parties = stored
            .into_iter()
            .map(|p| PartyView {
                age: p.birth_year.map(|y| i64::from(today.year()) - y),
                has_address: p.address_enc.is_some(),
                id: p.id,
                role: p.role,
                name: p.name,
                sex: p.sex,
                id_masked: p.id_masked,
                phone_masked: p.phone_masked,
                minor: p.minor != 0,
                elderly: p.elderly != 0,
                disabled: p.disabled != 0,
                impoverished: p.impoverished != 0,
            })
            .collect();
        let assessments = casework::assessments(&mut conn, case).await?;
        let risk_current = assessments.first().is_some_and(|a| a.at >= c.risk_stale_after);
        let plan_tasks = match assessments.first() {
            Some(a) => casework::tasks_of_source(&mut conn, &a.id).await?,
            None => Vec::new(),
        };
        let mut meetings = Vec::new();
        for m in casework::meetings_of_case(&mut conn, case).await? {
            meetings.push(MeetingView {
                agencies: casework::meeting_agency_names(&mut conn, &m.id).await?,
                items: casework::tasks_of_source(&mut conn, &m.id).await?,
                meeting: m,
            });
        }
        let commands = if owner {
            workflow::available(c.kind, c.status, &actor.roles)
        } else {
            Vec::new()
        };
        Ok(CaseView {
            parties,
            clocks: clock_views,
            risk_current,
            plan_tasks,
            assessments,
            referrals: casework::referrals(&mut conn, case).await?,
            meetings,
            mediations: casework::mediations(&mut conn, case).await?,
            follow_ups: casework::follow_ups(&mut conn, case).await?,
            replies: casework::replies(&mut conn, case).await?,
            attachments: casework::attachments(&mut conn, case).await?,
            related,
            events: cases::events(&mut conn, case, false, Page::first(TIMELINE_SHOWN)).await?,
            commands,
            owner,
            can_reveal: owner && actor.can(Action::RevealPersonal),
            reconciliation: serde_json::from_str(&c.reconciliation).ok(),
            case: c,
        })
    }

    /// A page (from 1) of a case's whole timeline, `TIMELINE_SHOWN` events a page, newest page
    /// first.
    pub async fn case_timeline(
        &self,
        ctx: &Ctx,
        case: Id,
        page: i64,
    ) -> Result<(Case, Paged<Event>), AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, case).await?;
        let events = cases::events(&mut conn, case, false, Page::nth(page, TIMELINE_SHOWN)).await?;
        Ok((c, events))
    }

    /// Shows a party's identity number, phone and address. A separate permission; the reason is
    /// required and audited (PIPL Art. 28: identity numbers are sensitive personal information).
    pub async fn reveal_party(
        &self,
        ctx: &Ctx,
        case: Id,
        party: &str,
        reason: &str,
    ) -> Result<Revealed, AppError> {
        self.authorize(ctx, Action::RevealPersonal).await?;
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(AppError::field("reason", "reason-required"));
        }
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let p = cases::parties(tx.conn(), case)
            .await?
            .into_iter()
            .find(|p| p.id == party)
            .ok_or(AppError::NotFound)?;
        let dec = |v: &Option<String>| -> Result<String, AppError> {
            Ok(match v {
                Some(enc) => self.cipher().decrypt(enc)?,
                None => String::new(),
            })
        };
        let out = Revealed {
            id_number: dec(&p.id_enc)?,
            phone: dec(&p.phone_enc)?,
            address: dec(&p.address_enc)?,
        };
        self.event(
            tx.conn(),
            ctx,
            &c,
            "revealed",
            &format!("{}：{reason}", p.name),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.reveal",
            "case_party",
            party,
            Changes::new().set("case", c.number.clone()).set("reason", reason),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Edits a case's description, with optimistic versioning: a stale version is a conflict that
    /// shows what the case says now.
    pub async fn edit_case(&self, ctx: &Ctx, case: Id, e: &CaseEdit) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        let CaseEdit {
            title,
            narrative,
            category,
            urgent,
            minor_involved,
            version,
        } = e;
        let urgent = urgent.unwrap_or(c.urgent);
        let minor_involved = minor_involved.unwrap_or(c.minor_involved);
        if c.version != *version {
            return Err(conflict_of(&c));
        }
        let mut checks = Checks::new();
        checks.check(
            // Taking the mark off (Minor Protection Law Art. 103, DOMAIN.md §6.1).
            !c.minor_involved
                || minor_involved
                || ctx
                    .user()
                    .is_some_and(|a| a.can(gongzhi_domain::publication::CLEAR_MINOR_MARK)),
            "minor_involved",
            "minor-unmark-head",
        );
        checks.check(
            (1..=100).contains(&title.trim().chars().count()),
            "title",
            "title-invalid",
        );
        checks.check(!narrative.trim().is_empty(), "narrative", "narrative-required");
        let cat = reference::category_get(tx.conn(), category.trim()).await?;
        checks.check(cat.is_some(), "category", "category-unknown");
        checks.finish()?;
        let changes = Changes::new()
            .field("title", c.title.clone(), title.trim())
            .field("category", c.category_code.clone(), category.trim())
            .field("urgent", c.urgent, urgent)
            .field("minor_involved", c.minor_involved, minor_involved);
        c.title = title.trim().to_owned();
        c.narrative = narrative.trim().to_owned();
        c.category_code = category.trim().to_owned();
        c.urgent = urgent;
        c.minor_involved = minor_involved;
        self.save(tx.conn(), &c).await?;
        self.event(tx.conn(), ctx, &c, "edited", "", false).await?;
        ctx.audit(tx.conn(), "case.edit", "case", &case.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a case row; a concurrent change becomes a conflict listing the case as it is now.
    pub(crate) async fn save(&self, conn: &mut AnyConnection, c: &Case) -> Result<(), AppError> {
        match cases::update_case(&mut *conn, c, self.now()).await {
            Ok(()) => Ok(()),
            Err(gongzhi_store::StoreError::Conflict) => {
                let now = cases::get_case(conn, c.id).await?.ok_or(AppError::NotFound)?;
                Err(conflict_of(&now))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) async fn risk_facts(&self, conn: &mut AnyConnection, c: &Case) -> Result<RiskFacts, AppError> {
        let latest = casework::assessments(conn, c.id).await?.into_iter().next();
        Ok(match latest {
            Some(a) if a.at >= c.risk_stale_after => RiskFacts {
                current: RiskLevel::parse(&a.level),
                signed_off: a.signed_off_at.is_some(),
                has_plan: !a.plan.trim().is_empty(),
            },
            _ => RiskFacts::default(),
        })
    }

    /// Gives a workflow command. The state machine decides; the role, the agency and the version
    /// are checked here. A forbidden transition is a `Transition` error (409 with the reason).
    pub async fn transition(
        &self,
        ctx: &Ctx,
        case: Id,
        command: Command,
        input: &TransitionInput,
    ) -> Result<Case, AppError> {
        // Authorised before the transaction: a denial is recorded in a transaction of its own.
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        self.transition_in(tx.conn(), ctx, case, command, input).await?;
        tx.commit().await?;
        cases::get_case(&mut *self.db().conn().await?, case)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The transition inside the caller's transaction (a reply that is also a workflow step).
    pub(crate) async fn transition_in(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
        command: Command,
        input: &TransitionInput,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut c = self.case_for_write(&mut *conn, ctx, case).await?;
        if input.version != 0 && c.version != input.version {
            return Err(conflict_of(&c));
        }
        if !workflow::allowed(c.kind, command, &actor.roles) {
            return Err(AppError::Transition(workflow::TransitionError::Role));
        }
        let facts = self.risk_facts(&mut *conn, &c).await?;
        let out = workflow::next(c.kind, c.status, command, c.level, facts).map_err(AppError::Transition)?;
        let note = input.note.trim();
        // Decisions against the petitioner and returns carry their reasons.
        if matches!(
            command,
            Command::NotAccept | Command::TransferOut | Command::Divert | Command::Fail
        ) && note.is_empty()
        {
            return Err(AppError::field("note", "reason-required"));
        }
        if command == Command::StartReconciliation {
            let facts: ReconciliationFacts = serde_json::from_str(&c.reconciliation)
                .map_err(|_| AppError::field("reconciliation", "reconciliation-not-checked"))?;
            if let Err(why) = facts.check() {
                return Err(AppError::Invalid(
                    why.into_iter()
                        .map(|w| FieldError::new("reconciliation", &format!("ineligible-{}", w.code())))
                        .collect(),
                ));
            }
        }
        if matches!(
            command,
            Command::Assign | Command::StartHandling | Command::Escalate
        ) && !input.handler_id.trim().is_empty()
        {
            let h = input
                .handler_id
                .trim()
                .parse::<Id>()
                .map_err(|_| AppError::field("handler_id", "user-unknown"))?;
            let u = gongzhi_store::users::get(&mut *conn, h)
                .await?
                .ok_or_else(|| AppError::field("handler_id", "user-unknown"))?;
            c.handler_id = Some(u.id);
        }
        let from = c.status;
        c.status = out.to;
        c.level = out.level;
        let now = self.now();
        let today = time::local_date(now);
        let clocks = Clocks::load(&mut *conn).await?;
        match command {
            Command::Route => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::Routing], now).await?;
                for k in clocks.started(c.id, c.kind, Trigger::Routed, today, 1) {
                    cases::insert_clock(&mut *conn, &k).await?;
                }
            }
            Command::Accept if c.kind == CaseKind::GovPetition => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::Acceptance], now).await?;
                for k in clocks.started(c.id, c.kind, Trigger::Accepted, today, 1) {
                    cases::insert_clock(&mut *conn, &k).await?;
                }
            }
            Command::NotAccept | Command::TransferOut => {
                deadlines::meet(
                    &mut *conn,
                    c.id,
                    &[ClockKind::Acceptance, ClockKind::Routing],
                    now,
                )
                .await?;
                deadlines::exempt_open(
                    &mut *conn,
                    c.id,
                    Some(&[
                        ClockKind::ResultReply,
                        ClockKind::ProgressReply,
                        ClockKind::Handling,
                    ]),
                    note,
                )
                .await?;
            }
            Command::IssueOpinion => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::Handling], now).await?;
            }
            Command::RequestReview | Command::RequestReReview => {
                for k in clocks.started(c.id, c.kind, Trigger::ReviewRequested, today, 1) {
                    cases::insert_clock(&mut *conn, &k).await?;
                }
                // New facts: the earlier assessment no longer counts (§3.5).
                c.risk_stale_after = time::to_millis(now) + 1;
            }
            Command::IssueReviewOpinion | Command::IssueReReviewOpinion => {
                deadlines::meet(&mut *conn, c.id, &[ClockKind::ReviewOpinion], now).await?;
            }
            Command::Escalate => {
                c.risk_stale_after = time::to_millis(now) + 1;
            }
            Command::Resolve | Command::Divert => {
                deadlines::meet(
                    &mut *conn,
                    c.id,
                    &[ClockKind::GridClosure, ClockKind::UrgentHandling],
                    now,
                )
                .await?;
            }
            Command::Close => {
                c.closed_at = Some(now);
                deadlines::meet(&mut *conn, c.id, &[ClockKind::UrgentHandling], now).await?;
                deadlines::exempt_open(&mut *conn, c.id, None, "案件已办结").await?;
            }
            _ => {}
        }
        if matches!(
            command,
            Command::Register | Command::Assign | Command::StartHandling | Command::Intervene
        ) {
            deadlines::meet(&mut *conn, c.id, &[ClockKind::UrgentHandling], now).await?;
        }
        self.save(&mut *conn, &c).await?;
        let public = matches!(
            command,
            Command::Register
                | Command::Accept
                | Command::NotAccept
                | Command::TransferOut
                | Command::Close
                | Command::Route
        );
        // A reply that is also a workflow step is recorded once, by the reply.
        if !matches!(command, Command::ReplyProcedural | Command::ReplyResult) {
            self.event(
                &mut *conn,
                ctx,
                &c,
                &format!("cmd-{}", command.code()),
                note,
                public,
            )
            .await?;
        }
        ctx.audit(
            &mut *conn,
            &format!("case.{}", command.code()),
            "case",
            &case.to_string(),
            Changes::new().field("status", from.code(), c.status.code()),
        )
        .await?;
        Ok(())
    }

    /// Records the facts of criminal-reconciliation eligibility (§4.6) on a minor criminal case.
    pub async fn set_reconciliation(
        &self,
        ctx: &Ctx,
        case: Id,
        facts: &ReconciliationFacts,
    ) -> Result<Vec<String>, AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.kind != CaseKind::MinorCriminal {
            return Err(AppError::field("reconciliation", "reconciliation-wrong-kind"));
        }
        c.reconciliation = serde_json::to_string(facts).map_err(|e| AppError::Internal(e.to_string()))?;
        self.save(tx.conn(), &c).await?;
        let why: Vec<String> = facts
            .check()
            .err()
            .unwrap_or_default()
            .iter()
            .map(|w| w.code().to_owned())
            .collect();
        let detail = if why.is_empty() {
            "eligible".to_owned()
        } else {
            why.join(",")
        };
        self.event(tx.conn(), ctx, &c, "reconciliation-checked", &detail, false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.reconciliation_check",
            "case",
            &case.to_string(),
            Changes::new().set("result", detail.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(why)
    }

    /// Records a risk assessment with the current rule set. On a registered dispute the assessment
    /// is its grading step (§3.1).
    pub async fn assess_risk(
        &self,
        ctx: &Ctx,
        case: Id,
        input: &RiskInput,
        note: &str,
        plan: &str,
    ) -> Result<Assessment, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.status.is_closed() {
            return Err(AppError::field("case", "case-closed"));
        }
        let mut checks = Checks::new();
        checks.check(input.people <= 10_000, "people", "number-invalid");
        checks.check(input.amount_yuan >= 0, "amount_yuan", "number-invalid");
        checks.finish()?;
        let result = risk::assess(input);
        let a = Assessment {
            id: Id::new().to_string(),
            case_id: case.to_string(),
            ruleset: risk::RULESET_VERSION.into(),
            inputs: serde_json::to_string(input).map_err(|e| AppError::Internal(e.to_string()))?,
            factors: result
                .factors
                .iter()
                .map(|(f, p)| format!("{}:{p}", f.code()))
                .collect::<Vec<_>>()
                .join(","),
            score: i64::from(result.score),
            level: result.level.code().into(),
            note: note.trim().to_owned(),
            assessor_id: Some(actor.user_id.to_string()),
            assessor_name: actor.display_name.clone(),
            at: time::to_millis(self.now()).max(c.risk_stale_after),
            plan: plan.trim().to_owned(),
            signed_off_by: String::new(),
            signed_off_at: None,
        };
        casework::insert_assessment(tx.conn(), &a).await?;
        c.risk_level = Some(result.level);
        let facts = RiskFacts {
            current: Some(result.level),
            signed_off: false,
            has_plan: !a.plan.is_empty(),
        };
        if c.kind == CaseKind::Dispute
            && c.status == Status::Registered
            && workflow::allowed(c.kind, Command::Grade, &actor.roles)
            && let Ok(out) = workflow::next(c.kind, c.status, Command::Grade, c.level, facts)
        {
            c.status = out.to;
        }
        self.save(tx.conn(), &c).await?;
        self.event(
            tx.conn(),
            ctx,
            &c,
            "risk-assessed",
            &format!("{}|{}", result.level.code(), result.score),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.assess_risk",
            "case",
            &case.to_string(),
            Changes::new()
                .set("level", result.level.code())
                .set("score", result.score)
                .set("ruleset", risk::RULESET_VERSION),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// A leader signs off a high-risk assessment (§3.5: "leadership sign-off").
    pub async fn sign_off_risk(&self, ctx: &Ctx, case: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::SignOffRisk).await?;
        let mut tx = self.db().begin().await?;
        let c = cases::get_case(tx.conn(), case)
            .await?
            .ok_or(AppError::NotFound)?;
        if !district_wide(&actor) && actor.agency_id != c.owner_agency_id {
            return Err(AppError::NotFound);
        }
        let a = casework::assessments(tx.conn(), case)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::field("risk", "risk-none"))?;
        if a.level != RiskLevel::High.code() {
            return Err(AppError::field("risk", "risk-signoff-not-high"));
        }
        if a.plan.trim().is_empty() {
            return Err(AppError::field("risk", "risk-plan-missing"));
        }
        casework::sign_off(tx.conn(), &a.id, &actor.display_name, time::to_millis(self.now()))
            .await
            .map_err(|_| AppError::field("risk", "risk-already-signed"))?;
        self.event(tx.conn(), ctx, &c, "risk-signed-off", "", false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.risk_sign_off",
            "case",
            &case.to_string(),
            Changes::new().set("assessment", a.id.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The mitigation plan (稳控措施) of the latest assessment and its tasks, each with an owner and
    /// a due date; the tasks appear in their owners' inboxes.
    pub async fn set_mitigation(
        &self,
        ctx: &Ctx,
        case: Id,
        plan: &str,
        tasks: &[(String, String, String)],
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let a = casework::assessments(tx.conn(), case)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::field("plan", "risk-none"))?;
        if a.signed_off_at.is_some() {
            return Err(AppError::field("plan", "risk-already-signed"));
        }
        let mut checks = Checks::new();
        checks.check(!plan.trim().is_empty(), "plan", "plan-required");
        // The plan's tasks go to the owning agency and the agencies the case is referred to.
        let mut agencies = vec![c.owner_agency_id];
        for r in casework::referrals(tx.conn(), case).await? {
            if r.state != "revoked"
                && let Ok(a) = r.to_agency_id.parse::<Id>()
            {
                agencies.push(a);
            }
        }
        let parsed = self.check_tasks(tx.conn(), &mut checks, tasks, &agencies).await?;
        checks.finish()?;
        casework::set_plan(tx.conn(), &a.id, plan.trim()).await?;
        self.insert_tasks(tx.conn(), Some(c.id), "risk", &a.id, parsed)
            .await?;
        self.event(tx.conn(), ctx, &c, "risk-plan", plan.trim(), false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.mitigation_plan",
            "case",
            &case.to_string(),
            Changes::new().set("tasks", tasks.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks action items given as (title, owner id, due date); blank rows are skipped. Each owner
    /// must be an active user of one of `agencies` (those taking part): nobody hands work, and with
    /// it a case number, to an agency outside the case.
    pub(crate) async fn check_tasks(
        &self,
        conn: &mut AnyConnection,
        checks: &mut Checks,
        tasks: &[(String, String, String)],
        agencies: &[Id],
    ) -> Result<Vec<(String, Id, String)>, AppError> {
        let mut out = Vec::new();
        for (i, (title, owner, due)) in tasks.iter().enumerate() {
            if title.trim().is_empty() && owner.trim().is_empty() {
                continue;
            }
            let ok_title = (1..=100).contains(&title.trim().chars().count());
            if !ok_title {
                checks.fail(FieldError::new(&format!("tasks[{i}].title"), "title-invalid"));
            }
            let found = match owner.trim().parse::<Id>() {
                Ok(u) => gongzhi_store::users::get(&mut *conn, u)
                    .await?
                    .filter(|u| u.active),
                Err(_) => None,
            };
            let user = found
                .as_ref()
                .filter(|u| agencies.contains(&u.agency_id))
                .cloned();
            match (&found, &user) {
                (None, _) => checks.fail(FieldError::new(&format!("tasks[{i}].owner"), "user-unknown")),
                (Some(_), None) => checks.fail(FieldError::new(
                    &format!("tasks[{i}].owner"),
                    "task-owner-outside",
                )),
                _ => {}
            }
            let date = chrono::NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d").ok();
            if date.is_none() {
                checks.fail(FieldError::new(&format!("tasks[{i}].due"), "date-invalid"));
            }
            if let (true, Some(u), Some(d)) = (ok_title, user, date) {
                out.push((title.trim().to_owned(), u.id, d.to_string()));
            }
        }
        Ok(out)
    }

    pub(crate) async fn insert_tasks(
        &self,
        conn: &mut AnyConnection,
        case: Option<Id>,
        source: &str,
        source_id: &str,
        tasks: Vec<(String, Id, String)>,
    ) -> Result<(), AppError> {
        for (title, owner, due) in tasks {
            casework::insert_task(
                &mut *conn,
                &Task {
                    id: Id::new().to_string(),
                    case_id: case.map(|c| c.to_string()),
                    source: source.into(),
                    source_id: source_id.into(),
                    title,
                    owner_id: owner.to_string(),
                    owner_name: None,
                    due_date: due,
                    done_at: None,
                    created_at: time::to_millis(self.now()),
                    case_number: None,
                },
            )
            .await?;
        }
        Ok(())
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

/// The fields a conflict shows: what the case says now.
fn conflict_of(c: &Case) -> AppError {
    AppError::Conflict(vec![
        ("status".into(), c.status.code().into()),
        ("title".into(), c.title.clone()),
        ("category".into(), c.category_code.clone()),
        ("urgent".into(), c.urgent.to_string()),
        ("handler".into(), c.handler_name.clone()),
        ("version".into(), c.version.to_string()),
    ])
}

pub(crate) struct CheckedParty {
    pub role: PartyRole,
    pub name: String,
    pub id: Option<ResidentId>,
    pub phone: Option<Phone>,
    pub address: String,
    pub elderly: bool,
    pub disabled: bool,
    pub impoverished: bool,
}

/// A checked intake form.
pub(crate) struct Intake {
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: String,
    pub place: Id,
    pub grid: Option<Id>,
    pub title: String,
    pub narrative: String,
    pub received_at: time::Timestamp,
    pub urgent: bool,
    pub anonymous: bool,
    pub minor_involved: bool,
    pub parties: Vec<CheckedParty>,
    pub mimes: Vec<&'static str>,
}
