//! The roster at work (issue 12 §2): on a case in a village, its six roster members and the
//! township's patch owner, and the mediator, legal adviser or counsellor asked to help — the
//! village's own first; in the patch owner's inbox, the township's open high-risk cases.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::{Action, Actor};
use gongzhi_app::roster::{HELPER_SLOTS, Helper, HelperForm, Patch, PatchWatch, RosterMember};

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::case::{CaseRow, after, listed_row};
use crate::ui::{PageResult, page};

pub fn router() -> Routes {
    let handle = Access::Staff(Action::HandleCase);
    Routes::new().post("/cases/{id}/helpers", handle, add).post(
        "/cases/{id}/helpers/{helper}/release",
        handle,
        release,
    )
}

/// The people of a case's place: the roster, the patch owner, and who helps with the case.
pub(crate) struct CasePeople {
    pub roster: Vec<RosterMember>,
    pub patch: Option<Patch>,
    pub helpers: Vec<Helper>,
    /// The slots a helper may be asked for, each with the village's roster member of it (if any).
    pub choices: Vec<HelperChoice>,
}

pub(crate) struct HelperChoice {
    pub slot: String,
    pub label: String,
    /// The village's roster member of the slot: name and agency.
    pub member: Option<(String, String)>,
}

impl CasePeople {
    /// The mediation form's suggestions: the village's mediator first, then the rest of the roster
    /// and the helpers already on the case.
    pub fn mediators(&self, t: &T) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut roster: Vec<&RosterMember> = self.roster.iter().collect();
        roster.sort_by_key(|m| {
            HELPER_SLOTS
                .iter()
                .position(|s| *s == m.slot)
                .unwrap_or(usize::MAX)
        });
        for m in roster {
            out.push((
                m.person_name.clone(),
                format!("{}（{}）", t.code("slot", m.slot.code()), m.agency_name),
            ));
        }
        for h in &self.helpers {
            if !out.iter().any(|(n, _)| *n == h.row.person_name) {
                out.push((h.row.person_name.clone(), t.code("slot", h.slot.code())));
            }
        }
        out
    }
}

pub(crate) async fn case_people(
    s: &AppState,
    req: &Req,
    actor: &Actor,
    case: Id,
    village: Option<Id>,
) -> Result<CasePeople, PageError> {
    let t = &req.t;
    let (roster, patch) = if actor.can(Action::ViewRoster) {
        let roster = match village {
            Some(v) => page(req, s.app.village_people(&req.ctx, v).await)?,
            None => Vec::new(),
        };
        (roster, page(req, s.app.case_patch(&req.ctx, case).await)?)
    } else {
        (Vec::new(), None)
    };
    let choices = HELPER_SLOTS
        .iter()
        .map(|slot| HelperChoice {
            slot: slot.code().to_owned(),
            label: t.code("slot", slot.code()),
            member: roster
                .iter()
                .find(|m| m.slot == *slot)
                .map(|m| (m.person_name.clone(), m.agency_name.clone())),
        })
        .collect();
    Ok(CasePeople {
        helpers: page(req, s.app.case_helpers(&req.ctx, case).await)?,
        roster,
        patch,
        choices,
    })
}

async fn add(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = HelperForm {
        slot: d.get("slot"),
        from_roster: d.flag("from_roster"),
        person_name: d.get("person_name"),
        agency_name: d.get("agency_name"),
    };
    let r = s.app.add_helper(&req.ctx, id, &f).await.map(|_| ());
    after(&s, &req, id, "helpers", &d, r, "helper-added").await
}

async fn release(
    State(s): State<AppState>,
    req: Req,
    Path((id, helper)): Path<(Id, Id)>,
    d: FormData,
) -> PageResult {
    let r = s.app.release_helper(&req.ctx, id, helper).await;
    after(&s, &req, id, "helpers", &d, r, "helper-released").await
}

/// A patched township's high-risk cases, as the inbox lists them.
pub(crate) struct PatchRow {
    pub township: String,
    pub rows: Vec<CaseRow>,
    pub total: i64,
}

pub(crate) async fn patch_rows(s: &AppState, req: &Req) -> Result<Vec<PatchRow>, PageError> {
    if !req.ctx.user().is_some_and(|a| a.can(Action::WatchPatch)) {
        return Ok(Vec::new());
    }
    let watched: Vec<PatchWatch> = page(req, s.app.patch_watch(&req.ctx).await)?;
    Ok(watched
        .iter()
        .map(|w| PatchRow {
            township: w.township.name.clone(),
            rows: w.cases.iter().map(|l| listed_row(&req.t, l)).collect(),
            total: w.total,
        })
        .collect())
}
