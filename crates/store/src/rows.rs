//! Many rows in one statement: `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), …` with the `$n`
//! placeholders both engines accept (sqlx's `QueryBuilder` writes `?` for `Any`, which PostgreSQL
//! refuses). Each table writes its column list once, beside the value bound to it, with
//! [`insert_rows!`], so a column and its value cannot drift apart.

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection};

use crate::Result;

pub type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

/// The statement for `rows` rows of `columns`.
pub(crate) fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    sql
}

/// Inserts every row in one statement (nothing for none); `bind` binds one row's values in the
/// order of `columns`.
pub(crate) async fn insert_many<T>(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[T],
    bind: impl for<'a> Fn(AnyQuery<'a>, &'a T) -> AnyQuery<'a>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = insert_sql(table, columns, rows.len());
    let mut q = sqlx::query(&sql);
    for r in rows {
        q = bind(q, r);
    }
    q.execute(conn).await?;
    Ok(())
}

/// `insert_rows!(conn, "table", rows, |r| { column: value, … })`: one field list gives the columns
/// and the binds.
macro_rules! insert_rows {
    ($conn:expr, $table:literal, $rows:expr, |$r:ident| { $($col:ident: $val:expr),+ $(,)? }) => {
        $crate::rows::insert_many($conn, $table, &[$(stringify!($col)),+], $rows, |q, $r| q$(.bind($val))+)
    };
}
pub(crate) use insert_rows;

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_across_rows() {
        assert_eq!(
            super::insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
