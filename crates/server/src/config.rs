//! Configuration: embedded defaults, then an optional TOML file, then `GONGZHI__SECTION__KEY`
//! environment variables, each overriding the one before.

use std::path::Path;

use serde::Deserialize;

const DEFAULTS: &str = r#"
[database]
url = "sqlite://./data/gongzhi.db"
# A PostgreSQL streaming replica: search, dashboards, returns and exports read there (README).
read_url = ""
max_connections = 8

[http]
bind = "127.0.0.1:8080"
secure_cookies = false
# Reverse proxies / load balancers whose X-Forwarded-For names the client, e.g. "10.0.0.0/8".
trusted_proxies = ""

[security]
field_key = ""
index_key = ""
max_failed_logins = 5
max_failures_per_address = 30
lockout_minutes = 15
idle_timeout_minutes = 30
session_hours = 12
api_token_hours = 12
admin_totp_required = true
audit_retention_days = 190

[cases]
# {agency} the agency's short name, {kind} 信/调/访/刑, {year}, {seq}: 甘州检信〔2026〕123号
number_pattern = "{agency}{kind}〔{year}〕{seq}号"
max_attachment_mb = 5
# Likely repeats at intake (issue 13 §2): the same petitioner and respondent within this many
# days, or narratives within this many bits of SimHash (0 to 3).
repeat_window_days = 365
duplicate_distance = 3
# Demo cases added by `serve --demo` and `seed-demo`.
demo_cases = 2000

[log]
format = "text"
"#;

#[derive(Debug, Deserialize, Clone)]
pub struct Config {
    pub database: Database,
    pub http: Http,
    pub security: Security,
    pub cases: Cases,
    pub log: Log,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Database {
    pub url: String,
    /// A PostgreSQL streaming replica for the reads that may lag (issue 13 §8); none when empty.
    #[serde(default)]
    pub read_url: String,
    pub max_connections: u32,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Http {
    pub bind: String,
    pub secure_cookies: bool,
    pub trusted_proxies: String,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Security {
    /// SM4 key for field encryption, 32 hex digits.
    pub field_key: String,
    /// HMAC-SM3 key for blind indexes, 32 hex digits.
    pub index_key: String,
    pub max_failed_logins: i64,
    pub max_failures_per_address: i64,
    pub lockout_minutes: i64,
    pub idle_timeout_minutes: i64,
    pub session_hours: i64,
    pub api_token_hours: i64,
    pub admin_totp_required: bool,
    pub audit_retention_days: i64,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Cases {
    pub number_pattern: String,
    pub max_attachment_mb: i64,
    pub repeat_window_days: i64,
    pub duplicate_distance: u32,
    pub demo_cases: i64,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Log {
    pub format: String,
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// An environment value keeps the type of the default it replaces.
fn typed(default: Option<&toml::Value>, raw: &str) -> toml::Value {
    match default {
        Some(toml::Value::Integer(_)) => raw
            .parse()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(raw.into())),
        Some(toml::Value::Boolean(_)) => raw
            .parse()
            .map(toml::Value::Boolean)
            .unwrap_or_else(|_| toml::Value::String(raw.into())),
        _ => toml::Value::String(raw.into()),
    }
}

pub fn load(file: Option<&Path>, env: impl Iterator<Item = (String, String)>) -> Result<Config, String> {
    let mut value: toml::Value = toml::from_str(DEFAULTS).map_err(|e| e.to_string())?;
    if let Some(path) = file {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let over: toml::Value = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        merge(&mut value, over);
    }
    for (k, v) in env {
        let Some(rest) = k.strip_prefix("GONGZHI__") else {
            continue;
        };
        let Some((section, key)) = rest.split_once("__") else {
            continue;
        };
        let (section, key) = (section.to_lowercase(), key.to_lowercase());
        let default = value.get(&section).and_then(|s| s.get(&key)).cloned();
        let mut over = toml::map::Map::new();
        let mut inner = toml::map::Map::new();
        inner.insert(key, typed(default.as_ref(), &v));
        over.insert(section, toml::Value::Table(inner));
        merge(&mut value, toml::Value::Table(over));
    }
    let cfg: Config = value.try_into().map_err(|e: toml::de::Error| e.to_string())?;
    if cfg.security.audit_retention_days < gongzhi_app::MIN_AUDIT_RETENTION_DAYS {
        return Err(format!(
            "security.audit_retention_days must be at least {} (Cybersecurity Law Art. 21: six months)",
            gongzhi_app::MIN_AUDIT_RETENTION_DAYS
        ));
    }
    if !cfg.cases.number_pattern.contains("{seq}") {
        return Err("cases.number_pattern must contain {seq}".into());
    }
    if !(1..=8).contains(&cfg.cases.max_attachment_mb) {
        return Err("cases.max_attachment_mb must be between 1 and 8 (the request limit)".into());
    }
    if !(1..=3650).contains(&cfg.cases.repeat_window_days) {
        return Err("cases.repeat_window_days must be between 1 and 3650".into());
    }
    // Four 16-bit bands find every case within three bits, and no further.
    if cfg.cases.duplicate_distance > 3 {
        return Err("cases.duplicate_distance must be between 0 and 3".into());
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_environment() {
        let env = vec![
            (
                "GONGZHI__DATABASE__URL".to_owned(),
                "postgres://x@h/db".to_owned(),
            ),
            ("GONGZHI__HTTP__BIND".to_owned(), "0.0.0.0:9000".to_owned()),
            ("GONGZHI__SECURITY__MAX_FAILED_LOGINS".to_owned(), "3".to_owned()),
            ("OTHER".to_owned(), "x".to_owned()),
        ];
        let c = load(None, env.into_iter()).unwrap();
        assert_eq!(c.database.url, "postgres://x@h/db");
        assert_eq!(c.http.bind, "0.0.0.0:9000");
        assert_eq!(c.security.max_failed_logins, 3);
        assert_eq!(c.security.idle_timeout_minutes, 30);
    }

    #[test]
    fn retention_below_six_months_is_refused() {
        let env = vec![(
            "GONGZHI__SECURITY__AUDIT_RETENTION_DAYS".to_owned(),
            "30".to_owned(),
        )];
        assert!(load(None, env.into_iter()).is_err());
    }
}
