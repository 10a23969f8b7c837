//! The vocabulary of a case outside its workflow: parties, replies, mediation, follow-up.

use crate::policy::codes;
use crate::workflow::{CaseKind, Channel};

codes! {
    PartyRole {
        Petitioner => "petitioner",
        Respondent => "respondent",
        Victim => "victim",
        Suspect => "suspect",
        Guardian => "guardian",
        Other => "other",
    }
}

/// The most parties one case records: a collective petition of a whole village group fits; more
/// is a list to attach, not parties to type (and keeps every statement inside the databases'
/// limits on bound values).
pub const MAX_PARTIES: usize = 100;

/// Why a case's replies are not owed, recorded on the case and its reply clocks (§3.2): an
/// anonymous petition, or one with neither a phone nor an address to answer (a minors' criminal
/// case is answered through the proceedings); empty when they are owed.
pub fn reply_exemption(anonymous: bool, contactable: bool, kind: CaseKind) -> &'static str {
    if anonymous {
        "匿名信访，无法答复"
    } else if !contactable && kind != CaseKind::MinorCriminal {
        "无联系方式，无法答复"
    } else {
        ""
    }
}

codes! {
    ReplyKind {
        /// §3.2: within 7 days — accepted, not accepted, materials needed, or transferred.
        Procedural => "procedural",
        /// §3.2: every month after three months until the result.
        Progress => "progress",
        /// §3.2: the result, within three months.
        Result => "result",
    }
}

codes! {
    ReplyChannel {
        InPerson => "in_person",
        Letter => "letter",
        Phone => "phone",
        Sms => "sms",
        Portal => "portal",
    }
}

codes! {
    MediationOutcome {
        Agreed => "agreed",
        Continued => "continued",
        Failed => "failed",
    }
}

codes! {
    Satisfaction {
        Satisfied => "satisfied",
        Basically => "basically",
        Unsatisfied => "unsatisfied",
    }
}

/// Flags of a party beside minority, which the identity number gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyFlags {
    pub minor: bool,
    pub elderly: bool,
    pub disabled: bool,
    pub impoverished: bool,
}

impl PartyFlags {
    pub fn vulnerable(&self) -> bool {
        self.minor || self.elderly || self.disabled || self.impoverished
    }
}

/// Formats a case number from a pattern: `{agency}` the agency's short name, `{kind}` the kind's
/// one-character abbreviation, `{year}` and `{seq}`. The default pattern gives `甘州检信〔2026〕123号`.
pub fn case_number(pattern: &str, agency: &str, kind: CaseKind, year: i32, seq: i64) -> String {
    let abbr = match kind {
        CaseKind::Petition => "信",
        CaseKind::Dispute => "调",
        CaseKind::GovPetition => "访",
        CaseKind::MinorCriminal => "刑",
    };
    pattern
        .replace("{agency}", agency)
        .replace("{kind}", abbr)
        .replace("{year}", &year.to_string())
        .replace("{seq}", &seq.to_string())
}

/// The number series a case is counted in: one per kind (字) when the pattern shows the kind,
/// else one for all — numbers must never repeat.
pub fn number_series(pattern: &str, kind: CaseKind) -> &'static str {
    if pattern.contains("{kind}") {
        kind.code()
    } else {
        ""
    }
}

pub const DEFAULT_NUMBER_PATTERN: &str = "{agency}{kind}〔{year}〕{seq}号";

/// A tracking code for the public portal: 10 characters from an alphabet without look-alikes.
pub fn tracking_code(random: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random
        .iter()
        .take(10)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// A tracking code as typed: case, spaces and dashes do not matter.
pub fn normalize_tracking_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// What a user registers most, by role (issue 10 §4): grid workers find disputes while screening
/// their grid (§3.1, "网格排查"); the township centres' and partner agencies' handlers take
/// disputes brought to them; the juvenile team receives minor criminal cases from case handling
/// (§3.4); the 12309 desk and the prosecutors take petitions by visit (§3.2). The first role that
/// names a usual intake decides.
pub fn usual_intake(roles: &[crate::policy::Role]) -> (CaseKind, Channel) {
    use crate::policy::Role;
    for r in roles {
        match r {
            Role::GridWorker => return (CaseKind::Dispute, Channel::GridScreening),
            Role::PartnerHandler => return (CaseKind::Dispute, Channel::Visit),
            Role::JuvenileTeam => return (CaseKind::MinorCriminal, Channel::CaseHandling),
            Role::ReceptionClerk => return (CaseKind::Petition, Channel::Visit),
            _ => {}
        }
    }
    (CaseKind::Petition, Channel::Visit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_read_whatever_the_case() {
        assert_eq!(normalize_tracking_code(" abcd-efgh 23 "), "ABCDEFGH23");
    }

    #[test]
    fn the_default_number_pattern() {
        assert_eq!(
            case_number(DEFAULT_NUMBER_PATTERN, "甘州检", CaseKind::Petition, 2026, 123),
            "甘州检信〔2026〕123号"
        );
    }

    #[test]
    fn tracking_codes_avoid_look_alikes() {
        let code = tracking_code(&[0, 8, 14, 31, 32, 255, 1, 2, 3, 4, 5]);
        assert_eq!(code.len(), 10);
        assert!(!code.contains('0') && !code.contains('O') && !code.contains('I'));
    }
}
