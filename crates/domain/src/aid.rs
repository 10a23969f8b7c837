//! State judicial aid (国家司法救助, DOMAIN.md §3.8, §4.5): who is eligible (7 categories) and who
//! generally is not (6 exclusions), the amount against the province's previous-year average monthly
//! wage with the 36-month cap, advance (emergency) aid and its settlement, and the state machine.

use thiserror::Error;

use crate::policy::codes;

codes! {
    /// §3.8 "eligible (must aid), 7 categories".
    AidCategory {
        /// 受到犯罪侵害致重伤或严重残疾，加害人死亡或无力赔偿（或案件未破、超过追诉时效），生活困难
        SeriousInjury => "serious_injury",
        /// 受到犯罪侵害危及生命，急需救治，无力承担医疗费用
        LifeEndangered => "life_endangered",
        /// 受到犯罪侵害致死或丧失劳动能力，依靠其收入生活的近亲属生活困难
        DeathOrIncapacity => "death_or_incapacity",
        /// 受到犯罪侵害致财产重大损失，生活困难
        PropertyLoss => "property_loss",
        /// 举报人、证人、鉴定人因作证遭受打击报复，生活困难
        Retaliation => "retaliation",
        /// 道路交通事故等民事侵权致人身伤害，无法通过诉讼获得赔偿，生活困难
        TortUncompensated => "tort_uncompensated",
        /// 人民检察院认为需要救助的其他情形
        OtherNecessary => "other_necessary",
    }
}

codes! {
    /// §3.8 "generally not aided", 6 exclusions.
    AidExclusion {
        /// 对案件发生有重大过错
        MajorFault => "major_fault",
        /// 无正当理由拒绝配合查明案件事实
        RefusesCooperation => "refuses_cooperation",
        /// 故意作虚伪陈述或者伪造证据
        FalseStatement => "false_statement",
        /// 放弃民事赔偿请求或拒绝加害人赔偿
        WaivedClaim => "waived_claim",
        /// 生活困难非案件原因所致
        HardshipUnrelated => "hardship_unrelated",
        /// 已通过其他渠道得到合理补偿、救助
        AlreadyCompensated => "already_compensated",
    }
}

codes! {
    AidState {
        /// The case department found a party who may be eligible.
        Clue => "clue",
        /// The party was told of judicial aid.
        Informed => "informed",
        /// Applied (in writing, or an oral application recorded); the review runs 10 working days.
        Applied => "applied",
        /// Emergency aid paid ahead of the review (urgent medical cases).
        AdvancePaid => "advance_paid",
        /// Decided with an amount.
        Decided => "decided",
        Rejected => "rejected",
        FundsRequested => "funds_requested",
        /// Finance allocated the funds; the applicant is notified within 2 working days.
        FundsReceived => "funds_received",
        Notified => "notified",
        Paid => "paid",
        Closed => "closed",
    }
}

codes! {
    AidCommand {
        Inform => "inform",
        Apply => "apply",
        Advance => "advance",
        Decide => "decide",
        Reject => "reject",
        RequestFunds => "request_funds",
        ReceiveFunds => "receive_funds",
        Notify => "notify",
        Pay => "pay",
        Close => "close",
    }
}

/// §4.5: the cap is 36 times the province's previous-year average monthly wage of employees.
pub const CAP_MONTHS: i64 = 36;
/// Advance aid: at most 3 months' wage, 6 in exceptional cases (court practice, DOMAIN.md §3.8;
/// the procuratorate's own limit is an open question §8.4 — kept here as the conservative bound).
pub const ADVANCE_MONTHS: i64 = 3;
pub const ADVANCE_MONTHS_EXCEPTIONAL: i64 = 6;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{command} is not possible while the aid case is {from}")]
pub struct NotNow {
    pub from: AidState,
    pub command: AidCommand,
}

/// Waiting for the chief prosecutor's decision (§3.8): an application under review, also once
/// advance aid was paid.
pub const AWAITING_CHIEF: &[AidState] = &[AidState::Applied, AidState::AdvancePaid];

impl AidCommand {
    /// The chief prosecutor (or the committee) decides; the rest is the complaints department's.
    pub fn is_chiefs(self) -> bool {
        matches!(self, AidCommand::Decide | AidCommand::Reject)
    }
}

impl AidState {
    pub fn is_open(self) -> bool {
        !matches!(self, AidState::Closed | AidState::Rejected)
    }

    pub fn commands(self) -> Vec<AidCommand> {
        AidCommand::ALL
            .iter()
            .copied()
            .filter(|c| next(self, *c).is_ok())
            .collect()
    }
}

pub fn next(from: AidState, command: AidCommand) -> Result<AidState, NotNow> {
    use AidCommand as C;
    use AidState as S;
    Ok(match (from, command) {
        (S::Clue, C::Inform) => S::Informed,
        (S::Clue | S::Informed, C::Apply) => S::Applied,
        (S::Applied, C::Advance) => S::AdvancePaid,
        (S::Applied | S::AdvancePaid, C::Decide) => S::Decided,
        (S::Applied | S::AdvancePaid, C::Reject) => S::Rejected,
        (S::Decided, C::RequestFunds) => S::FundsRequested,
        (S::FundsRequested, C::ReceiveFunds) => S::FundsReceived,
        (S::FundsReceived, C::Notify) => S::Notified,
        (S::Notified, C::Pay) => S::Paid,
        (S::Paid | S::Rejected, C::Close) => S::Closed,
        _ => return Err(NotNow { from, command }),
    })
}

impl AidCategory {
    /// The category as the decision (司法救助决定书) states it.
    pub fn legal_text(self) -> &'static str {
        match self {
            AidCategory::SeriousInjury => {
                "受到犯罪侵害致重伤或者严重残疾，因加害人死亡或者没有赔偿能力、无法经过诉讼获得赔偿，造成生活困难"
            }
            AidCategory::LifeEndangered => "受到犯罪侵害危及生命，急需救治，无力承担医疗救治费用",
            AidCategory::DeathOrIncapacity => {
                "因受到犯罪侵害致死或者丧失劳动能力，依靠其收入为主要生活来源的近亲属生活困难"
            }
            AidCategory::PropertyLoss => {
                "受到犯罪侵害致使财产遭受重大损失，因无法经过诉讼获得赔偿，造成生活困难"
            }
            AidCategory::Retaliation => {
                "作为举报人、证人、鉴定人因举报、作证、鉴定受到打击报复，致使人身受到伤害或者财产受到重大损失，无法经过诉讼获得赔偿，造成生活困难"
            }
            AidCategory::TortUncompensated => {
                "因道路交通事故等民事侵权行为造成人身伤害，无法经过诉讼获得赔偿，造成生活困难"
            }
            AidCategory::OtherNecessary => "属于人民检察院认为需要救助的其他情形",
        }
    }
}

/// A decision's number (司法救助决定书): 甘州检司救〔2026〕1号.
pub fn number(short_name: &str, year: i32, seq: i64) -> String {
    format!("{short_name}司救〔{year}〕{seq}号")
}

/// The cap in yuan for a province's previous-year average monthly wage.
pub fn cap(monthly_wage: i64) -> i64 {
    monthly_wage.saturating_mul(CAP_MONTHS)
}

/// Why an amount is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    NotPositive,
    /// Above the cap without a recorded approval.
    OverCap {
        cap: i64,
    },
    /// Never above what a court would award (when known).
    OverAward {
        award: i64,
    },
}

/// Checks an amount: positive, within the cap unless an approval is recorded, never above a
/// known court award (§3.8 "amount").
pub fn check_amount(
    amount: i64,
    monthly_wage: i64,
    approved_over_cap: bool,
    court_award: Option<i64>,
) -> Result<(), AmountError> {
    if amount <= 0 {
        return Err(AmountError::NotPositive);
    }
    if let Some(award) = court_award.filter(|a| *a > 0)
        && amount > award
    {
        return Err(AmountError::OverAward { award });
    }
    let cap = cap(monthly_wage);
    if amount > cap && !approved_over_cap {
        return Err(AmountError::OverCap { cap });
    }
    Ok(())
}

/// What is settled after an advance: paid on top (positive) or clawed back (negative).
pub fn settlement(decided: i64, advanced: i64) -> i64 {
    decided - advanced
}

#[cfg(test)]
mod tests {
    use super::*;
    use AidCommand as C;
    use AidState as S;

    #[test]
    fn every_state_and_command() {
        let allowed: &[(S, C, S)] = &[
            (S::Clue, C::Inform, S::Informed),
            (S::Clue, C::Apply, S::Applied),
            (S::Informed, C::Apply, S::Applied),
            (S::Applied, C::Advance, S::AdvancePaid),
            (S::Applied, C::Decide, S::Decided),
            (S::Applied, C::Reject, S::Rejected),
            (S::AdvancePaid, C::Decide, S::Decided),
            (S::AdvancePaid, C::Reject, S::Rejected),
            (S::Decided, C::RequestFunds, S::FundsRequested),
            (S::FundsRequested, C::ReceiveFunds, S::FundsReceived),
            (S::FundsReceived, C::Notify, S::Notified),
            (S::Notified, C::Pay, S::Paid),
            (S::Paid, C::Close, S::Closed),
            (S::Rejected, C::Close, S::Closed),
        ];
        for from in AidState::ALL {
            for command in AidCommand::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, c, _)| f == from && c == command)
                    .map(|(_, _, t)| *t);
                assert_eq!(next(*from, *command).ok(), expected, "{from} {command}");
            }
        }
        assert!(S::Closed.commands().is_empty());
    }

    #[test]
    fn the_cap_is_36_months_and_needs_an_approval_above_it() {
        // Gansu 2025 average monthly wage (illustrative): 7,500 yuan → cap 270,000.
        assert_eq!(cap(7_500), 270_000);
        assert_eq!(check_amount(270_000, 7_500, false, None), Ok(()));
        assert_eq!(
            check_amount(270_001, 7_500, false, None),
            Err(AmountError::OverCap { cap: 270_000 })
        );
        assert_eq!(check_amount(300_000, 7_500, true, None), Ok(()));
        assert_eq!(
            check_amount(300_000, 7_500, true, Some(250_000)),
            Err(AmountError::OverAward { award: 250_000 })
        );
        assert_eq!(check_amount(0, 7_500, false, None), Err(AmountError::NotPositive));
    }

    #[test]
    fn an_advance_is_topped_up_or_clawed_back() {
        assert_eq!(settlement(50_000, 20_000), 30_000);
        assert_eq!(settlement(15_000, 20_000), -5_000);
        assert!(C::Decide.is_chiefs() && C::Reject.is_chiefs() && !C::Pay.is_chiefs());
    }
}
