//! A year of demo hearings in the seed report's proportions (about 316, most with NPC deputies,
//! CPPCC members or people's supervisors among the officers) and the officer pool they drew on.

use chrono::Duration;
use gongzhi_domain::hearing::draw::{self, Candidate};
use gongzhi_domain::hearing::officer::{OfficerCategory, OfficerStatus};
use gongzhi_domain::hearing::{HearingKind, HearingState, Opinion, STEPS, Venue};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, CaseFilter};
use gongzhi_store::hearing::officer::{self as pool, OfficerRow};
use gongzhi_store::hearing::{self as store, DrawRow, HearingRow, ParticipantRow, SeatRow};

use super::stories::{GIVEN, SURNAMES};
use super::{Rng, World};
use crate::{App, AppError};

/// (category, how many, expertise choices, employer)
const POOL: &[(OfficerCategory, usize, &[&str], &str)] = &[
    (
        OfficerCategory::NpcDeputy,
        10,
        &["农业农村", "土地", "基层治理"],
        "甘州区人大代表",
    ),
    (
        OfficerCategory::CppccMember,
        8,
        &["婚姻家庭", "医疗", "教育"],
        "甘州区政协委员",
    ),
    (
        OfficerCategory::PeopleSupervisor,
        8,
        &["基层治理", "劳动"],
        "人民监督员",
    ),
    (
        OfficerCategory::Lawyer,
        6,
        &["民事", "劳动", "土地"],
        "甘肃某律师事务所",
    ),
    (OfficerCategory::Expert, 4, &["医疗", "心理", "会计"], "河西学院"),
    (
        OfficerCategory::VillageRepresentative,
        8,
        &["基层治理", "土地"],
        "村民代表",
    ),
];

const TOPICS: &[(&str, HearingKind)] = &[
    (
        "{a}不服民事判决申请监督，是否支持监督申请",
        HearingKind::CivilSupervision,
    ),
    ("{a}涉法涉诉信访，诉求是否合理、如何化解", HearingKind::Petition),
    ("{a}轻伤害案拟作不起诉处理是否适当", HearingKind::NonProsecution),
    ("{a}刑事申诉是否符合复查条件", HearingKind::CriminalAppeal),
    (
        "{a}等人土地承包经营权纠纷执行监督",
        HearingKind::AdministrativeSupervision,
    ),
    (
        "{a}反映的饮用水源污染是否立案公益诉讼",
        HearingKind::PublicInterest,
    ),
];

impl App {
    /// The pool and about 316 hearings over the past year on the procuratorate's cases.
    pub(super) async fn demo_hearings(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<usize, AppError> {
        let now_ms = time::to_millis(w.now);
        let mut officers = Vec::new();
        for (category, n, expertise, employer) in POOL {
            for i in 0..*n {
                let id = Id::new();
                let supervisor = *category == OfficerCategory::PeopleSupervisor;
                let row = OfficerRow {
                    id: id.to_string(),
                    name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
                    category: category.code().into(),
                    expertise: rng.pick(expertise).to_string(),
                    employer: (*employer).into(),
                    birth_date: format!(
                        "{}-{:02}-{:02}",
                        rng.range(1958, 1995),
                        rng.range(1, 12),
                        rng.range(1, 28)
                    ),
                    entry: if i % 3 == 0 { "applied" } else { "recommended" }.into(),
                    recommended_by: if i % 3 == 0 {
                        String::new()
                    } else {
                        (*employer).into()
                    },
                    // One of each kind still waits for review.
                    status: if i == n - 1 {
                        OfficerStatus::Pending
                    } else {
                        OfficerStatus::Active
                    }
                    .code()
                    .into(),
                    reviewed_by_name: "听证员库管理员".into(),
                    available: 1,
                    term_start: supervisor.then(|| "2022-06-01".to_owned()),
                    term_no: i64::from(supervisor),
                    created_at: now_ms,
                    updated_at: now_ms,
                    ..OfficerRow::default()
                };
                pool::insert_officer(&mut *conn, &row).await?;
                if i != n - 1 {
                    officers.push((id, category.code(), 0u32));
                }
            }
        }
        let (cases, _) = case::list_cases(
            &mut *conn,
            &CaseFilter {
                agency: Some(w.jcy.id),
                limit: 2000,
                ..Default::default()
            },
        )
        .await?;
        let year_ago = w.now - Duration::days(365);
        let cases: Vec<_> = cases
            .into_iter()
            .filter(|c| c.owner_agency_id == w.jcy.id && c.received_at > year_ago)
            .collect();
        let mut made = 0;
        for (i, c) in cases.iter().enumerate().take(316) {
            let parties = case::parties(&mut *conn, c.id).await?;
            let first = parties
                .first()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "当事人".into());
            let minor = parties.iter().any(|p| p.minor != 0);
            let (topic, kind) = rng.pick(TOPICS);
            let sits = c.received_at + Duration::days(rng.range(8, 20));
            // The newest few are still on their way; the rest are archived.
            let state = if sits > w.now {
                [
                    HearingState::Proposed,
                    HearingState::Approved,
                    HearingState::Prepared,
                ][i % 3]
            } else {
                HearingState::Archived
            };
            let doorstep = rng.chance(30);
            let venue = if doorstep {
                Venue::Doorstep
            } else {
                Venue::HearingRoom
            };
            let id = Id::new();
            let held = state == HearingState::Archived;
            let sits_ms = time::to_millis(sits);
            let mut row = HearingRow {
                id: id.to_string(),
                case_id: c.id.to_string(),
                agency_id: w.jcy.id.to_string(),
                kind: kind.code().into(),
                state: state.code().into(),
                origin: if rng.chance(15) { "party" } else { "prosecutor" }.into(),
                applicant: first.clone(),
                topic: topic.replace("{a}", &first),
                proposed_handling: "拟依法作出处理并开展释法说理".into(),
                venue: venue.code().into(),
                place: if doorstep {
                    format!("{}村委会", c.place_name.trim_end_matches('村'))
                } else {
                    "本院听证室".into()
                },
                wants_public: i64::from(kind.public_by_default() && !minor),
                minor: i64::from(minor),
                created_by: w.staff.prosecutor.0.to_string(),
                created_by_name: w.staff.prosecutor.1.clone(),
                created_at: time::to_millis(c.received_at + Duration::days(3)),
                updated_at: now_ms,
                ..HearingRow::default()
            };
            store::insert_hearing(&mut *conn, &row).await?;
            if state != HearingState::Proposed {
                row.approved_by_name = w.staff.chief.1.clone();
                row.approved_at = Some(time::to_millis(c.received_at + Duration::days(5)));
                row.approved_venue = format!("{}|{}", row.venue, row.place);
            }
            if matches!(state, HearingState::Prepared | HearingState::Archived) {
                row.scheduled_at = Some(sits_ms);
                row.chair_name = w.staff.prosecutor.1.clone();
                store::replace_participants(
                    &mut *conn,
                    id,
                    &[ParticipantRow {
                        seq: 1,
                        role: "申请人".into(),
                        name: first.clone(),
                    }],
                )
                .await?;
                let candidates: Vec<Candidate> = officers
                    .iter()
                    .map(|(id, _, n)| Candidate {
                        id: *id,
                        participations: *n,
                    })
                    .collect();
                let seed = rng.next();
                let wanted = usize::try_from(rng.range(3, 5)).unwrap_or(3);
                let picked =
                    draw::draw(&candidates, wanted, seed).map_err(|e| AppError::Internal(e.to_string()))?;
                let seats: Vec<SeatRow> = picked
                    .iter()
                    .enumerate()
                    .map(|(k, p)| SeatRow {
                        hearing_id: id.to_string(),
                        officer_id: p.to_string(),
                        seq: k as i64 + 1,
                        how: "drawn".into(),
                        warning: String::new(),
                        opinion: String::new(),
                        opinion_text: String::new(),
                        officer_name: String::new(),
                        category: String::new(),
                    })
                    .collect();
                store::replace_seats(&mut *conn, id, &seats).await?;
                store::insert_draw(
                    &mut *conn,
                    &DrawRow {
                        id: Id::new().to_string(),
                        hearing_id: id.to_string(),
                        seed: seed.to_string(),
                        wanted: wanted as i64,
                        expertise: String::new(),
                        candidates: serde_json::to_string(&candidates).unwrap_or_default(),
                        picked: serde_json::to_string(&picked).unwrap_or_default(),
                        drawn_by_name: w.staff.prosecutor.1.clone(),
                        drawn_at: time::to_millis(sits - Duration::days(7)),
                    },
                )
                .await?;
                if held {
                    for p in &picked {
                        let opinion = if rng.chance(85) {
                            Opinion::Agree
                        } else {
                            Opinion::Partly
                        };
                        store::set_opinion(
                            &mut *conn,
                            id,
                            &p.to_string(),
                            opinion.code(),
                            "同意承办检察官的处理意见，建议做好释法说理和后续帮扶。",
                        )
                        .await?;
                        if let Some(o) = officers.iter_mut().find(|(oid, _, _)| oid == p) {
                            o.2 += 1;
                        }
                    }
                    pool::count_participation(&mut *conn, id).await?;
                    let record: serde_json::Map<String, serde_json::Value> = STEPS
                        .iter()
                        .map(|s| ((*s).to_owned(), "按程序进行。".into()))
                        .collect();
                    row.noticed_at = Some(time::to_millis(sits - Duration::days(5)));
                    row.notice_method = "书面通知、电话告知".into();
                    row.held_at = Some(sits_ms);
                    row.record = serde_json::Value::Object(record).to_string();
                    row.decision = Opinion::Agree.code().into();
                    row.decision_text = "采纳听证员多数意见，依法作出处理，当事人表示息诉罢访。".into();
                    row.decided_at = Some(sits_ms);
                    row.announcement = "本院经公开听证，采纳听证员意见依法作出处理。".into();
                    row.announced_at = Some(time::to_millis(sits + Duration::days(1)));
                    row.archived_at = Some(time::to_millis(sits + Duration::days(10)));
                }
            }
            store::save_hearing(&mut *conn, &row, 1).await?;
            made += 1;
        }
        Ok(made)
    }
}
