//! The demo year of minors' protection (DOMAIN.md §3.9; the seed article's five children of 乌江镇
//! in difficulty paired one-to-one with caring mothers): fictional children on record, left behind
//! or in difficulty, each with a support plan under the six protections, a caring mother's monthly
//! visits, counselling, and the guardian's weekly calls — one of them overdue, so the inbox shows
//! it; mandatory reports from schools, hospitals, a hotel and a village committee over the year;
//! the Women's Federation's coordinator granted the five records. Every name is invented.

use chrono::{Days, NaiveDate};
use gongzhi_domain::minor::{
    ChildState, ContactKind, GuardianSituation, HarmKind, Protection, ReportState, ReporterKind, TaskState,
};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::minor::child::{self as store, ChildRow, ContactRow, PairingRow, TaskRow};
use gongzhi_store::minor::{self as reports, Granted, ReportRow};
use gongzhi_store::reference;

use super::{Rng, World};
use crate::minor::child::Person;
use crate::minor::support::{ContactNotes, Mother};
use crate::minor::{ChildRecord, Reporter};
use crate::{App, AppError};

/// (name, sex, birth date, school, guardian situation, guardian, carer)
const CHILDREN: &[(&str, &str, &str, &str, GuardianSituation, &str, &str)] = &[
    (
        "马小雨",
        "女",
        "2015-03-12",
        "乌江镇中心小学",
        GuardianSituation::LeftBehind,
        "父母在新疆务工",
        "祖母 马桂兰",
    ),
    (
        "陈浩然",
        "男",
        "2014-09-02",
        "乌江镇中心小学",
        GuardianSituation::GuardianAway,
        "父亲在兰州务工",
        "祖父 陈德明",
    ),
    (
        "王欣怡",
        "女",
        "2016-01-25",
        "乌江镇中心小学",
        GuardianSituation::InDifficulty,
        "母亲重病在家",
        "姑母 王秀琴",
    ),
    (
        "李子轩",
        "男",
        "2013-06-18",
        "乌江镇初级中学",
        GuardianSituation::LeftBehind,
        "父母在宁波务工",
        "外祖母 赵凤英",
    ),
    (
        "张梦瑶",
        "女",
        "2012-11-30",
        "乌江镇初级中学",
        GuardianSituation::NoGuardian,
        "父亡，母改嫁外地",
        "村委会儿童主任",
    ),
    (
        "刘思源",
        "男",
        "2015-08-08",
        "甘州区南关学校",
        GuardianSituation::GuardianAway,
        "母亲在张掖城区打工",
        "祖母 刘玉兰",
    ),
    (
        "杨佳琪",
        "女",
        "2011-04-14",
        "甘州区第三中学",
        GuardianSituation::WithParents,
        "父母",
        "",
    ),
    (
        "赵一鸣",
        "男",
        "2017-02-03",
        "党寨镇中心小学",
        GuardianSituation::LeftBehind,
        "父母在酒泉务工",
        "祖父 赵永福",
    ),
];

/// The caring mothers of the Women's Federation, one per child of 乌江镇.
const MOTHERS: &[&str] = &["张秀兰", "李桂英", "王淑珍", "赵红梅", "刘玉芬"];

/// The support plan of a child of 乌江镇: (protection, agency code, task, done).
const PLAN: &[(Protection, &str, &str, bool)] = &[
    (
        Protection::Family,
        "GZ-FL",
        "指导监护人履行监护职责，每月家庭教育指导一次",
        false,
    ),
    (
        Protection::School,
        "GZ-JYJ",
        "学校心理老师每周谈心一次，关注学业和情绪",
        false,
    ),
    (
        Protection::Government,
        "GZ-MZJ",
        "核实困境儿童基本生活保障，按规定纳入保障",
        true,
    ),
    (
        Protection::Society,
        "GZ-ZZ10",
        "村儿童主任每周入户，记录照护情况",
        false,
    ),
    (
        Protection::Judicial,
        "GZ-JCY",
        "法治副校长开展一次防性侵、防欺凌法治课",
        true,
    ),
];

/// Mandatory reports of the year: (days ago, reporter kind, body, harm, minutes until police).
const REPORTS: &[(u64, ReporterKind, &str, HarmKind, i64)] = &[
    (
        320,
        ReporterKind::School,
        "乌江镇中心小学",
        HarmKind::AbuseInjuries,
        35,
    ),
    (
        260,
        ReporterKind::Hospital,
        "甘州区人民医院",
        HarmKind::PrivateInjury,
        20,
    ),
    (
        190,
        ReporterKind::Hotel,
        "张掖某快捷酒店",
        HarmKind::OtherSerious,
        50,
    ),
    (
        120,
        ReporterKind::VillageCommittee,
        "演示·乌江村村委会",
        HarmKind::Abandonment,
        95,
    ),
    (
        45,
        ReporterKind::School,
        "乌江镇初级中学",
        HarmKind::AbuseInjuries,
        25,
    ),
    (
        3,
        ReporterKind::Kindergarten,
        "党寨镇中心幼儿园",
        HarmKind::AbuseInjuries,
        40,
    ),
];

impl App {
    pub(super) async fn demo_minors(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<(), AppError> {
        let Some(wujiang) = reference::org_by_code(&mut *conn, "620702104000").await? else {
            return Ok(());
        };
        let villages: Vec<_> = reference::org_by_level(&mut *conn, OrgLevel::Village)
            .await?
            .into_iter()
            .filter(|v| v.active)
            .collect();
        let (ours, others): (Vec<_>, Vec<_>) = villages.iter().partition(|v| v.parent_id == Some(wujiang.id));
        if ours.is_empty() || others.is_empty() {
            return Ok(());
        }
        let juvenile = gongzhi_store::users::by_username(&mut *conn, "demo_juvenile").await?;
        let fulian = gongzhi_store::users::by_username(&mut *conn, "demo_fulian").await?;
        let by = juvenile.map_or_else(|| "未检干警".to_owned(), |u| u.display_name);
        let now = time::to_millis(w.now);
        let mut children = Vec::new();
        for (i, (name, sex, birth, school, situation, guardian, carer)) in CHILDREN.iter().enumerate() {
            let village = if i < MOTHERS.len() {
                ours[i % ours.len()]
            } else {
                others[i % others.len()]
            };
            let opened = w.today - Days::new(330 - 20 * i as u64);
            let person = Person {
                name: (*name).into(),
                sex: (*sex).into(),
                birth_date: (*birth).into(),
                school: (*school).into(),
                address: format!("{}{}社", village.name, i + 1),
                guardian: (*guardian).into(),
                guardian_phone: format!("139{:08}", rng.range(10_000_000, 99_999_999)),
                carer: (*carer).into(),
                notes: String::new(),
                ..Person::default()
            };
            let birth = NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap_or(w.today);
            let id = Id::new().to_string();
            // The weekly call: on time for all but the second child, silent for twelve days.
            let last_call =
                (situation.owes_weekly_contact()).then(|| w.today - Days::new(if i == 1 { 12 } else { 2 }));
            store::insert_child(
                &mut *conn,
                &ChildRow {
                    id: id.clone(),
                    agency_id: w.jcy.id.to_string(),
                    state: ChildState::Open.code().into(),
                    person_enc: self.sealed(&person)?,
                    guardian_situation: situation.code().into(),
                    under14: i64::from(w.today.years_since(birth).is_none_or(|y| y < 14)),
                    village_id: Some(village.id.to_string()),
                    township_id: village.parent_id.map(|t| t.to_string()),
                    opened_on: opened.to_string(),
                    guardian_contact_on: last_call.map(|d| d.to_string()),
                    created_by_name: by.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    ..ChildRow::default()
                },
            )
            .await?;
            if let Some(last) = last_call {
                let mut day = last;
                while day > opened {
                    self.demo_contact(
                        &mut *conn,
                        &id,
                        ContactKind::GuardianContact,
                        day,
                        None,
                        (carer, "视频通话，孩子情况良好"),
                        &by,
                        now,
                    )
                    .await?;
                    day = day - Days::new(7);
                }
            }
            children.push((id, opened));
        }
        for (i, (child, opened)) in children.iter().take(MOTHERS.len()).enumerate() {
            self.demo_support(&mut *conn, w, child, *opened, MOTHERS[i], &by, now)
                .await?;
            if let Some(u) = &fulian {
                reports::grant(&mut *conn, Granted::Child, child, &u.id.to_string(), &by, now).await?;
            }
            if i % 2 == 0 {
                let mut day = *opened + Days::new(10);
                while day < w.today {
                    self.demo_contact(
                        &mut *conn,
                        child,
                        ContactKind::Counselling,
                        day,
                        Some(45),
                        ("区心理咨询中心 周老师", "情绪较前稳定，愿意与同学交流"),
                        &by,
                        now,
                    )
                    .await?;
                    day = day + Days::new(60);
                }
            }
        }
        for (k, (days, kind, body, harm, minutes)) in REPORTS.iter().enumerate() {
            let received = w.now - chrono::Duration::days(i64::try_from(*days).unwrap_or(0));
            let told = received + chrono::Duration::minutes(*minutes);
            let child = children.get(k % children.len());
            let state = match days {
                0..=7 => ReportState::PoliceNotified,
                8..=60 => ReportState::Filed,
                _ => ReportState::Closed,
            };
            let (name, sex, birth, school, situation, _, _) = CHILDREN[k % CHILDREN.len()];
            let said = ChildRecord {
                name: name.into(),
                sex: sex.into(),
                birth_date: birth.into(),
                school: school.into(),
                what: "发现儿童身上多处伤痕，询问后称系家中成年人所为。".into(),
                ..ChildRecord::default()
            };
            let ms = time::to_millis(received);
            reports::insert_report(
                &mut *conn,
                &ReportRow {
                    id: Id::new().to_string(),
                    agency_id: w.jcy.id.to_string(),
                    state: state.code().into(),
                    reporter_kind: kind.code().into(),
                    reporter_enc: self.sealed(&Reporter {
                        organisation: (*body).into(),
                        person: "值班负责人".into(),
                        phone: String::new(),
                    })?,
                    received_at: ms,
                    harm_kind: harm.code().into(),
                    child_enc: self.sealed(&said)?,
                    guardian_situation: situation.code().into(),
                    under14: 1,
                    police_notified_at: Some(time::to_millis(told)),
                    police_unit: "张掖市公安局甘州分局".into(),
                    filed_at: (state != ReportState::PoliceNotified)
                        .then_some(time::to_millis(told) + 86_400_000),
                    closed_at: (state == ReportState::Closed).then_some(ms + 40 * 86_400_000),
                    outcome: if state == ReportState::Closed {
                        "公安机关已立案侦查，儿童纳入帮扶。".into()
                    } else {
                        String::new()
                    },
                    child_id: child.map(|c| c.0.clone()),
                    created_by_name: by.clone(),
                    version: 1,
                    created_at: ms,
                    updated_at: ms,
                    ..ReportRow::default()
                },
            )
            .await?;
        }
        Ok(())
    }

    /// A child of 乌江镇's plan, caring mother and her monthly visits.
    #[allow(clippy::too_many_arguments)]
    async fn demo_support(
        &self,
        conn: &mut AnyConnection,
        w: &World,
        child: &str,
        opened: NaiveDate,
        mother: &str,
        by: &str,
        now: i64,
    ) -> Result<(), AppError> {
        for (k, (protection, agency, task, done)) in PLAN.iter().enumerate() {
            let Some(a) = reference::agency_by_code(&mut *conn, agency).await? else {
                continue;
            };
            store::insert_task(
                &mut *conn,
                &TaskRow {
                    id: Id::new().to_string(),
                    child_id: child.to_owned(),
                    protection: protection.code().into(),
                    agency_id: a.id.to_string(),
                    detail_enc: self.cipher().encrypt(task)?,
                    due_on: (w.today + Days::new(10 + 15 * k as u64)).to_string(),
                    state: if *done { TaskState::Done } else { TaskState::Open }
                        .code()
                        .into(),
                    note_enc: if *done {
                        self.cipher().encrypt("已办结，情况已反馈未检部门。")?
                    } else {
                        String::new()
                    },
                    done_by_name: if *done {
                        a.short_name.clone()
                    } else {
                        String::new()
                    },
                    done_at: done.then_some(now),
                    created_by_name: by.to_owned(),
                    version: 1,
                    created_at: now,
                },
            )
            .await?;
        }
        let started = opened + Days::new(7);
        store::insert_pairing(
            &mut *conn,
            &PairingRow {
                id: Id::new().to_string(),
                child_id: child.to_owned(),
                mother_enc: self.sealed(&Mother {
                    name: mother.to_owned(),
                    phone: String::new(),
                })?,
                started_on: started.to_string(),
                ended_on: None,
                end_reason: String::new(),
                created_by_name: by.to_owned(),
                created_at: now,
            },
        )
        .await?;
        let mut day = started + Days::new(3);
        while day < w.today {
            self.demo_contact(
                conn,
                child,
                ContactKind::MotherVisit,
                day,
                None,
                (mother, "陪伴写作业，送去冬衣和学习用品"),
                by,
                now,
            )
            .await?;
            day = day + Days::new(30);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn demo_contact(
        &self,
        conn: &mut AnyConnection,
        child: &str,
        kind: ContactKind,
        day: NaiveDate,
        minutes: Option<i64>,
        (who, notes): (&str, &str),
        by: &str,
        now: i64,
    ) -> Result<(), AppError> {
        store::insert_contact(
            conn,
            &ContactRow {
                id: Id::new().to_string(),
                child_id: child.to_owned(),
                kind: kind.code().into(),
                on_day: day.to_string(),
                minutes,
                notes_enc: self.sealed(&ContactNotes {
                    who: who.to_owned(),
                    notes: notes.to_owned(),
                })?,
                recorded_by_name: by.to_owned(),
                created_at: now,
            },
        )
        .await?;
        Ok(())
    }
}
