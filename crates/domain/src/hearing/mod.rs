//! Procuratorial hearings (检察听证) as a state machine (DOMAIN.md §3.6, §4.2; 人民检察院审查案件听证
//! 工作规定 2020): who may move a hearing on, which hearings are public, where they may be held, how
//! many officers sit, and when a decision must be reported to the chief prosecutor.

use std::ops::RangeInclusive;

use thiserror::Error;

use crate::policy::codes;

pub mod draw;
pub mod officer;

codes! {
    /// The kinds of case reviewed at a hearing (Art. 4).
    HearingKind {
        /// 羁押必要性审查
        CustodyReview => "custody_review",
        /// 审查逮捕：社会危险性与帮教条件
        ArrestReview => "arrest_review",
        /// 拟不起诉
        NonProsecution => "non_prosecution",
        /// 刑事申诉
        CriminalAppeal => "criminal_appeal",
        /// 民事诉讼监督
        CivilSupervision => "civil_supervision",
        /// 行政诉讼监督
        AdministrativeSupervision => "administrative_supervision",
        /// 公益诉讼
        PublicInterest => "public_interest",
        /// 涉法涉诉信访、矛盾化解 (the Fengqiao practice: "以听证促化解")
        Petition => "petition",
        Other => "other",
    }
}

codes! {
    /// Where a hearing sits (Art. 12).
    Venue {
        HearingRoom => "hearing_room",
        /// 上门听证：in a village committee or at the parties' place.
        Doorstep => "doorstep",
        /// 云听证：online, chaired from the hearing room.
        Online => "online",
        /// Another place.
        Elsewhere => "elsewhere",
    }
}

codes! {
    HearingState {
        /// A party's application, not yet decided (Art. 9).
        Applied => "applied",
        Proposed => "proposed",
        /// The chief prosecutor approved it (Art. 4).
        Approved => "approved",
        /// Date, place, chair, officers and participants set.
        Prepared => "prepared",
        /// Every participant notified, at least 3 days before (Art. 10).
        Noticed => "noticed",
        /// Held, the record of the seven steps written (Art. 15).
        Held => "held",
        OpinionsRecorded => "opinions_recorded",
        Decided => "decided",
        /// Announced (public hearings) or served on the parties.
        Announced => "announced",
        Archived => "archived",
        /// An application refused with reasons, or a proposal the chief prosecutor did not approve.
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
}

codes! {
    HearingCommand {
        /// Take a party's application on as a proposal.
        Accept => "accept",
        /// Refuse a party's application, with reasons (Art. 9).
        Refuse => "refuse",
        Approve => "approve",
        /// The chief prosecutor does not approve.
        Reject => "reject",
        Prepare => "prepare",
        Notify => "notify",
        Hold => "hold",
        RecordOpinions => "record_opinions",
        Decide => "decide",
        Announce => "announce",
        Archive => "archive",
        Withdraw => "withdraw",
    }
}

codes! {
    /// An officer's opinion on the handling the prosecutor proposes, and a decision's stance on it.
    Opinion {
        Agree => "agree",
        Disagree => "disagree",
        /// 部分同意
        Partly => "partly",
    }
}

/// 3–7 hearing officers per hearing (DOMAIN.md §4.2).
pub const OFFICERS: RangeInclusive<usize> = 3..=7;

/// The seven steps of the proceedings, in order (Art. 15); the record has one entry per step.
pub const STEPS: [&str; 7] = [
    "present",    // 承办检察官介绍案件情况和需要听证的问题
    "parties",    // 当事人及其他参加人陈述
    "question",   // 听证员向当事人提问
    "deliberate", // 休会，听证员评议
    "opinions",   // 复会，听证员发表意见
    "final",      // 当事人最后陈述
    "summary",    // 主持人总结
];

impl HearingKind {
    /// Art. 5: non-prosecution, appeal, civil, administrative and public-interest hearings are
    /// generally public; arrest and custody reviews generally not. A minor party always closes it.
    pub fn public_by_default(self) -> bool {
        !matches!(self, HearingKind::CustodyReview | HearingKind::ArrestReview)
    }
}

/// Waiting for the chief prosecutor: a proposal to approve (§3.6 Art. 4 "经检察长批准").
pub const AWAITING_CHIEF: &[HearingState] = &[HearingState::Proposed];

impl Venue {
    /// Art. 12: away from the hearing room (a doorstep hearing in a village) needs the chief
    /// prosecutor's approval.
    pub fn needs_chief_approval(self) -> bool {
        matches!(self, Venue::Doorstep | Venue::Elsewhere)
    }
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum HearingError {
    #[error("{command} is not possible while the hearing is {from}")]
    NotNow {
        from: HearingState,
        command: HearingCommand,
    },
}

impl HearingState {
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            HearingState::Archived | HearingState::Refused | HearingState::Withdrawn
        )
    }

    /// The commands that may follow this state.
    pub fn commands(self) -> Vec<HearingCommand> {
        HearingCommand::ALL
            .iter()
            .copied()
            .filter(|c| next(self, *c).is_ok())
            .collect()
    }
}

impl HearingCommand {
    /// Only the chief prosecutor approves or rejects (Art. 4); the rest is the case prosecutor's.
    pub fn is_chiefs(self) -> bool {
        matches!(self, HearingCommand::Approve | HearingCommand::Reject)
    }
}

/// The state a command leads to from a state.
pub fn next(from: HearingState, command: HearingCommand) -> Result<HearingState, HearingError> {
    use HearingCommand as C;
    use HearingState as S;
    let to = match (from, command) {
        (S::Applied, C::Accept) => S::Proposed,
        (S::Applied, C::Refuse) => S::Refused,
        (S::Proposed, C::Approve) => S::Approved,
        (S::Proposed, C::Reject) => S::Refused,
        // Preparing again (another date, other officers) is possible until the notices are out.
        (S::Approved | S::Prepared, C::Prepare) => S::Prepared,
        (S::Prepared, C::Notify) => S::Noticed,
        (S::Noticed, C::Hold) => S::Held,
        // Each officer's opinion, one by one; a slip is corrected before the decision.
        (S::Held | S::OpinionsRecorded, C::RecordOpinions) => S::OpinionsRecorded,
        (S::OpinionsRecorded, C::Decide) => S::Decided,
        (S::Decided, C::Announce) => S::Announced,
        (S::Announced, C::Archive) => S::Archived,
        (S::Applied | S::Proposed | S::Approved | S::Prepared | S::Noticed, C::Withdraw) => S::Withdrawn,
        _ => return Err(HearingError::NotNow { from, command }),
    };
    Ok(to)
}

/// Whether a hearing is public: as proposed (by default per [`HearingKind::public_by_default`]); never when a party is a minor
/// (Art. 5; Minor Protection Law Art. 103).
pub fn is_public(wants_public: bool, minor_party: bool) -> bool {
    !minor_party && wants_public
}

/// The officers' majority: the opinion held by more than half of them, if any.
pub fn majority(opinions: &[Opinion]) -> Option<Opinion> {
    Opinion::ALL
        .iter()
        .copied()
        .find(|o| opinions.iter().filter(|x| *x == o).count() * 2 > opinions.len())
}

/// The officers' opinions are an important reference; a decision that departs from their majority
/// is reported to the chief prosecutor (DOMAIN.md §3.6 "effect of opinions"). Where they are split
/// with no majority, some opinions go unadopted whatever is decided: that is reported too.
pub fn departs_from_majority(decision: Opinion, opinions: &[Opinion]) -> bool {
    match majority(opinions) {
        Some(m) => m != decision,
        None => !opinions.is_empty(),
    }
}

/// Parties' names masked for the public (surname + 某): each name given is replaced wherever it
/// appears, longest first so that 张三丰 is not left as 张某丰.
pub fn masked(text: &str, names: &[String]) -> String {
    let mut names: Vec<&String> = names.iter().filter(|n| n.trim().chars().count() >= 2).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let mut out = text.to_owned();
    for n in names {
        let n = n.trim();
        out = out.replace(n, &format!("{}某", officer::surname(n)));
    }
    out
}

#[cfg(test)]
mod tests;
