//! Procuratorial suggestions (检察建议, DOMAIN.md §3.7, §4.3; 人民检察院检察建议工作规定 2019): the
//! five types, the state machine from a clue to closing, the number `{简称}建〔{年}〕{n}号`, the
//! reply period from receipt, and the escalation ladder.

use thiserror::Error;

use crate::policy::codes;

codes! {
    /// The five types (the "five-fold classification").
    SuggestionType {
        /// 再审检察建议
        Retrial => "retrial",
        /// 纠正违法检察建议
        Correction => "correction",
        /// 公益诉讼检察建议（诉前）
        PublicInterest => "public_interest",
        /// 社会治理检察建议
        SocialGovernance => "social_governance",
        Other => "other",
    }
}

codes! {
    SuggestionState {
        /// A clue from one or more cases.
        Clue => "clue",
        /// Records consulted, people heard, sites visited (no measure restricting liberty or property).
        Investigating => "investigating",
        Drafted => "drafted",
        /// Decided by the chief prosecutor (or the committee) and numbered.
        Issued => "issued",
        /// Served (written or announced delivery); the reply period runs from receipt.
        AwaitingReply => "awaiting_reply",
        /// The recipient objects; the prosecutor re-checks.
        Objected => "objected",
        Replied => "replied",
        /// Not rectified without good reason after reminders: escalated along the ladder.
        Escalated => "escalated",
        /// The follow-up check (回头看) found it adopted and rectified.
        Rectified => "rectified",
        Evaluated => "evaluated",
        Closed => "closed",
        Withdrawn => "withdrawn",
    }
}

codes! {
    SuggestionCommand {
        Investigate => "investigate",
        Draft => "draft",
        /// The chief prosecutor's (or the committee's) decision: issued and numbered.
        Decide => "decide",
        /// The chief prosecutor sends the draft back.
        SendBack => "send_back",
        Serve => "serve",
        Object => "object",
        /// The re-check of an objection: amend, uphold (reply period continues) or withdraw.
        Recheck => "recheck",
        Reply => "reply",
        Remind => "remind",
        Escalate => "escalate",
        /// 回头看 found it rectified (when not, it is escalated).
        FollowUp => "follow_up",
        Evaluate => "evaluate",
        Close => "close",
        Withdraw => "withdraw",
    }
}

codes! {
    /// §3.7 "delivery": in writing, or read in person (inviting deputies, members, supervisors).
    Delivery {
        Written => "written",
        Announced => "announced",
    }
}

codes! {
    /// What a re-check of an objection decides (Art. 23).
    Recheck {
        Amend => "amend",
        Uphold => "uphold",
        Withdraw => "withdraw",
    }
}

/// §3.7 "escalation", one rung at a time.
pub const LADDER: [&str; 3] = [
    // 报告上级检察院，通报被建议单位的上级机关、行政主管部门或行业自律组织
    "higher_authorities",
    // 报告同级党委、人大，通报同级政府、纪检监察机关
    "party_and_congress",
    // 依法提起公益诉讼
    "litigation",
];

/// The written reply is due 2 months after receipt (§4.3) unless the suggestion sets a shorter
/// period for an urgent matter; a public-interest pre-litigation suggestion where harm keeps
/// spreading: 15 days.
pub const REPLY_MONTHS: u32 = 2;
pub const URGENT_PUBLIC_INTEREST_DAYS: u32 = 15;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{command} is not possible while the suggestion is {from}")]
pub struct NotNow {
    pub from: SuggestionState,
    pub command: SuggestionCommand,
}

impl SuggestionCommand {
    /// The chief prosecutor's (or the committee's): decide, send back, escalate, and the outcome
    /// of a re-check (amend or withdraw; upholding is explained with the chief's consent, Art. 23).
    pub fn is_chiefs(self) -> bool {
        matches!(
            self,
            SuggestionCommand::Decide
                | SuggestionCommand::SendBack
                | SuggestionCommand::Escalate
                | SuggestionCommand::Recheck
        )
    }

    /// What the recipient agency may do itself, online.
    pub fn is_recipients(self) -> bool {
        matches!(self, SuggestionCommand::Object | SuggestionCommand::Reply)
    }
}

impl SuggestionState {
    pub fn is_open(self) -> bool {
        !matches!(self, SuggestionState::Closed | SuggestionState::Withdrawn)
    }

    /// Waiting for the recipient's written reply (the list per recipient, and the overdue check).
    pub fn awaits_reply(self) -> bool {
        matches!(self, SuggestionState::AwaitingReply | SuggestionState::Escalated)
    }

    pub fn commands(self) -> Vec<SuggestionCommand> {
        SuggestionCommand::ALL
            .iter()
            .copied()
            .filter(|c| {
                // A re-check has three outcomes; each is allowed where the command is.
                next(self, *c, Some(Recheck::Uphold)).is_ok()
            })
            .collect()
    }
}

/// The state a command leads to; `recheck` is the re-check's outcome (for `Recheck` only).
pub fn next(
    from: SuggestionState,
    command: SuggestionCommand,
    recheck: Option<Recheck>,
) -> Result<SuggestionState, NotNow> {
    use SuggestionCommand as C;
    use SuggestionState as S;
    let to = match (from, command) {
        (S::Clue, C::Investigate) => S::Investigating,
        (S::Clue | S::Investigating | S::Drafted, C::Draft) => S::Drafted,
        (S::Drafted, C::Decide) => S::Issued,
        (S::Drafted, C::SendBack) => S::Investigating,
        (S::Issued, C::Serve) => S::AwaitingReply,
        (S::AwaitingReply, C::Object) => S::Objected,
        (S::Objected, C::Recheck) => match recheck {
            Some(Recheck::Withdraw) => S::Withdrawn,
            Some(_) => S::AwaitingReply,
            None => return Err(NotNow { from, command }),
        },
        (S::AwaitingReply | S::Escalated, C::Reply) => S::Replied,
        (S::AwaitingReply | S::Escalated, C::Remind) => from,
        // No rectification without good reason after reminders, or a reply that the follow-up
        // check finds empty: up the ladder, with the chief prosecutor's decision.
        (S::AwaitingReply | S::Escalated | S::Replied, C::Escalate) => S::Escalated,
        (S::Replied, C::FollowUp) => S::Rectified,
        (S::Rectified, C::Evaluate) => S::Evaluated,
        (S::Evaluated, C::Close) => S::Closed,
        (S::Clue | S::Investigating | S::Drafted, C::Withdraw) => S::Withdrawn,
        _ => return Err(NotNow { from, command }),
    };
    Ok(to)
}

/// The number: the procuratorate's short name (`甘州检`) + 建〔year〕n号 (高检建〔2018〕1号 style).
/// Waiting for the chief prosecutor (§3.7): a draft to decide, and an objection to re-check.
pub const AWAITING_CHIEF: &[SuggestionState] = &[SuggestionState::Drafted, SuggestionState::Objected];

pub fn number(short_name: &str, year: i32, seq: i64) -> String {
    format!("{short_name}建〔{year}〕{seq}号")
}

/// The reply period in days when shortened, or `None` for the 2 months: an urgent suggestion
/// sets its own days (never more than the 2 months allow); an urgent public-interest one gets 15.
pub fn shortened_days(kind: SuggestionType, urgent: bool, days: u32) -> Option<u32> {
    match (urgent, kind) {
        (false, _) => None,
        // Where harm keeps spreading the public-interest reply is 15 days at most.
        (true, SuggestionType::PublicInterest) if days > 0 => Some(days.min(URGENT_PUBLIC_INTEREST_DAYS)),
        (true, SuggestionType::PublicInterest) => Some(URGENT_PUBLIC_INTEREST_DAYS),
        (true, _) if days > 0 => Some(days.min(59)),
        (true, _) => None,
    }
}

/// The next rung after `rung` (0: not yet escalated), or `None` at the top.
pub fn next_rung(rung: usize) -> Option<&'static str> {
    LADDER.get(rung).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SuggestionCommand as C;
    use SuggestionState as S;

    #[test]
    fn every_state_and_command() {
        let allowed: &[(S, C, S)] = &[
            (S::Clue, C::Investigate, S::Investigating),
            (S::Clue, C::Draft, S::Drafted),
            (S::Clue, C::Withdraw, S::Withdrawn),
            (S::Investigating, C::Draft, S::Drafted),
            (S::Investigating, C::Withdraw, S::Withdrawn),
            (S::Drafted, C::Draft, S::Drafted),
            (S::Drafted, C::Decide, S::Issued),
            (S::Drafted, C::SendBack, S::Investigating),
            (S::Drafted, C::Withdraw, S::Withdrawn),
            (S::Issued, C::Serve, S::AwaitingReply),
            (S::AwaitingReply, C::Object, S::Objected),
            (S::AwaitingReply, C::Reply, S::Replied),
            (S::AwaitingReply, C::Remind, S::AwaitingReply),
            (S::AwaitingReply, C::Escalate, S::Escalated),
            (S::Objected, C::Recheck, S::AwaitingReply),
            (S::Escalated, C::Reply, S::Replied),
            (S::Escalated, C::Remind, S::Escalated),
            (S::Escalated, C::Escalate, S::Escalated),
            (S::Replied, C::FollowUp, S::Rectified),
            (S::Replied, C::Escalate, S::Escalated),
            (S::Rectified, C::Evaluate, S::Evaluated),
            (S::Evaluated, C::Close, S::Closed),
        ];
        for from in SuggestionState::ALL {
            for command in SuggestionCommand::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, c, _)| f == from && c == command)
                    .map(|(_, _, to)| *to);
                let got = next(*from, *command, Some(Recheck::Uphold)).ok();
                assert_eq!(got, expected, "{from} {command}");
            }
        }
    }

    #[test]
    fn a_recheck_amends_upholds_or_withdraws() {
        assert_eq!(
            next(S::Objected, C::Recheck, Some(Recheck::Amend)),
            Ok(S::AwaitingReply)
        );
        assert_eq!(
            next(S::Objected, C::Recheck, Some(Recheck::Withdraw)),
            Ok(S::Withdrawn)
        );
        assert!(next(S::Objected, C::Recheck, None).is_err());
    }

    #[test]
    fn numbers_follow_the_spp_pattern() {
        assert_eq!(number("高检", 2018, 1), "高检建〔2018〕1号");
        assert_eq!(number("甘州检", 2026, 33), "甘州检建〔2026〕33号");
    }

    #[test]
    fn urgent_periods_are_shorter() {
        assert_eq!(shortened_days(SuggestionType::SocialGovernance, false, 10), None);
        assert_eq!(
            shortened_days(SuggestionType::SocialGovernance, true, 20),
            Some(20)
        );
        assert_eq!(shortened_days(SuggestionType::PublicInterest, true, 0), Some(15));
        assert_eq!(shortened_days(SuggestionType::PublicInterest, true, 40), Some(15));
        assert_eq!(shortened_days(SuggestionType::SocialGovernance, true, 0), None);
        assert_eq!(
            shortened_days(SuggestionType::SocialGovernance, true, 90),
            Some(59)
        );
    }

    #[test]
    fn the_ladder_has_three_rungs() {
        assert_eq!(next_rung(0), Some("higher_authorities"));
        assert_eq!(next_rung(2), Some("litigation"));
        assert_eq!(next_rung(3), None);
        assert!(C::Decide.is_chiefs() && C::Escalate.is_chiefs() && !C::Reply.is_chiefs());
        assert!(C::Reply.is_recipients() && C::Object.is_recipients() && !C::Serve.is_recipients());
    }
}
