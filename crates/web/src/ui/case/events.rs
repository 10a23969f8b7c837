//! A case's timeline in words: what happened and what it says.

use gongzhi_app::case::TimelineEvent;
use gongzhi_app::domain::event::EventDetail;

use super::fmt_ms;
use crate::i18n::T;

pub struct EventRow {
    pub at: String,
    pub who: String,
    pub agency: String,
    pub what: String,
    pub detail: String,
}

impl EventRow {
    /// A timeline step in words: what happened and what it says, in the reader's language.
    pub(crate) fn of(t: &T, e: &TimelineEvent) -> Self {
        let (what, detail) = event_text(t, &e.kind, &e.detail);
        EventRow {
            at: fmt_ms(e.at),
            who: e.actor_name.clone(),
            agency: e.agency_name.clone(),
            what,
            detail,
        }
    }
}

fn event_text(t: &T, kind: &str, detail: &EventDetail) -> (String, String) {
    let what = match kind.strip_prefix("cmd-") {
        Some(cmd) => t.code("command", cmd),
        None => t.code_or_raw("event", kind),
    };
    let detail = match detail {
        EventDetail::None => String::new(),
        EventDetail::Registered { number, channel } => {
            format!("{number}，{}", t.code("channel", channel.code()))
        }
        EventDetail::RiskAssessed { level, score } => t.ta(
            "risk-summary",
            &[
                ("level", t.code("risk", level.code())),
                ("score", score.to_string()),
            ],
        ),
        EventDetail::ReconciliationChecked { unmet } if unmet.is_empty() => t.t("reconciliation-eligible"),
        EventDetail::ReconciliationChecked { unmet } => unmet
            .iter()
            .map(|w| t.code("ineligible", w.code()))
            .collect::<Vec<_>>()
            .join("；"),
        EventDetail::ClockChanged { clock, reason, due } => clock_change_text(t, *clock, reason, due),
        EventDetail::Text { text } => match kind {
            _ if kind.starts_with("cmd-") || kind.starts_with("mediation-") => text.clone(),
            k if k.starts_with("reply-") => t.code_or_raw("reply-channel", text),
            "follow-up" => t.code_or_raw("satisfaction", text),
            "contact-attempt" => t.code_or_raw("contact-outcome", text),
            "reconciliation-recorded" => {
                match serde_json::from_str::<gongzhi_app::domain::reconciliation::ReconciliationRecord>(text)
                {
                    Ok(r) if r.missing().is_empty() => {
                        format!("{}；{}", r.compensation, t.t("reconciliation-record-complete"))
                    }
                    Ok(r) => r
                        .missing()
                        .iter()
                        .map(|m| t.t(&format!("reconciliation-missing-{}", m.replace('_', "-"))))
                        .collect::<Vec<_>>()
                        .join(""),
                    Err(_) => String::new(),
                }
            }
            "attachment" => t.ta("attachments-added", &[("n", text.clone())]),
            _ => text.clone(),
        },
    };
    (what, detail)
}

/// A clock change in words: which clock, why, and its due date since (the staff timeline and, for
/// an extension, the petitioner's progress page, §3.3).
pub(crate) fn clock_change_text(
    t: &T,
    clock: gongzhi_app::domain::deadline::ClockKind,
    reason: &str,
    due: &str,
) -> String {
    t.ta(
        "event-clock-detail",
        &[
            ("clock", t.code("clock", clock.code())),
            ("reason", reason.to_owned()),
            ("due", due.to_owned()),
        ],
    )
}
