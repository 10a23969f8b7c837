//! The public portal and the Open311 GeoReport v2 interface: submissions without an account (a
//! captcha that needs no outside service, and a rate limit per client address), tracking by code
//! plus the last four digits of the phone, and partner systems with administrator-issued API keys.
//! Nothing internal leaves here: no notes, no names of staff, no other party's data.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{ClockKind, ClockState};
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{CaseKind, Channel, Status};
use gongzhi_domain::{Id, Partner, Principal, time};
use gongzhi_store::cases::{self, Case};
use gongzhi_store::casework;
use gongzhi_store::reference::{self, Agency, OrgUnit};
use rand::RngCore;

use crate::cases::{IntakeForm, Upload, sm3_hex};
use crate::deadlines::Clocks;
use crate::{App, AppError, Ctx, FieldError, PartnerKey};

/// Portal submissions per client address per hour.
pub const SUBMISSIONS_PER_HOUR: i64 = 5;
/// Tracking look-ups per client address per hour (the last four digits are only 10,000 values).
pub const LOOKUPS_PER_HOUR: i64 = 30;
const CAPTCHA_TTL_MS: i64 = 20 * 60 * 1000;

/// A captcha: the token to send back and the picture to show.
#[derive(Clone, Debug)]
pub struct Captcha {
    pub token: String,
    pub svg: String,
}

/// What the portal shows of a case.
#[derive(Clone, Debug)]
pub struct PublicCase {
    pub tracking_code: String,
    pub number: String,
    pub kind: CaseKind,
    pub status: Status,
    pub category_code: String,
    pub category_name: String,
    pub title: String,
    pub place_name: String,
    pub agency_name: String,
    pub received_at: time::Timestamp,
    pub updated_at: time::Timestamp,
    pub closed: bool,
    pub phone_masked: String,
    /// (kind, channel, date, text) of every reply.
    pub replies: Vec<(String, String, time::Timestamp, String)>,
    /// (clock kind, due date) of the clocks still running.
    pub expected: Vec<(ClockKind, NaiveDate)>,
    /// (event kind, date) of the public steps.
    pub steps: Vec<(String, time::Timestamp)>,
}

/// Strokes of the digits 0–9 on a 4 × 6 grid, drawn as paths (no text for a script to read).
const GLYPHS: [&[&[(u8, u8)]]; 10] = [
    &[&[(0, 0), (4, 0), (4, 6), (0, 6), (0, 0)]],
    &[&[(1, 1), (2, 0), (2, 6)], &[(1, 6), (3, 6)]],
    &[&[(0, 0), (4, 0), (4, 3), (0, 3), (0, 6), (4, 6)]],
    &[&[(0, 0), (4, 0), (4, 6), (0, 6)], &[(1, 3), (4, 3)]],
    &[&[(0, 0), (0, 3), (4, 3)], &[(4, 0), (4, 6)]],
    &[&[(4, 0), (0, 0), (0, 3), (4, 3), (4, 6), (0, 6)]],
    &[&[(4, 0), (0, 0), (0, 6), (4, 6), (4, 3), (0, 3)]],
    &[&[(0, 0), (4, 0), (2, 6)]],
    &[&[(0, 0), (4, 0), (4, 6), (0, 6), (0, 0)], &[(0, 3), (4, 3)]],
    &[&[(4, 3), (0, 3), (0, 0), (4, 0), (4, 6), (0, 6)]],
];

/// Draws the digits as jittered, rotated strokes over noise lines: readable for people, a nuisance
/// for scripts.
fn captcha_svg(answer: &str, seed: &[u8]) -> String {
    let mut state = seed
        .iter()
        .fold(0x9e37_79b9_u32, |h, b| h.rotate_left(5) ^ u32::from(*b))
        .max(1);
    let mut next = move |n: u32| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state % n.max(1)
    };
    let mut s = String::from(
        "<svg xmlns='http://www.w3.org/2000/svg' width='150' height='48' viewBox='0 0 150 48'><rect width='150' height='48' fill='#f3f6fa'/>",
    );
    for _ in 0..6 {
        s.push_str(&format!(
            "<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#9fb3c8' stroke-width='1.2'/>",
            next(150),
            next(48),
            next(150),
            next(48)
        ));
    }
    for (i, ch) in answer.chars().enumerate() {
        let Some(glyph) = ch.to_digit(10).and_then(|d| GLYPHS.get(d as usize)) else {
            continue;
        };
        let x0 = 16 + u32::try_from(i).unwrap_or(0) * 32 + next(6);
        let y0 = 10 + next(6);
        let rot = i64::from(next(30)) - 15;
        let mut d = String::new();
        for stroke in glyph.iter() {
            for (k, (gx, gy)) in stroke.iter().enumerate() {
                let x = x0 + u32::from(*gx) * 4 + next(3);
                let y = y0 + u32::from(*gy) * 4 + next(3);
                d.push_str(&format!("{}{x} {y} ", if k == 0 { 'M' } else { 'L' }));
            }
        }
        s.push_str(&format!(
            "<path d='{}' fill='none' stroke='#1f3b5b' stroke-width='3' stroke-linecap='round' stroke-linejoin='round' transform='rotate({rot} {} {})'/>",
            d.trim_end(),
            x0 + 8,
            y0 + 12
        ));
    }
    s.push_str("</svg>");
    s
}

pub fn svg_data_uri(svg: &str) -> String {
    format!(
        "data:image/svg+xml;base64,{}",
        data_encoding::BASE64.encode(svg.as_bytes())
    )
}

impl App {
    /// A new captcha. The token carries the answer encrypted (SM4-GCM) with its expiry, so no
    /// server state is needed until it is used; a used token is remembered until it expires.
    pub fn captcha(&self) -> Result<Captcha, AppError> {
        let mut seed = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let answer: String = seed[..4].iter().map(|b| char::from(b'0' + b % 10)).collect();
        let expires = time::to_millis(self.now()) + CAPTCHA_TTL_MS;
        let nonce = data_encoding::HEXLOWER.encode(&seed[4..12]);
        let token = self.cipher().encrypt(&format!("{expires}|{answer}|{nonce}"))?;
        let token = data_encoding::BASE64URL_NOPAD.encode(token.as_bytes());
        Ok(Captcha {
            svg: captcha_svg(&answer, &seed),
            token,
        })
    }

    async fn check_captcha(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        token: &str,
        answer: &str,
    ) -> Result<(), AppError> {
        let bad = || AppError::field("captcha", "captcha-wrong");
        let raw = data_encoding::BASE64URL_NOPAD
            .decode(token.trim().as_bytes())
            .map_err(|_| bad())?;
        let stored = String::from_utf8(raw).map_err(|_| bad())?;
        let plain = self.cipher().decrypt(&stored).map_err(|_| bad())?;
        let mut parts = plain.split('|');
        let expires: i64 = parts.next().and_then(|e| e.parse().ok()).ok_or_else(bad)?;
        let expected = parts.next().ok_or_else(bad)?;
        let now = time::to_millis(self.now());
        if expires < now {
            return Err(AppError::field("captcha", "captcha-expired"));
        }
        if answer.trim() != expected {
            return Err(bad());
        }
        if !casework::use_captcha(conn, &sm3_hex(token.as_bytes()), now, expires).await? {
            return Err(AppError::field("captcha", "captcha-expired"));
        }
        Ok(())
    }

    async fn throttle(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        what: &str,
        ip: &str,
        limit: i64,
    ) -> Result<(), AppError> {
        let now = time::to_millis(self.now());
        let hour = now / 3_600_000;
        let bucket = format!("{what}:{ip}:{hour}");
        if casework::hit(conn, &bucket, now, (hour + 1) * 3_600_000).await? > limit {
            return Err(AppError::RateLimited);
        }
        Ok(())
    }

    /// The villages and communities a submission may name, with their townships.
    pub async fn portal_places(&self) -> Result<Vec<(OrgUnit, Vec<OrgUnit>)>, AppError> {
        let mut conn = self.db().conn().await?;
        let townships = reference::org_by_level(&mut conn, OrgLevel::Township).await?;
        let villages = reference::org_by_level(&mut conn, OrgLevel::Village).await?;
        Ok(townships
            .into_iter()
            .filter(|t| t.active)
            .map(|t| {
                let vs = villages
                    .iter()
                    .filter(|v| v.active && v.parent_id == Some(t.id))
                    .cloned()
                    .collect();
                (t, vs)
            })
            .filter(|(_, vs): &(OrgUnit, Vec<OrgUnit>)| !vs.is_empty())
            .collect())
    }

    pub async fn portal_categories(&self) -> Result<Vec<reference::Category>, AppError> {
        let mut conn = self.db().conn().await?;
        Ok(reference::category_list(&mut conn)
            .await?
            .into_iter()
            .filter(|c| c.active != 0)
            .collect())
    }

    /// A submission from the portal (with a captcha) or from a partner system (with an API key:
    /// `partner` names it). Petitions go to the procuratorate, disputes to the township's
    /// governance centre. Returns the case and its tracking code.
    pub async fn portal_submit(
        &self,
        ctx: &Ctx,
        f: &IntakeForm,
        uploads: &[Upload],
        captcha: Option<(&str, &str)>,
    ) -> Result<(Case, String), AppError> {
        let partner = ctx.partner_of().map(|p| p.name.clone());
        let mut tx = self.db().begin().await?;
        match (ctx.principal(), captcha) {
            (Principal::Partner(_), _) => {}
            (Principal::Public, Some((token, answer))) => {
                self.throttle(tx.conn(), "submit", ctx.ip(), SUBMISSIONS_PER_HOUR)
                    .await?;
                // The hit counts even when the rest fails.
                tx.commit().await?;
                tx = self.db().begin().await?;
                self.check_captcha(tx.conn(), token, answer).await?;
            }
            (Principal::Public, None) => return Err(AppError::field("captcha", "captcha-wrong")),
            _ => return Err(AppError::Forbidden),
        }
        let kind = CaseKind::parse(&f.kind);
        if !matches!(kind, Some(CaseKind::Petition | CaseKind::Dispute)) {
            return Err(AppError::field("kind", "case-kind-invalid"));
        }
        let intake = self.check_intake(tx.conn(), f, uploads, true).await?;
        let agency = self
            .receiving_agency(tx.conn(), intake.kind, intake.place)
            .await?;
        let c = self.insert_case(tx.conn(), ctx, &agency, intake, uploads).await?;
        let code = c
            .tracking_code
            .clone()
            .ok_or_else(|| AppError::field("parties[0].phone", "portal-phone-required"))?;
        ctx.audit(
            tx.conn(),
            "case.portal_submit",
            "case",
            &c.id.to_string(),
            Changes::new()
                .set("number", c.number.clone())
                .set("via", partner.as_deref().unwrap_or("portal")),
        )
        .await?;
        tx.commit().await?;
        Ok((c, code))
    }

    async fn receiving_agency(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        kind: CaseKind,
        place: Id,
    ) -> Result<Agency, AppError> {
        let path = reference::org_path(&mut *conn, place).await?;
        let township = path.iter().find(|u| u.level == OrgLevel::Township).map(|u| u.id);
        let all = reference::agency_list(&mut *conn, &Default::default()).await?;
        let found = match kind {
            CaseKind::Dispute => all.iter().find(|a| {
                a.active && a.kind == AgencyKind::GovernanceCentre && Some(a.org_unit_id) == township
            }),
            _ => None,
        }
        .or_else(|| {
            all.iter()
                .find(|a| a.active && a.kind == AgencyKind::Procuratorate)
        });
        found
            .cloned()
            .ok_or_else(|| AppError::Internal("no agency receives portal submissions".into()))
    }

    /// Progress of a case for the person who submitted it: the tracking code and the last four
    /// digits of the phone number given.
    pub async fn portal_track(&self, ip: &str, code: &str, last4: &str) -> Result<PublicCase, AppError> {
        let mut conn = self.db().conn().await?;
        self.throttle(&mut conn, "track", ip, LOOKUPS_PER_HOUR).await?;
        let code = code.trim().to_ascii_uppercase();
        let c = cases::case_by_tracking(&mut conn, &code).await?;
        match c {
            Some(c)
                if c.tracking_phone.as_deref() == Some(self.tracking_key(&code, last4.trim()).as_str()) =>
            {
                self.public_case(&mut conn, c).await
            }
            _ => Err(AppError::field("code", "tracking-not-found")),
        }
    }

    pub(crate) async fn public_case(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        c: Case,
    ) -> Result<PublicCase, AppError> {
        let replies = casework::replies(&mut *conn, c.id)
            .await?
            .into_iter()
            .map(|r| (r.kind, r.channel, time::from_millis(r.sent_at), r.body))
            .collect();
        let clocks = Clocks::load(&mut *conn).await?;
        let today = time::local_date(self.now());
        let expected = cases::clocks(&mut *conn, c.id)
            .await?
            .into_iter()
            .filter(|k| {
                matches!(
                    k.kind,
                    ClockKind::ProceduralReply
                        | ClockKind::ResultReply
                        | ClockKind::ProgressReply
                        | ClockKind::GridClosure
                        | ClockKind::Handling
                        | ClockKind::Acceptance
                ) && matches!(
                    clocks.state(k, today),
                    ClockState::Running | ClockState::DueSoon | ClockState::Overdue
                )
            })
            .map(|k| (k.kind, k.due_date))
            .collect();
        let steps = cases::events(&mut *conn, c.id, true)
            .await?
            .into_iter()
            .map(|e| (e.kind, time::from_millis(e.at)))
            .collect();
        let phone_masked = cases::parties(&mut *conn, c.id)
            .await?
            .into_iter()
            .next()
            .map(|p| p.phone_masked)
            .unwrap_or_default();
        Ok(PublicCase {
            tracking_code: c.tracking_code.clone().unwrap_or_default(),
            number: c.number,
            kind: c.kind,
            status: c.status,
            category_code: c.category_code,
            category_name: c.category_name,
            title: c.title,
            place_name: c.place_name,
            agency_name: c.owner_agency_name,
            received_at: c.received_at,
            updated_at: c.updated_at,
            closed: c.status.is_closed(),
            phone_masked,
            replies,
            expected,
            steps,
        })
    }

    /// Open311 `GET requests`: requests that came in through the portal or a partner system,
    /// public fields only, newest first.
    pub async fn open311_requests(
        &self,
        ids: &[String],
        status: Option<bool>,
        limit: i64,
    ) -> Result<Vec<PublicCase>, AppError> {
        let mut conn = self.db().conn().await?;
        let mut out = Vec::new();
        if !ids.is_empty() {
            for id in ids.iter().take(100) {
                if let Some(c) = cases::case_by_tracking(&mut conn, id.trim()).await? {
                    out.push(self.public_case(&mut conn, c).await?);
                }
            }
            return Ok(out);
        }
        // Only what came in publicly is listed; a case registered at a desk is found by its code.
        let f = cases::CaseFilter {
            open: status,
            channel: Some(Channel::Portal),
            limit: limit.clamp(1, 200),
            ..Default::default()
        };
        let (list, _) = cases::list_cases(&mut conn, &f).await?;
        for c in list {
            out.push(self.public_case(&mut conn, c).await?);
        }
        Ok(out)
    }

    pub async fn open311_request(&self, tracking: &str) -> Result<PublicCase, AppError> {
        let mut conn = self.db().conn().await?;
        let c = cases::case_by_tracking(&mut conn, tracking.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        self.public_case(&mut conn, c).await
    }

    /// The village or community with a 12-digit division code (for Open311's `address_id`).
    pub async fn place_by_code(&self, code: &str) -> Result<Option<Id>, AppError> {
        if code.is_empty() {
            return Ok(None);
        }
        let mut conn = self.db().conn().await?;
        Ok(reference::org_by_code(&mut conn, code)
            .await?
            .filter(|u| u.level == OrgLevel::Village && u.active)
            .map(|u| u.id))
    }

    /// The partner system holding a live API key.
    pub async fn partner(&self, key: &str) -> Result<Option<PartnerKey>, AppError> {
        if key.trim().is_empty() {
            return Ok(None);
        }
        let mut conn = self.db().conn().await?;
        Ok(casework::api_key(&mut conn, &sm3_hex(key.trim().as_bytes()))
            .await?
            .map(|(key_id, name)| PartnerKey::new(Partner { key_id, name })))
    }

    /// Issues an API key to a partner system; only its SM3 hash is stored, the key is shown once.
    pub async fn create_api_key(&self, ctx: &Ctx, name: &str) -> Result<String, AppError> {
        self.authorize_operator(ctx, Action::ManageUserSecurity).await?;
        let name = name.trim();
        if !(1..=60).contains(&name.chars().count()) {
            return Err(AppError::Invalid(vec![FieldError::new("name", "name-invalid")]));
        }
        let mut raw = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let key = format!("gz_{}", data_encoding::HEXLOWER.encode(&raw));
        let mut tx = self.db().begin().await?;
        let id = Id::new();
        casework::insert_api_key(tx.conn(), id, name, &sm3_hex(key.as_bytes()), self.now()).await?;
        ctx.audit(
            tx.conn(),
            "api_key.create",
            "api_key",
            &id.to_string(),
            Changes::new().set("name", name),
        )
        .await?;
        tx.commit().await?;
        Ok(key)
    }
}
