//! The demo year's judicial aid in the seed report's proportions: 9 people impoverished by a case,
//! each aided and linked to social aid (minimum living allowance, jobs, school aid), and the
//! provincial wage the amounts were measured against — marked as demo data for the administrator
//! to replace with the statistics bureau's figure.

use chrono::{Datelike, Duration};
use gongzhi_domain::aid::AidState;
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::aid::{self as store, AidRow};
use gongzhi_store::case::{self, CaseFilter};
use gongzhi_store::referral::{self, Referral};

use super::{Rng, World};
use crate::aid::PROVINCE;
use crate::{App, AppError};

const NEEDS: &[(AgencyKind, &str)] = &[
    (
        AgencyKind::CivilAffairs,
        "司法救助+社会救助：申请纳入最低生活保障",
    ),
    (
        AgencyKind::HumanResources,
        "司法救助+社会救助：推荐公益性岗位就业",
    ),
    (AgencyKind::Education, "司法救助+社会救助：子女教育资助"),
];

impl App {
    pub(super) async fn demo_aid(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
    ) -> Result<usize, AppError> {
        let year = w.today.year() - 1;
        let monthly = 7_500;
        store::put_wage(
            conn,
            PROVINCE,
            year,
            monthly,
            "演示数据：请以甘肃省统计局公布的上年度就业人员月平均工资替换",
            time::to_millis(w.now),
        )
        .await?;
        let (cases, _) = case::list_cases(
            &mut *conn,
            &CaseFilter {
                agency: Some(w.jcy.id),
                limit: 120,
                offset: 40,
                ..Default::default()
            },
        )
        .await?;
        // Settled cases: received long enough ago for the aid to have been paid.
        let settled = w.now - Duration::days(60);
        let mut made = 0;
        for c in cases
            .iter()
            .filter(|c| c.owner_agency_id == w.jcy.id && c.received_at < settled)
        {
            if made == 9 {
                break;
            }
            // Aid goes to a victim or a petitioner, never to the suspect.
            let Some(party) = case::parties(&mut *conn, c.id)
                .await?
                .into_iter()
                .find(|p| p.role != "suspect")
            else {
                continue;
            };
            let decided = c.received_at + Duration::days(20);
            let amount = rng.range(8, 60) * 1_000;
            let day = |d: i64| time::local_date(c.received_at + Duration::days(d)).to_string();
            let decided_year = time::local_date(decided).year();
            let seq = case::next_seq(&mut *conn, w.jcy.id, "aid", decided_year).await?;
            let row = AidRow {
                id: Id::new().to_string(),
                number: Some(gongzhi_domain::aid::number(&w.jcy.short_name, decided_year, seq)),
                agency_id: w.jcy.id.to_string(),
                case_id: c.id.to_string(),
                party_id: party.id.clone(),
                applicant_name: party.name.clone(),
                state: AidState::Closed.code().into(),
                clue: "因案致困：家庭主要劳动力受伤，无力负担医疗费用".into(),
                categories: "serious_injury".into(),
                hardship: "村委会出具家庭困难证明".into(),
                application_mode: if made % 3 == 0 { "oral" } else { "written" }.into(),
                applied_on: Some(day(8)),
                review_due: Some(day(22)),
                wage_year: i64::from(year),
                monthly_wage: monthly,
                amount,
                decision_text: "符合国家司法救助条件，决定给予一次性救助".into(),
                decided_by_name: w.staff.chief.1.clone(),
                decided_at: Some(time::to_millis(decided)),
                funds_received_on: Some(day(26)),
                notify_due: Some(day(28)),
                notified_on: Some(day(27)),
                paid_on: Some(day(28)),
                note: "已回访".into(),
                created_by_name: w.staff.prosecutor.1.clone(),
                version: 1,
                created_at: time::to_millis(c.received_at + Duration::days(5)),
                updated_at: time::to_millis(decided),
                ..AidRow::default()
            };
            store::insert_aid(&mut *conn, &row).await?;
            let (kind, note) = NEEDS[made % NEEDS.len()];
            if let Some(to) = w.agencies.iter().find(|a| a.kind == kind) {
                let r = Referral {
                    id: Id::new().to_string(),
                    case_id: c.id.to_string(),
                    from_agency_id: w.jcy.id.to_string(),
                    from_agency_name: None,
                    to_agency_id: to.id.to_string(),
                    to_agency_name: None,
                    note: note.into(),
                    due_date: day(45),
                    state: "pending".into(),
                    answer: String::new(),
                    created_by_name: w.staff.prosecutor.1.clone(),
                    created_at: time::to_millis(decided),
                    answered_by_name: String::new(),
                    answered_at: None,
                    version: 1,
                    reply_requested: 0,
                };
                referral::insert_referral(&mut *conn, &r).await?;
                referral::answer_referral(
                    &mut *conn,
                    &r,
                    "reported",
                    "已落实帮扶措施",
                    &to.name,
                    time::to_millis(decided + Duration::days(15)),
                )
                .await?;
            }
            made += 1;
        }
        Ok(made)
    }
}
