//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits) — the form every
//! authenticator app reads — used as the second factor MLPS level 3 asks of administrators.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;

/// The code for a given 30-second counter.
pub fn code_at(secret: &[u8], counter: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // RFC 4226 §5.3 dynamic truncation.
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:0width$}", bin % 10u32.pow(DIGITS), width = DIGITS as usize)
}

pub fn counter_at(unix_seconds: i64) -> u64 {
    (unix_seconds.max(0) / STEP_SECONDS) as u64
}

/// Accepts the current code and the ones a step either side (clock drift), and returns the matched
/// counter so that the caller can refuse replays of an already used code.
pub fn verify(secret: &[u8], code: &str, unix_seconds: i64) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = counter_at(unix_seconds);
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|c| constant_time_eq(code_at(secret, *c).as_bytes(), code.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn encode_secret(secret: &[u8]) -> String {
    BASE32_NOPAD.encode(secret)
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        encode_secret(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn matches_the_rfc_6238_test_vectors() {
        // RFC 6238 Appendix B (SHA1), last six digits of the 8-digit values.
        assert_eq!(code_at(RFC_SECRET, counter_at(59)), "287082");
        assert_eq!(code_at(RFC_SECRET, counter_at(1_111_111_109)), "081804");
        assert_eq!(code_at(RFC_SECRET, counter_at(2_000_000_000)), "279037");
    }

    #[test]
    fn accepts_one_step_of_drift_and_nothing_more() {
        let now = 1_700_000_000;
        let earlier = code_at(RFC_SECRET, counter_at(now - 30));
        assert_eq!(verify(RFC_SECRET, &earlier, now), Some(counter_at(now - 30)));
        let old = code_at(RFC_SECRET, counter_at(now - 90));
        assert_eq!(verify(RFC_SECRET, &old, now), None);
        assert_eq!(verify(RFC_SECRET, "12ab56", now), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = provisioning_uri(b"abcdefghij", "共治", "admin");
        assert!(uri.starts_with("otpauth://totp/%E5%85%B1%E6%B2%BB:admin?secret=MFRGGZDFMZTWQ2LK"));
    }
}
