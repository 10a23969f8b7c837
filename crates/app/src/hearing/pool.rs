//! The hearing-officer pool (听证员库) and people's supervisors: entry by a unit's recommendation
//! or a person's application, the pool manager's review, and each person's standing on a day
//! (DOMAIN.md §3.6, §4.4).

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::hearing::officer::{
    self, Block, Disqualification, Entry, OfficerCategory, OfficerStatus, Standing,
};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::hearing::officer::{self as store, OfficerRow};
use gongzhi_store::{StoreError, reference};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// A person of the pool as staff see them: the phone masked.
#[derive(Clone, Debug)]
pub struct Officer {
    pub row: OfficerRow,
    pub category: OfficerCategory,
    pub status: OfficerStatus,
    pub entry: Entry,
    pub birth_date: NaiveDate,
    pub expertise: Vec<String>,
    pub disqualifications: Vec<Disqualification>,
    pub term_end: Option<NaiveDate>,
    /// Why the person could not sit today, if so.
    pub block_today: Option<Block>,
}

impl Officer {
    pub fn id(&self) -> &str {
        &self.row.id
    }

    pub(crate) fn standing(&self) -> Standing {
        Standing {
            name: self.row.name.clone(),
            category: self.category,
            birth_date: self.birth_date,
            village_id: self.row.village_id.as_deref().and_then(|v| v.parse().ok()),
            disqualifications: self.disqualifications.clone(),
            status: self.status,
            available: self.row.available != 0,
            term_start: self.row.term_start.as_deref().and_then(parse_date),
            term_no: u32::try_from(self.row.term_no).unwrap_or(0),
            relations: self
                .row
                .relations
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The officer form and `POST/PUT /api/v1/hearing-officers`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OfficerForm {
    pub name: String,
    /// `npc_deputy`, `cppcc_member`, `people_supervisor`, `lawyer`, `expert`, `village_representative`, `other`.
    pub category: String,
    /// Fields of expertise, separated by commas or 、.
    #[serde(default)]
    pub expertise: String,
    #[serde(default)]
    pub employer: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    #[serde(default)]
    pub village_id: String,
    /// Blank keeps the number on record.
    #[serde(default)]
    pub phone: String,
    /// `recommended` or `applied`.
    pub entry: String,
    #[serde(default)]
    pub recommended_by: String,
    #[serde(default = "yes")]
    pub available: bool,
    /// Disqualification codes.
    #[serde(default)]
    pub disqualifications: Vec<String>,
    /// People the officer is related to, one per line.
    #[serde(default)]
    pub relations: String,
    /// A people's supervisor's term: `YYYY-MM-DD` and 1 or 2.
    #[serde(default)]
    pub term_start: String,
    #[serde(default)]
    pub term_no: i64,
    #[serde(default)]
    pub version: i64,
}

fn yes() -> bool {
    true
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn list(s: &str) -> Vec<String> {
    s.split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl App {
    pub(crate) fn officer_of(&self, row: OfficerRow) -> Result<Officer, AppError> {
        let corrupt = |what: &str| AppError::Internal(format!("hearing officer {}: {what}", row.id));
        let category = OfficerCategory::parse(&row.category).ok_or_else(|| corrupt("category"))?;
        let status = OfficerStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?;
        let entry = Entry::parse(&row.entry).ok_or_else(|| corrupt("entry"))?;
        let birth_date = parse_date(&row.birth_date).ok_or_else(|| corrupt("birth date"))?;
        let term_end = row
            .term_start
            .as_deref()
            .and_then(parse_date)
            .map(officer::term_end);
        let mut o = Officer {
            expertise: list(&row.expertise),
            disqualifications: list(&row.disqualifications)
                .iter()
                .filter_map(|d| Disqualification::parse(d))
                .collect(),
            row,
            category,
            status,
            entry,
            birth_date,
            term_end,
            block_today: None,
        };
        o.block_today = officer::eligibility(&o.standing(), time::local_date(self.now()), &[]).err();
        Ok(o)
    }

    /// The pool, narrowed to one status when asked.
    pub async fn hearing_officers(
        &self,
        ctx: &Ctx,
        status: Option<OfficerStatus>,
    ) -> Result<Vec<Officer>, AppError> {
        self.authorize(ctx, Action::ViewHearings).await?;
        let mut conn = self.db().conn().await?;
        store::officers(&mut conn, status.map(|s| s.code()))
            .await?
            .into_iter()
            .map(|r| self.officer_of(r))
            .collect()
    }

    pub async fn hearing_officer(&self, ctx: &Ctx, id: Id) -> Result<Officer, AppError> {
        self.authorize(ctx, Action::ViewHearings).await?;
        let mut conn = self.db().conn().await?;
        let row = store::officer(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        self.officer_of(row)
    }

    /// Enters a person (awaiting review) or corrects a record; `id` is `None` for a new one.
    pub async fn save_hearing_officer(
        &self,
        ctx: &Ctx,
        id: Option<Id>,
        f: &OfficerForm,
    ) -> Result<Id, AppError> {
        self.authorize(ctx, Action::ManageHearingPool).await?;
        let mut tx = self.db().begin().await?;
        let before = match id {
            Some(id) => Some(store::officer(tx.conn(), id).await?.ok_or(AppError::NotFound)?),
            None => None,
        };
        let today = time::local_date(self.now());
        let mut checks = Checks::new();
        let name = f.name.trim();
        checks.check((2..=30).contains(&name.chars().count()), "name", "name-invalid");
        let category = OfficerCategory::parse(&f.category);
        checks.check(category.is_some(), "category", "officer-category-invalid");
        let entry = Entry::parse(&f.entry);
        checks.check(entry.is_some(), "entry", "officer-entry-invalid");
        if entry == Some(Entry::Recommended) {
            checks.check(
                !f.recommended_by.trim().is_empty(),
                "recommended_by",
                "officer-recommender-required",
            );
        }
        let birth = parse_date(&f.birth_date);
        match birth {
            // Entered as an adult; sitting needs 23 on the hearing day, checked then.
            Some(b) if officer::age_on(b, today) >= 18 && b <= today => {}
            _ => checks.fail(FieldError::new("birth_date", "officer-birth-invalid")),
        }
        let village = match f.village_id.trim() {
            "" => None,
            v => match v.parse::<Id>() {
                Ok(vid) => match reference::org_get(tx.conn(), vid).await? {
                    Some(o) if o.level == OrgLevel::Village => Some(vid),
                    _ => {
                        checks.fail(FieldError::new("village_id", "place-unknown"));
                        None
                    }
                },
                Err(_) => {
                    checks.fail(FieldError::new("village_id", "place-unknown"));
                    None
                }
            },
        };
        let phone = match f.phone.trim() {
            "" => None,
            p => match Phone::parse(p) {
                Ok(p) => Some(p),
                Err(_) => {
                    checks.fail(FieldError::new("phone", "phone-invalid"));
                    None
                }
            },
        };
        let mut disqualifications = Vec::new();
        for d in &f.disqualifications {
            match Disqualification::parse(d) {
                Some(d) if !disqualifications.contains(&d) => disqualifications.push(d),
                Some(_) => {}
                None => checks.fail(FieldError::new(
                    "disqualifications",
                    "officer-disqualification-invalid",
                )),
            }
        }
        let supervisor = category == Some(OfficerCategory::PeopleSupervisor);
        let term_start = parse_date(&f.term_start);
        if supervisor {
            // §4.4: a people's supervisor serves a 5-year term, at most two in a row.
            checks.check(term_start.is_some(), "term_start", "officer-term-start-required");
            checks.check(
                officer::term_allowed(u32::try_from(f.term_no).unwrap_or(0)),
                "term_no",
                "officer-term-no-invalid",
            );
        }
        checks.finish()?;
        let (Some(category), Some(entry), Some(birth)) = (category, entry, birth) else {
            return Err(AppError::field("category", "officer-category-invalid"));
        };
        let now = time::to_millis(self.now());
        let new_id = id.unwrap_or_default();
        let (phone_enc, phone_masked) = match &phone {
            Some(p) => (Some(self.cipher().encrypt(p.as_str())?), p.masked()),
            None => before
                .as_ref()
                .map(|b| (b.phone_enc.clone(), b.phone_masked.clone()))
                .unwrap_or_default(),
        };
        let row = OfficerRow {
            id: new_id.to_string(),
            name: name.to_owned(),
            category: category.code().into(),
            expertise: list(&f.expertise).join("、"),
            employer: f.employer.trim().to_owned(),
            birth_date: birth.format("%Y-%m-%d").to_string(),
            village_id: village.map(|v| v.to_string()),
            phone_enc,
            phone_masked,
            entry: entry.code().into(),
            recommended_by: f.recommended_by.trim().to_owned(),
            available: i64::from(f.available),
            disqualifications: disqualifications
                .iter()
                .map(|d| d.code())
                .collect::<Vec<_>>()
                .join(","),
            relations: f
                .relations
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
            term_start: if supervisor {
                term_start.map(|d| d.format("%Y-%m-%d").to_string())
            } else {
                None
            },
            term_no: if supervisor { f.term_no } else { 0 },
            created_at: now,
            updated_at: now,
            ..before.clone().unwrap_or(OfficerRow {
                status: OfficerStatus::Pending.code().into(),
                ..OfficerRow::default()
            })
        };
        match &before {
            None => store::insert_officer(tx.conn(), &row).await?,
            Some(b) => store::update_officer(tx.conn(), &row, f.version)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict => AppError::Conflict(vec![
                        ("name".into(), b.name.clone()),
                        ("status".into(), b.status.clone()),
                    ]),
                    other => other.into(),
                })?,
        }
        let old = before.unwrap_or_default();
        let changes = Changes::new()
            .field("name", old.name.as_str(), row.name.as_str())
            .field("category", old.category.as_str(), row.category.as_str())
            .field(
                "disqualifications",
                old.disqualifications.as_str(),
                row.disqualifications.as_str(),
            )
            .field("available", old.available.to_string(), row.available.to_string())
            .field(
                "phone",
                old.phone_enc.unwrap_or_default(),
                row.phone_enc.clone().unwrap_or_default(),
            );
        let action = if id.is_some() {
            "hearing_officer.update"
        } else {
            "hearing_officer.enter"
        };
        ctx.audit(tx.conn(), action, "hearing_officer", &row.id, changes)
            .await?;
        tx.commit().await?;
        Ok(new_id)
    }

    /// The pool manager admits or refuses a person awaiting review (with reasons), or retires one.
    pub async fn review_hearing_officer(
        &self,
        ctx: &Ctx,
        id: Id,
        decision: &str,
        reason: &str,
        version: i64,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageHearingPool).await?;
        let mut tx = self.db().begin().await?;
        let mut row = store::officer(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let from = OfficerStatus::parse(&row.status);
        let to = match (decision, from) {
            ("admit", Some(OfficerStatus::Pending | OfficerStatus::Refused)) => OfficerStatus::Active,
            ("refuse", Some(OfficerStatus::Pending)) => OfficerStatus::Refused,
            ("retire", Some(OfficerStatus::Active)) => OfficerStatus::Retired,
            ("admit" | "refuse" | "retire", _) => {
                return Err(AppError::Invalid(vec![
                    FieldError::new("decision", "officer-review-not-now").arg("status", &row.status),
                ]));
            }
            _ => return Err(AppError::field("decision", "officer-review-invalid")),
        };
        if to != OfficerStatus::Active && reason.trim().is_empty() {
            return Err(AppError::field("reason", "reason-required"));
        }
        let before = row.status.clone();
        row.status = to.code().into();
        row.refusal_reason = reason.trim().to_owned();
        row.reviewed_by_name = actor.display_name.clone();
        row.reviewed_at = Some(time::to_millis(self.now()));
        row.updated_at = time::to_millis(self.now());
        // 0: whatever it is now (an API caller that did not read it first).
        let expected = if version == 0 { row.version } else { version };
        store::update_officer(tx.conn(), &row, expected)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("status".into(), before.clone())]),
                other => other.into(),
            })?;
        ctx.audit(
            tx.conn(),
            "hearing_officer.review",
            "hearing_officer",
            &row.id,
            Changes::new()
                .field("status", before.as_str(), row.status.as_str())
                .set("reason", reason.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
