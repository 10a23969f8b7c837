//! Referring a case to another agency, and the receiving agency's answer.

use axum::extract::{Path, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::referral::{NewReferral, ReferralAnswer, ReferralChoice};

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::PageResult;
use crate::ui::case::after;
use crate::ui::inbox::from_inbox;

pub fn router() -> Routes {
    Routes::new()
        .post("/cases/{id}/refer", Access::Staff(Action::HandleCase), refer)
        .post(
            "/referrals/{id}/{action}",
            Access::Staff(Action::HandleCase),
            answer_referral,
        )
}

/// One group of the agency menu: the suggested agencies (no key: always offered), or one kind.
pub struct AgencyGroup {
    pub label: String,
    pub key: String,
    pub options: Vec<AgencyOption>,
}

pub struct AgencyOption {
    pub id: String,
    pub name: String,
    /// The agency's kind, by which the kind filter narrows the suggested group.
    pub kind: String,
}

/// The agency menu of the referral and routing forms, with the kinds its filter offers: the
/// suggested agencies first (each saying why), then the rest one group per kind.
pub fn agency_menu(t: &T, choices: &[ReferralChoice]) -> (Vec<AgencyGroup>, Vec<(String, String)>) {
    let mut groups: Vec<AgencyGroup> = Vec::new();
    let mut kinds: Vec<(String, String)> = Vec::new();
    for ch in choices {
        let kind = ch.agency.kind.code().to_owned();
        if !kinds.iter().any(|(k, _)| *k == kind) {
            kinds.push((kind.clone(), t.code("agency-kind", &kind)));
        }
        let (key, label, name) = match ch.suggestion {
            Some(why) => (
                String::new(),
                t.t("referral-suggested"),
                format!(
                    "{}（{}）",
                    ch.agency.name,
                    t.code("referral-suggestion", why.code())
                ),
            ),
            None => (kind.clone(), t.code("agency-kind", &kind), ch.agency.name.clone()),
        };
        if groups.last().is_none_or(|g| g.label != label) {
            groups.push(AgencyGroup {
                label,
                key,
                options: Vec::new(),
            });
        }
        if let Some(g) = groups.last_mut() {
            g.options.push(AgencyOption {
                id: ch.agency.id.to_string(),
                name,
                kind,
            });
        }
    }
    (groups, kinds)
}

async fn refer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let input = NewReferral {
        to_agency: d.get("to_agency"),
        note: d.get("note"),
        days: u32::try_from(d.int("days")).unwrap_or(0),
        reply_requested: d.get("reply_requested") == "on",
    };
    let r = s.app.refer(&req.ctx, id, &input).await;
    after(&s, &req, id, "referrals", &d, r, "referred").await
}

async fn answer_referral(
    State(s): State<AppState>,
    req: Req,
    Path((id, action)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let case: Option<Id> = d.get("case").parse().ok();
    let answer = ReferralAnswer {
        action: action.clone(),
        text: d.get("text"),
    };
    let r = s.app.answer_referral(&req.ctx, id, &answer).await;
    if d.get("back") == "inbox" {
        return from_inbox(&s, &req, r.map(|_| ()), &format!("referral-{action}")).await;
    }
    match r {
        Ok(case) => {
            let ok = format!("referral-{action}");
            after(&s, &req, case, &format!("ref-{id}"), &d, Ok(()), &ok).await
        }
        Err(e) => match case {
            Some(case) => after(&s, &req, case, &format!("ref-{id}"), &d, Err(e), "").await,
            None => Err(PageError(req.clone(), e)),
        },
    }
}
