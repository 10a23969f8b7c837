//! Review and re-review (DOMAIN.md §3.3): each agency's next-higher organ, and the re-reviewed
//! matter a petitioner raises again.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::Result;

/// The agency's superior (the organ that reviews its opinions): id and name.
pub async fn superior_of(conn: &mut AnyConnection, agency: Id) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.name FROM agency_superior s JOIN agency a ON a.id = s.superior_id WHERE s.agency_id = $1",
    )
    .bind(agency.to_string())
    .fetch_optional(conn)
    .await?)
}

/// Sets (or, with `None`, clears) the agency's superior.
pub async fn set_superior(conn: &mut AnyConnection, agency: Id, superior: Option<Id>, at: i64) -> Result<()> {
    sqlx::query("DELETE FROM agency_superior WHERE agency_id = $1")
        .bind(agency.to_string())
        .execute(&mut *conn)
        .await?;
    if let Some(s) = superior {
        sqlx::query("INSERT INTO agency_superior (agency_id, superior_id, updated_at) VALUES ($1, $2, $3)")
            .bind(agency.to_string())
            .bind(s.to_string())
            .bind(at)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The latest government petition of the same category, with a petitioner of one of these
/// identity numbers (blind indexes), that received its re-review opinion: (id, number).
pub async fn rereviewed_case(
    conn: &mut AnyConnection,
    indexes: &[String],
    category: &str,
) -> Result<Option<(String, String)>> {
    if indexes.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (0..indexes.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT c.id, c.number FROM dispute_case c WHERE c.kind = 'gov_petition' AND c.category_code = $1 \
         AND c.id IN (SELECT p.case_id FROM case_party p WHERE p.role = 'petitioner' AND p.id_index IN ({})) \
         AND EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.kind = 'cmd-issue_rereview_opinion') \
         ORDER BY c.received_at DESC LIMIT 1",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(category);
    for ix in indexes {
        q = q.bind(ix);
    }
    Ok(q.fetch_optional(conn).await?)
}
