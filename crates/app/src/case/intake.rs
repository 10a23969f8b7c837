//! Intake on every channel: the form, its checks, and the case with its parties, clocks and files
//! written in one transaction.

use chrono::Datelike;
use gongzhi_domain::case::{self as dcase, PartyRole};
use gongzhi_domain::deadline::{ClockKind, ClockState, Trigger};
use gongzhi_domain::idcard::{IdCardError, ResidentId};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::workflow::{CaseKind, Channel};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::Party;
use gongzhi_store::case::{Case, Clock};
use gongzhi_store::reference;

use super::register::{NewCase, Registration};
use crate::case::{new_public_id, parse_local};
use crate::deadlines::Clocks;
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// A party as the intake form and `POST /api/v1/cases` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PartyInput {
    /// petitioner, respondent, victim, suspect, guardian, other
    pub role: String,
    pub name: String,
    /// 18-character resident identity number (optional); sex, age and minority are derived.
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    /// A minor whose identity number is not known (issue 9 §12): marked by hand, treated as one
    /// (the ID, when given, also says so by itself).
    #[serde(default)]
    pub minor: bool,
    #[serde(default)]
    pub elderly: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub impoverished: bool,
}

/// A new case as the intake form and `POST /api/v1/cases` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct IntakeForm {
    /// petition, dispute, gov_petition, minor_criminal
    pub kind: String,
    /// visit, letter, phone, hotline_12309, grid_screening, referral, case_handling, reception_day
    pub channel: String,
    /// A dispute category code, e.g. NEIGHBOUR.
    pub category: String,
    /// Id of the village or community.
    pub place_id: String,
    /// Id of a grid under it (optional).
    #[serde(default)]
    pub grid_id: String,
    pub title: String,
    pub narrative: String,
    /// Local time (UTC+8), `YYYY-MM-DD HH:MM` (or `YYYY-MM-DDTHH:MM`, what a datetime-local input sends).
    pub received_at: String,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub anonymous: bool,
    /// A minor is concerned though no party's ID number shows it: nothing of the case is published.
    #[serde(default)]
    pub minor_involved: bool,
    #[serde(default)]
    pub parties: Vec<PartyInput>,
    /// An earlier case this one repeats (重复信访, issue 13 §2), as the clerk chose among the
    /// likely ones; it must be a case the clerk may open.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub repeat_of: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct Upload {
    pub filename: String,
    pub data: Vec<u8>,
}

/// Where an intake comes from: a member of staff at a desk, a citizen on the portal, or a partner
/// system (which may know only the township).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Desk,
    Portal,
    Partner,
}

pub(crate) struct CheckedParty {
    pub role: PartyRole,
    pub name: String,
    pub id: Option<ResidentId>,
    pub phone: Option<Phone>,
    pub address: String,
    pub minor: bool,
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
    pub repeat_of: Option<Id>,
}

impl App {
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
        let parties = check_parties(&mut checks, &f.parties, today);
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
            repeat_of: f.repeat_of,
        })
    }

    /// Inserts a checked case with its parties, clocks, attachments and first timeline entry, in
    /// the caller's transaction.
    pub(crate) async fn insert_case(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        agency: &reference::Agency,
        i: Intake,
        uploads: &[Upload],
        registration: Option<Registration>,
    ) -> Result<Case, AppError> {
        let mimes = i.mimes.clone();
        let new = self
            .prepare_case(&mut *conn, ctx, agency, i, registration)
            .await?;
        let c = self
            .write_cases(&mut *conn, std::slice::from_ref(&new))
            .await?
            .remove(0);
        for (u, mime) in uploads.iter().zip(&mimes) {
            self.store_attachment(&mut *conn, ctx, &c, u, mime).await?;
        }
        Ok(c)
    }

    /// Everything of a new case that needs no lock: the row (numbered when written), its parties
    /// with their personal data encrypted, its clocks. `conn` only reads (the cached rules).
    pub(crate) async fn prepare_case(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        agency: &reference::Agency,
        i: Intake,
        registration: Option<Registration>,
    ) -> Result<NewCase, AppError> {
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
        // §3.2 exemptions: anonymous petitions and petitions without contact cannot be answered;
        // the reason is recorded on the case and on its reply clocks. A postal address is a way to
        // reply (by letter), as a phone is.
        let contactable = i
            .parties
            .iter()
            .any(|p| p.phone.is_some() || !p.address.is_empty());
        let exempt_reason = dcase::reply_exemption(i.anonymous, contactable, i.kind);
        let related_case_id = if i.kind == CaseKind::GovPetition {
            let indexes: Vec<String> = i
                .parties
                .iter()
                .filter(|p| p.role == PartyRole::Petitioner)
                .filter_map(|p| p.id.as_ref().map(|id| self.cipher().blind_index(id.as_str())))
                .collect();
            self.rereviewed_matter(&mut *conn, &indexes, &i.category).await?
        } else {
            None
        };
        let c = Case {
            id: Id::new(),
            number: String::new(),
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
            related_case_id,
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
                    p.minor
                        || p.id
                            .as_ref()
                            .is_some_and(|id| id.is_minor_on(time::local_date(now)))
                }),
        };
        let parties = self.party_rows(&c, &i.parties, time::local_date(now))?;
        let clocks = self.clocks(&mut *conn).await?;
        let started = start_clocks(&clocks, &c, received);
        Ok(NewCase {
            case: c,
            year: received.year(),
            agency_short_name: agency.short_name.clone(),
            parties,
            clocks: started,
            ctx: ctx.clone(),
            registration,
            repeat_of: i.repeat_of,
        })
    }

    /// The rows of a new case's parties, personal data encrypted and blind-indexed, age-derived
    /// marks as of `today`.
    pub(crate) fn party_rows(
        &self,
        c: &Case,
        checked: &[CheckedParty],
        today: chrono::NaiveDate,
    ) -> Result<Vec<Party>, AppError> {
        let mut parties = Vec::with_capacity(checked.len());
        for (n, p) in checked.iter().enumerate() {
            let minor = p.minor || p.id.as_ref().is_some_and(|id| id.is_minor_on(today));
            let elderly = p.elderly || p.id.as_ref().is_some_and(|id| id.age_on(today) >= 60);
            parties.push(Party {
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
                phone_index: p.phone.as_ref().map(|ph| self.cipher().blind_index(ph.as_str())),
                address_enc: Some(&p.address)
                    .filter(|a| !a.is_empty())
                    .map(|a| self.cipher().encrypt(a))
                    .transpose()?,
                minor: i64::from(minor),
                elderly: i64::from(elderly),
                disabled: i64::from(p.disabled),
                impoverished: i64::from(p.impoverished),
            });
        }
        Ok(parties)
    }

    /// What is stored to check a tracking look-up: a keyed hash of the code and the last four digits.
    pub(crate) fn tracking_key(&self, code: &str, last4: &str) -> String {
        self.cipher().blind_index(&format!("track|{code}|{last4}"))
    }
}

/// Checks the parties as given, every problem into `checks` (fields named `parties[i].…`); the
/// blank rows are left out.
pub(crate) fn check_parties(
    checks: &mut Checks,
    inputs: &[PartyInput],
    today: chrono::NaiveDate,
) -> Vec<CheckedParty> {
    if inputs.len() > dcase::MAX_PARTIES {
        checks.fail(FieldError::new("parties", "parties-too-many").arg("max", dcase::MAX_PARTIES));
    }
    let mut parties = Vec::new();
    for (i, p) in inputs.iter().enumerate().take(dcase::MAX_PARTIES) {
        let blank = p.name.trim().is_empty() && p.id_number.trim().is_empty() && p.phone.trim().is_empty();
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
            minor: p.minor,
            elderly: p.elderly,
            disabled: p.disabled,
            impoverished: p.impoverished,
        });
    }
    parties
}

/// The clocks a case starts with on receipt (and on being urgent), the reply clocks exempt when
/// the case cannot be answered (§3.2).
pub(crate) fn start_clocks(clocks: &Clocks, c: &Case, received: chrono::NaiveDate) -> Vec<Clock> {
    let mut started = clocks.started(c.id, c.kind, Trigger::Received, received, 1);
    if c.urgent {
        started.extend(clocks.started(c.id, c.kind, Trigger::Urgent, received, 1));
    }
    for clock in &mut started {
        if !c.exempt_reason.is_empty()
            && matches!(
                clock.kind,
                ClockKind::ProceduralReply | ClockKind::ResultReply | ClockKind::AcceptanceNotice
            )
        {
            clock.state = ClockState::Exempt;
            clock.note = c.exempt_reason.clone();
        }
    }
    started
}
