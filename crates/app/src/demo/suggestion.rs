//! A year of demo suggestions in the seed report's proportions: 33 social-governance suggestions
//! to the regulators (taxis, hotels, internet cafés …), numbered in order, most replied and closed,
//! a few still awaiting their reply and one overdue.

use chrono::{Datelike, Duration, Months};
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::suggestion::{SuggestionState, number};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, CaseFilter};
use gongzhi_store::suggestion::{self as store, StepRow, SuggestionRow};

use super::{Rng, World};
use crate::{App, AppError};

/// (title, the problem, the proposals)
const TOPICS: &[(&str, &str, &str)] = &[
    (
        "关于加强出租车营运安全管理的检察建议",
        "出租车拒载、绕路、私自拼客引发纠纷多发",
        "开展专项整治，畅通投诉渠道，建立驾驶员信用档案",
    ),
    (
        "关于规范旅馆业入住登记的检察建议",
        "部分旅馆未落实未成年人入住“五必须”要求",
        "落实入住登记和强制报告制度，开展从业人员培训",
    ),
    (
        "关于加强网吧接纳未成年人监管的检察建议",
        "部分网吧违规接纳未成年人上网",
        "开展联合检查，对违规经营者依法处罚",
    ),
    (
        "关于加强农村集体土地流转管理的检察建议",
        "土地流转合同不规范引发群体性纠纷",
        "规范合同文本，建立流转纠纷调处机制",
    ),
    (
        "关于加强食品安全监管的检察建议",
        "校园周边流动摊贩食品安全隐患突出",
        "开展校园周边食品安全整治",
    ),
];

impl App {
    pub(super) async fn demo_suggestions(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<usize, AppError> {
        let regulators: Vec<_> = w
            .agencies
            .iter()
            .filter(|a| a.kind == AgencyKind::Regulator)
            .collect();
        if regulators.is_empty() {
            return Ok(0);
        }
        let (cases, _) = case::list_cases(
            &mut *conn,
            &CaseFilter {
                agency: Some(w.jcy.id),
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
        let cases: Vec<_> = cases
            .into_iter()
            .filter(|c| c.owner_agency_id == w.jcy.id)
            .collect();
        if cases.is_empty() {
            return Ok(0);
        }
        let mut made = 0;
        for i in 0..33usize {
            let c = &cases[i % cases.len()];
            let (title, problem, proposals) = rng.pick(TOPICS);
            let recipient = rng.pick(&regulators);
            let decided = w.now - Duration::days(350 - i as i64 * 10);
            let received = time::local_date(decided) + chrono::Days::new(3);
            let due = received.checked_add_months(Months::new(2)).unwrap_or(received);
            let year = decided.with_timezone(&time::china()).year();
            let seq = case::next_seq(&mut *conn, w.jcy.id, "suggestion", year).await?;
            // The last few are still waiting; one of them is past its date.
            let state = match i {
                0..=27 => SuggestionState::Closed,
                28 => SuggestionState::Escalated,
                _ => SuggestionState::AwaitingReply,
            };
            let replied = state == SuggestionState::Closed;
            let id = Id::new();
            let at = time::to_millis(decided);
            let row = SuggestionRow {
                id: id.to_string(),
                agency_id: w.jcy.id.to_string(),
                number: Some(number(&w.jcy.short_name, year, seq)),
                kind: "social_governance".into(),
                state: state.code().into(),
                title: (*title).into(),
                recipient_agency_id: recipient.id.to_string(),
                facts: format!("本院在办理{}等案件中发现", c.number),
                problems: (*problem).into(),
                proposals: (*proposals).into(),
                legal_basis: "《人民检察院检察建议工作规定》第十一条".into(),
                objection_days: 10,
                decided_by_name: w.staff.chief.1.clone(),
                decided_at: Some(at),
                delivery: if i % 4 == 0 { "announced" } else { "written" }.into(),
                observers: if i % 4 == 0 {
                    "区人大代表、人民监督员".into()
                } else {
                    String::new()
                },
                copies: "区委政法委".into(),
                received_on: Some(received.to_string()),
                due_date: Some(if i == 28 {
                    (w.today - chrono::Days::new(5)).to_string()
                } else {
                    due.to_string()
                }),
                reply: if replied {
                    "已开展专项整治并建立长效机制".into()
                } else {
                    String::new()
                },
                evidence: if replied {
                    "整治方案、检查记录、处罚决定书".into()
                } else {
                    String::new()
                },
                replied_on: replied.then(|| (received + chrono::Days::new(45)).to_string()),
                replied_by_name: if replied {
                    recipient.name.clone()
                } else {
                    String::new()
                },
                rung: i64::from(i == 28),
                follow_up: if replied {
                    "回头看：整改措施落实到位".into()
                } else {
                    String::new()
                },
                evaluation: if replied {
                    "采纳并整改，效果良好".into()
                } else {
                    String::new()
                },
                created_by_name: w.staff.prosecutor.1.clone(),
                version: 1,
                created_at: at - 86_400_000 * 20,
                updated_at: at,
                ..SuggestionRow::default()
            };
            store::insert_suggestion(&mut *conn, &row, &[c.id]).await?;
            store::insert_step(
                &mut *conn,
                id,
                &StepRow {
                    command: "decide".into(),
                    note: row.number.clone().unwrap_or_default(),
                    by_name: w.staff.chief.1.clone(),
                    by_agency: w.jcy.name.clone(),
                    at,
                },
            )
            .await?;
            made += 1;
        }
        Ok(made)
    }
}
