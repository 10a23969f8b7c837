//! What the public sees of hearings (DOMAIN.md §3.6 Art. 10: a public hearing is announced): public
//! hearings only — never one with a minor party — with the parties' names masked.

use gongzhi_domain::hearing::{self as rules, HearingKind, HearingState, Venue};
use gongzhi_domain::{Id, time};
use gongzhi_store::hearing::{self as store, HearingRow};
use gongzhi_store::{Page, Paged, case};

use crate::{App, AppError};

/// A public hearing as the portal shows it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PublicHearing {
    pub id: String,
    pub kind: HearingKind,
    pub state: HearingState,
    pub venue: Venue,
    pub place: String,
    /// Local `YYYY-MM-DD HH:MM`.
    pub scheduled_at: String,
    pub topic: String,
    /// The result, once announced.
    pub announcement: String,
}

impl App {
    async fn public_of(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        h: HearingRow,
    ) -> Result<PublicHearing, AppError> {
        let names: Vec<String> = match h.case_id.parse::<Id>() {
            Ok(cid) => case::parties(&mut *conn, cid)
                .await?
                .into_iter()
                .map(|p| p.name)
                .collect(),
            Err(_) => Vec::new(),
        };
        let hearing = self.hearing_of(h)?;
        let announced = matches!(hearing.state, HearingState::Announced | HearingState::Archived);
        Ok(PublicHearing {
            id: hearing.row.id.clone(),
            kind: hearing.kind,
            state: hearing.state,
            venue: hearing.venue,
            place: rules::masked(&hearing.row.place, &names),
            scheduled_at: hearing
                .row
                .scheduled_at
                .map(|at| time::format_local(time::from_millis(at)))
                .unwrap_or_default(),
            topic: rules::masked(&hearing.row.topic, &names),
            announcement: if announced {
                rules::masked(&hearing.row.announcement, &names)
            } else {
                String::new()
            },
        })
    }

    /// Public hearings, announced or about to sit, newest first. Anyone may read them.
    pub async fn public_hearings(&self, page: Page) -> Result<Paged<PublicHearing>, AppError> {
        let mut conn = self.db().conn().await?;
        let rows = store::public_hearings(&mut conn, page).await?;
        let mut items = Vec::new();
        for h in rows.items {
            items.push(self.public_of(&mut conn, h).await?);
        }
        Ok(Paged {
            items,
            total: rows.total,
        })
    }

    /// One public hearing; anything else (closed, a minor party, not yet noticed) is not found.
    pub async fn public_hearing(&self, id: Id) -> Result<PublicHearing, AppError> {
        let mut conn = self.db().conn().await?;
        let h = store::hearing(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        let listed = h.wants_public == 1
            && h.minor == 0
            && !matches!(
                h.state.as_str(),
                "applied" | "proposed" | "approved" | "prepared" | "refused" | "withdrawn"
            );
        if !listed {
            return Err(AppError::NotFound);
        }
        self.public_of(&mut conn, h).await
    }
}
