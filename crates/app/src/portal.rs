//! The public portal: submissions without an account (a captcha, and a rate limit per client
//! address), and tracking by code plus the last four digits of the phone, throttled per address and
//! per code. Partner systems submit through the same door with their API key (see `open311`).

use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::{Satisfaction, normalize_tracking_code};
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::publication::Audience;
use gongzhi_domain::workflow::CaseKind;
use gongzhi_domain::{Id, Principal, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case};
use gongzhi_store::follow_up;
use gongzhi_store::reference::{self, Agency, OrgUnit};

use crate::case::{IntakeForm, Source, Upload};
use crate::publication::PublicCase;
use crate::throttle::Guesses;
use crate::{App, AppError, Ctx};

/// Portal submissions per client address per hour.
pub const SUBMISSIONS_PER_HOUR: i64 = 5;
/// Tracking look-ups per client address per hour.
pub const LOOKUPS_PER_HOUR: i64 = 30;
/// Wrong last-four-digit answers for one code before the code is locked (10,000 values to guess).
const TRACK_CODE: Guesses = Guesses {
    max: 5,
    lockout: chrono::Duration::hours(1),
};
/// Failed look-ups from one address before it is locked.
const TRACK_ADDRESS: Guesses = Guesses {
    max: 10,
    lockout: chrono::Duration::hours(1),
};

/// Additions of material per client address per hour.
pub const MATERIAL_PER_HOUR: i64 = 10;
/// The longest note a submitter adds with material.
const MATERIAL_NOTE_MAX: usize = 1000;

/// How long files of a refused portal form are held for the next try (ms).
const HELD_FOR_MS: i64 = 2 * 3600 * 1000;

/// Files held across a refused portal form: the token the form carries, and their names.
#[derive(Clone, Debug, Default)]
pub struct Held {
    pub token: String,
    pub names: Vec<String>,
}

/// Who a follow-up the submitter gave on the portal is recorded as.
const SUBMITTER_FOLLOW_UP: &str = "当事人网上评价";

impl App {
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

    /// A submission from the portal (the public, with a captcha) or from a partner system (with its
    /// API key). Petitions go to the procuratorate, disputes to the township's governance centre.
    /// Returns the case and its tracking code.
    pub async fn portal_submit(
        &self,
        ctx: &Ctx,
        f: &IntakeForm,
        uploads: &[Upload],
        captcha: Option<(&str, &str)>,
    ) -> Result<(Case, String), AppError> {
        let source = match (ctx.principal(), captcha) {
            (Principal::Partner(_), _) => Source::Partner,
            (Principal::Public, Some((token, answer))) => {
                // Committed on their own, before the form is checked: the hit and the spent captcha
                // count even when the form is then refused (a retry needs a new captcha).
                let mut tx = self.db().begin().await?;
                self.count_hit(tx.conn(), "submit", &ctx.address_key(), SUBMISSIONS_PER_HOUR)
                    .await?;
                let verdict = self.spend_captcha(tx.conn(), token, answer).await?;
                tx.commit().await?;
                verdict?;
                Source::Portal
            }
            (Principal::Public, None) => return Err(AppError::field("captcha", "captcha-wrong")),
            _ => return Err(AppError::Forbidden),
        };
        if !matches!(
            CaseKind::parse(&f.kind),
            Some(CaseKind::Petition | CaseKind::Dispute)
        ) {
            return Err(AppError::field("kind", "case-kind-invalid"));
        }
        let mut tx = self.db().begin().await?;
        let intake = self.check_intake(tx.conn(), f, uploads, source).await?;
        let agency = self
            .receiving_agency(tx.conn(), intake.kind, intake.place)
            .await?;
        let c = self
            .insert_case(tx.conn(), ctx, &agency, intake, uploads, None)
            .await?;
        let code = c
            .tracking_code
            .clone()
            .ok_or_else(|| AppError::field("parties[0].phone", "portal-phone-required"))?;
        let via = ctx.partner_of().map_or("portal", |p| p.name.as_str());
        ctx.audit(
            tx.conn(),
            "case.portal_submit",
            "case",
            &c.id.to_string(),
            Changes::new().set("number", c.number.clone()).set("via", via),
        )
        .await?;
        tx.commit().await?;
        Ok((c, code))
    }

    /// Disputes go to the governance centre of the place's township (also when only the township
    /// is known: it triages), petitions to the procuratorate.
    async fn receiving_agency(
        &self,
        conn: &mut AnyConnection,
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

    /// Progress of a case for the person who submitted it: the tracking code (any case) and the
    /// last four digits of the phone number given. Wrong answers are counted per code and per
    /// address; the answer never says which half was wrong.
    pub async fn portal_track(&self, ctx: &Ctx, code: &str, last4: &str) -> Result<PublicCase, AppError> {
        let c = self.submitter_case(ctx, code, last4).await?;
        let mut conn = self.db().conn().await?;
        self.public_case(&mut conn, c, Audience::Submitter).await
    }

    /// The files held by a form's token (expired ones are gone).
    pub async fn held_uploads(&self, token: &str) -> Result<Vec<Upload>, AppError> {
        if token.trim().is_empty() {
            return Ok(Vec::new());
        }
        let since = time::to_millis(self.now()) - HELD_FOR_MS;
        let mut conn = self.db().conn().await?;
        Ok(gongzhi_store::portal::held(&mut conn, token.trim(), since)
            .await?
            .into_iter()
            .map(|(filename, data)| Upload { filename, data })
            .collect())
    }

    /// A portal form was refused: its acceptable files are held (under the form's token, or a new
    /// one) so that the next try does not lose them; ten at most, like a submission.
    pub async fn hold_uploads(&self, token: &str, uploads: &[Upload]) -> Result<Held, AppError> {
        let mut checks = crate::error::Checks::new();
        self.check_uploads(&mut checks, uploads);
        let token = match token.trim() {
            "" => Id::new().to_string(),
            t => t.to_owned(),
        };
        let now = time::to_millis(self.now());
        let mut tx = self.db().begin().await?;
        gongzhi_store::portal::purge(tx.conn(), now - HELD_FOR_MS).await?;
        let mut names: Vec<String> = gongzhi_store::portal::held(tx.conn(), &token, now - HELD_FOR_MS)
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        // Only files a submission would accept are held (a refused file is named in the form).
        if checks.finish().is_ok() {
            for u in uploads.iter().take(10usize.saturating_sub(names.len())) {
                gongzhi_store::portal::hold(
                    tx.conn(),
                    &Id::new().to_string(),
                    &token,
                    &u.filename,
                    &u.data,
                    now,
                )
                .await?;
                names.push(u.filename.clone());
            }
        }
        tx.commit().await?;
        Ok(Held { token, names })
    }

    /// The held files were submitted with their form.
    pub async fn release_held(&self, token: &str) -> Result<(), AppError> {
        if !token.trim().is_empty() {
            let mut conn = self.db().conn().await?;
            gongzhi_store::portal::release(&mut conn, token.trim()).await?;
        }
        Ok(())
    }

    /// The submitter's answer once the case is closed (issue 10 §7): whether the matter was
    /// resolved — 满意, 基本满意 or 不满意 — recorded as a follow-up (回访) of the case, once.
    pub async fn portal_feedback(
        &self,
        ctx: &Ctx,
        code: &str,
        last4: &str,
        satisfaction: &str,
        notes: &str,
    ) -> Result<(), AppError> {
        let s = Satisfaction::parse(satisfaction)
            .ok_or_else(|| AppError::field("satisfaction", "portal-satisfaction-required"))?;
        let notes = notes.trim();
        if notes.chars().count() > 500 {
            return Err(AppError::field("notes", "too-long"));
        }
        let c = self.submitter_case(ctx, code, last4).await?;
        if !c.status.is_closed() {
            return Err(AppError::field("satisfaction", "portal-feedback-open"));
        }
        let mut tx = self.db().begin().await?;
        let by = SUBMITTER_FOLLOW_UP.to_owned();
        if follow_up::follow_ups(tx.conn(), c.id)
            .await?
            .iter()
            .any(|f| f.by_name == by)
        {
            return Err(AppError::field("satisfaction", "portal-feedback-given"));
        }
        follow_up::insert_follow_up(
            tx.conn(),
            &follow_up::FollowUp {
                id: Id::new().to_string(),
                case_id: c.id.to_string(),
                at: time::to_millis(self.now()),
                by_name: by,
                satisfaction: s.code().into(),
                notes: notes.to_owned(),
            },
        )
        .await?;
        self.event(tx.conn(), ctx, &c, "follow-up", s.code(), false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.portal_feedback",
            "case",
            &c.id.to_string(),
            Changes::new().set("satisfaction", s.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// While the matter is open the submitter adds material (issue 10 §7): a note and files,
    /// checked like a submission's, kept on the case and told to its handler. Returns how many
    /// files were added.
    pub async fn portal_add_material(
        &self,
        ctx: &Ctx,
        code: &str,
        last4: &str,
        note: &str,
        uploads: &[Upload],
    ) -> Result<usize, AppError> {
        let note = note.trim();
        let mut checks = crate::error::Checks::new();
        checks.check(
            !note.is_empty() || !uploads.is_empty(),
            "material_note",
            "portal-material-empty",
        );
        checks.check(
            note.chars().count() <= MATERIAL_NOTE_MAX,
            "material_note",
            "too-long",
        );
        let mimes = self.check_uploads(&mut checks, uploads);
        checks.finish()?;
        let c = self.submitter_case(ctx, code, last4).await?;
        if c.status.is_closed() {
            return Err(AppError::field("material_note", "portal-material-closed"));
        }
        let mut tx = self.db().begin().await?;
        self.count_hit(tx.conn(), "material", &ctx.address_key(), MATERIAL_PER_HOUR)
            .await?;
        for (u, mime) in uploads.iter().zip(mimes) {
            self.store_attachment(tx.conn(), ctx, &c, u, mime).await?;
        }
        // The note is the submitter's words: on the staff timeline, not on the public page.
        let detail = match (note.is_empty(), uploads.len()) {
            (false, 0) => note.to_owned(),
            (true, n) => format!("附件 {n} 个"),
            (false, n) => format!("{note}（附件 {n} 个）"),
        };
        self.event(tx.conn(), ctx, &c, "material-added", &detail, false)
            .await?;
        let now = time::to_millis(self.now());
        self.notify_case(
            tx.conn(),
            &c,
            format!("material:{}:{now}", c.id),
            gongzhi_domain::notice::Message::MaterialAdded {
                files: uploads.len(),
                note: note.chars().take(100).collect(),
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.portal_material",
            "case",
            &c.id.to_string(),
            Changes::new().set("files", uploads.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(uploads.len())
    }

    /// The case of a tracking code whose phone ends in `last4`; wrong answers are counted.
    async fn submitter_case(&self, ctx: &Ctx, code: &str, last4: &str) -> Result<Case, AppError> {
        let code = normalize_tracking_code(code);
        let code_bucket = format!("track:{code}");
        let address_bucket = format!("track-ip:{}", ctx.address_key());
        let mut tx = self.db().begin().await?;
        self.count_hit(tx.conn(), "track", &ctx.address_key(), LOOKUPS_PER_HOUR)
            .await?;
        self.refuse_if_locked(tx.conn(), &[&code_bucket, &address_bucket])
            .await?;
        let found = case::case_by_tracking(tx.conn(), &code)
            .await?
            .filter(|c| c.tracking_phone.as_deref() == Some(self.tracking_key(&code, last4.trim()).as_str()));
        let Some(c) = found else {
            self.count_failure(
                tx.conn(),
                &[(&code_bucket, TRACK_CODE), (&address_bucket, TRACK_ADDRESS)],
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::field("code", "tracking-not-found"));
        };
        tx.commit().await?;
        Ok(c)
    }
}
