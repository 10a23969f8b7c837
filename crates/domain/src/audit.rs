//! The audit trail's rules: what an event records, which values are never written in clear, and the
//! SM3 hash chain that makes alteration or deletion of a sealed event detectable (DOMAIN.md §6.2,
//! §6.3: integrity of audit data by SM3).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sm3::{Digest, Sm3};

use crate::policy::codes;

codes! {
    /// How the audited attempt ended.
    Outcome {
        Success => "success",
        Failure => "failure",
        Denied => "denied",
    }
}

/// The hash that precedes the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub const REDACTED: &str = "[已隐去]";

/// Field names whose values never appear in the audit trail.
pub fn is_sensitive_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "totp",
        "hash",
        "phone",
        "id_number",
        "resident_id",
        "key",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// A change set `{"field": {"from": .., "to": ..}}` with sensitive values replaced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a field only if it changed.
    pub fn field(mut self, name: &str, from: impl Into<Value>, to: impl Into<Value>) -> Self {
        let (from, to) = (from.into(), to.into());
        if from != to {
            let (from, to) = if is_sensitive_field(name) {
                (Value::from(REDACTED), Value::from(REDACTED))
            } else {
                (from, to)
            };
            let mut m = Map::new();
            m.insert("from".into(), from);
            m.insert("to".into(), to);
            self.0.insert(name.to_owned(), Value::Object(m));
        }
        self
    }

    /// Records a value that was set (a creation, or a fact about the act).
    pub fn set(self, name: &str, to: impl Into<Value>) -> Self {
        self.field(name, Value::Null, to)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

/// The fields of an event that the chain protects, in a fixed order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedFields<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub occurred_at_ms: i64,
    pub actor_user_id: &'a str,
    pub actor_name: &'a str,
    pub agency_id: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub outcome: &'a str,
    pub changes: &'a str,
    pub request_id: &'a str,
    pub ip: &'a str,
    /// The kind of principal (`user`, `partner`, `public`, `system`). Events sealed before the
    /// column existed have none; it enters the hash only when present, so their links still hold.
    pub principal: &'a str,
}

impl SealedFields<'_> {
    /// Length-prefixed so that no two different events serialise alike.
    fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let seq = self.seq.to_string();
        let at = self.occurred_at_ms.to_string();
        for part in [
            seq.as_str(),
            self.id,
            at.as_str(),
            self.actor_user_id,
            self.actor_name,
            self.agency_id,
            self.action,
            self.target_type,
            self.target_id,
            self.outcome,
            self.changes,
            self.request_id,
            self.ip,
        ] {
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        if !self.principal.is_empty() {
            out.extend_from_slice(&(self.principal.len() as u32).to_be_bytes());
            out.extend_from_slice(self.principal.as_bytes());
        }
        out
    }

    /// SM3(previous hash ‖ canonical event), hex.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sm3::new();
        h.update(prev_hash.as_bytes());
        h.update(self.canonical());
        data_encoding::HEXLOWER.encode(&h.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> SealedFields<'_> {
        SealedFields {
            seq: 1,
            id: "0190",
            occurred_at_ms: 1,
            actor_user_id: "u",
            actor_name: "张三",
            agency_id: "a",
            action,
            target_type: "user",
            target_id: "t",
            outcome: "success",
            changes: "{}",
            request_id: "r",
            ip: "127.0.0.1",
            principal: "user",
        }
    }

    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905-2016 example 1.
        let d = Sm3::digest(b"abc");
        assert_eq!(
            data_encoding::HEXLOWER.encode(&d),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn any_change_to_an_event_or_its_predecessor_changes_the_hash() {
        let h = event("login").chain_hash(GENESIS);
        assert_eq!(h.len(), 64);
        assert_eq!(h, event("login").chain_hash(GENESIS));
        assert_ne!(h, event("logout").chain_hash(GENESIS));
        assert_ne!(h, event("login").chain_hash(&h));
        let mut moved = event("login");
        moved.seq = 2;
        assert_ne!(h, moved.chain_hash(GENESIS));
        let mut relabelled = event("login");
        relabelled.principal = "system";
        assert_ne!(h, relabelled.chain_hash(GENESIS));
        relabelled.principal = "";
        assert_ne!(
            h,
            relabelled.chain_hash(GENESIS),
            "blanking the principal is detected"
        );
    }

    #[test]
    fn sensitive_values_are_redacted_and_unchanged_fields_skipped() {
        let c = Changes::new()
            .field("password_hash", "old", "new")
            .field("display_name", "甲", "乙")
            .field("agency", "x", "x");
        let json = c.to_json();
        assert!(json.contains(REDACTED));
        assert!(!json.contains("old") && !json.contains("new"));
        assert!(json.contains("乙"));
        assert!(!json.contains("agency"));
    }
}
