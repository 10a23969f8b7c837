//! Review and re-review of a government petition (DOMAIN.md §3.3; 信访工作条例 Arts. 35–36): the
//! petitioner's 30-day windows, the next-higher organ that reviews, and the matter re-reviewed to
//! its end that is not accepted again.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::ClockKind;
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{CaseKind, Command, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case};
use gongzhi_store::{reference, review};

use crate::{App, AppError, Ctx, FieldError};

fn refused(field: &str, key: &str, name: &str, value: impl ToString) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, key).arg(name, value)])
}

impl App {
    /// What the statute asks of a review step before the workflow takes it: a request inside its
    /// window, no closing while a window is open, an organ above to send it to, and no acceptance
    /// of a matter already re-reviewed. For a request, returns the organ that takes the case on.
    pub(crate) async fn check_review_step(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
        command: Command,
    ) -> Result<Option<(Id, String)>, AppError> {
        if c.kind != CaseKind::GovPetition {
            return Ok(None);
        }
        let today = time::local_date(self.now());
        let clocks = case::clocks(&mut *conn, c.id).await?;
        let window = |kind: ClockKind| clocks.iter().rev().find(|k| k.kind == kind);
        match command {
            C::RequestReview | C::RequestReReview => {
                let (kind, key) = if command == C::RequestReview {
                    (ClockKind::ReviewWindow, "review-window-passed")
                } else {
                    (ClockKind::ReReviewWindow, "rereview-window-passed")
                };
                // A case opened before the windows were clocks has none: nothing to hold it to.
                if let Some(k) = window(kind)
                    && (!k.state.is_open() || k.due_date < today)
                {
                    return Err(refused("note", key, "due", k.due_date));
                }
                let (id, name) = review::superior_of(&mut *conn, c.owner_agency_id)
                    .await?
                    .ok_or_else(|| refused("note", "review-no-superior", "agency", &c.owner_agency_name))?;
                let id = id.parse().map_err(|_| AppError::Internal("superior id".into()))?;
                Ok(Some((id, name)))
            }
            C::Close if matches!(c.status, Status::OpinionIssued | Status::Reviewed) => {
                let kind = if c.status == Status::OpinionIssued {
                    ClockKind::ReviewWindow
                } else {
                    ClockKind::ReReviewWindow
                };
                if let Some(k) = window(kind)
                    && k.state.is_open()
                    && k.due_date >= today
                {
                    return Err(refused("note", "review-window-open", "due", k.due_date));
                }
                Ok(None)
            }
            C::Accept => match c.related_case_id {
                Some(earlier) => {
                    let number = case::get_case(conn, earlier)
                        .await?
                        .map(|e| e.number)
                        .unwrap_or_default();
                    Err(refused("note", "rereviewed-matter", "number", number))
                }
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// §3.3 (Art. 36): after re-review the same facts and reasons are not accepted again. A new
    /// government petition whose petitioner (by identity number) had a matter of the same category
    /// re-reviewed is linked to that case, which the page shows and acceptance refuses.
    pub(crate) async fn rereviewed_matter(
        &self,
        conn: &mut AnyConnection,
        indexes: &[String],
        category: &str,
    ) -> Result<Option<Id>, AppError> {
        Ok(review::rereviewed_case(conn, indexes, category)
            .await?
            .and_then(|(id, _)| id.parse().ok()))
    }

    /// Sets the organ that reviews an agency's opinions (its next-higher organ); `None` clears it.
    pub async fn set_superior(&self, ctx: &Ctx, agency: Id, superior: Option<Id>) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        let a = reference::agency_get(tx.conn(), agency)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(s) = superior {
            reference::agency_get(tx.conn(), s)
                .await?
                .ok_or_else(|| AppError::field("superior_id", "agency-unknown"))?;
            // Neither itself nor one below it: walk up from the chosen superior.
            let mut at = Some(s);
            for _ in 0..32 {
                let Some(x) = at else { break };
                if x == agency {
                    return Err(AppError::field("superior_id", "superior-self"));
                }
                at = review::superior_of(tx.conn(), x)
                    .await?
                    .and_then(|(id, _)| id.parse().ok());
            }
        }
        review::set_superior(tx.conn(), agency, superior, time::to_millis(self.now())).await?;
        ctx.audit(
            tx.conn(),
            "agency.superior",
            "agency",
            &agency.to_string(),
            Changes::new()
                .set("agency", a.name.clone())
                .set("superior", superior.map(|s| s.to_string()).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organ that reviews the agency's opinions: (id, name).
    pub async fn superior_of(&self, ctx: &Ctx, agency: Id) -> Result<Option<(String, String)>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        Ok(review::superior_of(&mut *self.db().conn().await?, agency).await?)
    }
}

use Command as C;
