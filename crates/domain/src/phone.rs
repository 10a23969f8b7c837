//! Telephone numbers (DOMAIN.md §4.8): mobile `1[3-9]` + 9 digits with an optional +86/86, or a
//! landline 0 + 2–3-digit area code + 7–8 digits (Zhangye is 0936).

use std::fmt;

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("not a mainland mobile or landline number")]
pub struct PhoneError;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let cleaned: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = cleaned
            .strip_prefix("+86")
            .or_else(|| cleaned.strip_prefix("0086"))
            .unwrap_or(&cleaned);
        let digits = if digits.len() == 13 && digits.starts_with("86") {
            &digits[2..]
        } else {
            digits
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError);
        }
        let b = digits.as_bytes();
        let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        let landline = (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0';
        if mobile || landline {
            Ok(Self(digits.to_owned()))
        } else {
            Err(PhoneError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: the first three and last four digits stay visible.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!(
            "{}{}{}",
            &self.0[..3],
            "*".repeat(n.saturating_sub(7)),
            &self.0[n - 4..]
        )
    }

    /// The last four digits, as the public portal asks for.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_and_landline_numbers_parse_and_mask() {
        assert_eq!(Phone::parse("138 1234 5678").unwrap().masked(), "138****5678");
        assert_eq!(Phone::parse("+8613812345678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("8613812345678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("0936-8221234").unwrap().as_str(), "09368221234");
        assert_eq!(Phone::parse("09368221234").unwrap().masked(), "093****1234");
        assert_eq!(Phone::parse("12812345678"), Err(PhoneError));
        assert_eq!(Phone::parse("1381234567"), Err(PhoneError));
        assert_eq!(Phone::parse("1381234567x"), Err(PhoneError));
    }
}
