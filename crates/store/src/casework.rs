//! The work recorded on a case besides its core row: risk assessments and tasks, referrals, joint
//! meetings, mediation and follow-up, replies and their templates, attachments, notices; and the
//! supporting tables of intake: idempotency keys, partner API keys, the portal's throttle and
//! captchas, and the deadline rules.

use gongzhi_domain::{Id, time};
use sqlx::AnyConnection;

use crate::{Page, Paged, Result, StoreError, id, newest};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Assessment {
    pub id: String,
    pub case_id: String,
    pub ruleset: String,
    pub inputs: String,
    pub factors: String,
    pub score: i64,
    pub level: String,
    pub note: String,
    pub assessor_id: Option<String>,
    pub assessor_name: String,
    pub at: i64,
    pub plan: String,
    pub signed_off_by: String,
    pub signed_off_at: Option<i64>,
}

pub async fn insert_assessment(conn: &mut AnyConnection, a: &Assessment) -> Result<()> {
    sqlx::query(
        "INSERT INTO risk_assessment (id, case_id, ruleset, inputs, factors, score, level, note, assessor_id,
            assessor_name, at, plan, signed_off_by, signed_off_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&a.id)
    .bind(&a.case_id)
    .bind(&a.ruleset)
    .bind(&a.inputs)
    .bind(&a.factors)
    .bind(a.score)
    .bind(&a.level)
    .bind(&a.note)
    .bind(a.assessor_id.clone())
    .bind(&a.assessor_name)
    .bind(a.at)
    .bind(&a.plan)
    .bind(&a.signed_off_by)
    .bind(a.signed_off_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Newest first.
pub async fn assessments(conn: &mut AnyConnection, case: Id) -> Result<Vec<Assessment>> {
    Ok(
        sqlx::query_as("SELECT * FROM risk_assessment WHERE case_id = $1 ORDER BY at DESC, id DESC")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?,
    )
}

pub async fn sign_off(conn: &mut AnyConnection, assessment: &str, by: &str, at: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE risk_assessment SET signed_off_by = $1, signed_off_at = $2 WHERE id = $3 AND signed_off_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(assessment)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

pub async fn set_plan(conn: &mut AnyConnection, assessment: &str, plan: &str) -> Result<()> {
    sqlx::query("UPDATE risk_assessment SET plan = $1 WHERE id = $2")
        .bind(plan)
        .bind(assessment)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Task {
    pub id: String,
    pub case_id: Option<String>,
    pub source: String,
    pub source_id: String,
    pub title: String,
    pub owner_id: String,
    pub owner_name: Option<String>,
    pub due_date: String,
    pub done_at: Option<i64>,
    pub created_at: i64,
    pub case_number: Option<String>,
}

pub async fn insert_task(conn: &mut AnyConnection, t: &Task) -> Result<()> {
    sqlx::query(
        "INSERT INTO task (id, case_id, source, source_id, title, owner_id, due_date, done_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
    )
    .bind(&t.id)
    .bind(t.case_id.clone())
    .bind(&t.source)
    .bind(&t.source_id)
    .bind(&t.title)
    .bind(&t.owner_id)
    .bind(&t.due_date)
    .bind(t.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

const TASK_SELECT: &str = "SELECT t.id, t.case_id, t.source, t.source_id, t.title, t.owner_id,
    u.display_name AS owner_name, t.due_date, t.done_at, t.created_at, c.number AS case_number
    FROM task t LEFT JOIN app_user u ON u.id = t.owner_id LEFT JOIN dispute_case c ON c.id = t.case_id";

pub async fn tasks_of_source(conn: &mut AnyConnection, source_id: &str) -> Result<Vec<Task>> {
    let sql = format!("{TASK_SELECT} WHERE t.source_id = $1 ORDER BY t.due_date");
    Ok(sqlx::query_as(&sql).bind(source_id).fetch_all(conn).await?)
}

pub async fn open_tasks_of(conn: &mut AnyConnection, user: Id, page: Page) -> Result<Paged<Task>> {
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM task WHERE owner_id = $1 AND done_at IS NULL")
            .bind(user.to_string())
            .fetch_one(&mut *conn)
            .await?;
    let sql = format!(
        "{TASK_SELECT} WHERE t.owner_id = $1 AND t.done_at IS NULL ORDER BY t.due_date, t.id {}",
        page.sql()
    );
    let items = sqlx::query_as(&sql)
        .bind(user.to_string())
        .fetch_all(conn)
        .await?;
    Ok(Paged { items, total })
}

pub async fn get_task(conn: &mut AnyConnection, task: Id) -> Result<Option<Task>> {
    let sql = format!("{TASK_SELECT} WHERE t.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(task.to_string())
        .fetch_optional(conn)
        .await?)
}

pub async fn finish_task(conn: &mut AnyConnection, task: Id, at: i64) -> Result<()> {
    sqlx::query("UPDATE task SET done_at = $1 WHERE id = $2 AND done_at IS NULL")
        .bind(at)
        .bind(task.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Referral {
    pub id: String,
    pub case_id: String,
    pub from_agency_id: String,
    pub from_agency_name: Option<String>,
    pub to_agency_id: String,
    pub to_agency_name: Option<String>,
    pub note: String,
    pub due_date: String,
    pub state: String,
    pub answer: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub answered_by_name: String,
    pub answered_at: Option<i64>,
    pub version: i64,
}

pub async fn insert_referral(conn: &mut AnyConnection, r: &Referral) -> Result<()> {
    sqlx::query(
        "INSERT INTO referral (id, case_id, from_agency_id, to_agency_id, note, due_date, state, answer,
            created_by_name, created_at, answered_by_name, answered_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, '', NULL, 1)",
    )
    .bind(&r.id)
    .bind(&r.case_id)
    .bind(&r.from_agency_id)
    .bind(&r.to_agency_id)
    .bind(&r.note)
    .bind(&r.due_date)
    .bind(&r.state)
    .bind(&r.created_by_name)
    .bind(r.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

const REFERRAL_SELECT: &str = "SELECT r.id, r.case_id, r.from_agency_id, fa.name AS from_agency_name,
    r.to_agency_id, ta.name AS to_agency_name, r.note, r.due_date, r.state, r.answer, r.created_by_name,
    r.created_at, r.answered_by_name, r.answered_at, r.version
    FROM referral r LEFT JOIN agency fa ON fa.id = r.from_agency_id LEFT JOIN agency ta ON ta.id = r.to_agency_id";

pub async fn referrals(conn: &mut AnyConnection, case: Id) -> Result<Vec<Referral>> {
    let sql = newest(
        &format!("{REFERRAL_SELECT} WHERE r.case_id = $1"),
        "r.created_at",
        "created_at",
    );
    Ok(sqlx::query_as(&sql)
        .bind(case.to_string())
        .fetch_all(conn)
        .await?)
}

pub async fn get_referral(conn: &mut AnyConnection, referral: Id) -> Result<Option<Referral>> {
    let sql = format!("{REFERRAL_SELECT} WHERE r.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(referral.to_string())
        .fetch_optional(conn)
        .await?)
}

/// Pending referrals to an agency (its intake tray), with the case number and title of each.
pub async fn referrals_to(
    conn: &mut AnyConnection,
    agency: Id,
    page: Page,
) -> Result<Paged<(Referral, String, String)>> {
    let (total,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM referral WHERE to_agency_id = $1 AND state IN ('pending', 'accepted')",
    )
    .bind(agency.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let sql = format!(
        "{REFERRAL_SELECT} WHERE r.to_agency_id = $1 AND r.state IN ('pending', 'accepted') ORDER BY r.due_date, r.id {}",
        page.sql()
    );
    let list: Vec<Referral> = sqlx::query_as(&sql)
        .bind(agency.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for r in list {
        let (number, title): (String, String) =
            sqlx::query_as("SELECT number, title FROM dispute_case WHERE id = $1")
                .bind(&r.case_id)
                .fetch_one(&mut *conn)
                .await?;
        out.push((r, number, title));
    }
    Ok(Paged { items: out, total })
}

pub async fn answer_referral(
    conn: &mut AnyConnection,
    r: &Referral,
    state: &str,
    answer: &str,
    by: &str,
    at: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE referral SET state = $1, answer = $2, answered_by_name = $3, answered_at = $4,
            version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(state)
    .bind(answer)
    .bind(by)
    .bind(at)
    .bind(&r.id)
    .bind(r.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Meeting {
    pub id: String,
    pub title: String,
    pub held_at: i64,
    pub place: String,
    pub conclusions: String,
    pub agency_id: String,
    pub created_by_name: String,
    pub created_at: i64,
}

pub async fn insert_meeting(
    conn: &mut AnyConnection,
    m: &Meeting,
    agencies: &[Id],
    cases: &[Id],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO meeting (id, title, held_at, place, conclusions, agency_id, created_by_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.id)
    .bind(&m.title)
    .bind(m.held_at)
    .bind(&m.place)
    .bind(&m.conclusions)
    .bind(&m.agency_id)
    .bind(&m.created_by_name)
    .bind(m.created_at)
    .execute(&mut *conn)
    .await?;
    for a in agencies {
        sqlx::query("INSERT INTO meeting_agency (meeting_id, agency_id) VALUES ($1, $2)")
            .bind(&m.id)
            .bind(a.to_string())
            .execute(&mut *conn)
            .await?;
    }
    for c in cases {
        sqlx::query("INSERT INTO meeting_case (meeting_id, case_id) VALUES ($1, $2)")
            .bind(&m.id)
            .bind(c.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn meetings_of_case(conn: &mut AnyConnection, case: Id) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&newest(
        "SELECT m.* FROM meeting m JOIN meeting_case mc ON mc.meeting_id = m.id WHERE mc.case_id = $1",
        "m.held_at",
        "held_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

pub async fn meeting_agency_names(conn: &mut AnyConnection, meeting: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT a.name FROM meeting_agency ma JOIN agency a ON a.id = ma.agency_id WHERE ma.meeting_id = $1
         ORDER BY a.code",
    )
    .bind(meeting)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Mediation {
    pub id: String,
    pub case_id: String,
    pub mediator: String,
    pub held_at: i64,
    pub place: String,
    pub attendees: String,
    pub outcome: String,
    pub notes: String,
    pub agreement: String,
    pub agreement_date: Option<String>,
    pub created_by_name: String,
    pub created_at: i64,
}

pub async fn insert_mediation(conn: &mut AnyConnection, m: &Mediation) -> Result<()> {
    sqlx::query(
        "INSERT INTO mediation (id, case_id, mediator, held_at, place, attendees, outcome, notes, agreement,
            agreement_date, created_by_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&m.id)
    .bind(&m.case_id)
    .bind(&m.mediator)
    .bind(m.held_at)
    .bind(&m.place)
    .bind(&m.attendees)
    .bind(&m.outcome)
    .bind(&m.notes)
    .bind(&m.agreement)
    .bind(m.agreement_date.clone())
    .bind(&m.created_by_name)
    .bind(m.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mediations(conn: &mut AnyConnection, case: Id) -> Result<Vec<Mediation>> {
    Ok(sqlx::query_as(&newest(
        "SELECT * FROM mediation WHERE case_id = $1",
        "held_at",
        "held_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowUp {
    pub id: String,
    pub case_id: String,
    pub at: i64,
    pub by_name: String,
    pub satisfaction: String,
    pub notes: String,
}

pub async fn insert_follow_up(conn: &mut AnyConnection, f: &FollowUp) -> Result<()> {
    sqlx::query(
        "INSERT INTO follow_up (id, case_id, at, by_name, satisfaction, notes) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&f.id)
    .bind(&f.case_id)
    .bind(f.at)
    .bind(&f.by_name)
    .bind(&f.satisfaction)
    .bind(&f.notes)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn follow_ups(conn: &mut AnyConnection, case: Id) -> Result<Vec<FollowUp>> {
    Ok(
        sqlx::query_as(&newest("SELECT * FROM follow_up WHERE case_id = $1", "at", "at"))
            .bind(case.to_string())
            .fetch_all(conn)
            .await?,
    )
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Reply {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub channel: String,
    pub body: String,
    pub sent_at: i64,
    pub sent_by_name: String,
    pub agency_name: String,
}

pub async fn insert_reply(conn: &mut AnyConnection, r: &Reply) -> Result<()> {
    sqlx::query(
        "INSERT INTO reply (id, case_id, kind, channel, body, sent_at, sent_by_name, agency_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&r.id)
    .bind(&r.case_id)
    .bind(&r.kind)
    .bind(&r.channel)
    .bind(&r.body)
    .bind(r.sent_at)
    .bind(&r.sent_by_name)
    .bind(&r.agency_name)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn replies(conn: &mut AnyConnection, case: Id) -> Result<Vec<Reply>> {
    Ok(sqlx::query_as(&newest(
        "SELECT * FROM reply WHERE case_id = $1",
        "sent_at",
        "sent_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Template {
    pub code: String,
    pub kind: String,
    pub name: String,
    pub body: String,
    pub version: i64,
    pub updated_at: i64,
}

pub async fn templates(conn: &mut AnyConnection) -> Result<Vec<Template>> {
    Ok(sqlx::query_as("SELECT * FROM reply_template ORDER BY kind, code")
        .fetch_all(conn)
        .await?)
}

/// Inserts a template, or updates it if `version` matches (0 inserts only when absent).
pub async fn put_template(conn: &mut AnyConnection, t: &Template) -> Result<()> {
    if t.version == 0 {
        sqlx::query(
            "INSERT INTO reply_template (code, kind, name, body, version, updated_at) VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&t.code)
        .bind(&t.kind)
        .bind(&t.name)
        .bind(&t.body)
        .bind(t.updated_at)
        .execute(conn)
        .await?;
        return Ok(());
    }
    let done = sqlx::query(
        "UPDATE reply_template SET name = $1, body = $2, version = version + 1, updated_at = $3
         WHERE code = $4 AND version = $5",
    )
    .bind(&t.name)
    .bind(&t.body)
    .bind(t.updated_at)
    .bind(&t.code)
    .bind(t.version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: String,
    pub case_id: String,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub sm3: String,
    pub uploaded_by_name: String,
    pub uploaded_at: i64,
}

pub async fn insert_attachment(conn: &mut AnyConnection, a: &AttachmentMeta, data: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachment (id, case_id, filename, mime, size, sm3, data, uploaded_by_name, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&a.id)
    .bind(&a.case_id)
    .bind(&a.filename)
    .bind(&a.mime)
    .bind(a.size)
    .bind(&a.sm3)
    .bind(data.to_vec())
    .bind(&a.uploaded_by_name)
    .bind(a.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn attachments(conn: &mut AnyConnection, case: Id) -> Result<Vec<AttachmentMeta>> {
    Ok(sqlx::query_as(&newest(
        "SELECT id, case_id, filename, mime, size, sm3, uploaded_by_name, uploaded_at FROM attachment
         WHERE case_id = $1",
        "uploaded_at",
        "uploaded_at",
    ))
    .bind(case.to_string())
    .fetch_all(conn)
    .await?)
}

pub async fn attachment_data(
    conn: &mut AnyConnection,
    attachment: Id,
) -> Result<Option<(AttachmentMeta, Vec<u8>)>> {
    let meta: Option<AttachmentMeta> = sqlx::query_as(
        "SELECT id, case_id, filename, mime, size, sm3, uploaded_by_name, uploaded_at FROM attachment WHERE id = $1",
    )
    .bind(attachment.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(meta) = meta else { return Ok(None) };
    let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM attachment WHERE id = $1")
        .bind(attachment.to_string())
        .fetch_one(conn)
        .await?;
    Ok(Some((meta, data)))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Notice {
    pub id: String,
    pub dedup: String,
    pub user_id: Option<String>,
    pub agency_id: Option<String>,
    pub case_id: Option<String>,
    pub kind: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Raises a notice unless one with the same `dedup` key exists; true when this call raised it.
pub async fn raise_notice(conn: &mut AnyConnection, n: &Notice) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO notice (id, dedup, user_id, agency_id, case_id, kind, body, created_at, read_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) ON CONFLICT (dedup) DO NOTHING",
    )
    .bind(&n.id)
    .bind(&n.dedup)
    .bind(n.user_id.clone())
    .bind(n.agency_id.clone())
    .bind(n.case_id.clone())
    .bind(&n.kind)
    .bind(&n.body)
    .bind(n.created_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Unread notices for a user: addressed to the user, or to the user's agency; newest first.
pub async fn notices_for(
    conn: &mut AnyConnection,
    user: Id,
    agency: Id,
    page: Page,
) -> Result<Paged<Notice>> {
    const WHERE: &str = "read_at IS NULL AND (user_id = $1 OR (user_id IS NULL AND agency_id = $2))";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM notice WHERE {WHERE}"))
        .bind(user.to_string())
        .bind(agency.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query_as(&format!(
        "SELECT * FROM notice WHERE {WHERE} ORDER BY created_at DESC, id {}",
        page.sql()
    ))
    .bind(user.to_string())
    .bind(agency.to_string())
    .fetch_all(conn)
    .await?;
    Ok(Paged { items, total })
}

pub async fn count_notices(conn: &mut AnyConnection, kind: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notice WHERE kind = $1")
        .bind(kind)
        .fetch_one(conn)
        .await?;
    Ok(n)
}

pub async fn read_notice(conn: &mut AnyConnection, notice: Id, user: Id, agency: Id, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE notice SET read_at = $1 WHERE id = $2 AND (user_id = $3 OR (user_id IS NULL AND agency_id = $4))",
    )
    .bind(at)
    .bind(notice.to_string())
    .bind(user.to_string())
    .bind(agency.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn idempotent_case(conn: &mut AnyConnection, principal: &str, key: &str) -> Result<Option<Id>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT case_id FROM idempotency WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_optional(conn)
            .await?;
    row.map(|(c,)| crate::id(&c)).transpose()
}

pub async fn remember_idempotent(
    conn: &mut AnyConnection,
    principal: &str,
    key: &str,
    case: Id,
    now: time::Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO idempotency (key, principal, case_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(key)
        .bind(principal)
        .bind(case.to_string())
        .bind(time::to_millis(now))
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn insert_api_key(
    conn: &mut AnyConnection,
    key_id: Id,
    name: &str,
    hash: &str,
    now: time::Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_key (id, name, key_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(key_id.to_string())
    .bind(name)
    .bind(hash)
    .bind(time::to_millis(now))
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// The id and name of the live key with this hash.
pub async fn api_key(conn: &mut AnyConnection, hash: &str) -> Result<Option<(Id, String)>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(hash)
            .fetch_optional(conn)
            .await?;
    row.map(|(i, n)| Ok((id(&i)?, n))).transpose()
}

/// Counts a hit in a bucket that lives until `expires_at`; returns the hits so far.
pub async fn hit(conn: &mut AnyConnection, bucket: &str, now: i64, expires_at: i64) -> Result<i64> {
    sqlx::query("DELETE FROM portal_throttle WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO portal_throttle (bucket, hits, expires_at) VALUES ($1, 1, $2)
         ON CONFLICT (bucket) DO UPDATE SET hits = portal_throttle.hits + 1 RETURNING hits",
    )
    .bind(bucket)
    .bind(expires_at)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Marks a captcha token as used; false when it already was.
pub async fn use_captcha(conn: &mut AnyConnection, token: &str, now: i64, expires_at: i64) -> Result<bool> {
    sqlx::query("DELETE FROM captcha_used WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(
        "INSERT INTO captcha_used (token, expires_at) VALUES ($1, $2) ON CONFLICT (token) DO NOTHING",
    )
    .bind(token)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RuleRow {
    pub code: String,
    pub clock: String,
    pub case_kind: String,
    pub trigger_event: String,
    pub amount: i64,
    pub unit: String,
    pub next_day: i64,
    pub roll_over: i64,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub region: String,
    pub source: String,
    pub version: i64,
    pub updated_at: i64,
}

pub async fn rules(conn: &mut AnyConnection) -> Result<Vec<RuleRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM deadline_rule ORDER BY clock, effective_from")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn insert_rule_if_absent(conn: &mut AnyConnection, r: &RuleRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO deadline_rule (code, clock, case_kind, trigger_event, amount, unit, next_day, roll_over,
            effective_from, effective_to, region, source, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13) ON CONFLICT (code) DO NOTHING",
    )
    .bind(&r.code)
    .bind(&r.clock)
    .bind(&r.case_kind)
    .bind(&r.trigger_event)
    .bind(r.amount)
    .bind(&r.unit)
    .bind(r.next_day)
    .bind(r.roll_over)
    .bind(&r.effective_from)
    .bind(r.effective_to.clone())
    .bind(&r.region)
    .bind(&r.source)
    .bind(r.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}
