//! Joint meetings (联席会议): on one's own cases, with action items for the agencies taking part.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::case;
use gongzhi_store::meeting;
use gongzhi_store::meeting::Meeting;
use gongzhi_store::reference;

use crate::case::parse_local;
use crate::error::Checks;
use crate::task::ActionItem;
use crate::{App, AppError, Ctx, FieldError};

/// A joint meeting, as the meeting form and `POST /api/v1/meetings` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MeetingForm {
    pub title: String,
    /// Local time `YYYY-MM-DD HH:MM`.
    pub held_at: String,
    pub place: String,
    pub conclusions: String,
    /// Agency ids besides the caller's.
    pub agencies: Vec<String>,
    pub cases: Vec<String>,
    /// Action items for the agencies taking part.
    #[serde(default)]
    pub items: Vec<ActionItem>,
}

impl App {
    /// A joint analysis meeting (共同研判) of several agencies on several cases, with action items.
    pub async fn create_meeting(&self, ctx: &Ctx, f: &MeetingForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        checks.check(
            (1..=100).contains(&f.title.trim().chars().count()),
            "title",
            "title-invalid",
        );
        let held = parse_local(&f.held_at);
        checks.check(held.is_some(), "held_at", "held-invalid");
        checks.check(!f.place.trim().is_empty(), "place", "place-required");
        checks.check(
            !f.conclusions.trim().is_empty(),
            "conclusions",
            "conclusions-required",
        );
        let mut agencies = vec![actor.agency_id];
        for a in &f.agencies {
            match a.parse::<Id>() {
                Ok(id) if reference::agency_get(tx.conn(), id).await?.is_some() => {
                    if !agencies.contains(&id) {
                        agencies.push(id);
                    }
                }
                _ => checks.fail(FieldError::new("agencies", "agency-unknown")),
            }
        }
        checks.check(agencies.len() >= 2, "agencies", "meeting-agencies");
        // Only cases of the convening agency: a meeting writes to each case's timeline.
        let mut case_ids = Vec::new();
        for c in &f.cases {
            let id = c.parse::<Id>().ok();
            let visible = match id {
                Some(id) => self.case_for_write(tx.conn(), ctx, id).await.is_ok(),
                None => false,
            };
            match (id, visible) {
                (Some(id), true) => case_ids.push(id),
                _ => checks.fail(FieldError::new("cases", "case-unknown")),
            }
        }
        checks.check(!case_ids.is_empty(), "cases", "meeting-cases");
        let items = self
            .check_tasks(tx.conn(), &mut checks, &f.items, &agencies)
            .await?;
        checks.finish()?;
        let held = held.ok_or_else(|| AppError::field("held_at", "held-invalid"))?;
        let id = Id::new();
        let now = self.now();
        meeting::insert_meeting(
            tx.conn(),
            &Meeting {
                id: id.to_string(),
                title: f.title.trim().to_owned(),
                held_at: time::to_millis(held),
                place: f.place.trim().to_owned(),
                conclusions: f.conclusions.trim().to_owned(),
                agency_id: actor.agency_id.to_string(),
                created_by_name: actor.display_name.clone(),
                created_at: time::to_millis(now),
            },
            &agencies,
            &case_ids,
        )
        .await?;
        let first_case = case_ids.first().copied();
        self.insert_tasks(tx.conn(), first_case, "meeting", &id.to_string(), items)
            .await?;
        for cid in &case_ids {
            if let Some(c) = case::get_case(tx.conn(), *cid).await? {
                self.event(tx.conn(), ctx, &c, "meeting", f.title.trim(), false)
                    .await?;
            }
        }
        ctx.audit(
            tx.conn(),
            "meeting.create",
            "meeting",
            &id.to_string(),
            Changes::new()
                .set("cases", case_ids.len())
                .set("agencies", agencies.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
