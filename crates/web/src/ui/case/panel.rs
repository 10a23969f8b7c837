//! The case page in panels. An action posted with htmx (`HX-Request`) is answered with only the
//! panels it changes, each swapped in place by its id (out of band), so the page keeps its scroll
//! position and what the user typed in the other panels. Without JavaScript the same forms post
//! and redirect to the whole page as before.

use askama::Template;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use super::page::CasePage;
use crate::error::internal;

/// A panel of the case page; its element is `panel-<name>` (the head and the notices have their
/// own ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Panel {
    Head,
    Notice,
    Toast,
    Actions,
    Reply,
    Edit,
    Reconciliation,
    Mediation,
    FollowUp,
    Meetings,
    Timeline,
    Clocks,
    Risk,
    Parties,
    Referrals,
    Attachments,
    Publication,
    Related,
}

impl Panel {
    const ALL: [Panel; 18] = [
        Panel::Head,
        Panel::Notice,
        Panel::Toast,
        Panel::Actions,
        Panel::Reply,
        Panel::Edit,
        Panel::Reconciliation,
        Panel::Mediation,
        Panel::FollowUp,
        Panel::Meetings,
        Panel::Timeline,
        Panel::Clocks,
        Panel::Risk,
        Panel::Parties,
        Panel::Referrals,
        Panel::Attachments,
        Panel::Publication,
        Panel::Related,
    ];

    /// Every change shows in these: the head (status, risk, handler), the notices, the commands
    /// now possible, the clocks and the timeline.
    const ALWAYS: [Panel; 6] = [
        Panel::Head,
        Panel::Notice,
        Panel::Toast,
        Panel::Actions,
        Panel::Clocks,
        Panel::Timeline,
    ];

    /// The panel a form of the page sits in (`ref-…`, `clock-…` and `party-…` are the forms of
    /// one referral, clock or party).
    fn of_form(form: &str) -> Option<Panel> {
        Some(match form {
            "actions" => Panel::Actions,
            "reply" => Panel::Reply,
            "edit" => Panel::Edit,
            "reconciliation" => Panel::Reconciliation,
            "mediation" => Panel::Mediation,
            "follow-up" => Panel::FollowUp,
            "risk" | "plan" => Panel::Risk,
            "referrals" => Panel::Referrals,
            "attachments" => Panel::Attachments,
            "publication" => Panel::Publication,
            f if f.starts_with("ref-") => Panel::Referrals,
            f if f.starts_with("clock-") => Panel::Clocks,
            f if f.starts_with("party-") => Panel::Parties,
            _ => return None,
        })
    }

    /// The panels an action from `form` changes: its own and those every change shows in. A
    /// workflow command, an answer to a referral (the receiver's work opens or ends with it) — or
    /// any change on a closed case — can change what every panel offers (the commands, who may
    /// act, the risk gate), so it is answered with all of them.
    pub(crate) fn changed_by(form: &str, closed: bool) -> Vec<Panel> {
        match Panel::of_form(form) {
            Some(Panel::Actions) | None => Panel::ALL.to_vec(),
            Some(Panel::Referrals) if form.starts_with("ref-") => Panel::ALL.to_vec(),
            _ if closed => Panel::ALL.to_vec(),
            Some(own) => {
                let mut panels = Panel::ALWAYS.to_vec();
                if !panels.contains(&own) {
                    panels.push(own);
                }
                panels
            }
        }
    }
}

/// The answer to an htmx action: the changed panels, each marked for an out-of-band swap, and the
/// version fields of the forms not re-rendered so that their next post is not stale.
pub(crate) fn answer(mut p: CasePage, panels: &[Panel], status: StatusCode, request_id: &str) -> Response {
    p.partial = true;
    match render(&mut p, panels) {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, request_id, "template failed");
            internal(false, request_id)
        }
    }
}

fn render(p: &mut CasePage, panels: &[Panel]) -> askama::Result<String> {
    let mut html = String::new();
    for panel in panels {
        let p = &*p;
        match panel {
            Panel::Head => p.as_p_head().render_into(&mut html)?,
            Panel::Notice => p.as_p_notice().render_into(&mut html)?,
            Panel::Toast => p.as_p_toast().render_into(&mut html)?,
            Panel::Actions => p.as_p_actions().render_into(&mut html)?,
            Panel::Reply => p.as_p_reply().render_into(&mut html)?,
            Panel::Edit => p.as_p_edit().render_into(&mut html)?,
            Panel::Reconciliation => p.as_p_reconciliation().render_into(&mut html)?,
            Panel::Mediation => p.as_p_mediation().render_into(&mut html)?,
            Panel::FollowUp => p.as_p_follow_up().render_into(&mut html)?,
            Panel::Meetings => p.as_p_meetings().render_into(&mut html)?,
            Panel::Timeline => p.as_p_timeline().render_into(&mut html)?,
            Panel::Clocks => p.as_p_clocks().render_into(&mut html)?,
            Panel::Risk => p.as_p_risk().render_into(&mut html)?,
            Panel::Parties => p.as_p_parties().render_into(&mut html)?,
            Panel::Referrals => p.as_p_referrals().render_into(&mut html)?,
            Panel::Attachments => p.as_p_attachments().render_into(&mut html)?,
            Panel::Publication => p.as_p_publication().render_into(&mut html)?,
            Panel::Related => p.as_p_related().render_into(&mut html)?,
        }
    }
    // Rendered on their own only now: inside a re-rendered form they must not be swapped apart.
    p.oob_versions = true;
    if !panels.contains(&Panel::Reply) {
        p.as_p_reply_version().render_into(&mut html)?;
    }
    if !panels.contains(&Panel::Edit) {
        p.as_p_edit_version().render_into(&mut html)?;
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_changes_every_panel_an_answer_its_own_and_the_common_ones() {
        assert_eq!(Panel::changed_by("actions", false), Panel::ALL.to_vec());
        let reply = Panel::changed_by("reply", false);
        assert!(reply.contains(&Panel::Reply) && reply.contains(&Panel::Timeline));
        assert!(!reply.contains(&Panel::Mediation) && !reply.contains(&Panel::Edit));
        assert!(Panel::changed_by("clock-0190", false).ends_with(&[Panel::Timeline]));
        assert!(Panel::changed_by("ref-1", false).contains(&Panel::Referrals));
        assert!(Panel::changed_by("party-1", false).contains(&Panel::Parties));
        assert_eq!(Panel::changed_by("attachments", true), Panel::ALL.to_vec());
    }
}
