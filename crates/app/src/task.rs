//! Tasks given to people (from a risk plan or a meeting): checked, written, and marked done.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::task;
use gongzhi_store::task::Task;

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// A task handed to someone, from a mitigation plan or a meeting; a blank row is skipped.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ActionItem {
    pub title: String,
    /// The owner's user id.
    pub owner: String,
    /// `YYYY-MM-DD`
    pub due: String,
}

impl App {
    /// Checks action items; blank rows are skipped. Each owner
    /// must be an active user of one of `agencies` (those taking part): nobody hands work, and with
    /// it a case number, to an agency outside the case.
    pub(crate) async fn check_tasks(
        &self,
        conn: &mut AnyConnection,
        checks: &mut Checks,
        tasks: &[ActionItem],
        agencies: &[Id],
    ) -> Result<Vec<(String, Id, String)>, AppError> {
        let mut out = Vec::new();
        for (i, ActionItem { title, owner, due }) in tasks.iter().enumerate() {
            if title.trim().is_empty() && owner.trim().is_empty() {
                continue;
            }
            let ok_title = (1..=100).contains(&title.trim().chars().count());
            if !ok_title {
                checks.fail(FieldError::new(&format!("tasks[{i}].title"), "title-invalid"));
            }
            let found = match owner.trim().parse::<Id>() {
                Ok(u) => gongzhi_store::users::get(&mut *conn, u)
                    .await?
                    .filter(|u| u.active),
                Err(_) => None,
            };
            let user = found
                .as_ref()
                .filter(|u| agencies.contains(&u.agency_id))
                .cloned();
            match (&found, &user) {
                (None, _) => checks.fail(FieldError::new(&format!("tasks[{i}].owner"), "user-unknown")),
                (Some(_), None) => checks.fail(FieldError::new(
                    &format!("tasks[{i}].owner"),
                    "task-owner-outside",
                )),
                _ => {}
            }
            let date = chrono::NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d").ok();
            if date.is_none() {
                checks.fail(FieldError::new(&format!("tasks[{i}].due"), "date-invalid"));
            }
            if let (true, Some(u), Some(d)) = (ok_title, user, date) {
                out.push((title.trim().to_owned(), u.id, d.to_string()));
            }
        }
        Ok(out)
    }

    pub(crate) async fn insert_tasks(
        &self,
        conn: &mut AnyConnection,
        case: Option<Id>,
        source: &str,
        source_id: &str,
        tasks: Vec<(String, Id, String)>,
    ) -> Result<(), AppError> {
        for (title, owner, due) in tasks {
            task::insert_task(
                &mut *conn,
                &Task {
                    id: Id::new().to_string(),
                    case_id: case.map(|c| c.to_string()),
                    source: source.into(),
                    source_id: source_id.into(),
                    title,
                    owner_id: owner.to_string(),
                    owner_name: None,
                    due_date: due,
                    done_at: None,
                    created_at: time::to_millis(self.now()),
                    case_number: None,
                },
            )
            .await?;
        }
        Ok(())
    }

    pub async fn finish_task(&self, ctx: &Ctx, task: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut tx = self.db().begin().await?;
        let t = task::get_task(tx.conn(), task).await?.ok_or(AppError::NotFound)?;
        if t.owner_id != actor.user_id.to_string() {
            return Err(AppError::NotFound);
        }
        task::finish_task(tx.conn(), task, time::to_millis(self.now())).await?;
        // The case's record shows the mitigation done (§3.5 "tracked ledger").
        if let Some(c) = t.case_id.as_deref().and_then(|c| c.parse::<Id>().ok()) {
            let c = gongzhi_store::case::get_case(tx.conn(), c)
                .await?
                .ok_or(AppError::NotFound)?;
            self.event(tx.conn(), ctx, &c, "task-done", &t.title, false)
                .await?;
        }
        ctx.audit(
            tx.conn(),
            "task.done",
            "task",
            &task.to_string(),
            Changes::new().set("title", t.title.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
