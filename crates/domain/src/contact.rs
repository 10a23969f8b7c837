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

/// The ways the case gives to reach the petitioner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channels {
    pub phone: bool,
    pub address: bool,
}

/// Why the replies cannot be given, if the attempts show it (the reason recorded on the case and
/// its reply clocks); `None` while the petitioner may still be reached. Every way on file must
/// have failed — a wrong number or calls unanswered on several days for the phone, a returned
/// letter for the address — since the last time the petitioner was reached.
pub fn unreachable(attempts: &[Attempt], channels: Channels) -> Option<&'static str> {
    let since = attempts
        .iter()
        .rposition(|a| a.outcome == Outcome::Reached)
        .map_or(attempts, |i| &attempts[i + 1..]);
    let wrong = since.iter().any(|a| a.outcome == Outcome::WrongNumber);
    let returned = since.iter().any(|a| a.outcome == Outcome::Returned);
    let unanswered: Vec<NaiveDate> = since
        .iter()
        .filter(|a| a.outcome == Outcome::Unanswered)
        .map(|a| a.on)
        .collect();
    let mut days = unanswered.clone();
    days.sort();
    days.dedup();
    let silent = unanswered.len() >= UNANSWERED_CALLS && days.len() >= UNANSWERED_DAYS;
    let phone_failed = !channels.phone || wrong || silent;
    let letter_failed = !channels.address || returned;
    if !(phone_failed && letter_failed) || !(wrong || returned || silent) {
        return None;
    }
    Some(if wrong {
        "联系方式有误，无法答复"
    } else if silent {
        "多次联系无人接听，无法答复"
    } else {
        "信件被退回，无法答复"
    })
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
    fn every_way_on_file_must_fail_since_the_last_reach() {
        use Outcome::*;
        let phone = Channels {
            phone: true,
            address: false,
        };
        let both = Channels {
            phone: true,
            address: true,
        };
        assert_eq!(unreachable(&[], phone), None);
        let one_day = [at(1, Unanswered), at(1, Unanswered), at(1, Unanswered)];
        assert_eq!(unreachable(&one_day, phone), None, "one day");
        assert_eq!(
            unreachable(&[at(1, Unanswered), at(2, Unanswered)], phone),
            None,
            "two calls"
        );
        let silent = [at(1, Unanswered), at(1, Unanswered), at(2, Unanswered)];
        assert_eq!(unreachable(&silent, phone), Some("多次联系无人接听，无法答复"));
        assert_eq!(unreachable(&silent, both), None, "a letter can still be sent");
        let mut then_returned = silent.to_vec();
        then_returned.push(at(3, Returned));
        assert!(unreachable(&then_returned, both).is_some(), "both ways failed");
        let mut reached = vec![at(1, Reached)];
        reached.extend(silent);
        assert!(
            unreachable(&reached, phone).is_some(),
            "failures after the last reach count"
        );
        let mut reached_last = silent.to_vec();
        reached_last.push(at(3, Reached));
        assert_eq!(unreachable(&reached_last, phone), None, "reached in the end");
        assert_eq!(
            unreachable(&[at(1, WrongNumber)], phone),
            Some("联系方式有误，无法答复")
        );
        let letter = Channels {
            phone: false,
            address: true,
        };
        assert_eq!(
            unreachable(&[at(1, Returned)], letter),
            Some("信件被退回，无法答复")
        );
    }
}
