//! The "1+4+6" roster (DOMAIN.md §0.1): each township is a patch owned by one of the four heads of the
//! political-legal organs, and each village/community is staffed with one person in each of six slots.

use crate::org::AgencyKind;
use crate::policy::codes;

codes! {
    /// The "4": heads who each take charge of a patch of townships (包片).
    HeadKind {
        CourtPresident => "court_president",
        ChiefProsecutor => "chief_prosecutor",
        PoliceChief => "police_chief",
        JusticeDirector => "justice_director",
    }
}

codes! {
    /// The "6" per village/community (三官一师两员进网格).
    Slot {
        Judge => "judge",
        Prosecutor => "prosecutor",
        PoliceOfficer => "police_officer",
        LegalAdviser => "legal_adviser",
        Mediator => "mediator",
        Counsellor => "counsellor",
    }
}

impl HeadKind {
    pub fn fits_agency(self, kind: AgencyKind) -> bool {
        kind == match self {
            HeadKind::CourtPresident => AgencyKind::Court,
            HeadKind::ChiefProsecutor => AgencyKind::Procuratorate,
            HeadKind::PoliceChief => AgencyKind::Police,
            HeadKind::JusticeDirector => AgencyKind::JusticeBureau,
        }
    }
}

impl Slot {
    /// "Each slot is one named person from the right organisation": judges from a court, prosecutors
    /// from the procuratorate, officers from the police, legal advisers from the justice system or a
    /// law firm, people's mediators from the justice office or a mediation committee, and counsellors
    /// from the bodies that provide psychological support.
    pub fn fits_agency(self, kind: AgencyKind) -> bool {
        use AgencyKind as K;
        match self {
            Slot::Judge => kind == K::Court,
            Slot::Prosecutor => kind == K::Procuratorate,
            Slot::PoliceOfficer => kind == K::Police,
            Slot::LegalAdviser => matches!(kind, K::JusticeBureau | K::JusticeOffice | K::LegalService),
            Slot::Mediator => matches!(
                kind,
                K::JusticeOffice | K::JusticeBureau | K::GovernanceCentre | K::VillageCommittee
            ),
            Slot::Counsellor => matches!(
                kind,
                K::CivilAffairs
                    | K::WomensFederation
                    | K::Education
                    | K::GovernanceCentre
                    | K::LegalService
                    | K::JusticeOffice
                    | K::Other
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_and_head_has_a_fitting_agency_kind() {
        for s in Slot::ALL {
            assert!(AgencyKind::ALL.iter().any(|k| s.fits_agency(*k)), "{s}");
        }
        for h in HeadKind::ALL {
            assert_eq!(
                AgencyKind::ALL.iter().filter(|k| h.fits_agency(**k)).count(),
                1,
                "{h}"
            );
        }
    }

    #[test]
    fn a_judge_must_come_from_a_court() {
        assert!(Slot::Judge.fits_agency(AgencyKind::Court));
        assert!(!Slot::Judge.fits_agency(AgencyKind::Police));
        assert!(!Slot::Prosecutor.fits_agency(AgencyKind::Court));
    }
}
