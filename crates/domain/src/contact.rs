//! Attempts to reach a petitioner (DOMAIN.md §3.2 exemptions: "cannot reply: anonymous,
//! no/incorrect contact, phone unanswered → record reason"). The replies owed to a petitioner are
//! exempted only on the record: a wrong number or a returned letter, or a phone left unanswered on
//! several days.

use chrono::NaiveDate;

use crate::policy::codes;

codes! {
    /// How one attempt went.
    Outcome {
        /// The petitioner was reached.
        Reached => "reached",
        /// The phone rang unanswered (or was switched off).
        Unanswered => "unanswered",
        /// The number is wrong or not in service.
        WrongNumber => "wrong_number",
        /// The letter came back undelivered.
        Returned => "returned",
    }
}

codes! {
    /// How the petitioner was tried.
    Means {
        Phone => "phone",
        Sms => "sms",
        Letter => "letter",
        Visit => "visit",
    }
}

/// DOMAIN.md does not say how often an unanswered phone must be tried before a petitioner counts
/// as unreachable; gongzhi asks for three unanswered calls on at least two different days (a
/// practice default, not a statute).
pub const UNANSWERED_CALLS: usize = 3;
pub const UNANSWERED_DAYS: usize = 2;

/// One recorded attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub on: NaiveDate,
    pub outcome: Outcome,
}

/// Why the replies cannot be given, if the attempts show it (the reason recorded on the case and
/// its reply clocks); `None` while the petitioner may still be reached. A reach after the failures
/// means the contact works.
pub fn unreachable(attempts: &[Attempt]) -> Option<&'static str> {
    if attempts.iter().any(|a| a.outcome == Outcome::Reached) {
        return None;
    }
    if attempts.iter().any(|a| a.outcome == Outcome::WrongNumber) {
        return Some("联系方式有误，无法答复");
    }
    if attempts.iter().any(|a| a.outcome == Outcome::Returned) {
        return Some("信件被退回，无法答复");
    }
    let unanswered: Vec<NaiveDate> = attempts
        .iter()
        .filter(|a| a.outcome == Outcome::Unanswered)
        .map(|a| a.on)
        .collect();
    let mut days = unanswered.clone();
    days.sort();
    days.dedup();
    (unanswered.len() >= UNANSWERED_CALLS && days.len() >= UNANSWERED_DAYS)
        .then_some("多次联系无人接听，无法答复")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, outcome: Outcome) -> Attempt {
        Attempt {
            on: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            outcome,
        }
    }

    #[test]
    fn three_unanswered_calls_on_two_days_make_a_petitioner_unreachable() {
        use Outcome::*;
        assert_eq!(unreachable(&[]), None);
        assert_eq!(
            unreachable(&[at(1, Unanswered), at(1, Unanswered), at(1, Unanswered)]),
            None,
            "one day"
        );
        assert_eq!(
            unreachable(&[at(1, Unanswered), at(2, Unanswered)]),
            None,
            "two calls"
        );
        assert!(unreachable(&[at(1, Unanswered), at(1, Unanswered), at(2, Unanswered)]).is_some());
        assert_eq!(
            unreachable(&[
                at(1, Unanswered),
                at(1, Unanswered),
                at(2, Unanswered),
                at(3, Reached)
            ]),
            None,
            "reached in the end"
        );
        assert_eq!(unreachable(&[at(1, WrongNumber)]), Some("联系方式有误，无法答复"));
        assert_eq!(unreachable(&[at(1, Returned)]), Some("信件被退回，无法答复"));
    }
}
