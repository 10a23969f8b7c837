//! Editing a case's description, with optimistic versioning.

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_store::{reference, search as store_search};

use crate::case::conflict_of;
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// An edit of a case's title, description, category, urgency and the mark "concerns a minor".
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CaseEdit {
    pub title: String,
    pub narrative: String,
    pub category: String,
    /// Left as it is when not sent.
    #[serde(default)]
    pub urgent: Option<bool>,
    /// Concerns a minor; left as it is when not sent. Only the agency head may take it off.
    #[serde(default)]
    pub minor_involved: Option<bool>,
    /// The version read; a stale one is 409 with the current values.
    pub version: i64,
}

impl App {
    /// Edits a case's description, with optimistic versioning: a stale version is a conflict that
    /// shows what the case says now.
    pub async fn edit_case(&self, ctx: &Ctx, case: Id, e: &CaseEdit) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        let CaseEdit {
            title,
            narrative,
            category,
            urgent,
            minor_involved,
            version,
        } = e;
        let urgent = urgent.unwrap_or(c.urgent);
        let minor_involved = minor_involved.unwrap_or(c.minor_involved);
        if c.version != *version {
            return Err(conflict_of(&c));
        }
        let mut checks = Checks::new();
        checks.check(
            // Taking the mark off (Minor Protection Law Art. 103, DOMAIN.md §6.1).
            !c.minor_involved
                || minor_involved
                || ctx
                    .user()
                    .is_some_and(|a| a.can(gongzhi_domain::publication::CLEAR_MINOR_MARK)),
            "minor_involved",
            "minor-unmark-head",
        );
        checks.check(
            (1..=100).contains(&title.trim().chars().count()),
            "title",
            "title-invalid",
        );
        checks.check(!narrative.trim().is_empty(), "narrative", "narrative-required");
        let cat = reference::category_get(tx.conn(), category.trim()).await?;
        checks.check(cat.is_some(), "category", "category-unknown");
        checks.finish()?;
        let unmarked = c.minor_involved && !minor_involved;
        let changes = Changes::new()
            .field("title", c.title.clone(), title.trim())
            .field("category", c.category_code.clone(), category.trim())
            .field("urgent", c.urgent, urgent)
            .field("minor_involved", c.minor_involved, minor_involved);
        c.title = title.trim().to_owned();
        c.narrative = narrative.trim().to_owned();
        c.category_code = category.trim().to_owned();
        c.urgent = urgent;
        c.minor_involved = minor_involved;
        self.save(tx.conn(), &c).await?;
        if unmarked {
            // What the mark sealed may be found again (unless a party is a minor).
            store_search::reindex_case(tx.conn(), &c.id.to_string()).await?;
        }
        self.event(tx.conn(), ctx, &c, "edited", "", false).await?;
        ctx.audit(tx.conn(), "case.edit", "case", &case.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
