//! Time: stored as UTC milliseconds, shown in China Standard Time (UTC+8, no daylight saving since 1991).

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

pub type Timestamp = DateTime<Utc>;

/// Asia/Shanghai has had a fixed +08:00 offset since 1991, so no tz database is needed.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

pub fn to_millis(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub fn from_millis(ms: i64) -> Timestamp {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// `2026-11-28 17:31` in China time, the way office staff read times.
pub fn format_local(t: Timestamp) -> String {
    t.with_timezone(&china()).format("%Y-%m-%d %H:%M").to_string()
}

pub fn format_local_seconds(t: Timestamp) -> String {
    t.with_timezone(&china()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The calendar date in China for an instant.
pub fn local_date(t: Timestamp) -> NaiveDate {
    t.with_timezone(&china()).date_naive()
}

/// The first instant of a China-time date, in UTC.
pub fn start_of_local_day(d: NaiveDate) -> Timestamp {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    china()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_formatting_is_utc_plus_eight() {
        let t = from_millis(0);
        assert_eq!(format_local(t), "1970-01-01 08:00");
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(start_of_local_day(d).to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(to_millis(from_millis(1_700_000_000_123)), 1_700_000_000_123);
    }
}
