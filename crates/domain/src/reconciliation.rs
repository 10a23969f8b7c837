//! Criminal reconciliation (刑事和解, DOMAIN.md §4.6): whether a public-prosecution case may be
//! reconciled.

use crate::policy::codes;

/// §4.6 (CPL Arts. 288–290): which public-prosecution cases may be reconciled.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct ReconciliationFacts {
    /// Caused by a civil dispute (民间纠纷).
    pub civil_dispute: bool,
    /// The offence is in Criminal Law Part II ch. 4 (person, democratic rights) or ch. 5 (property).
    pub chapter_4_or_5: bool,
    /// A negligent offence other than dereliction of duty.
    pub negligent: bool,
    /// Likely sentence in years.
    pub likely_sentence_years: u32,
    /// The suspect committed an intentional crime within the past five years.
    pub intentional_crime_within_5_years: bool,
}

codes! {
    /// Why a case may not be reconciled.
    Ineligible {
        NotCivilDispute => "not_civil_dispute",
        WrongChapter => "wrong_chapter",
        SentenceTooLong => "sentence_too_long",
        RecentIntentionalCrime => "recent_intentional_crime",
    }
}

impl ReconciliationFacts {
    pub fn check(&self) -> Result<(), Vec<Ineligible>> {
        let mut why = Vec::new();
        if self.intentional_crime_within_5_years {
            why.push(Ineligible::RecentIntentionalCrime);
        }
        if self.negligent {
            if self.likely_sentence_years > 7 {
                why.push(Ineligible::SentenceTooLong);
            }
        } else {
            if !self.civil_dispute {
                why.push(Ineligible::NotCivilDispute);
            }
            if !self.chapter_4_or_5 {
                why.push(Ineligible::WrongChapter);
            }
            if self.likely_sentence_years > 3 {
                why.push(Ineligible::SentenceTooLong);
            }
        }
        if why.is_empty() { Ok(()) } else { Err(why) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconciliation_eligibility() {
        let ok = ReconciliationFacts {
            civil_dispute: true,
            chapter_4_or_5: true,
            likely_sentence_years: 3,
            ..Default::default()
        };
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(
            ReconciliationFacts {
                likely_sentence_years: 4,
                ..ok
            }
            .check(),
            Err(vec![Ineligible::SentenceTooLong])
        );
        assert_eq!(
            ReconciliationFacts {
                intentional_crime_within_5_years: true,
                ..ok
            }
            .check(),
            Err(vec![Ineligible::RecentIntentionalCrime])
        );
        let negligent = ReconciliationFacts {
            negligent: true,
            likely_sentence_years: 7,
            ..Default::default()
        };
        assert_eq!(negligent.check(), Ok(()));
        assert_eq!(
            ReconciliationFacts {
                likely_sentence_years: 8,
                ..negligent
            }
            .check(),
            Err(vec![Ineligible::SentenceTooLong])
        );
        assert_eq!(
            ReconciliationFacts::default().check(),
            Err(vec![Ineligible::NotCivilDispute, Ineligible::WrongChapter])
        );
    }
}
