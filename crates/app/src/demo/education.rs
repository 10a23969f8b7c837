//! The demo year's legal education (§3.11): "小李讲法" posts every month, classes in villages and
//! schools, summer law classes in July and August, moot courts, and doorstep hearings followed by
//! a case talk with the case linked — held and recorded in the past, planned ahead.

use chrono::{Datelike, NaiveDate};
use gongzhi_domain::education::{EventKind, EventState, VenueKind};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::workflow::CaseKind;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, CaseFilter};
use gongzhi_store::education::{self as store, EventRow};
use gongzhi_store::reference;

use super::{Rng, World};
use crate::{App, AppError};

const POSTS: &[&str] = &[
    "小李讲法｜邻里之间滴水引发的纠纷怎么解决",
    "小李讲法｜土地承包经营权流转要注意什么",
    "小李讲法｜被拖欠工资，可以找谁",
    "小李讲法｜留守儿童的监护责任",
    "小李讲法｜遭遇电信诈骗怎么办",
    "小李讲法｜赡养老人是法定义务",
];

const CLASSES: &[&str] = &[
    "预防校园欺凌法治课",
    "《民法典》进村入户——婚姻家庭篇",
    "防范电信网络诈骗专题讲座",
    "未成年人保护法进校园",
    "农村土地承包纠纷以案释法",
];

impl App {
    pub(super) async fn demo_education(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<(), AppError> {
        let villages: Vec<_> = reference::org_by_level(&mut *conn, OrgLevel::Village)
            .await?
            .into_iter()
            .filter(|v| v.active)
            .collect();
        if villages.is_empty() {
            return Ok(());
        }
        let (petitions, _) = case::list_cases(
            &mut *conn,
            &CaseFilter {
                agency: Some(w.jcy.id),
                limit: 40,
                ..Default::default()
            },
        )
        .await?;
        let mut talks = petitions
            .into_iter()
            .filter(|c| c.kind == CaseKind::Petition && c.place_id.is_some());
        let year = w.today.year();
        let now = time::to_millis(w.now);
        for month in 1..=12u32 {
            let mut plan: Vec<(EventKind, u32)> = vec![(EventKind::OnlinePost, 8), (EventKind::Class, 16)];
            if matches!(month, 7 | 8) {
                plan.extend([(EventKind::SummerClass, 10), (EventKind::SummerClass, 24)]);
            }
            if matches!(month, 4 | 6 | 11) {
                plan.push((EventKind::MootCourt, 20));
            }
            if month % 3 == 0 {
                plan.push((EventKind::HearingTalk, 26));
            }
            for (kind, day) in plan {
                let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                    continue;
                };
                let past = date < w.today;
                let linked = if kind == EventKind::HearingTalk {
                    talks.next()
                } else {
                    None
                };
                let village = match &linked {
                    Some(c) => villages
                        .iter()
                        .find(|v| Some(v.id) == c.place_id)
                        .unwrap_or(&villages[0]),
                    None => rng.pick(&villages),
                };
                let (venue_kind, venue, topic) = match kind {
                    EventKind::OnlinePost => {
                        (VenueKind::Online, String::new(), (*rng.pick(POSTS)).to_owned())
                    }
                    EventKind::SummerClass => (
                        VenueKind::School,
                        format!("{}小学", village.name),
                        "暑期法治课堂：学法护苗".to_owned(),
                    ),
                    EventKind::MootCourt => (
                        VenueKind::School,
                        "甘州区第一中学".to_owned(),
                        "模拟法庭：校园欺凌案件庭审".to_owned(),
                    ),
                    EventKind::HearingTalk => (
                        VenueKind::Village,
                        format!("{}村委会", village.name),
                        match linked.as_ref().map(|c| c.category_name.as_str()) {
                            Some(name) if name != "其他" => format!("上门听证后以案释法：{name}"),
                            _ => "上门听证后以案释法".to_owned(),
                        },
                    ),
                    _ => (
                        VenueKind::Village,
                        format!("{}村委会", village.name),
                        (*rng.pick(CLASSES)).to_owned(),
                    ),
                };
                let audience = if kind == EventKind::OnlinePost {
                    rng.range(800, 6000)
                } else {
                    rng.range(30, 180)
                };
                let state = if past {
                    if date.month() + 1 < w.today.month() || date.year() < year {
                        EventState::Published
                    } else {
                        EventState::Recorded
                    }
                } else if (date - w.today).num_days() < 20 {
                    EventState::Announced
                } else {
                    EventState::Planned
                };
                let online = kind == EventKind::OnlinePost;
                let row = EventRow {
                    id: Id::new().to_string(),
                    agency_id: w.jcy.id.to_string(),
                    kind: kind.code().into(),
                    state: state.code().into(),
                    topic,
                    starts_at: format!("{date} {}", if online { "20:00" } else { "09:30" }),
                    month: format!("{year:04}-{month:02}"),
                    venue_kind: venue_kind.code().into(),
                    place_id: (!online).then(|| village.id.to_string()),
                    township_id: if online {
                        None
                    } else {
                        village.parent_id.map(|t| t.to_string())
                    },
                    venue,
                    platform: if online { "wechat".into() } else { String::new() },
                    speakers: if online {
                        "小李（检察官助理）".into()
                    } else {
                        w.staff.prosecutor.1.clone()
                    },
                    audience_expected: audience,
                    attendance: past.then_some(audience),
                    summary: if past {
                        "活动按计划举办，现场解答群众法律咨询。".into()
                    } else {
                        String::new()
                    },
                    materials: if online {
                        String::new()
                    } else {
                        "宣传册、以案释法展板".into()
                    },
                    created_by_name: w.staff.prosecutor.1.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                let cases: Vec<Id> = linked.iter().map(|c| c.id).collect();
                store::insert_event(&mut *conn, &row, &cases).await?;
            }
        }
        Ok(())
    }
}
