//! The demo year's reception days (§3.10): the chief prosecutor on the 15th and the head of the
//! complaints department on the 20th of every month, each month published; past days with their
//! visitors answered on the spot, owned (包案) with a petition case, or not come; the next days
//! with visitors booked at the desk and on the portal.

use chrono::{Datelike, NaiveDate};
use gongzhi_domain::reception::{self as rules, BookingChannel, ReceptionHalf, SlotState, VisitState};
use gongzhi_domain::workflow::CaseKind;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, CaseFilter};
use gongzhi_store::reception::{self as store, SlotRow, VisitRow};

use super::{Rng, World, name};
use crate::{App, AppError};

const MATTERS: &[&str] = &[
    "对镇上处理宅基地边界纠纷的结果不服，希望检察院监督",
    "儿子被打伤后加害人一直不赔偿，生活困难，想了解能否申请司法救助",
    "土地承包经营权被村委会调整，多次反映未解决",
    "工地拖欠工资近一年，劳动监察投诉后仍未拿到",
    "对法院民事判决不服，申请检察监督后想当面说明情况",
    "邻居违章搭建挡住采光，多次协商无果",
];

const ANSWERS: &[&str] = &[
    "当场释法说理，告知依法申请民事检察监督的条件和期限，来访人表示理解。",
    "告知劳动保障监察和支持起诉的途径，由控申部门协助联系劳动监察大队。",
    "属于行政机关职责，当场说明并告知向镇政府和区信访局反映的渠道，来访人满意。",
];

impl App {
    pub(super) async fn demo_reception(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<(), AppError> {
        let (cases, _) = case::list_cases(
            &mut *conn,
            &CaseFilter {
                agency: Some(w.jcy.id),
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
        let mut petitions: Vec<_> = cases
            .into_iter()
            .filter(|c| c.kind == CaseKind::Petition && c.owner_agency_id == w.jcy.id)
            .collect();
        let year = w.today.year();
        let leaders = [
            (
                &w.staff.chief,
                15,
                ReceptionHalf::Morning,
                "本院 12309 检察服务中心 检察长接待室",
            ),
            (
                &w.staff.prosecutor,
                20,
                ReceptionHalf::Afternoon,
                "本院 12309 检察服务中心 二号接待室",
            ),
        ];
        let now = time::to_millis(w.now);
        for ((leader_id, leader_name), dom, half, place) in leaders {
            let Some(first) = NaiveDate::from_ymd_opt(year, 1, dom) else {
                continue;
            };
            // A year of months from January, and January of the next year as a draft.
            let mut days = rules::monthly(first);
            days.extend(NaiveDate::from_ymd_opt(year + 1, 1, dom));
            for day in days {
                let past = day < w.today;
                let state = if day.year() > year {
                    SlotState::Draft
                } else {
                    SlotState::Published
                };
                let slot = SlotRow {
                    id: Id::new().to_string(),
                    agency_id: w.jcy.id.to_string(),
                    leader_id: leader_id.to_string(),
                    leader_name: leader_name.clone(),
                    day: day.to_string(),
                    half: half.code().into(),
                    place: place.into(),
                    topic: String::new(),
                    capacity: 8,
                    booked: 0,
                    state: state.code().into(),
                    created_by_name: w.staff.reception.1.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                store::insert_slot(&mut *conn, &slot).await?;
                if state == SlotState::Draft {
                    continue;
                }
                let visitors = if past { rng.range(1, 4) } else { rng.range(0, 2) };
                for k in 0..visitors {
                    let slot_id: Id = slot.id.parse().map_err(|_| AppError::NotFound)?;
                    store::take_place(&mut *conn, slot_id).await?;
                    let phone = format!("139{:08}", rng.range(9_360_000, 9_369_999) * 10 + k);
                    let mut random = [0u8; 10];
                    for b in &mut random {
                        *b = u8::try_from(rng.range(0, 255)).unwrap_or(0);
                    }
                    let mut v = VisitRow {
                        id: Id::new().to_string(),
                        slot_id: slot.id.clone(),
                        agency_id: slot.agency_id.clone(),
                        code: gongzhi_domain::case::tracking_code(&random),
                        channel: if rng.chance(40) {
                            BookingChannel::Portal
                        } else {
                            BookingChannel::Staff
                        }
                        .code()
                        .into(),
                        visitor_name: name(rng),
                        phone_enc: self.cipher().encrypt(&phone)?,
                        phone_masked: format!("{}****{}", &phone[..3], &phone[7..]),
                        matter: (*rng.pick(MATTERS)).into(),
                        state: VisitState::Booked.code().into(),
                        created_by_name: w.staff.reception.1.clone(),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        ..VisitRow::default()
                    };
                    if past {
                        let hour = if half == ReceptionHalf::Morning { 9 } else { 15 };
                        let received = time::to_millis(time::start_of_local_day(day)) + hour * 3_600_000;
                        v.received_at = Some(received);
                        v.received_by_name = leader_name.clone();
                        let roll = rng.range(0, 9);
                        // A petition that came in during the three months before the day: its
                        // petitioner came to the leader about it.
                        let earlier = |c: &&gongzhi_store::case::Case| {
                            let got = time::local_date(c.received_at);
                            got <= day && (day - got).num_days() <= 90
                        };
                        // The last two months' owned matters are still being tracked (an open case),
                        // earlier ones mostly done; the first visitor of a recent day is always owned,
                        // so each leader has matters in the inbox.
                        let recent = (w.today - day).num_days() <= 60;
                        let fits =
                            |c: &&gongzhi_store::case::Case| earlier(c) && recent != c.status.is_closed();
                        let pick = petitions
                            .iter()
                            .position(|c| fits(&c))
                            .or_else(|| petitions.iter().position(|c| earlier(&c)));
                        let owned = match pick {
                            Some(at) if roll < 3 || (recent && k == 0) => Some(petitions.swap_remove(at)),
                            _ => None,
                        };
                        if let Some(c) = owned {
                            v.state = if c.status.is_closed() {
                                VisitState::Closed
                            } else {
                                VisitState::Owned
                            }
                            .code()
                            .into();
                            v.visitor_name = case::parties(&mut *conn, c.id)
                                .await?
                                .into_iter()
                                .find(|p| p.role == "petitioner")
                                .map_or(v.visitor_name, |p| p.name);
                            v.record =
                                format!("{leader_name}听取诉求后决定包案，督促承办部门依法办理并按期答复。");
                            v.case_id = Some(c.id.to_string());
                            v.owner_id = Some(leader_id.to_string());
                            v.owner_name = leader_name.clone();
                            v.closed_at = c.closed_at.map(time::to_millis);
                        } else if roll == 8 {
                            v.state = VisitState::NoShow.code().into();
                            v.record = "来访人未到，已电话联系，另约时间。".into();
                            v.received_at = None;
                        } else {
                            v.state = VisitState::Answered.code().into();
                            v.record = (*rng.pick(ANSWERS)).into();
                        }
                    }
                    store::insert_visit(&mut *conn, &v).await?;
                }
            }
        }
        Ok(())
    }
}
