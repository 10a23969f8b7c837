//! A demo case being drafted: its row, parties, clocks and events before they are written.

use chrono::Datelike;
use gongzhi_domain::case::{DEFAULT_NUMBER_PATTERN, case_number};
use gongzhi_domain::deadline::{ClockKind, ClockState, Trigger};
use gongzhi_domain::idcard::ResidentId;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::workflow::{CaseKind, Channel, Exempt};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case, Clock, Event, Party};
use gongzhi_store::follow_up::FollowUp;
use gongzhi_store::mediation::Mediation;
use gongzhi_store::reference::{Agency, OrgUnit};
use gongzhi_store::referral::Referral;
use gongzhi_store::reply::Reply;
use gongzhi_store::risk::Assessment;

use super::stories::{CHANNELS_DISPUTE, CHANNELS_PETITION, STORIES};
use super::{Rng, World, name, resident_id};
use crate::deadlines::Clocks;
use crate::{App, AppError};

/// One case being walked through its workflow.
pub(super) struct Draft {
    pub(super) case: Case,
    pub(super) parties: Vec<Party>,
    pub(super) clocks: Vec<Clock>,
    pub(super) events: Vec<Event>,
    pub(super) replies: Vec<Reply>,
    pub(super) assessments: Vec<Assessment>,
    /// Mitigation tasks of the assessments' plans.
    pub(super) plan_tasks: Vec<gongzhi_store::task::Task>,
    pub(super) referrals: Vec<Referral>,
    pub(super) mediations: Vec<Mediation>,
    pub(super) follow_ups: Vec<FollowUp>,
}

impl Draft {
    pub(super) fn event(
        &mut self,
        at: time::Timestamp,
        who: &(Id, String),
        agency: &str,
        kind: &str,
        detail: &str,
        public: bool,
    ) {
        self.events.push(Event {
            id: Id::new().to_string(),
            case_id: self.case.id.to_string(),
            at: time::to_millis(at),
            actor_id: Some(who.0.to_string()),
            actor_name: who.1.clone(),
            agency_name: agency.to_owned(),
            kind: kind.to_owned(),
            detail: detail.to_owned(),
            public: i64::from(public),
        });
    }

    pub(super) fn meet(&mut self, kinds: &[ClockKind], at: time::Timestamp) {
        for k in &mut self.clocks {
            if kinds.contains(&k.kind) && k.state == ClockState::Running {
                k.state = ClockState::Met;
                k.met_at = Some(at);
            }
        }
    }

    /// Ends the open clocks a command exempts without meeting them, as `deadlines::exempt_open`.
    pub(super) fn exempt(&mut self, which: Exempt, reason: &str) {
        for k in &mut self.clocks {
            if which.covers(k.kind) && k.state.is_open() {
                k.state = ClockState::Exempt;
                k.note = reason.to_owned();
            }
        }
    }

    pub(super) fn open(&mut self, clocks: &Clocks, trigger: Trigger, at: time::Timestamp, seq: i64) {
        let started = clocks.started(self.case.id, self.case.kind, trigger, time::local_date(at), seq);
        self.clocks.extend(started);
    }
}

impl App {
    pub(super) async fn draft(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
        kind: CaseKind,
        received: time::Timestamp,
        (village, owner): (&OrgUnit, &Agency),
    ) -> Result<Draft, AppError> {
        let (clocks, today) = (&w.clocks, w.today);
        let story = loop {
            let s = rng.pick(STORIES);
            let fits = match kind {
                CaseKind::Petition => matches!(
                    s.0,
                    "LAW_RELATED" | "LAND_ACQUISITION" | "LABOUR" | "VILLAGE_AFFAIRS" | "OTHER" | "CONTRACT"
                ),
                CaseKind::MinorCriminal => matches!(
                    s.0,
                    "NEIGHBOUR" | "HOUSING_HOMESTEAD" | "MARRIAGE_FAMILY" | "DAMAGES"
                ),
                CaseKind::GovPetition => !matches!(s.0, "LAW_RELATED"),
                CaseKind::Dispute => s.0 != "LAW_RELATED",
            };
            if fits {
                break *s;
            }
        };
        let (a, b) = (name(rng), name(rng));
        let place = village.name.trim_start_matches("演示·").to_owned();
        let amount = (rng.range(3, 400) * 500).to_string();
        let people = rng.range(2, 12).to_string();
        let fill = |s: &str| {
            s.replace("{p}", &place)
                .replace("{a}", &a)
                .replace("{b}", &b)
                .replace("{m}", &amount)
                .replace("{n}", &people)
        };
        let title = if kind == CaseKind::MinorCriminal {
            let cause = match story.0 {
                "NEIGHBOUR" => "邻里纠纷",
                "HOUSING_HOMESTEAD" => "宅基地纠纷",
                "MARRIAGE_FAMILY" => "家庭纠纷",
                _ => "民间纠纷",
            };
            format!("{a}涉嫌故意伤害案（{cause}引发）")
        } else {
            fill(story.1)
        };
        let channel = match kind {
            CaseKind::Petition => *rng.pick(CHANNELS_PETITION),
            CaseKind::Dispute => *rng.pick(CHANNELS_DISPUTE),
            CaseKind::GovPetition => Channel::Referral,
            CaseKind::MinorCriminal => Channel::CaseHandling,
        };
        let anonymous = kind == CaseKind::Petition && rng.chance(3);
        let urgent = rng.chance(3);
        let year = time::local_date(received).year();
        let series = gongzhi_domain::case::number_series(DEFAULT_NUMBER_PATTERN, kind);
        let seq = case::next_seq(&mut *conn, owner.id, series, year).await?;
        let id = Id::new();
        let exempt = if anonymous {
            "匿名信访，无法答复"
        } else {
            ""
        };
        let case = Case {
            id,
            number: case_number(DEFAULT_NUMBER_PATTERN, &owner.short_name, kind, year, seq),
            kind,
            status: kind.initial(channel),
            level: None,
            channel,
            category_code: story.0.to_owned(),
            category_name: String::new(),
            place_id: Some(village.id),
            place_name: String::new(),
            place_code: String::new(),
            grid_id: None,
            grid_name: String::new(),
            title: title.chars().take(100).collect(),
            narrative: fill(story.2),
            received_at: received,
            urgent,
            anonymous,
            exempt_reason: exempt.to_owned(),
            owner_agency_id: owner.id,
            owner_agency_name: owner.name.clone(),
            handler_id: None,
            handler_name: String::new(),
            created_by: None,
            related_case_id: None,
            tracking_code: (!anonymous && kind != CaseKind::MinorCriminal).then(|| {
                let bytes: Vec<u8> = (0..10)
                    .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
                    .collect();
                gongzhi_domain::case::tracking_code(&bytes)
            }),
            tracking_phone: None,
            reconciliation: String::new(),
            risk_level: None,
            risk_stale_after: 0,
            closed_at: None,
            version: 1,
            created_at: received,
            updated_at: received,
            public_title: String::new(),
            public_reply: String::new(),
            published_by_name: String::new(),
            published_at: None,
            source_key_id: None,
            public_id: (channel == Channel::Portal).then(crate::case::new_public_id),
            minor_involved: false,
            has_minor: false,
        };
        let mut d = Draft {
            case,
            parties: Vec::new(),
            clocks: Vec::new(),
            events: Vec::new(),
            replies: Vec::new(),
            assessments: Vec::new(),
            plan_tasks: Vec::new(),
            referrals: Vec::new(),
            mediations: Vec::new(),
            follow_ups: Vec::new(),
        };
        let roles: &[&str] = match kind {
            CaseKind::MinorCriminal => &["victim", "suspect"],
            _ if anonymous => &[],
            _ => &["petitioner", "respondent"],
        };
        for (i, role) in roles.iter().enumerate() {
            let pname = if i == 0 { a.clone() } else { b.clone() };
            let rid = resident_id(rng, today);
            let phone = Phone::parse(&format!(
                "1{}{:09}",
                rng.pick(&["38", "39", "51", "58", "77", "89"]),
                rng.range(0, 999_999_999)
            ))
            .ok();
            if i == 0
                && let (Some(code), Some(ph)) = (&d.case.tracking_code, &phone)
            {
                d.case.tracking_phone = Some(self.tracking_key(code, ph.last4()));
            }
            d.parties.push(Party {
                id: Id::new().to_string(),
                case_id: id.to_string(),
                seq: i64::try_from(i).unwrap_or(0),
                role: (*role).to_owned(),
                name: pname,
                sex: rid
                    .as_ref()
                    .map(|r| r.sex().code().to_owned())
                    .unwrap_or_default(),
                birth_year: rid.as_ref().map(|r| i64::from(r.birth_date().year())),
                id_enc: rid
                    .as_ref()
                    .map(|r| self.cipher().encrypt(r.as_str()))
                    .transpose()?,
                id_index: rid.as_ref().map(|r| self.cipher().blind_index(r.as_str())),
                id_masked: rid.as_ref().map(ResidentId::masked).unwrap_or_default(),
                phone_enc: phone
                    .as_ref()
                    .map(|p| self.cipher().encrypt(p.as_str()))
                    .transpose()?,
                phone_masked: phone.as_ref().map(Phone::masked).unwrap_or_default(),
                phone_index: phone.as_ref().map(|p| self.cipher().blind_index(p.as_str())),
                address_enc: Some(self.cipher().encrypt(&format!(
                    "甘州区{place}{}社{}号",
                    rng.range(1, 9),
                    rng.range(1, 80)
                ))?),
                minor: i64::from(rid.as_ref().is_some_and(|r| r.is_minor_on(today))),
                elderly: i64::from(rid.as_ref().is_some_and(|r| r.age_on(today) >= 60)),
                disabled: i64::from(rng.chance(3)),
                impoverished: i64::from(rng.chance(6)),
            });
        }
        d.open(clocks, Trigger::Received, received, 1);
        if urgent {
            d.open(clocks, Trigger::Urgent, received, 1);
        }
        if anonymous {
            for k in &mut d.clocks {
                if matches!(k.kind, ClockKind::ProceduralReply | ClockKind::ResultReply) {
                    k.state = ClockState::Exempt;
                    k.note = exempt.to_owned();
                }
            }
        }
        Ok(d)
    }
}
