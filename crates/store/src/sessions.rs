//! Server-side sessions (browser cookies) and API tokens, one table: a row per login, keyed by the
//! SM3 hash of the secret the client holds, so that a copy of the database opens no session.

use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::{Result, id};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Web,
    Api,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Web => "web",
            Kind::Api => "api",
        }
    }
}

/// How far a login has come: a password alone does not open a session when a second factor is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Password accepted, second factor (or its enrolment) still due.
    SecondFactor,
    Full,
}

impl Stage {
    fn code(self) -> &'static str {
        match self {
            Stage::SecondFactor => "mfa",
            Stage::Full => "full",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub key: String,
    pub user_id: Id,
    pub kind: Kind,
    pub stage: Stage,
    pub name: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: time::Timestamp,
    pub last_seen_at: time::Timestamp,
    pub expires_at: time::Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: String,
    kind: String,
    stage: String,
    name: String,
    ip: String,
    user_agent: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

impl Row {
    fn into_session(self) -> Result<Session> {
        Ok(Session {
            user_id: id(&self.user_id)?,
            kind: if self.kind == "api" { Kind::Api } else { Kind::Web },
            stage: if self.stage == "full" {
                Stage::Full
            } else {
                Stage::SecondFactor
            },
            key: self.id,
            name: self.name,
            ip: self.ip,
            user_agent: self.user_agent,
            created_at: time::from_millis(self.created_at),
            last_seen_at: time::from_millis(self.last_seen_at),
            expires_at: time::from_millis(self.expires_at),
        })
    }
}

const COLS: &str = "id, user_id, kind, stage, name, ip, user_agent, created_at, last_seen_at, expires_at";

pub async fn insert(conn: &mut AnyConnection, s: &Session) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO auth_session ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&s.key)
    .bind(s.user_id.to_string())
    .bind(s.kind.code())
    .bind(s.stage.code())
    .bind(&s.name)
    .bind(&s.ip)
    .bind(&s.user_agent)
    .bind(time::to_millis(s.created_at))
    .bind(time::to_millis(s.last_seen_at))
    .bind(time::to_millis(s.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<Session>> {
    sqlx::query_as::<_, Row>(&format!("SELECT {COLS} FROM auth_session WHERE id = $1"))
        .bind(key)
        .fetch_optional(conn)
        .await?
        .map(Row::into_session)
        .transpose()
}

/// A user's sessions and tokens, most recently used first, at most 100.
pub async fn list_for_user(conn: &mut AnyConnection, user: Id) -> Result<Vec<Session>> {
    sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLS} FROM auth_session WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT 100"
    ))
    .bind(user.to_string())
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(Row::into_session)
    .collect()
}

pub async fn touch(conn: &mut AnyConnection, key: &str, now: time::Timestamp) -> Result<()> {
    sqlx::query("UPDATE auth_session SET last_seen_at = $1 WHERE id = $2")
        .bind(time::to_millis(now))
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, key: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM auth_session WHERE id = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session and token of a user but `keep` (the one making the request, if any).
pub async fn delete_for_user(conn: &mut AnyConnection, user: Id, keep: Option<&str>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM auth_session WHERE user_id = $1 AND id <> $2")
        .bind(user.to_string())
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Removes expired rows and browser sessions idle since before `idle_cutoff`.
pub async fn purge(
    conn: &mut AnyConnection,
    now: time::Timestamp,
    idle_cutoff: time::Timestamp,
) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM auth_session WHERE expires_at < $1 OR (kind = 'web' AND last_seen_at < $2)")
            .bind(time::to_millis(now))
            .bind(time::to_millis(idle_cutoff))
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}
