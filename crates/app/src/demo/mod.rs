//! Demo cases: about two years of Ganzhou's disputes and petitions, across channels, categories,
//! townships and states, each case walked through its real workflow (the same state machine, the
//! same deadline rules and calendar) so that clocks, replies, referrals, meetings, mediation and
//! overdue items look as they would in use. Deterministic: the same seed gives the same cases.

use chrono::Duration;
use gongzhi_domain::idcard::{ResidentId, check_char};
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::workflow::CaseKind;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case;
use gongzhi_store::reference::{self, Agency, OrgUnit};
use gongzhi_store::{follow_up, mediation, referral, reply};

use crate::deadlines::Clocks;
use crate::{App, AppError, Ctx};

mod aid;
mod draft;
mod education;
mod grid;
mod hearing;
mod minor;
mod reception;
mod risk;
mod stories;
mod suggestion;
mod walk;

use draft::Draft;
use stories::{GIVEN, SURNAMES};

/// A small deterministic generator (xorshift64*), enough for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.next() % u64::try_from((hi - lo + 1).max(1)).unwrap_or(1)).unwrap_or(0)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What every demo case is made with.
struct World {
    clocks: std::sync::Arc<Clocks>,
    staff: Staff,
    agencies: Vec<Agency>,
    jcy: Agency,
    now: time::Timestamp,
    today: chrono::NaiveDate,
}

struct Staff {
    prosecutor: (Id, String),
    reception: (Id, String),
    grid: (Id, String),
    chief: (Id, String),
    partner: (Id, String),
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn resident_id(rng: &mut Rng, today: chrono::NaiveDate) -> Option<ResidentId> {
    let year = rng.range(1948, 2009);
    let body = format!(
        "620702{year}{:02}{:02}{:03}",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(1, 999)
    );
    let id = format!("{body}{}", check_char(body.as_bytes()));
    ResidentId::parse(&id, today).ok()
}

async fn write(conn: &mut AnyConnection, d: &Draft) -> Result<(), AppError> {
    case::insert_case(&mut *conn, &d.case).await?;
    case::insert_parties(&mut *conn, &d.parties).await?;
    case::insert_clocks(&mut *conn, &d.clocks).await?;
    case::insert_events(&mut *conn, &d.events).await?;
    for r in &d.replies {
        reply::insert_reply(&mut *conn, r).await?;
    }
    for a in &d.assessments {
        gongzhi_store::risk::insert_assessment(&mut *conn, a).await?;
    }
    for t in &d.plan_tasks {
        gongzhi_store::task::insert_task(&mut *conn, t).await?;
    }
    for r in &d.referrals {
        referral::insert_referral(&mut *conn, r).await?;
        if r.state != "pending" {
            let stored = referral::get_referral(&mut *conn, r.id.parse().unwrap_or_default()).await?;
            if let Some(s) = stored {
                referral::answer_referral(
                    &mut *conn,
                    &s,
                    &r.state,
                    &r.answer,
                    &r.answered_by_name,
                    r.answered_at.unwrap_or(r.created_at),
                )
                .await?;
            }
        }
    }
    for m in &d.mediations {
        mediation::insert_mediation(&mut *conn, m).await?;
    }
    for f in &d.follow_ups {
        follow_up::insert_follow_up(&mut *conn, f).await?;
    }
    Ok(())
}

/// The demo villages, and two more per township that has none, so that cases spread over the whole
/// district. Each is marked 演示·.
async fn demo_villages(
    conn: &mut AnyConnection,
    now: time::Timestamp,
) -> Result<Vec<(OrgUnit, OrgUnit)>, AppError> {
    let townships = reference::org_by_level(&mut *conn, OrgLevel::Township).await?;
    let mut out = Vec::new();
    for t in townships {
        let mut villages = reference::org_children(&mut *conn, Some(t.id)).await?;
        if villages.is_empty() {
            let short = t
                .name
                .trim_end_matches("街道")
                .trim_end_matches("蒙古族乡")
                .trim_end_matches(['镇', '乡'])
                .to_owned();
            let street = t.name.ends_with("街道");
            let names = if street {
                [format!("演示·{short}社区"), format!("演示·{short}新村社区")]
            } else {
                [format!("演示·{short}村"), format!("演示·{short}新村")]
            };
            for (i, n) in names.iter().enumerate() {
                let base = if street { 1 } else { 201 };
                let code = format!("{}{:03}", &t.code[..9], base + i);
                let unit = OrgUnit {
                    id: Id::new(),
                    code,
                    name: n.clone(),
                    level: OrgLevel::Village,
                    parent_id: Some(t.id),
                    active: true,
                    version: 1,
                    coords: None,
                };
                reference::org_insert(&mut *conn, &unit, now).await?;
            }
            villages = reference::org_children(&mut *conn, Some(t.id)).await?;
        }
        for v in villages
            .into_iter()
            .filter(|v| v.level == OrgLevel::Village && v.active)
        {
            out.push((v, t.clone()));
        }
    }
    Ok(out)
}

impl App {
    /// Adds `n` demo cases unless there are cases already. Returns how many were added.
    pub async fn seed_demo_cases(&self, ctx: &Ctx, n: usize) -> Result<usize, AppError> {
        self.authorize_system(ctx, "seed_demo_cases").await?;
        let mut tx = self.db().begin().await?;
        let (existing, _) = case::list_cases(
            tx.conn(),
            &case::CaseFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await?;
        if !existing.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let today = time::local_date(now);
        let c = tx.conn();
        let villages = demo_villages(c, now).await?;
        let agencies = reference::agency_list(c, &Default::default()).await?;
        let by_kind = |k: AgencyKind| agencies.iter().find(|a| a.kind == k).cloned();
        let (Some(jcy), Some(petition_bureau)) = (
            by_kind(AgencyKind::Procuratorate),
            by_kind(AgencyKind::PetitionBureau),
        ) else {
            return Err(AppError::NotFound);
        };
        let user = |u: Option<gongzhi_store::users::User>| {
            u.map(|u| (u.id, u.display_name)).ok_or(AppError::NotFound)
        };
        let staff = Staff {
            prosecutor: user(gongzhi_store::users::by_username(c, "demo_prosecutor").await?)?,
            reception: user(gongzhi_store::users::by_username(c, "demo_reception").await?)?,
            grid: user(gongzhi_store::users::by_username(c, "demo_grid").await?)?,
            chief: user(gongzhi_store::users::by_username(c, "demo_chief").await?)?,
            partner: user(gongzhi_store::users::by_username(c, "demo_partner").await?)?,
        };
        let clocks = self.clocks(c).await?;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Received times first, so that numbers follow the order of receipt.
        let mut times: Vec<time::Timestamp> = (0..n)
            .map(|_| {
                let days_ago = rng.range(0, 729);
                let minutes = rng.range(8 * 60 + 30, 17 * 60 + 30);
                time::start_of_local_day(today - chrono::Days::new(u64::try_from(days_ago).unwrap_or(0)))
                    + Duration::minutes(minutes)
            })
            .filter(|t| *t < now)
            .collect();
        times.sort();
        let mut meeting_queue: Vec<(Id, Id, time::Timestamp)> = Vec::new();
        let mut added = 0;
        let world = World {
            clocks,
            staff,
            agencies: agencies.clone(),
            jcy: jcy.clone(),
            now,
            today,
        };
        for received in times {
            let roll = rng.below(100);
            let kind = match roll {
                0..=47 => CaseKind::Dispute,
                48..=79 => CaseKind::Petition,
                80..=91 => CaseKind::GovPetition,
                _ => CaseKind::MinorCriminal,
            };
            let (village, township) = rng.pick(&villages).clone();
            let owner = match kind {
                CaseKind::Petition | CaseKind::MinorCriminal => jcy.clone(),
                CaseKind::GovPetition => petition_bureau.clone(),
                CaseKind::Dispute => agencies
                    .iter()
                    .find(|a| a.kind == AgencyKind::GovernanceCentre && a.org_unit_id == township.id)
                    .cloned()
                    .unwrap_or_else(|| jcy.clone()),
            };
            let mut d = self
                .draft(tx.conn(), &mut rng, &world, kind, received, (&village, &owner))
                .await?;
            self.walk(&mut d, &mut rng, &world, &owner);
            let case_id = d.case.id;
            write(tx.conn(), &d).await?;
            if d.case.category_code == "LAW_RELATED" || d.assessments.iter().any(|a| a.level != "low") {
                meeting_queue.push((case_id, owner.id, received));
                if meeting_queue.len() == 3 {
                    self.demo_meeting(tx.conn(), &mut rng, &world, &meeting_queue)
                        .await?;
                    meeting_queue.clear();
                }
            }
            added += 1;
        }
        self.demo_hearings(tx.conn(), &mut rng, &world).await?;
        self.demo_suggestions(tx.conn(), &mut rng, &world).await?;
        self.demo_aid(tx.conn(), &mut rng, &world).await?;
        self.demo_reception(tx.conn(), &mut rng, &world).await?;
        self.demo_education(tx.conn(), &mut rng, &world).await?;
        self.demo_grid(tx.conn(), &mut rng, &world).await?;
        self.demo_minors(tx.conn(), &mut rng, &world).await?;
        tx.commit().await?;
        Ok(added)
    }
}
