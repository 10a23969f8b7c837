//! The parties of a case (personal data encrypted, the ID blind-indexed), and related cases by it.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::rows::insert_rows;
use crate::search;
use crate::{Page, Paged, Result};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Party {
    pub id: String,
    pub case_id: String,
    pub seq: i64,
    pub role: String,
    pub name: String,
    pub sex: String,
    pub birth_year: Option<i64>,
    pub id_enc: Option<String>,
    pub id_index: Option<String>,
    pub id_masked: String,
    pub phone_enc: Option<String>,
    pub phone_masked: String,
    /// The phone's blind index, for exact lookup (issue 13 §1).
    pub phone_index: Option<String>,
    pub address_enc: Option<String>,
    pub minor: i64,
    pub elderly: i64,
    pub disabled: i64,
    pub impoverished: i64,
}

/// A case's parties, in one statement.
pub async fn insert_parties(conn: &mut AnyConnection, parties: &[Party]) -> Result<()> {
    insert_rows!(conn, "case_party", parties, |p| {
        id: &p.id,
        case_id: &p.case_id,
        seq: p.seq,
        role: &p.role,
        name: &p.name,
        sex: &p.sex,
        birth_year: p.birth_year,
        id_enc: p.id_enc.clone(),
        id_index: p.id_index.clone(),
        id_masked: &p.id_masked,
        phone_enc: p.phone_enc.clone(),
        phone_masked: &p.phone_masked,
        phone_index: p.phone_index.clone(),
        address_enc: p.address_enc.clone(),
        minor: p.minor,
        elderly: p.elderly,
        disabled: p.disabled,
        impoverished: p.impoverished,
    })
    .await?;
    index_parties(conn, parties).await
}

/// Indexes parties by name for search, each with its case's date; a case with a minor among them
/// is sealed even when no one of them is indexed.
async fn index_parties(conn: &mut AnyConnection, parties: &[Party]) -> Result<()> {
    let mut cases: Vec<&str> = parties.iter().map(|p| p.case_id.as_str()).collect();
    cases.sort_unstable();
    cases.dedup();
    let at: std::collections::HashMap<String, i64> = crate::rows::select_in(
        conn,
        "SELECT id, received_at FROM dispute_case WHERE id IN ({in})",
        &cases,
    )
    .await?
    .into_iter()
    .collect();
    let docs: Vec<search::Doc> = parties
        .iter()
        .filter_map(|p| search::Doc::party(&p.into(), at.get(&p.case_id).copied().unwrap_or(0)))
        .collect();
    search::put(conn, &docs).await?;
    search::seal_cases(conn, &cases).await
}

pub async fn parties(conn: &mut AnyConnection, case: Id) -> Result<Vec<Party>> {
    Ok(
        sqlx::query_as("SELECT * FROM case_party WHERE case_id = $1 ORDER BY seq")
            .bind(case.to_string())
            .fetch_all(conn)
            .await?,
    )
}

/// Other cases with a party of one of these identity numbers (by their blind indexes), newest
/// first; only those `visible_to` (an agency: owned by it or referred to it) unless `None`
/// (district-wide roles).
pub async fn related_cases(
    conn: &mut AnyConnection,
    indexes: &[String],
    except: Id,
    visible_to: Option<Id>,
    page: Page,
) -> Result<Paged<(String, String, String)>> {
    if indexes.is_empty() {
        return Ok(Paged::default());
    }
    let marks: Vec<String> = (0..indexes.len()).map(|i| format!("${}", i + 3)).collect();
    // $2 is the agency, or '' for every agency.
    let w = format!(
        "c.id <> $1 AND c.id IN (SELECT p.case_id FROM case_party p WHERE p.id_index IN ({})) \
         AND ($2 = '' OR c.owner_agency_id = $2 OR c.id IN (SELECT r.case_id FROM referral r \
         WHERE r.to_agency_id = $2 AND r.state <> 'revoked'))",
        marks.join(", ")
    );
    let agency = visible_to.map(|a| a.to_string()).unwrap_or_default();
    let count_sql = format!("SELECT COUNT(*) FROM dispute_case c WHERE {w}");
    let mut q = sqlx::query_as::<_, (i64,)>(&count_sql)
        .bind(except.to_string())
        .bind(&agency);
    for ix in indexes {
        q = q.bind(ix);
    }
    let (total,) = q.fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT c.id, c.number, c.title FROM dispute_case c WHERE {w} ORDER BY c.received_at DESC, c.id {}",
        page.sql()
    );
    let mut q = sqlx::query_as::<_, (String, String, String)>(&sql)
        .bind(except.to_string())
        .bind(&agency);
    for ix in indexes {
        q = q.bind(ix);
    }
    Ok(Paged {
        items: q.fetch_all(conn).await?,
        total,
    })
}

/// Earlier cases — received before `before` (ms) — in which one of these identity numbers (blind
/// indexes) was a petitioner, across the district, and those staff found this case repeats
/// whenever received (issue 13 §2): how many, and when the first came in.
pub async fn earlier_by_identity(
    conn: &mut AnyConnection,
    indexes: &[String],
    except: Id,
    before: i64,
) -> Result<(i64, Option<i64>)> {
    // A value no blind index has keeps the IN list well-formed when no identity number is known.
    let none = [String::new()];
    let indexes = if indexes.is_empty() { &none[..] } else { indexes };
    let marks: Vec<String> = (0..indexes.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        // One set of ids, a UNION of its two sources: an OR of two IN-subqueries made PostgreSQL
        // read every case (65 ms at 100,000 cases on each case page; 0.1 ms so).
        "SELECT COUNT(*), MIN(c.received_at) FROM dispute_case c WHERE c.id IN ( \
         SELECT p.case_id FROM case_party p JOIN dispute_case e ON e.id = p.case_id \
         WHERE p.role = 'petitioner' AND p.id_index IN ({}) AND e.received_at < $2 \
         UNION SELECT l.other_id FROM case_link l WHERE l.case_id = $1 AND l.kind = 'repeat') \
         AND c.id <> $1 AND c.merged_into IS NULL",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, Option<i64>)>(&sql)
        .bind(except.to_string())
        .bind(before);
    for ix in indexes {
        q = q.bind(ix);
    }
    Ok(q.fetch_one(conn).await?)
}
