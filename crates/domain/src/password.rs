//! Password rules for MLPS level 3 (DOMAIN.md §6.2): at least 8 characters from at least 3 of the
//! 4 classes (lower case, upper case, digits, symbols), and not the user name.

use thiserror::Error;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("too short")]
    TooShort,
    #[error("too long")]
    TooLong,
    #[error("needs three of four character classes")]
    TooFewClasses,
    #[error("contains the user name")]
    ContainsUsername,
}

impl PasswordError {
    /// Translation key of the message shown next to the field.
    pub fn message_key(&self) -> &'static str {
        match self {
            PasswordError::TooShort => "password-too-short",
            PasswordError::TooLong => "password-too-long",
            PasswordError::TooFewClasses => "password-too-few-classes",
            PasswordError::ContainsUsername => "password-contains-username",
        }
    }
}

pub fn check(password: &str, username: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(PasswordError::TooFewClasses);
    }
    let user = username.trim().to_lowercase();
    if user.len() >= 3 && password.to_lowercase().contains(&user) {
        return Err(PasswordError::ContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_three_policy_holds() {
        assert_eq!(check("Ab1!", "x"), Err(PasswordError::TooShort));
        assert_eq!(check("abcdefgh1", "x"), Err(PasswordError::TooFewClasses));
        assert_eq!(check("ABCDEFGH", "x"), Err(PasswordError::TooFewClasses));
        assert!(check("abcdefg1A", "x").is_ok());
        assert!(check("abcdefg1!", "x").is_ok());
        assert!(check("甘州区检察院a1!", "x").is_ok());
        assert_eq!(
            check("Zhangsan#2026", "zhangsan"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(check(&"Aa1!".repeat(40), "x"), Err(PasswordError::TooLong));
    }
}
