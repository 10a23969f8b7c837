//! Tasks given to people, from a risk plan or a meeting.

use gongzhi_domain::Id;
use sqlx::AnyConnection;

use crate::{Page, Paged, Result};

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
