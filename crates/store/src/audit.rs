//! The audit trail: events written in the business transaction, sealed later into the SM3 chain by one
//! sealer at a time (holding the `audit_chain` row), verified end to end, and purged only past the
//! retention period, moving the chain's anchor so that verification still holds.

use gongzhi_domain::PrincipalKind;
use gongzhi_domain::audit::{Outcome, SealedFields};
use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::rows::{Filter, insert_rows};
use crate::{Db, Result, code};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub occurred_at: time::Timestamp,
    pub actor_user_id: String,
    pub actor_name: String,
    pub agency_id: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub outcome: Outcome,
    pub changes: String,
    pub request_id: String,
    pub ip: String,
    pub principal: PrincipalKind,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub seq: Option<i64>,
    pub occurred_at: i64,
    pub actor_user_id: String,
    pub actor_name: String,
    pub agency_id: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub outcome: String,
    pub changes: String,
    pub request_id: String,
    pub ip: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub principal: String,
}

impl EventRow {
    pub fn outcome(&self) -> Result<Outcome> {
        code(&self.outcome, Outcome::parse)
    }

    fn sealed_fields(&self, seq: i64) -> SealedFields<'_> {
        SealedFields {
            seq,
            id: &self.id,
            occurred_at_ms: self.occurred_at,
            actor_user_id: &self.actor_user_id,
            actor_name: &self.actor_name,
            agency_id: &self.agency_id,
            action: &self.action,
            target_type: &self.target_type,
            target_id: &self.target_id,
            outcome: &self.outcome,
            changes: &self.changes,
            request_id: &self.request_id,
            ip: &self.ip,
            principal: &self.principal,
        }
    }
}

const COLS: &str = "id, seq, occurred_at, actor_user_id, actor_name, agency_id, action, target_type, target_id, \
                    outcome, changes, request_id, ip, prev_hash, hash, principal";

pub async fn insert(conn: &mut AnyConnection, e: &NewEvent) -> Result<Id> {
    let event_id = Id::new();
    insert_many(conn, &[(event_id, e.clone())]).await?;
    Ok(event_id)
}

/// Writes events, each with its id, in one statement.
pub async fn insert_many(conn: &mut AnyConnection, events: &[(Id, NewEvent)]) -> Result<()> {
    insert_rows!(conn, "audit_event", events, |x| {
        id: x.0.to_string(),
        occurred_at: time::to_millis(x.1.occurred_at),
        actor_user_id: &x.1.actor_user_id,
        actor_name: &x.1.actor_name,
        agency_id: &x.1.agency_id,
        action: &x.1.action,
        target_type: &x.1.target_type,
        target_id: &x.1.target_id,
        outcome: x.1.outcome.code(),
        changes: &x.1.changes,
        request_id: &x.1.request_id,
        ip: &x.1.ip,
        principal: x.1.principal.code(),
    })
    .await
}

const SEAL_BATCH: i64 = 500;

/// Seals every event written so far into the chain; returns how many were sealed.
pub async fn seal(db: &Db) -> Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let now = time::to_millis(chrono::Utc::now());
        // Taking the row first serialises sealers on both engines.
        sqlx::query("UPDATE audit_chain SET updated_at = $1 WHERE id = 1")
            .bind(now)
            .execute(tx.conn())
            .await?;
        let (mut last_seq, mut last_hash): (i64, String) =
            sqlx::query_as("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1")
                .fetch_one(tx.conn())
                .await?;
        let batch: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {COLS} FROM audit_event WHERE seq IS NULL ORDER BY id LIMIT {SEAL_BATCH}"
        ))
        .fetch_all(tx.conn())
        .await?;
        if batch.is_empty() {
            return Ok(total);
        }
        for e in &batch {
            let seq = last_seq + 1;
            let hash = e.sealed_fields(seq).chain_hash(&last_hash);
            sqlx::query("UPDATE audit_event SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
                .bind(seq)
                .bind(&last_hash)
                .bind(&hash)
                .bind(&e.id)
                .execute(tx.conn())
                .await?;
            last_seq = seq;
            last_hash = hash;
        }
        sqlx::query("UPDATE audit_chain SET last_seq = $1, last_hash = $2 WHERE id = 1")
            .bind(last_seq)
            .bind(&last_hash)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        total += batch.len() as u64;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The sequence number of the first event that does not verify.
    pub seq: i64,
    pub event_id: Option<String>,
    pub reason: BrokenReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokenReason {
    /// The event's content no longer matches its hash.
    Altered,
    /// The event's link to its predecessor does not match.
    LinkMismatch,
    /// No event carries this sequence number: it was deleted.
    Missing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub unsealed: i64,
    pub broken: Option<Broken>,
}

/// Walks the chain from its anchor to its head.
pub async fn verify(conn: &mut AnyConnection) -> Result<VerifyReport> {
    let (anchor_seq, anchor_hash, head_seq, head_hash): (i64, String, i64, String) =
        sqlx::query_as("SELECT anchor_seq, anchor_hash, last_seq, last_hash FROM audit_chain WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let (unsealed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE seq IS NULL")
        .fetch_one(&mut *conn)
        .await?;
    let mut report = VerifyReport {
        checked: 0,
        first_seq: anchor_seq + 1,
        last_seq: head_seq,
        unsealed,
        broken: None,
    };
    let mut expected = anchor_seq + 1;
    let mut running = anchor_hash;
    loop {
        let page: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {COLS} FROM audit_event WHERE seq >= $1 ORDER BY seq LIMIT 1000"
        ))
        .bind(expected)
        .fetch_all(&mut *conn)
        .await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let seq = e.seq.unwrap_or_default();
            if seq != expected {
                report.broken = Some(Broken {
                    seq: expected,
                    event_id: None,
                    reason: BrokenReason::Missing,
                });
                return Ok(report);
            }
            if e.prev_hash.as_deref() != Some(running.as_str()) {
                report.broken = Some(Broken {
                    seq,
                    event_id: Some(e.id.clone()),
                    reason: BrokenReason::LinkMismatch,
                });
                return Ok(report);
            }
            let recomputed = e.sealed_fields(seq).chain_hash(&running);
            if e.hash.as_deref() != Some(recomputed.as_str()) {
                report.broken = Some(Broken {
                    seq,
                    event_id: Some(e.id.clone()),
                    reason: BrokenReason::Altered,
                });
                return Ok(report);
            }
            running = recomputed;
            expected += 1;
            report.checked += 1;
        }
    }
    if expected - 1 != head_seq || running != head_hash {
        // The newest events were removed, or the head itself was edited.
        report.broken = Some(Broken {
            seq: expected,
            event_id: None,
            reason: BrokenReason::Missing,
        });
    }
    Ok(report)
}

/// Deletes sealed events older than `cutoff` from the start of the chain and moves the anchor to the
/// last one deleted. Never touches an event at or after `cutoff`.
pub async fn purge_before(db: &Db, cutoff: time::Timestamp) -> Result<u64> {
    let mut tx = db.begin().await?;
    let now = time::to_millis(chrono::Utc::now());
    sqlx::query("UPDATE audit_chain SET updated_at = $1 WHERE id = 1")
        .bind(now)
        .execute(tx.conn())
        .await?;
    let (anchor_seq,): (i64,) = sqlx::query_as("SELECT anchor_seq FROM audit_chain WHERE id = 1")
        .fetch_one(tx.conn())
        .await?;
    // The first event at or after the cutoff bounds the purge, so the kept part stays contiguous.
    let (first_young,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(seq) FROM audit_event WHERE seq IS NOT NULL AND occurred_at >= $1")
            .bind(time::to_millis(cutoff))
            .fetch_one(tx.conn())
            .await?;
    let (last_sealed,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(seq) FROM audit_event WHERE seq IS NOT NULL")
            .fetch_one(tx.conn())
            .await?;
    let upto = match (first_young, last_sealed) {
        (Some(young), _) => young - 1,
        (None, Some(last)) => last,
        (None, None) => return Ok(0),
    };
    if upto <= anchor_seq {
        return Ok(0);
    }
    let (hash,): (Option<String>,) = sqlx::query_as("SELECT hash FROM audit_event WHERE seq = $1")
        .bind(upto)
        .fetch_one(tx.conn())
        .await?;
    let done =
        sqlx::query("DELETE FROM audit_event WHERE seq IS NOT NULL AND seq <= $1 AND occurred_at < $2")
            .bind(upto)
            .bind(time::to_millis(cutoff))
            .execute(tx.conn())
            .await?;
    sqlx::query("UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1")
        .bind(upto)
        .bind(hash.unwrap_or_default())
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<Outcome>,
    pub target: Option<String>,
    pub from: Option<time::Timestamp>,
    pub until: Option<time::Timestamp>,
    pub offset: i64,
    pub limit: i64,
}

/// Events matching the filter, newest first, with the total count.
pub async fn list(conn: &mut AnyConnection, f: &EventFilter) -> Result<(Vec<EventRow>, i64)> {
    let mut w = Filter::default();
    if let Some(a) = f.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.and("actor_name LIKE $?", format!("%{a}%"));
    }
    if let Some(a) = f.action.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.and("action LIKE $?", format!("{a}%"));
    }
    if let Some(o) = f.outcome {
        w.and("outcome = $?", o.code());
    }
    if let Some(t) = f.target.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.and("(target_id = $? OR target_type = $?)", t);
    }
    if let Some(from) = f.from {
        w.and("occurred_at >= $?", time::to_millis(from));
    }
    if let Some(until) = f.until {
        w.and("occurred_at < $?", time::to_millis(until));
    }
    let wh = format!(" WHERE {}", w.sql());
    let count_sql = format!("SELECT COUNT(*) FROM audit_event{wh}");
    let (total,) = w
        .bind(sqlx::query_as::<_, (i64,)>(&count_sql))
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "SELECT {COLS} FROM audit_event{wh} ORDER BY occurred_at DESC, id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 500),
        f.offset.max(0)
    );
    let q = w.bind(sqlx::query_as::<_, EventRow>(&sql));
    Ok((q.fetch_all(conn).await?, total))
}
