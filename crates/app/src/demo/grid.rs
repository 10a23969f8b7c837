//! The demo year of prosecutors into the grid (DOMAIN.md §3.10): the demo prosecutor assigned to
//! every village (monthly) and the 乌江镇 grid worker to the villages of the township (weekly); a
//! routine visit to each village every month with its checklist; the grid-screening cases found on
//! a visit that day; now and then a clue for the suggestions, aid or juvenile team; and the visits
//! planned for the coming days.

use chrono::{Datelike, Days, Months, NaiveDate};
use gongzhi_domain::grid::{CheckItem, ClueState, FindingKind, Rhythm, VisitState};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::roster::Slot;
use gongzhi_domain::workflow::{CaseKind, Channel};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, CaseFilter};
use gongzhi_store::grid::{self as store, AssignmentRow, FindingRow, VisitRow};
use gongzhi_store::reference::{self, OrgUnit};

use super::{Rng, World};
use crate::{App, AppError};

const PLACES: &[&str] = &[
    "村委会",
    "村文化广场",
    "田间地头",
    "村民家中",
    "村卫生室",
    "村小学门口",
];
const PEOPLE: &[&str] = &[
    "村支书、村委会主任",
    "村民调解员、网格员",
    "村支书、群众 6 人",
    "驻村干部、留守老人 3 户",
    "村妇联主席、留守儿童家长",
];
const NOTES: &[&str] = &[
    "走访农户，了解春灌用水安排，未发现新的矛盾。",
    "宣传《民法典》婚姻家庭编，解答群众咨询。",
    "排查重点信访人员近况，情绪稳定。",
    "了解务工人员工资发放情况。",
    "走访留守儿童家庭，监护情况正常。",
];
/// Clues found on routine visits: (kind, what).
const CLUES: &[(FindingKind, &str)] = &[
    (FindingKind::PublicInterest, "村口河道堆放建筑垃圾"),
    (FindingKind::Supervision, "村民反映宅基地审批久拖未办"),
    (FindingKind::JudicialAid, "交通事故受害人家庭因案致困"),
    (FindingKind::Minor, "留守儿童长期无人照看"),
    (FindingKind::PublicInterest, "农资店疑似销售过期农药"),
];

/// One visit to write: where, when, who, and its findings.
struct Planned<'a> {
    village: &'a OrgUnit,
    day: NaiveDate,
    at: String,
    visitor: &'a (Id, String),
    state: VisitState,
    findings: Vec<FindingRow>,
}

impl App {
    pub(super) async fn demo_grid(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<(), AppError> {
        let villages: Vec<OrgUnit> = reference::org_by_level(&mut *conn, OrgLevel::Village)
            .await?
            .into_iter()
            .filter(|v| v.active && v.parent_id.is_some())
            .collect();
        let Some(year_ago) = w.today.checked_sub_months(Months::new(12)) else {
            return Ok(());
        };
        let now = time::to_millis(w.now);
        let grid_township = self.demo_grid_township(&mut *conn, w).await?;
        // Assignments covering every village.
        for v in &villages {
            let mut people = vec![(
                &w.staff.prosecutor,
                w.jcy.id,
                Some(Slot::Prosecutor),
                Rhythm::Monthly,
            )];
            if let Some((township, centre)) = grid_township
                && v.parent_id == Some(township)
            {
                people.push((&w.staff.grid, centre, None, Rhythm::Weekly));
            }
            for (person, agency, slot, rhythm) in people {
                store::insert_assignment(
                    &mut *conn,
                    &AssignmentRow {
                        id: Id::new().to_string(),
                        user_id: person.0.to_string(),
                        agency_id: agency.to_string(),
                        village_id: v.id.to_string(),
                        township_id: v.parent_id.map(|t| t.to_string()).unwrap_or_default(),
                        grid_id: None,
                        slot: slot.map(|s| s.code().to_owned()).unwrap_or_default(),
                        rhythm: rhythm.code().into(),
                        assigned_on: year_ago.to_string(),
                        ended_on: None,
                        created_by_name: w.staff.chief.1.clone(),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    },
                )
                .await?;
            }
        }
        // The cases grid screening found: each came from a visit to its village that day.
        let (found, _) = case::list_cases(
            &mut *conn,
            &CaseFilter {
                channel: Some(Channel::GridScreening),
                received_from: Some(time::to_millis(w.now - chrono::Duration::days(365))),
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
        let mut visits = Vec::new();
        for c in found
            .iter()
            .filter(|c| matches!(c.kind, CaseKind::Dispute | CaseKind::Petition))
        {
            let Some(village) = villages.iter().find(|v| Some(v.id) == c.place_id) else {
                continue;
            };
            let kind = if c.kind == CaseKind::Dispute {
                FindingKind::Dispute
            } else {
                FindingKind::Petition
            };
            let mut f = finding(kind, &c.title, &c.narrative, now);
            f.case_id = Some(c.id.to_string());
            let at = time::format_local(c.received_at);
            visits.push(Planned {
                village,
                day: time::local_date(c.received_at),
                at,
                visitor: &w.staff.prosecutor,
                state: VisitState::Routed,
                findings: vec![f],
            });
        }
        // A routine visit to every village each month, this month's so far.
        for months_back in (0..12u32).rev() {
            let Some(month) = w
                .today
                .with_day(1)
                .and_then(|d| d.checked_sub_months(Months::new(months_back)))
            else {
                continue;
            };
            for v in &villages {
                let day = month + Days::new(u64::try_from(rng.range(2, 26)).unwrap_or(10));
                if day > w.today
                    || visits.iter().any(|p| {
                        p.village.id == v.id && p.day.month() == day.month() && p.day.year() == day.year()
                    })
                    || rng.chance(6)
                {
                    continue;
                }
                let mut findings = Vec::new();
                if rng.chance(7) {
                    let (kind, what) = *rng.pick(CLUES);
                    let mut f = finding(kind, what, "", now);
                    f.team = match kind.route() {
                        gongzhi_domain::grid::Route::Clue(team) => team.code().into(),
                        _ => String::new(),
                    };
                    let old = (w.today - day).num_days() > 30;
                    f.clue_state = Some(
                        if old { ClueState::Closed } else { ClueState::Open }
                            .code()
                            .into(),
                    );
                    if old {
                        f.taken_by_name = w.staff.prosecutor.1.clone();
                        f.taken_by_id = Some(w.staff.prosecutor.0.to_string());
                        f.outcome = "经核实已移送相关部门依法处理。".into();
                        f.closed_at = Some(now);
                    }
                    findings.push(f);
                }
                visits.push(Planned {
                    village: v,
                    day,
                    at: format!("{day} {:02}:{:02}", rng.range(9, 16), rng.range(0, 5) * 10),
                    visitor: &w.staff.prosecutor,
                    state: if findings.is_empty() {
                        VisitState::Visited
                    } else {
                        VisitState::Routed
                    },
                    findings,
                });
            }
        }
        // The coming days: visits planned in the grid worker's township.
        for (i, v) in villages
            .iter()
            .filter(|v| v.parent_id == grid_township.map(|(t, _)| t))
            .take(3)
            .enumerate()
        {
            let day = w.today + Days::new(2 + 3 * i as u64);
            visits.push(Planned {
                village: v,
                day,
                at: String::new(),
                visitor: &w.staff.prosecutor,
                state: VisitState::Planned,
                findings: Vec::new(),
            });
        }
        for p in visits {
            let visited = p.state != VisitState::Planned;
            let checklist = if visited {
                let mut items: Vec<&str> = CheckItem::ALL
                    .iter()
                    .filter(|_| rng.chance(30))
                    .map(|c| c.code())
                    .collect();
                if items.is_empty() {
                    items.push(CheckItem::LandWater.code());
                }
                items.join(",")
            } else {
                String::new()
            };
            let row = VisitRow {
                id: Id::new().to_string(),
                agency_id: w.jcy.id.to_string(),
                village_id: p.village.id.to_string(),
                township_id: p.village.parent_id.map(|t| t.to_string()).unwrap_or_default(),
                grid_id: None,
                visitor_id: p.visitor.0.to_string(),
                visitor_name: p.visitor.1.clone(),
                state: p.state.code().into(),
                day: p.day.to_string(),
                visited_at: visited.then(|| p.at.clone()),
                place: (*rng.pick(PLACES)).to_owned(),
                people_met: if visited {
                    (*rng.pick(PEOPLE)).to_owned()
                } else {
                    String::new()
                },
                checklist,
                notes: if visited {
                    (*rng.pick(NOTES)).to_owned()
                } else {
                    String::new()
                },
                version: 1,
                created_at: now,
                updated_at: now,
            };
            store::insert_visit(&mut *conn, &row).await?;
            for (i, mut f) in p.findings.into_iter().enumerate() {
                f.visit_id = row.id.clone();
                f.seq = i64::try_from(i + 1).unwrap_or(1);
                store::insert_finding(&mut *conn, &f).await?;
            }
        }
        Ok(())
    }

    /// The township of the demo grid worker's governance centre and the centre's id.
    async fn demo_grid_township(
        &self,
        conn: &mut AnyConnection,
        w: &World,
    ) -> Result<Option<(Id, Id)>, AppError> {
        let Some(user) = gongzhi_store::users::get(&mut *conn, w.staff.grid.0).await? else {
            return Ok(None);
        };
        Ok(w.agencies
            .iter()
            .find(|a| a.id == user.agency_id)
            .map(|a| (a.org_unit_id, a.id)))
    }
}

fn finding(kind: FindingKind, summary: &str, details: &str, now: i64) -> FindingRow {
    FindingRow {
        id: Id::new().to_string(),
        kind: kind.code().into(),
        summary: summary.chars().take(100).collect(),
        details: details.to_owned(),
        version: 1,
        created_at: now,
        ..FindingRow::default()
    }
}
