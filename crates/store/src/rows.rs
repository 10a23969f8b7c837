//! SQL built at run time with the `$n` parameters both engines accept (sqlx's `QueryBuilder`
//! writes `?` for `Any`, which PostgreSQL refuses): many rows in one statement — `INSERT INTO t
//! (a, b) VALUES ($1, $2), ($3, $4), …`, each table writing its column list once beside the value
//! bound to it with [`insert_rows!`] — and dynamic filters ([`Filter`]), the one place that numbers
//! parameters.

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection};

use crate::{Result, StoreError};

pub type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;
pub type AnyQueryAs<'q, O> = sqlx::query::QueryAs<'q, Any, O, AnyArguments<'q>>;

/// A value of a dynamic filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<i64> for Arg {
    fn from(i: i64) -> Self {
        Arg::Int(i)
    }
}

/// Conditions joined by AND, each written with `$?` where its value goes (every `$?` of one
/// condition is the same value), numbered `$1, $2, …` in the order they are added.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filter {
    conds: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// A condition on one value.
    pub(crate) fn and(&mut self, cond: &str, value: impl Into<Arg>) {
        self.args.push(value.into());
        self.conds
            .push(cond.replace("$?", &format!("${}", self.args.len())));
    }

    /// A condition without values.
    pub(crate) fn and_sql(&mut self, cond: impl Into<String>) {
        self.conds.push(cond.into());
    }

    /// Alternatives joined by OR as one condition (`1 = 0` for none): each `$?` of a part takes
    /// the part's next value.
    pub(crate) fn and_any(&mut self, parts: Vec<(String, Vec<Arg>)>) {
        if parts.is_empty() {
            self.conds.push("1 = 0".into());
            return;
        }
        let mut out = Vec::new();
        for (cond, values) in parts {
            let mut cond = cond;
            for v in values {
                self.args.push(v);
                cond = cond.replacen("$?", &format!("${}", self.args.len()), 1);
            }
            out.push(cond);
        }
        self.conds.push(format!("({})", out.join(" OR ")));
    }

    /// A condition on a list of values: `cond` is given their `$n` parameters, comma-separated.
    pub(crate) fn and_each(&mut self, values: impl IntoIterator<Item = Arg>, cond: impl Fn(&str) -> String) {
        let mut marks = Vec::new();
        for v in values {
            self.args.push(v);
            marks.push(format!("${}", self.args.len()));
        }
        self.conds.push(cond(&marks.join(", ")));
    }

    /// The conditions, `1 = 1` for none.
    pub(crate) fn sql(&self) -> String {
        if self.conds.is_empty() {
            "1 = 1".into()
        } else {
            self.conds.join(" AND ")
        }
    }

    /// Binds the values, in order.
    pub(crate) fn bind<'q, O>(&self, mut q: AnyQueryAs<'q, O>) -> AnyQueryAs<'q, O> {
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    /// The same for a statement that returns no rows.
    pub(crate) fn bind_exec<'q>(&self, mut q: AnyQuery<'q>) -> AnyQuery<'q> {
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

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

/// Values bound to one statement by [`insert_many`]. sqlx's SQLite driver finds each `$n` by
/// name, comparing it with every parameter of the statement, so a statement's binding time grows
/// with the square of its parameters: a few hundred keep it linear there, while PostgreSQL takes
/// many rows a statement (a round trip each).
fn values_per_statement(conn: &AnyConnection) -> usize {
    if conn.backend_name() == "PostgreSQL" {
        30_000
    } else {
        300
    }
}

/// Inserts the rows in as few statements as the database binds well (nothing for none); `bind`
/// binds one row's values in the order of `columns`.
pub(crate) async fn insert_many<T>(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[T],
    bind: impl for<'a> Fn(AnyQuery<'a>, &'a T) -> AnyQuery<'a>,
) -> Result<()> {
    let per = (values_per_statement(conn) / columns.len().max(1)).max(1);
    for chunk in rows.chunks(per) {
        let sql = insert_sql(table, columns, chunk.len());
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = bind(q, r);
        }
        q.execute(&mut *conn).await.map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// Values bound to one statement's `IN` list: well inside both databases' limits.
pub(crate) const IN_BATCH: usize = 400;

/// Runs `sql` (with `{in}` where the `IN` list's marks go) for `ids`, [`IN_BATCH`] at a time, and
/// gathers the rows.
pub(crate) async fn select_in<T>(conn: &mut AnyConnection, sql: &str, ids: &[&str]) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_BATCH) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = sql.replace("{in}", &marks.join(", "));
        let mut q = sqlx::query_as::<_, T>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// `insert_rows!(conn, "table", rows, |r| { column: value, … })`: one field list gives the columns
/// and the binds.
macro_rules! insert_rows {
    ($conn:expr, $table:literal, $rows:expr, |$r:ident| { $($col:ident: $val:expr),+ $(,)? }) => {
        $crate::rows::insert_many($conn, $table, &[$(stringify!($col)),+], $rows, |q, $r| q$(.bind($val))+)
    };
}
pub(crate) use insert_rows;

/// `UPDATE table SET col = $1, … WHERE id = $n+1 AND version = $n+2`: the whole row written if it
/// is still at the version it was read at (the caller binds the new version among the columns).
pub(crate) fn update_versioned_sql(table: &str, cols: &[&str]) -> String {
    let set: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    format!(
        "UPDATE {table} SET {} WHERE id = ${} AND version = ${}",
        set.join(", "),
        cols.len() + 1,
        cols.len() + 2
    )
}

/// Runs an update built by [`update_versioned_sql`], its columns bound: binds the row's id and the
/// version it was read at, and answers `Conflict` when the row has moved on since.
pub(crate) async fn save_versioned(
    conn: &mut AnyConnection,
    q: AnyQuery<'_>,
    id: &str,
    expected_version: i64,
) -> Result<()> {
    let done = q.bind(id.to_owned()).bind(expected_version).execute(conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// A column list (`a, b, c`) with each column qualified by a table alias (`x.a, x.b, x.c`).
pub(crate) fn prefixed(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_numbers_its_values_in_order_and_repeats_one_within_a_condition() {
        let mut f = Filter::default();
        assert_eq!(f.sql(), "1 = 1");
        f.and("a = $?", "x");
        f.and_sql("b IS NULL");
        f.and("(c = $? OR d = $?)", 3_i64);
        f.and_each([Arg::from("p"), Arg::from("q")], |m| format!("e IN ({m})"));
        assert_eq!(
            f.sql(),
            "a = $1 AND b IS NULL AND (c = $2 OR d = $2) AND e IN ($3, $4)"
        );
        assert_eq!(
            f.args,
            vec![Arg::from("x"), Arg::Int(3), Arg::from("p"), Arg::from("q")]
        );
    }

    #[test]
    fn parameters_number_across_rows() {
        assert_eq!(
            super::insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
