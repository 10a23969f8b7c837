//! 听证公告 on the public portal: public hearings about to sit and their results, with the parties'
//! names masked; a hearing with a minor party never appears (DOMAIN.md §3.6 Art. 5, Art. 10).

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::Page;
use gongzhi_app::domain::Id;
use gongzhi_app::hearing::PublicHearing;
use http::StatusCode;

use super::super::{Chrome, PageResult, page};
use crate::AppState;
use crate::error::render;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new().get("/portal/hearings", Access::Public, list).get(
        "/portal/hearings/{id}",
        Access::Public,
        show,
    )
}

const PER_PAGE: i64 = 20;

struct Item {
    h: PublicHearing,
    kind: String,
    state: String,
    venue: String,
}

#[derive(Template)]
#[template(path = "portal/hearings.html")]
struct ListPage {
    c: Chrome,
    items: Vec<Item>,
    one: bool,
    page: i64,
    more: bool,
}

fn item(req: &Req, h: PublicHearing) -> Item {
    let t = &req.t;
    Item {
        kind: t.code("hearing-kind", h.kind.code()),
        state: t.code(
            "hearing-public-state",
            if h.announcement.is_empty() {
                "upcoming"
            } else {
                "announced"
            },
        ),
        venue: t.code("hearing-venue", h.venue.code()),
        h,
    }
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let n = q.page.unwrap_or(1).clamp(1, super::super::MAX_PAGE);
    let found = page(&req, s.app.public_hearings(Page::nth(n, PER_PAGE)).await)?;
    let p = ListPage {
        c: Chrome::new(&req),
        more: n * PER_PAGE < found.total,
        items: found.items.into_iter().map(|h| item(&req, h)).collect(),
        one: false,
        page: n,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    let h = page(&req, s.app.public_hearing(id).await)?;
    let p = ListPage {
        c: Chrome::new(&req),
        items: vec![item(&req, h)],
        one: true,
        page: 1,
        more: false,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}
