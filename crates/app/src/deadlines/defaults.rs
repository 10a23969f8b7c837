//! The default deadline rules (DOMAIN.md §3.1–§3.3, §4.1, §4.7), seeded once and then kept as
//! data, and reading a stored rule row.

use chrono::NaiveDate;
use gongzhi_domain::deadline::{ClockKind, PauseReason, Rule, Trigger, Unit};
use gongzhi_domain::workflow::CaseKind;
use gongzhi_store::deadline_rule::RuleRow;

/// (code, case kind or every kind, trigger, clock, amount, unit, source)
type DefaultRule = (
    &'static str,
    Option<CaseKind>,
    Trigger,
    ClockKind,
    i64,
    Unit,
    &'static str,
);

/// The default rules (DOMAIN.md §3.1–§3.3, §3.6, §4.1, §4.7), seeded once and then maintained as data.
pub fn default_rules() -> Vec<RuleRow> {
    use CaseKind::{Dispute, GovPetition, MinorCriminal, Petition};
    use ClockKind as K;
    use Trigger as T;
    let table: [DefaultRule; 22] = [
        (
            "urgent-same-day",
            None,
            T::Urgent,
            K::UrgentHandling,
            0,
            Unit::CalendarDay,
            "告急信访当日处理（最高检信访工作规定）",
        ),
        (
            "proc-reply-7d",
            Some(Petition),
            T::Received,
            K::ProceduralReply,
            7,
            Unit::CalendarDay,
            "群众信访件件有回复：7日内程序性回复",
        ),
        (
            "result-reply-3m",
            Some(Petition),
            T::Received,
            K::ResultReply,
            3,
            Unit::Month,
            "群众信访件件有回复：3个月内答复办理结果或进展",
        ),
        (
            "progress-reply-1m",
            Some(Petition),
            T::ProgressReplied,
            K::ProgressReply,
            1,
            Unit::Month,
            "3个月未办结的，每月答复后续进展",
        ),
        // §3.2: the 2007 rule (人民检察院信访工作规定) tracked alongside the 7-day / 3-month
        // commitment, which is the one reported upward.
        (
            "proc-notice-15d-2007",
            Some(Petition),
            T::Received,
            K::AcceptanceNotice,
            15,
            Unit::CalendarDay,
            "人民检察院信访工作规定（2007）：不能当场答复的，15日内书面告知",
        ),
        (
            "internal-transfer-7d-2007",
            Some(Petition),
            T::Accepted,
            K::InternalTransfer,
            7,
            Unit::CalendarDay,
            "人民检察院信访工作规定（2007）：受理后7日内移送承办部门",
        ),
        (
            "internal-handling-60d-2007",
            Some(Petition),
            T::HandlingStarted,
            K::InternalHandling,
            60,
            Unit::CalendarDay,
            "人民检察院信访工作规定（2007）：承办部门收到之日起60日内办结，经批准可延长30日",
        ),
        (
            "grid-closure-7d",
            Some(Dispute),
            T::Received,
            K::GridClosure,
            7,
            Unit::CalendarDay,
            "高台县“四级七天”工作法：7日内化解",
        ),
        (
            "gov-routing-15d",
            Some(GovPetition),
            T::Received,
            K::Routing,
            15,
            Unit::CalendarDay,
            "《信访工作条例》第二十二条：15日内登记转送",
        ),
        (
            "gov-acceptance-15d",
            Some(GovPetition),
            T::Routed,
            K::Acceptance,
            15,
            Unit::CalendarDay,
            "《信访工作条例》：15日内决定是否受理并书面告知",
        ),
        (
            "gov-handling-60d",
            Some(GovPetition),
            T::Accepted,
            K::Handling,
            60,
            Unit::CalendarDay,
            "《信访工作条例》：自受理之日起60日内办结",
        ),
        (
            "gov-review-30d",
            Some(GovPetition),
            T::ReviewRequested,
            K::ReviewOpinion,
            30,
            Unit::CalendarDay,
            "《信访工作条例》：复查、复核意见30日内提出",
        ),
        (
            "gov-review-window-30d",
            Some(GovPetition),
            T::OpinionIssued,
            K::ReviewWindow,
            30,
            Unit::CalendarDay,
            "《信访工作条例》第三十五条：收到书面答复之日起30日内可请求上一级机关复查",
        ),
        (
            "gov-rereview-window-30d",
            Some(GovPetition),
            T::ReviewOpinionIssued,
            K::ReReviewWindow,
            30,
            Unit::CalendarDay,
            "《信访工作条例》第三十六条：收到复查意见之日起30日内可请求复核",
        ),
        (
            "gov-rereview-30d",
            Some(GovPetition),
            T::ReReviewRequested,
            K::ReReviewOpinion,
            30,
            Unit::CalendarDay,
            "《信访工作条例》第三十六条：收到复核请求之日起30日内提出复核意见，听证时间不计入",
        ),
        (
            "referral-feedback-15d",
            None,
            T::Referred,
            K::ReferralFeedback,
            15,
            Unit::CalendarDay,
            "交办案件反馈期限（可在交办时另定）",
        ),
        (
            "conditional-non-prosecution-6m",
            Some(MinorCriminal),
            T::ConditionalDecision,
            K::Probation,
            6,
            Unit::Month,
            "《刑事诉讼法》第二百八十三条：附条件不起诉考验期为六个月以上一年以下（按决定的期限计算）",
        ),
        (
            "judicial-confirmation-30d",
            None,
            T::Agreement,
            K::JudicialConfirmation,
            30,
            Unit::CalendarDay,
            "《人民调解法》第三十三条：协议生效之日起30日内申请司法确认",
        ),
        (
            "hearing-notice-3d",
            None,
            T::HearingNoticed,
            K::HearingNotice,
            3,
            Unit::CalendarDay,
            "《人民检察院审查案件听证工作规定》第十条：听证三日前告知听证会参加人案由、时间、地点",
        ),
        (
            "suggestion-reply-2m",
            None,
            T::SuggestionReceived,
            K::SuggestionReply,
            2,
            Unit::Month,
            "《人民检察院检察建议工作规定》：被建议单位自收到检察建议书之日起两个月内书面回复",
        ),
        (
            "aid-review-10wd",
            None,
            T::AidApplied,
            K::AidReview,
            10,
            Unit::WorkingDay,
            "国家司法救助：受理后10个工作日内提出是否救助及救助金额的审查意见",
        ),
        (
            "aid-notice-2wd",
            None,
            T::AidFundsReceived,
            K::AidNotice,
            2,
            Unit::WorkingDay,
            "国家司法救助：救助金到账后2个工作日内通知申请人领取",
        ),
    ];
    table
        .into_iter()
        .map(|(code, kind, trigger, clock, amount, unit, source)| RuleRow {
            // 信访工作条例 took effect on 2022-05-01 (§3.3); the procuratorate's commitments and the
            // rest apply to every case the system holds.
            effective_from: if kind == Some(GovPetition) {
                "2022-05-01"
            } else {
                "2019-01-01"
            }
            .into(),
            code: code.into(),
            clock: clock.code().into(),
            case_kind: kind.map(|k| k.code()).unwrap_or("*").into(),
            trigger_event: trigger.code().into(),
            amount,
            unit: unit.code().into(),
            next_day: 1,
            // The hearing notice is a least time before the hearing, not a time to act within:
            // a hearing may sit on a rest day, so its earliest day does not move to a working day.
            roll_over: i64::from(code != "hearing-notice-3d"),
            effective_to: None,
            region: "*".into(),
            source: source.into(),
            version: 1,
            updated_at: 0,
            // §3.3, §4.1: handling 60 days, extended once by at most 30. A referral's feedback
            // time is the sender's to set (practice, not statute): once, by at most 15 days.
            // Nothing else is extended: the replies owed to a petitioner and the parties' time
            // are fixed.
            extension_days: match code {
                "gov-handling-60d" | "internal-handling-60d-2007" => 30,
                "referral-feedback-15d" => 15,
                _ => 0,
            },
            extensions: i64::from(matches!(
                code,
                "gov-handling-60d" | "referral-feedback-15d" | "internal-handling-60d-2007"
            )),
            // §3.3 (Art. 36): only a re-review's hearing time is not counted; no other statutory
            // clock stops.
            pausable: if code == "gov-rereview-30d" {
                PauseReason::Hearing.code().into()
            } else {
                String::new()
            },
        })
        .collect()
}

pub(crate) fn rule_of(r: &RuleRow) -> Option<Rule> {
    Some(Rule {
        code: r.code.clone(),
        clock: ClockKind::parse(&r.clock)?,
        case_kind: match r.case_kind.as_str() {
            "*" => None,
            k => Some(CaseKind::parse(k)?),
        },
        trigger: Trigger::parse(&r.trigger_event)?,
        amount: u32::try_from(r.amount).ok()?,
        unit: Unit::parse(&r.unit)?,
        next_day: r.next_day != 0,
        roll_over: r.roll_over != 0,
        effective_from: NaiveDate::parse_from_str(&r.effective_from, "%Y-%m-%d").ok()?,
        effective_to: r
            .effective_to
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        region: r.region.clone(),
        source: r.source.clone(),
        version: r.version,
        extension_days: u32::try_from(r.extension_days).ok()?,
        extensions: u32::try_from(r.extensions).ok()?,
        pausable: r
            .pausable
            .split(',')
            .filter(|c| !c.trim().is_empty())
            .map(PauseReason::parse)
            .collect::<Option<Vec<_>>>()?,
    })
}
