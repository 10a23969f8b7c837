//! What an event on a case's timeline says beyond its kind, typed as it crosses the layers. It is
//! stored as text in `case_event.detail`: the words a person wrote as they are, the structured
//! details as JSON with their codes.

use serde::{Deserialize, Serialize};

use crate::deadline::ClockKind;
use crate::reconciliation::Ineligible;
use crate::risk::RiskLevel;
use crate::workflow::Channel;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventDetail {
    /// Nothing beyond the kind.
    None,
    /// Words a person wrote or named: a reason, a note, a mediator, a channel code of a reply.
    Text { text: String },
    /// The case was registered under this number, received through this channel.
    Registered { number: String, channel: Channel },
    /// The risk was assessed at this level with this score (§3.5).
    RiskAssessed { level: RiskLevel, score: u32 },
    /// The reconciliation conditions were checked (§4.6); none unmet means eligible.
    ReconciliationChecked { unmet: Vec<Ineligible> },
    /// A clock was paused, resumed or extended, with the approved reason; `due` is the due date
    /// after the change.
    ClockChanged {
        clock: ClockKind,
        reason: String,
        due: String,
    },
}

impl EventDetail {
    pub fn text(words: &str) -> Self {
        if words.trim().is_empty() {
            EventDetail::None
        } else {
            EventDetail::Text {
                text: words.to_owned(),
            }
        }
    }

    /// As stored: the words of a text as they are, the structured details as JSON.
    pub fn encode(&self) -> String {
        match self {
            EventDetail::None => String::new(),
            EventDetail::Text { text } => text.clone(),
            structured => serde_json::to_string(structured).unwrap_or_default(),
        }
    }

    /// Reads what any release stored for an event of this kind: JSON, or the joined text that
    /// releases before December 2026 wrote ("number｜channel", "level|score", "a,b" or "eligible").
    pub fn decode(kind: &str, stored: &str) -> Self {
        let structured = matches!(
            kind,
            "registered"
                | "risk-assessed"
                | "reconciliation-checked"
                | "clock-paused"
                | "clock-resumed"
                | "clock-extended"
        );
        if structured && let Ok(d) = serde_json::from_str::<EventDetail>(stored) {
            return d;
        }
        let legacy = match kind {
            "registered" => stored.split_once('｜').and_then(|(number, ch)| {
                Some(EventDetail::Registered {
                    number: number.to_owned(),
                    channel: Channel::parse(ch)?,
                })
            }),
            "risk-assessed" => stored.split_once('|').and_then(|(l, s)| {
                Some(EventDetail::RiskAssessed {
                    level: RiskLevel::parse(l)?,
                    score: s.trim().parse().ok()?,
                })
            }),
            "reconciliation-checked" if stored == "eligible" => {
                Some(EventDetail::ReconciliationChecked { unmet: Vec::new() })
            }
            "reconciliation-checked" => stored
                .split(',')
                .map(Ineligible::parse)
                .collect::<Option<Vec<_>>>()
                .map(|unmet| EventDetail::ReconciliationChecked { unmet }),
            _ => None,
        };
        legacy.unwrap_or_else(|| EventDetail::text(stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_details_round_trip_and_text_stays_text() {
        for (kind, d) in [
            (
                "registered",
                EventDetail::Registered {
                    number: "甘州检控〔2026〕1号".into(),
                    channel: Channel::Hotline12309,
                },
            ),
            (
                "risk-assessed",
                EventDetail::RiskAssessed {
                    level: RiskLevel::High,
                    score: 72,
                },
            ),
            (
                "reconciliation-checked",
                EventDetail::ReconciliationChecked {
                    unmet: vec![Ineligible::SentenceTooLong],
                },
            ),
            ("risk-plan", EventDetail::text("专人稳控，每周回访")),
            ("edited", EventDetail::None),
        ] {
            assert_eq!(EventDetail::decode(kind, &d.encode()), d, "{kind}");
        }
        // The stored JSON carries the codes, as the API and the database do elsewhere.
        assert!(
            EventDetail::Registered {
                number: "1".into(),
                channel: Channel::Hotline12309
            }
            .encode()
            .contains("\"hotline_12309\"")
        );
    }

    /// Rows written by the previous release still read, as the same typed details.
    #[test]
    fn the_previous_releases_joined_text_still_reads() {
        assert_eq!(
            EventDetail::decode("registered", "甘州检控〔2026〕7号｜letter"),
            EventDetail::Registered {
                number: "甘州检控〔2026〕7号".into(),
                channel: Channel::Letter
            }
        );
        assert_eq!(
            EventDetail::decode("risk-assessed", "medium|35"),
            EventDetail::RiskAssessed {
                level: RiskLevel::Medium,
                score: 35
            }
        );
        assert_eq!(
            EventDetail::decode("reconciliation-checked", "eligible"),
            EventDetail::ReconciliationChecked { unmet: vec![] }
        );
        assert_eq!(
            EventDetail::decode("reconciliation-checked", "not_civil_dispute,wrong_chapter"),
            EventDetail::ReconciliationChecked {
                unmet: vec![Ineligible::NotCivilDispute, Ineligible::WrongChapter]
            }
        );
        // A note that happens to contain the separator is a note.
        assert_eq!(
            EventDetail::decode("risk-plan", "稳控|回访"),
            EventDetail::text("稳控|回访")
        );
    }
}
