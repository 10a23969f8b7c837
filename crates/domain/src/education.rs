//! Legal education events (普法, DOMAIN.md §3.11, PRODUCT.md module 12): classes, lectures, moot
//! courts, summer law classes, a doorstep hearing followed by a case talk, and online posts ("two
//! micro, one end": WeChat, Weibo, the app) — with their place, speakers, audience and the cases they
//! explain, parties masked.
//!
//! `Planned → Announced → Held(venue) → AttendanceRecorded → Published`; no legal deadlines.

use thiserror::Error;

use crate::policy::codes;

codes! {
    /// The kinds in the seed report.
    EventKind {
        /// 法治课 in a school or a village.
        Class => "class",
        /// 专题讲座 / "小李讲法".
        Lecture => "lecture",
        /// 模拟法庭.
        MootCourt => "moot_court",
        /// 暑期法治课堂.
        SummerClass => "summer_class",
        /// 上门听证后以案释法.
        HearingTalk => "hearing_talk",
        /// 两微一端 online post.
        OnlinePost => "online_post",
    }
}

codes! {
    /// Where it is held.
    VenueKind {
        Village => "village",
        School => "school",
        CommunityCentre => "community_centre",
        Procuratorate => "procuratorate",
        Online => "online",
    }
}

codes! {
    /// Where an online post went out.
    Platform {
        Wechat => "wechat",
        Weibo => "weibo",
        App => "app",
        Video => "video",
    }
}

codes! {
    EventState {
        Planned => "planned",
        Announced => "announced",
        Held => "held",
        /// The audience counted.
        Recorded => "recorded",
        /// On the public portal.
        Published => "published",
        Cancelled => "cancelled",
    }
}

codes! {
    EventCommand {
        Announce => "announce",
        Hold => "hold",
        Record => "record",
        Publish => "publish",
        Cancel => "cancel",
    }
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{command} is not possible while the event is {from}")]
pub struct NotNow {
    pub from: EventState,
    pub command: EventCommand,
}

/// The largest audience one event records (a district's schools together stay well below).
pub const MAX_AUDIENCE: i64 = 100_000;

impl EventState {
    pub fn commands(self) -> Vec<EventCommand> {
        EventCommand::ALL
            .iter()
            .copied()
            .filter(|c| next(self, *c).is_ok())
            .collect()
    }

    /// Counted as held in the statistics.
    pub fn held(self) -> bool {
        matches!(
            self,
            EventState::Held | EventState::Recorded | EventState::Published
        )
    }
}

impl EventKind {
    /// An online post has no venue but a platform; everything else takes place somewhere.
    pub fn online(self) -> bool {
        self == EventKind::OnlinePost
    }
}

pub fn next(from: EventState, command: EventCommand) -> Result<EventState, NotNow> {
    use EventCommand as C;
    use EventState as S;
    Ok(match (from, command) {
        (S::Planned, C::Announce) => S::Announced,
        // A post goes out without an announcement; a class may be held as planned.
        (S::Planned | S::Announced, C::Hold) => S::Held,
        (S::Held, C::Record) => S::Recorded,
        (S::Recorded, C::Publish) => S::Published,
        (S::Planned | S::Announced, C::Cancel) => S::Cancelled,
        _ => return Err(NotNow { from, command }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_command() {
        use EventCommand as C;
        use EventState as S;
        for from in S::ALL {
            for c in C::ALL {
                let expected = match (from, c) {
                    (S::Planned, C::Announce) => Some(S::Announced),
                    (S::Planned | S::Announced, C::Hold) => Some(S::Held),
                    (S::Held, C::Record) => Some(S::Recorded),
                    (S::Recorded, C::Publish) => Some(S::Published),
                    (S::Planned | S::Announced, C::Cancel) => Some(S::Cancelled),
                    _ => None,
                };
                assert_eq!(next(*from, *c).ok(), expected, "{from} × {c}");
            }
        }
    }

    #[test]
    fn only_what_took_place_counts_as_held() {
        let held: Vec<_> = EventState::ALL.iter().filter(|s| s.held()).collect();
        assert_eq!(
            held,
            [&EventState::Held, &EventState::Recorded, &EventState::Published]
        );
    }
}
