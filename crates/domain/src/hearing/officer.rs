//! The hearing-officer pool (听证员库) and people's supervisors (人民监督员): who may sit on a
//! hearing on a given day (DOMAIN.md §3.6 "officer qualification", "officer disqualification";
//! §4.4).

use chrono::{Datelike, Months, NaiveDate};

use crate::Id;
use crate::policy::codes;

codes! {
    OfficerCategory {
        /// 人大代表
        NpcDeputy => "npc_deputy",
        /// 政协委员
        CppccMember => "cppcc_member",
        /// 人民监督员
        PeopleSupervisor => "people_supervisor",
        Lawyer => "lawyer",
        /// 专家学者
        Expert => "expert",
        /// 村（居）民代表
        VillageRepresentative => "village_representative",
        Other => "other",
    }
}

codes! {
    /// What bars a person from the pool (听证员 and 人民监督员 alike).
    Disqualification {
        /// 受过刑事处罚
        CriminalPunishment => "criminal_punishment",
        /// 被开除公职
        Dismissed => "dismissed",
        /// 被吊销律师、公证员执业证书或者被仲裁委员会除名
        LicenceRevoked => "licence_revoked",
        /// 被纳入失信被执行人名单
        DishonestDebtor => "dishonest_debtor",
        /// 被免除人民陪审员资格
        AssessorRemoved => "assessor_removed",
        /// 其他严重违法违纪行为
        OtherSerious => "other_serious",
    }
}

codes! {
    /// How a person came to the pool (听证员库建设管理指导意见 2022, Arts. 2–4).
    Entry {
        /// 单位推荐
        Recommended => "recommended",
        /// 个人申请
        Applied => "applied",
    }
}

codes! {
    OfficerStatus {
        /// Entered, awaiting the pool manager's review.
        Pending => "pending",
        Active => "active",
        /// Not admitted, with reasons.
        Refused => "refused",
        /// Left the pool.
        Retired => "retired",
    }
}

/// Officers are Chinese citizens of at least 23 (Art. 7; §4.4).
pub const MIN_AGE: u32 = 23;
/// A people's supervisor serves 5-year terms, at most 2 in a row (§4.4).
pub const TERM_YEARS: u32 = 5;
pub const MAX_TERMS: u32 = 2;

/// What decides whether a person may sit on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub name: String,
    pub category: OfficerCategory,
    pub birth_date: NaiveDate,
    pub village_id: Option<Id>,
    pub disqualifications: Vec<Disqualification>,
    pub status: OfficerStatus,
    pub available: bool,
    /// For a people's supervisor: the start of the current term and which term it is.
    pub term_start: Option<NaiveDate>,
    pub term_no: u32,
    /// People the officer is recorded as related to (kin, employer, counsel …).
    pub relations: Vec<String>,
}

/// A party as the conflict check sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyFacts {
    pub name: String,
    pub village_id: Option<Id>,
}

/// Why a person cannot sit on a hearing on that day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    NotActive(OfficerStatus),
    Unavailable,
    /// Under 23 on the hearing day; the day they turn 23.
    TooYoung {
        turns: NaiveDate,
    },
    Disqualified(Disqualification),
    /// A people's supervisor whose term has ended (or has not begun) on the hearing day.
    OutOfTerm {
        ends: Option<NaiveDate>,
    },
    /// A recorded relation with a party: a conflict of interest (Art. 7 "no interest in the case").
    Related {
        party: String,
    },
}

/// What the chair should look at but which does not bar the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Same surname and same village as a party: perhaps kin.
    SameSurnameAndVillage { party: String },
}

impl Block {
    /// The translation key of the reason.
    pub fn key(&self) -> &'static str {
        match self {
            Block::NotActive(_) => "officer-not-active",
            Block::Unavailable => "officer-unavailable",
            Block::TooYoung { .. } => "officer-too-young",
            Block::Disqualified(_) => "officer-disqualified",
            Block::OutOfTerm { .. } => "officer-out-of-term",
            Block::Related { .. } => "officer-related",
        }
    }
}

/// Full years of age on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    u32::try_from(age).unwrap_or(0)
}

/// The day a person born on `birth` turns `years` (29 February counts as 1 March in other years).
pub fn turns(birth: NaiveDate, years: u32) -> NaiveDate {
    birth
        .checked_add_months(Months::new(years * 12))
        .map(|d| {
            if d.day() < birth.day() {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            }
        })
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of a supervisor's term that began on `start`.
pub fn term_end(start: NaiveDate) -> NaiveDate {
    turns(start, TERM_YEARS).pred_opt().unwrap_or(start)
}

/// Compound surnames, so that 欧阳明 and 欧阳华 share 欧阳 and not just 欧.
const COMPOUND: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "令狐", "端木", "独孤", "南宫", "西门", "呼延", "轩辕",
];

pub fn surname(name: &str) -> &str {
    let name = name.trim();
    if let Some(c) = COMPOUND.iter().find(|c| name.starts_with(**c)) {
        return &name[..c.len()];
    }
    name.char_indices().nth(1).map_or(name, |(i, _)| &name[..i])
}

/// Whether a person may sit on a hearing on `day` with these parties, and what to look at if so.
pub fn eligibility(o: &Standing, day: NaiveDate, parties: &[PartyFacts]) -> Result<Vec<Warning>, Block> {
    if o.status != OfficerStatus::Active {
        return Err(Block::NotActive(o.status));
    }
    if !o.available {
        return Err(Block::Unavailable);
    }
    if age_on(o.birth_date, day) < MIN_AGE {
        return Err(Block::TooYoung {
            turns: turns(o.birth_date, MIN_AGE),
        });
    }
    if let Some(d) = o.disqualifications.first() {
        return Err(Block::Disqualified(*d));
    }
    if o.category == OfficerCategory::PeopleSupervisor {
        match o.term_start {
            Some(start) if start <= day && day <= term_end(start) => {}
            Some(start) => {
                return Err(Block::OutOfTerm {
                    ends: Some(term_end(start)),
                });
            }
            None => return Err(Block::OutOfTerm { ends: None }),
        }
    }
    let related = |p: &PartyFacts| o.relations.iter().any(|r| r.trim() == p.name.trim());
    if let Some(p) = parties.iter().find(|p| related(p)) {
        return Err(Block::Related {
            party: p.name.clone(),
        });
    }
    Ok(parties
        .iter()
        .filter(|p| {
            o.village_id.is_some()
                && o.village_id == p.village_id
                && !p.name.trim().is_empty()
                && surname(&p.name) == surname(&o.name)
        })
        .map(|p| Warning::SameSurnameAndVillage {
            party: p.name.clone(),
        })
        .collect())
}

/// A supervisor's term on entry or renewal: the first or second in a row (§4.4).
pub fn term_allowed(term_no: u32) -> bool {
    (1..=MAX_TERMS).contains(&term_no)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn officer() -> Standing {
        Standing {
            name: "王明".into(),
            category: OfficerCategory::NpcDeputy,
            birth_date: day("1980-05-01"),
            village_id: None,
            disqualifications: vec![],
            status: OfficerStatus::Active,
            available: true,
            term_start: None,
            term_no: 0,
            relations: vec![],
        }
    }

    #[test]
    fn an_officer_is_23_on_the_birthday_and_not_the_day_before() {
        let mut o = officer();
        o.birth_date = day("2003-12-10");
        assert_eq!(
            eligibility(&o, day("2026-12-09"), &[]),
            Err(Block::TooYoung {
                turns: day("2026-12-10")
            })
        );
        assert_eq!(eligibility(&o, day("2026-12-10"), &[]), Ok(vec![]));
        o.birth_date = day("2004-02-29");
        assert_eq!(turns(o.birth_date, 23), day("2027-03-01"));
    }

    #[test]
    fn disqualified_inactive_or_unavailable_people_never_sit() {
        let mut o = officer();
        o.disqualifications = vec![Disqualification::DishonestDebtor];
        assert_eq!(
            eligibility(&o, day("2026-12-10"), &[]),
            Err(Block::Disqualified(Disqualification::DishonestDebtor))
        );
        let mut o = officer();
        o.status = OfficerStatus::Pending;
        assert!(eligibility(&o, day("2026-12-10"), &[]).is_err());
        let mut o = officer();
        o.available = false;
        assert_eq!(eligibility(&o, day("2026-12-10"), &[]), Err(Block::Unavailable));
    }

    #[test]
    fn a_supervisor_sits_within_the_five_year_term_only() {
        let mut o = officer();
        o.category = OfficerCategory::PeopleSupervisor;
        o.term_start = Some(day("2022-01-01"));
        o.term_no = 1;
        assert_eq!(term_end(day("2022-01-01")), day("2026-12-31"));
        assert!(eligibility(&o, day("2026-12-31"), &[]).is_ok());
        assert_eq!(
            eligibility(&o, day("2027-01-01"), &[]),
            Err(Block::OutOfTerm {
                ends: Some(day("2026-12-31"))
            })
        );
        o.term_start = None;
        assert!(eligibility(&o, day("2026-06-01"), &[]).is_err());
        assert!(term_allowed(2) && !term_allowed(3) && !term_allowed(0));
    }

    #[test]
    fn a_relation_blocks_and_a_shared_surname_in_the_village_warns() {
        let village = Id::new();
        let mut o = officer();
        o.village_id = Some(village);
        let parties = vec![
            PartyFacts {
                name: "王强".into(),
                village_id: Some(village),
            },
            PartyFacts {
                name: "王芳".into(),
                village_id: None,
            },
            PartyFacts {
                name: "李四".into(),
                village_id: Some(village),
            },
        ];
        assert_eq!(
            eligibility(&o, day("2026-12-10"), &parties),
            Ok(vec![Warning::SameSurnameAndVillage {
                party: "王强".into()
            }])
        );
        o.relations = vec!["李四".into()];
        assert_eq!(
            eligibility(&o, day("2026-12-10"), &parties),
            Err(Block::Related {
                party: "李四".into()
            })
        );
    }

    #[test]
    fn compound_surnames_are_kept_whole() {
        assert_eq!(surname("欧阳明"), "欧阳");
        assert_eq!(surname("王明"), "王");
        assert_eq!(surname(""), "");
    }
}
