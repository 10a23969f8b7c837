//! Risk assessments of a case: the factors and score, the leader's sign-off, the mitigation plan.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Result, StoreError};

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
    /// The mitigated high-risk assessment this one reassesses ('' for a first assessment).
    pub reassesses: String,
    /// The head refused the sign-off (ms) and the plan has not been revised since.
    pub sign_off_refused_at: Option<i64>,
}

impl Assessment {
    /// The factors that scored, typed.
    pub fn scored(&self) -> Vec<gongzhi_domain::risk::Scored> {
        gongzhi_domain::risk::read_factors(&self.factors)
    }
}

pub async fn insert_assessment(conn: &mut AnyConnection, a: &Assessment) -> Result<()> {
    sqlx::query(
        "INSERT INTO risk_assessment (id, case_id, ruleset, inputs, factors, score, level, note, assessor_id,
            assessor_name, at, plan, signed_off_by, signed_off_at, reassesses)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
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
    .bind(&a.reassesses)
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

/// The head refused the sign-off: the plan goes back to the handler (and out of the head's queue).
pub async fn refuse_sign_off(conn: &mut AnyConnection, assessment: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE risk_assessment SET sign_off_refused_at = $1 WHERE id = $2")
        .bind(at)
        .bind(assessment)
        .execute(conn)
        .await?;
    Ok(())
}

/// The plan, revised: it waits for the sign-off again.
pub async fn set_plan(conn: &mut AnyConnection, assessment: &str, plan: &str) -> Result<()> {
    sqlx::query("UPDATE risk_assessment SET plan = $1, sign_off_refused_at = NULL WHERE id = $2")
        .bind(plan)
        .bind(assessment)
        .execute(conn)
        .await?;
    Ok(())
}

/// A saved risk rule set; `factors` is the JSON of its factor rules.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RulesetRow {
    pub version: String,
    pub region: String,
    pub effective_from: String,
    pub medium_from: i64,
    pub high_from: i64,
    pub factors: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// Every rule set, the newest in effect first.
pub async fn rulesets(conn: &mut AnyConnection) -> Result<Vec<RulesetRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM risk_ruleset ORDER BY effective_from DESC, created_at DESC")
            .fetch_all(conn)
            .await?,
    )
}

/// Saves a new version; an existing version is a conflict (versions are never rewritten).
pub async fn insert_ruleset(conn: &mut AnyConnection, r: &RulesetRow) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO risk_ruleset (version, region, effective_from, medium_from, high_from, factors, note,
            created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (version) DO NOTHING",
    )
    .bind(&r.version)
    .bind(&r.region)
    .bind(&r.effective_from)
    .bind(r.medium_from)
    .bind(r.high_from)
    .bind(&r.factors)
    .bind(&r.note)
    .bind(&r.created_by)
    .bind(r.created_at)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}
