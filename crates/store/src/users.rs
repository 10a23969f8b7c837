//! Accounts, their roles, and the failed-login counter.

use gongzhi_domain::policy::{Role, Scope};
use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::rows::Filter;
use crate::{Result, StoreError, code, id};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub agency_id: Id,
    pub agency_name: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_counter: i64,
    pub active: bool,
    pub demo: bool,
    pub last_login_at: Option<time::Timestamp>,
    pub created_at: time::Timestamp,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    agency_id: String,
    agency_name: String,
    password_hash: String,
    must_change_password: i64,
    totp_secret: Option<String>,
    totp_enabled: i64,
    totp_last_counter: i64,
    active: i64,
    demo: i64,
    last_login_at: Option<i64>,
    created_at: i64,
    version: i64,
    /// The user's role codes, comma-separated by the database (read in the same statement).
    roles: Option<String>,
}

/// Users with their agency and roles, one statement for any number of them.
fn user_select(conn: &AnyConnection) -> String {
    let roles = if conn.backend_name() == "PostgreSQL" {
        "string_agg(r.role, ',')"
    } else {
        "group_concat(r.role, ',')"
    };
    format!(
        "SELECT u.id, u.username, u.display_name, u.agency_id, a.name AS agency_name,
            u.password_hash, u.must_change_password, u.totp_secret, u.totp_enabled, u.totp_last_counter,
            u.active, u.demo, u.last_login_at, u.created_at, u.version,
            (SELECT {roles} FROM user_role r WHERE r.user_id = u.id) AS roles
         FROM app_user u JOIN agency a ON a.id = u.agency_id"
    )
}

fn hydrate(rows: Vec<UserRow>) -> Result<Vec<User>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut roles = r
            .roles
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|x| !x.is_empty())
            .map(|x| code(x, Role::parse))
            .collect::<Result<Vec<_>>>()?;
        roles.sort();
        out.push(User {
            id: id(&r.id)?,
            agency_id: id(&r.agency_id)?,
            username: r.username,
            display_name: r.display_name,
            agency_name: r.agency_name,
            roles,
            password_hash: r.password_hash,
            must_change_password: r.must_change_password != 0,
            totp_secret: r.totp_secret,
            totp_enabled: r.totp_enabled != 0,
            totp_last_counter: r.totp_last_counter,
            active: r.active != 0,
            demo: r.demo != 0,
            last_login_at: r.last_login_at.map(time::from_millis),
            created_at: time::from_millis(r.created_at),
            version: r.version,
        });
    }
    Ok(out)
}

pub async fn get(conn: &mut AnyConnection, user: Id) -> Result<Option<User>> {
    let rows = sqlx::query_as::<_, UserRow>(&format!("{} WHERE u.id = $1", user_select(conn)))
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    Ok(hydrate(rows)?.pop())
}

pub async fn by_username(conn: &mut AnyConnection, username: &str) -> Result<Option<User>> {
    let rows = sqlx::query_as::<_, UserRow>(&format!("{} WHERE u.username = $1", user_select(conn)))
        .bind(username)
        .fetch_all(&mut *conn)
        .await?;
    Ok(hydrate(rows)?.pop())
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub text: Option<String>,
    pub agency_id: Option<Id>,
    pub role: Option<Role>,
    pub offset: i64,
    pub limit: i64,
}

/// Users within `scope`, newest first, and the total number matching.
pub async fn list(conn: &mut AnyConnection, scope: &Scope, f: &UserFilter) -> Result<(Vec<User>, i64)> {
    let mut w = Filter::default();
    match scope {
        Scope::All => {}
        Scope::Agency(a) => w.and("u.agency_id = $?", a.to_string()),
        Scope::Own(u) => w.and("u.id = $?", u.to_string()),
    }
    if let Some(a) = f.agency_id {
        w.and("u.agency_id = $?", a.to_string());
    }
    if let Some(r) = f.role {
        w.and(
            "EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role = $?)",
            r.code(),
        );
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        w.and(
            "(LOWER(u.username) LIKE $? OR LOWER(u.display_name) LIKE $?)",
            format!("%{}%", t.to_lowercase()),
        );
    }
    let wh = format!(" WHERE {}", w.sql());
    let count_sql = format!("SELECT COUNT(*) FROM app_user u{wh}");
    let (total,) = w
        .bind(sqlx::query_as::<_, (i64,)>(&count_sql))
        .fetch_one(&mut *conn)
        .await?;
    let sql = format!(
        "{}{wh} ORDER BY u.created_at DESC, u.id DESC LIMIT {} OFFSET {}",
        user_select(conn),
        f.limit.clamp(1, 500),
        f.offset.max(0)
    );
    let q = w.bind(sqlx::query_as::<_, UserRow>(&sql));
    let rows = q.fetch_all(&mut *conn).await?;
    Ok((hydrate(rows)?, total))
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM app_user")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub agency_id: Id,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub demo: bool,
}

pub async fn insert(conn: &mut AnyConnection, u: &NewUser, now: time::Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO app_user (id, username, display_name, agency_id, password_hash, must_change_password,
             password_changed_at, demo, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $7, $7)",
    )
    .bind(u.id.to_string())
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(u.agency_id.to_string())
    .bind(&u.password_hash)
    .bind(i64::from(u.must_change_password))
    .bind(time::to_millis(now))
    .bind(i64::from(u.demo))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    set_roles(conn, u.id, &u.roles).await
}

pub async fn set_roles(conn: &mut AnyConnection, user: Id, roles: &[Role]) -> Result<()> {
    sqlx::query("DELETE FROM user_role WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    for r in roles {
        sqlx::query("INSERT INTO user_role (user_id, role) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(r.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Profile fields an administrator edits, guarded by the version the form was built from.
pub async fn update_profile(
    conn: &mut AnyConnection,
    user: Id,
    display_name: &str,
    agency: Id,
    active: bool,
    version: i64,
    now: time::Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE app_user SET display_name = $1, agency_id = $2, active = $3, version = version + 1, updated_at = $4
         WHERE id = $5 AND version = $6",
    )
    .bind(display_name)
    .bind(agency.to_string())
    .bind(i64::from(active))
    .bind(time::to_millis(now))
    .bind(user.to_string())
    .bind(version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

pub async fn set_password(
    conn: &mut AnyConnection,
    user: Id,
    hash: &str,
    must_change: bool,
    now: time::Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE app_user SET password_hash = $1, must_change_password = $2, password_changed_at = $3,
                version = version + 1, updated_at = $3 WHERE id = $4",
    )
    .bind(hash)
    .bind(i64::from(must_change))
    .bind(time::to_millis(now))
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores an (encrypted) TOTP secret; `enabled` false while enrolment awaits its first code.
pub async fn set_totp(
    conn: &mut AnyConnection,
    user: Id,
    secret: Option<&str>,
    enabled: bool,
    now: time::Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE app_user SET totp_secret = $1, totp_enabled = $2, totp_last_counter = 0, version = version + 1,
                updated_at = $3 WHERE id = $4",
    )
    .bind(secret)
    .bind(i64::from(enabled))
    .bind(time::to_millis(now))
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Activates the enrolled secret, keeping the replay counter of the code that proved it.
pub async fn enable_totp(conn: &mut AnyConnection, user: Id, now: time::Timestamp) -> Result<()> {
    sqlx::query("UPDATE app_user SET totp_enabled = 1, version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(time::to_millis(now))
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the counter of an accepted code; returns false when it (or a later one) was already used,
/// which refuses a replayed code.
pub async fn consume_totp_counter(conn: &mut AnyConnection, user: Id, counter: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE app_user SET totp_last_counter = $1 WHERE id = $2 AND totp_last_counter < $1")
            .bind(counter)
            .bind(user.to_string())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_login(conn: &mut AnyConnection, user: Id, now: time::Timestamp) -> Result<()> {
    sqlx::query("UPDATE app_user SET last_login_at = $1 WHERE id = $2")
        .bind(time::to_millis(now))
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
