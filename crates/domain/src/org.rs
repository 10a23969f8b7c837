//! The org tree and agencies: statistical division codes (DOMAIN.md §4.8) and agency kinds.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::policy::codes;

codes! {
    /// A level of the territorial tree: Gansu → Zhangye → Ganzhou → township/street → village/community → grid.
    OrgLevel {
        Province => "province",
        City => "city",
        District => "district",
        Township => "township",
        Village => "village",
        Grid => "grid",
    }
}

codes! {
    /// The kinds of agency that take part (PRODUCT.md, "Who uses it").
    AgencyKind {
        PoliticalLegalCommittee => "political_legal_committee",
        Procuratorate => "procuratorate",
        Court => "court",
        Police => "police",
        JusticeBureau => "justice_bureau",
        JusticeOffice => "justice_office",
        PetitionBureau => "petition_bureau",
        GovernanceCentre => "governance_centre",
        TownshipGovernment => "township_government",
        VillageCommittee => "village_committee",
        CivilAffairs => "civil_affairs",
        HumanResources => "human_resources",
        Education => "education",
        WomensFederation => "womens_federation",
        Regulator => "regulator",
        LegalService => "legal_service",
        Other => "other",
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DivisionCodeError {
    #[error("a division code has 12 digits (15 for a grid)")]
    Length,
    #[error("a division code has digits only")]
    NotDigits,
    #[error("the province part cannot be 00")]
    NoProvince,
}

/// A 12-digit NBS statistical division code (6 county + 3 township + 3 village), or a 15-digit grid
/// code (the village code followed by a 3-digit grid number, as local grid standards do).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(s: &str) -> Result<Self, DivisionCodeError> {
        let s = s.trim();
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigits);
        }
        if s.len() != 12 && s.len() != 15 {
            return Err(DivisionCodeError::Length);
        }
        if &s[0..2] == "00" {
            return Err(DivisionCodeError::NoProvince);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> OrgLevel {
        let c = &self.0;
        if c.len() == 15 {
            OrgLevel::Grid
        } else if &c[2..] == "0000000000" {
            OrgLevel::Province
        } else if &c[4..] == "00000000" {
            OrgLevel::City
        } else if &c[6..] == "000000" {
            OrgLevel::District
        } else if &c[9..] == "000" {
            OrgLevel::Township
        } else {
            OrgLevel::Village
        }
    }

    /// The digits every unit under this one starts with (GB/T 2260 and GB/T 10114: 2 for a province,
    /// 4 a city, 6 a county, 9 a township, the whole code below), for "cases in this area".
    pub fn area_prefix(&self) -> &str {
        let c = &self.0;
        match self.level() {
            OrgLevel::Province => &c[..2],
            OrgLevel::City => &c[..4],
            OrgLevel::District => &c[..6],
            OrgLevel::Township => &c[..9],
            OrgLevel::Village | OrgLevel::Grid => c,
        }
    }

    /// The code of the unit this one belongs to, derived from the code itself.
    pub fn parent(&self) -> Option<DivisionCode> {
        let c = &self.0;
        let parent = match self.level() {
            OrgLevel::Province => return None,
            OrgLevel::City => format!("{}0000000000", &c[..2]),
            OrgLevel::District => format!("{}00000000", &c[..4]),
            OrgLevel::Township => format!("{}000000", &c[..6]),
            OrgLevel::Village => format!("{}000", &c[..9]),
            OrgLevel::Grid => c[..12].to_owned(),
        };
        Some(DivisionCode(parent))
    }

    /// GB/T 10114-2003: 001–099 street, 100–199 town, 200–399 township, 400–599 similar units.
    pub fn township_kind(&self) -> Option<TownshipKind> {
        if self.level() != OrgLevel::Township {
            return None;
        }
        let n: u32 = self.0[6..9].parse().ok()?;
        Some(match n {
            1..=99 => TownshipKind::Street,
            100..=199 => TownshipKind::Town,
            200..=399 => TownshipKind::Township,
            _ => TownshipKind::Other,
        })
    }

    /// NBS village part: 001–199 residents' committee (community), 200–399 villagers' committee.
    pub fn is_community(&self) -> bool {
        self.level() == OrgLevel::Village && self.0[9..12].parse::<u32>().is_ok_and(|n| n < 200)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> Self {
        c.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TownshipKind {
    Street,
    Town,
    Township,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents_come_from_the_code() {
        assert_eq!(code("620000000000").level(), OrgLevel::Province);
        assert_eq!(code("620700000000").level(), OrgLevel::City);
        assert_eq!(code("620702000000").level(), OrgLevel::District);
        assert_eq!(code("620702104000").level(), OrgLevel::Township);
        assert_eq!(code("620702104201").level(), OrgLevel::Village);
        assert_eq!(code("620702104201003").level(), OrgLevel::Grid);
        assert_eq!(code("620702104201003").parent(), Some(code("620702104201")));
        assert_eq!(code("620702104201").parent(), Some(code("620702104000")));
        assert_eq!(code("620702104000").parent(), Some(code("620702000000")));
        assert_eq!(code("620702000000").parent(), Some(code("620700000000")));
        assert_eq!(code("620700000000").parent(), Some(code("620000000000")));
        assert_eq!(code("620000000000").parent(), None);
    }

    #[test]
    fn township_and_village_kinds_follow_the_standard_ranges() {
        assert_eq!(code("620702001000").township_kind(), Some(TownshipKind::Street));
        assert_eq!(code("620702104000").township_kind(), Some(TownshipKind::Town));
        assert_eq!(code("620702201000").township_kind(), Some(TownshipKind::Township));
        assert!(code("620702001003").is_community());
        assert!(!code("620702104201").is_community());
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert_eq!(DivisionCode::parse("6207021040"), Err(DivisionCodeError::Length));
        assert_eq!(
            DivisionCode::parse("62070210400X"),
            Err(DivisionCodeError::NotDigits)
        );
        assert_eq!(
            DivisionCode::parse("000702104000"),
            Err(DivisionCodeError::NoProvince)
        );
    }

    #[test]
    fn an_area_prefix_is_what_every_unit_under_it_starts_with() {
        let code = |c: &str| DivisionCode::parse(c).unwrap();
        assert_eq!(code("620000000000").area_prefix(), "62");
        assert_eq!(code("620700000000").area_prefix(), "6207");
        assert_eq!(code("620702000000").area_prefix(), "620702");
        assert_eq!(code("620702104000").area_prefix(), "620702104");
        assert_eq!(code("620702104201").area_prefix(), "620702104201");
        assert!(
            code("620702104201")
                .as_str()
                .starts_with(code("620702104000").area_prefix())
        );
    }
}
