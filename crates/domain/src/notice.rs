//! What a notice in someone's inbox says: a clock falling due or overdue (§3.6 reminders and
//! escalation), a referral arriving, returned or reported back. Typed as it crosses the layers,
//! stored in `notice.body` as JSON with its codes.

use serde::{Deserialize, Serialize};

use crate::deadline::ClockKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// A clock is due soon.
    Reminder { clock: ClockKind, due: String },
    /// A clock is overdue: its agency's leaders are told.
    Escalation { clock: ClockKind, due: String },
    /// A case was referred to the agency, feedback due by then.
    Referral { due: String },
    /// The receiving agency returned the referral.
    ReferralReturned { by: String },
    /// The receiving agency reported its result.
    ReferralReported { by: String },
    /// The political-legal committee supervises the case (督办); the answer goes back to
    /// `by_agency` (absent in notices raised before answers were taken).
    Supervised {
        by: String,
        note: String,
        #[serde(default)]
        by_agency: Option<String>,
    },
    /// The submitter added material on the portal while the matter was open.
    MaterialAdded { files: usize, note: String },
    /// The handling agency answered the committee's supervision.
    SupervisionAnswered { by: String, answer: String },
    /// The head refused to sign off the high risk, with the reason.
    SignOffRefused { by: String, reason: String },
    /// The head approved or refused a request to change a clock (the answer is the reason).
    ClockRequestDecided {
        clock: ClockKind,
        approved: bool,
        by: String,
        answer: String,
    },
    /// A hearing waits for the chief prosecutor's approval (DOMAIN.md §3.6 Art. 4).
    HearingProposed {
        hearing: String,
        by: String,
        topic: String,
    },
    /// The chief prosecutor approved or rejected a hearing (the reason when rejected).
    HearingReviewed {
        hearing: String,
        approved: bool,
        by: String,
        reason: String,
    },
    /// A decision departed from the officers' majority: reported to the chief prosecutor (§3.6).
    HearingReport {
        hearing: String,
        by: String,
        report: String,
    },
}

impl Message {
    /// The hearing a notice is about, for its link.
    pub fn hearing(&self) -> Option<&str> {
        match self {
            Message::HearingProposed { hearing, .. }
            | Message::HearingReviewed { hearing, .. }
            | Message::HearingReport { hearing, .. } => Some(hearing),
            _ => None,
        }
    }
}

/// A notice's message with the case it is about, as it was when the notice was raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    pub number: String,
    pub title: String,
    #[serde(flatten)]
    pub message: Message,
}

impl Notice {
    /// The kind stored beside the body, by which inboxes filter.
    pub fn kind(&self) -> &'static str {
        match self.message {
            Message::Reminder { .. } => "reminder",
            Message::Escalation { .. } => "escalation",
            Message::Referral { .. } => "referral",
            Message::ReferralReturned { .. } => "referral_returned",
            Message::ReferralReported { .. } => "referral_reported",
            Message::Supervised { .. } => "supervised",
            Message::SupervisionAnswered { .. } => "supervision_answered",
            Message::MaterialAdded { .. } => "material_added",
            Message::SignOffRefused { .. } => "risk_refused",
            Message::ClockRequestDecided { .. } => "clock_request",
            Message::HearingProposed { .. } => "hearing_proposed",
            Message::HearingReviewed { .. } => "hearing_reviewed",
            Message::HearingReport { .. } => "hearing_report",
        }
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads what any release stored: JSON, or the four fields joined by `|` that releases before
    /// December 2026 wrote (`clock|number|title|due`, or `kind|number|title|extra`).
    pub fn decode(kind: &str, stored: &str) -> Option<Self> {
        if let Ok(n) = serde_json::from_str::<Notice>(stored) {
            return Some(n);
        }
        let [first, number, title, extra]: [&str; 4] =
            stored.splitn(4, '|').collect::<Vec<_>>().try_into().ok()?;
        let extra = extra.to_owned();
        let message = match kind {
            "reminder" => Message::Reminder {
                clock: ClockKind::parse(first)?,
                due: extra,
            },
            "escalation" => Message::Escalation {
                clock: ClockKind::parse(first)?,
                due: extra,
            },
            "referral" => Message::Referral { due: extra },
            "referral_returned" => Message::ReferralReturned { by: extra },
            "referral_reported" => Message::ReferralReported { by: extra },
            _ => return None,
        };
        Some(Notice {
            number: number.to_owned(),
            title: title.to_owned(),
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_with_their_kind() {
        for message in [
            Message::Reminder {
                clock: ClockKind::ResultReply,
                due: "2026-12-08".into(),
            },
            Message::Escalation {
                clock: ClockKind::GridClosure,
                due: "2026-11-30".into(),
            },
            Message::Referral {
                due: "2026-12-15".into(),
            },
            Message::ReferralReturned {
                by: "甘州区公安局".into(),
            },
            Message::ReferralReported {
                by: "甘州区公安局".into(),
            },
        ] {
            // A title may hold the old separator: it is data, not structure.
            let n = Notice {
                number: "甘州检控〔2026〕3号".into(),
                title: "王某|不服判决".into(),
                message,
            };
            assert_eq!(Notice::decode(n.kind(), &n.encode()), Some(n.clone()));
        }
    }

    #[test]
    fn the_previous_releases_joined_bodies_still_read() {
        assert_eq!(
            Notice::decode(
                "reminder",
                "result_reply|甘州检控〔2026〕3号|王某申请监督|2026-12-08"
            ),
            Some(Notice {
                number: "甘州检控〔2026〕3号".into(),
                title: "王某申请监督".into(),
                message: Message::Reminder {
                    clock: ClockKind::ResultReply,
                    due: "2026-12-08".into()
                },
            })
        );
        assert_eq!(
            Notice::decode("referral_returned", "referral_returned|3号|标题|甘州区公安局").map(|n| n.message),
            Some(Message::ReferralReturned {
                by: "甘州区公安局".into()
            })
        );
        assert_eq!(Notice::decode("reminder", "not a notice"), None);
    }
}
