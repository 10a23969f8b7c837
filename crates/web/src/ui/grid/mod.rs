//! 我的网格 (issue 10 §6): on a phone in the village, the grid worker's villages with their open
//! cases and what falls due, and the 1+4+6 people to call; and prosecutors into the grid (issue 12
//! §1): visits (`visit`), the phone's offline visit log (`log`), assignments and coverage
//! (`assignment`), and the clues visits found (`clue`).

mod assignment;
mod clue;
mod log;
mod visit;

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::admin::OrgUnit;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::grid::MyGrid;

use super::case::{CaseRow, listed_row};
use super::{Chrome, PageResult, page};
use crate::AppState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new()
        .get("/grid", Access::Staff(Action::ViewCases), mine)
        .merge(visit::router())
        .merge(log::router())
        .merge(assignment::router())
        .merge(clue::router())
}

#[derive(serde::Deserialize)]
pub struct GridQuery {
    township: Option<String>,
}

struct VillageCard {
    id: String,
    name: String,
    open: i64,
    rows: Vec<CaseRow>,
    /// (slot, name, agency, phone)
    roster: Vec<(String, String, String, String)>,
    gaps: usize,
}

#[derive(Template)]
#[template(path = "grid/mine.html")]
struct GridPage {
    c: Chrome,
    grid: MyGrid,
    villages: Vec<VillageCard>,
    /// For a district-wide office: the townships to choose from.
    townships: Vec<OrgUnit>,
    open_total: i64,
}

async fn mine(State(s): State<AppState>, req: Req, Query(q): Query<GridQuery>) -> PageResult {
    let chosen: Option<Id> = q.township.as_deref().and_then(|t| t.parse().ok());
    let grid = page(&req, s.app.my_grid(&req.ctx, chosen).await)?;
    let townships = if grid.own {
        Vec::new()
    } else {
        page(&req, s.app.portal_places().await)?
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    };
    let c = Chrome::new(&req);
    let villages = grid
        .villages
        .iter()
        .map(|v| VillageCard {
            id: v.village.id.to_string(),
            name: v.village.name.clone(),
            open: v.open,
            rows: v.cases.iter().map(|l| listed_row(&c.t, l)).collect(),
            roster: v
                .roster
                .iter()
                .map(|m| {
                    (
                        c.t.code("slot", m.slot.code()),
                        m.person_name.clone(),
                        m.agency_name.clone(),
                        m.phone.clone(),
                    )
                })
                .collect(),
            gaps: gongzhi_app::domain::roster::Slot::ALL
                .len()
                .saturating_sub(v.roster.len()),
        })
        .collect::<Vec<_>>();
    let open_total = villages.iter().map(|v| v.open).sum();
    super::ok(
        &req,
        &GridPage {
            c,
            grid,
            villages,
            townships,
            open_total,
        },
    )
}
