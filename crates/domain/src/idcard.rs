//! Resident identity card numbers (GB 11643-1999, DOMAIN.md §4.8): 6-digit address code, 8-digit birth
//! date, 3-digit sequence whose last digit is odd for men and even for women, and an ISO 7064 MOD 11-2
//! check character. Sex, birth date and therefore minority are derived from the number.

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use crate::policy::codes;

codes! {
    Sex {
        Male => "male",
        Female => "female",
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum IdCardError {
    #[error("an identity number has 18 characters (15 on a first-generation card)")]
    Length,
    #[error("only digits, and X as the last character")]
    Characters,
    #[error("the birth date {0} does not exist or lies in the future")]
    BirthDate(String),
    /// The check character does not match: the one the first 17 digits call for.
    #[error("the check character should be {expected}")]
    CheckDigit { expected: char, found: char },
}

/// A valid 18-character resident identity number.
#[derive(Clone, PartialEq, Eq)]
pub struct ResidentId(String);

impl std::fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl ResidentId {
    /// Parses and checks a number as typed: spaces ignored, a lower-case x accepted. `today` bounds
    /// the birth date. A 15-digit number of the first-generation card (GB 11643-1989: a two-digit
    /// year of the 1900s, no check character) is converted to the 18-character number the same
    /// person holds now, so that both find the same person (DOMAIN.md §4.8).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdCardError> {
        let mut s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.len() == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
            let mut long = format!("{}19{}", &s[..6], &s[6..]);
            long.push(check_char(long.as_bytes()));
            s = long;
        }
        if s.chars().count() != 18 {
            return Err(IdCardError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdCardError::Characters);
        }
        let birth = &s[6..14];
        match NaiveDate::parse_from_str(birth, "%Y%m%d") {
            Ok(d) if d <= today && d.year() >= 1880 => {}
            _ => return Err(IdCardError::BirthDate(birth.to_owned())),
        }
        let expected = check_char(&b[..17]);
        let found = char::from(b[17]);
        if expected != found {
            return Err(IdCardError::CheckDigit { expected, found });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Full years of age on `day`.
    pub fn age_on(&self, day: NaiveDate) -> u32 {
        let b = self.birth_date();
        let mut age = day.year() - b.year();
        if (day.month(), day.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        u32::try_from(age).unwrap_or(0)
    }

    /// Under 18 on `day`: a minor (guardian required, identity not disclosable; PIPL Art. 28 for <14).
    pub fn is_minor_on(&self, day: NaiveDate) -> bool {
        self.age_on(day) < 18
    }

    /// `6207**********123X`: the province and city, and the last four characters.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn the_reference_number_is_valid_and_female() {
        let id = ResidentId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.age_on(today()), 76);
        assert_eq!(id.masked(), "1101**********002X");
    }

    #[test]
    fn a_wrong_check_character_names_the_right_one() {
        assert_eq!(
            ResidentId::parse("110105194912310021", today()),
            Err(IdCardError::CheckDigit {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn a_first_generation_number_becomes_the_eighteen_character_one() {
        // 110105 49 1231 002 → 110105 1949 1231 002 X
        let id = ResidentId::parse("110105491231002", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_date().to_string(), "1949-12-31");
        // Its date is checked as any other: there is no 13th month.
        assert!(matches!(
            ResidentId::parse("110105491331002", today()),
            Err(IdCardError::BirthDate(_))
        ));
        // Fifteen characters with a letter are no first-generation number.
        assert_eq!(
            ResidentId::parse("11010549123100X", today()),
            Err(IdCardError::Length)
        );
    }

    #[test]
    fn length_characters_and_dates_are_checked() {
        assert_eq!(ResidentId::parse("1101051949", today()), Err(IdCardError::Length));
        assert_eq!(
            ResidentId::parse("1101051949123100X2", today()),
            Err(IdCardError::Characters)
        );
        assert!(matches!(
            ResidentId::parse("110105194902300020", today()),
            Err(IdCardError::BirthDate(_))
        ));
        assert!(matches!(
            ResidentId::parse("110105203001010020", today()),
            Err(IdCardError::BirthDate(_))
        ));
    }

    #[test]
    fn minority_turns_on_the_eighteenth_birthday() {
        let body = "62070220081128123";
        let id = format!("{body}{}", check_char(body.as_bytes()));
        let id = ResidentId::parse(&id, today()).unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert!(!id.is_minor_on(today()));
        assert!(id.is_minor_on(today().pred_opt().unwrap()));
    }
}
