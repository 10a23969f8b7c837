//! Deciding about a likely earlier case from the case page (issue 13 §2): a repeat petition of it
//! (重复信访), not the same matter (dismissed, not suggested again), or a true duplicate — the same
//! petition registered twice — merged into it. A merge keeps everything of the duplicate, stops
//! counting it, holds its clocks with the state they had, and is taken back exactly; each is one
//! transaction, so a merge that fails leaves both cases as they were.

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_domain::search::simhash;
use gongzhi_domain::time;
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case, DuplicateQuery, LinkKind};

use super::{Likely, conflict_of, district_wide};
use crate::{App, AppError, Ctx, FieldError};

/// A decision about a likely earlier case: `repeat` or `dismissed`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct LinkDecision {
    pub other_id: String,
    pub kind: String,
}

/// Merge this case (the duplicate) into `into`, the case that carries on.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    pub into: String,
    /// The duplicate's version as read; a stale one is 409.
    pub version: i64,
}

/// Take a merge back.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct UnmergeRequest {
    pub version: i64,
}

/// Where a merged duplicate went, shown on its page.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MergedNote {
    pub into_id: String,
    pub into_number: String,
    pub by_name: String,
    /// UTC milliseconds.
    pub at: i64,
}

fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, key)])
}

impl App {
    /// Refuses changes to a merged duplicate: its work goes on in the case it went into.
    pub(crate) async fn refuse_merged(&self, conn: &mut AnyConnection, c: &Case) -> Result<(), AppError> {
        match case::merged_into(conn, c.id).await? {
            Some(m) => Err(AppError::Invalid(vec![
                FieldError::new("case", "case-merged").arg("number", m.into_number),
            ])),
            None => Ok(()),
        }
    }

    /// The other case of a decision, which the user must be able to open (not found otherwise,
    /// as a case number is itself information).
    async fn other_case(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &Case,
        other: &str,
        field: &str,
    ) -> Result<Case, AppError> {
        let other: Id = other.trim().parse().map_err(|_| invalid(field, "case-unknown"))?;
        if other == c.id {
            return Err(invalid(field, "case-link-self"));
        }
        match self.case_for_read(conn, ctx, other).await {
            Ok((o, _)) => Ok(o),
            Err(AppError::NotFound) => Err(invalid(field, "case-unknown")),
            Err(e) => Err(e),
        }
    }

    /// The cases a registered case likely repeats or duplicates, among those the user may open,
    /// without those already decided about (either way round) and merged ones.
    pub async fn case_duplicates(&self, ctx: &Ctx, case: Id) -> Result<Vec<Likely>, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut conn = self.db().conn().await?;
        let c = self.case_for_write(&mut conn, ctx, case).await?;
        let parties = case::parties(&mut conn, case).await?;
        let named = |role: &str| {
            parties
                .iter()
                .find(|p| p.role == role && !p.name.is_empty())
                .map(|p| p.name.clone())
        };
        let settings = self.case_settings().repeats;
        let q = DuplicateQuery {
            except: Some(case),
            id_indexes: parties.iter().filter_map(|p| p.id_index.clone()).collect(),
            phone_indexes: parties.iter().filter_map(|p| p.phone_index.clone()).collect(),
            petitioner: named("petitioner"),
            respondent: named("respondent"),
            since: time::to_millis(c.received_at) - settings.window_days * 24 * 3600 * 1000,
            simhash: simhash::of_case(&c.title, &c.narrative),
            visible_to: (!district_wide(&actor)).then_some(actor.agency_id),
        };
        self.likely(&mut conn, &q).await
    }

    /// Records a decision about a likely earlier case: a repeat petition of it, or dismissed.
    pub async fn link_case(&self, ctx: &Ctx, case: Id, d: &LinkDecision) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let kind = match d.kind.as_str() {
            "repeat" => LinkKind::Repeat,
            "dismissed" => LinkKind::Dismissed,
            _ => return Err(invalid("kind", "case-link-kind")),
        };
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let other = self
            .other_case(tx.conn(), ctx, &c, &d.other_id, "other_id")
            .await?;
        let by = ctx.user().map(|u| u.display_name.clone()).unwrap_or_default();
        case::put_link(tx.conn(), case, other.id, kind, &by, time::to_millis(self.now())).await?;
        let event = match kind {
            LinkKind::Repeat => "linked_repeat",
            LinkKind::Dismissed => "dismissed_duplicate",
        };
        self.event(tx.conn(), ctx, &c, event, &other.number, false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.link",
            "case",
            &case.to_string(),
            Changes::new()
                .set("other", other.number.clone())
                .set("kind", kind.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merges the case, a true duplicate, into the case that carries on; both must be the user's
    /// agency's to change.
    pub async fn merge_case(&self, ctx: &Ctx, case: Id, m: &MergeRequest) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let into = self.other_case(tx.conn(), ctx, &c, &m.into, "into").await?;
        // The case that carries on must itself be open to changes (not merged) and the user's.
        let into = self.case_for_write(tx.conn(), ctx, into.id).await?;
        if !case::merged_from(tx.conn(), case).await?.is_empty() {
            return Err(invalid("into", "merge-has-duplicates"));
        }
        let by = ctx.user().map(|u| u.display_name.clone()).unwrap_or_default();
        if !case::merge(
            tx.conn(),
            case,
            into.id,
            &by,
            time::to_millis(self.now()),
            m.version,
        )
        .await?
        {
            return Err(conflict_of(&c));
        }
        self.event(tx.conn(), ctx, &c, "merged_into", &into.number, false)
            .await?;
        self.event(tx.conn(), ctx, &into, "merged_from", &c.number, false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.merge",
            "case",
            &case.to_string(),
            Changes::new().set("into", into.number.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a merge back: the duplicate is a case of its own again, its clocks as they were.
    pub async fn unmerge_case(&self, ctx: &Ctx, case: Id, u: &UnmergeRequest) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let (c, owner) = self.case_for_read(tx.conn(), ctx, case).await?;
        if !owner {
            return Err(AppError::NotOwner);
        }
        let Some(m) = case::merged_into(tx.conn(), case).await? else {
            return Err(invalid("case", "case-not-merged"));
        };
        if !case::unmerge(tx.conn(), case, time::to_millis(self.now()), u.version).await? {
            return Err(conflict_of(&c));
        }
        self.event(tx.conn(), ctx, &c, "unmerged", &m.into_number, false)
            .await?;
        let into = match m.into_id.parse::<Id>() {
            Ok(id) => case::get_case(tx.conn(), id).await?,
            Err(_) => None,
        };
        if let Some(into) = into {
            self.event(tx.conn(), ctx, &into, "unmerged_from", &c.number, false)
                .await?;
        }
        ctx.audit(
            tx.conn(),
            "case.unmerge",
            "case",
            &case.to_string(),
            Changes::new().set("from", m.into_number),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Where the case was merged, and what was merged into it (those the viewer may open).
    pub(crate) async fn merge_notes(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
    ) -> Result<(Option<MergedNote>, Vec<(String, String, String, String)>), AppError> {
        let into = case::merged_into(&mut *conn, case).await?.map(|m| MergedNote {
            into_id: m.into_id,
            into_number: m.into_number,
            by_name: m.by_name,
            at: m.at,
        });
        let mut from = Vec::new();
        for (id, number, title, by, _) in case::merged_from(&mut *conn, case).await? {
            let Ok(d) = id.parse::<Id>() else { continue };
            if self.case_for_read(&mut *conn, ctx, d).await.is_ok() {
                from.push((id, number, title, by));
            }
        }
        Ok((into, from))
    }
}
