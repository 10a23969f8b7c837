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
    /// Likely sentence in whole years (as recorded before December 2026; see the months).
    #[serde(default)]
    pub likely_sentence_years: u32,
    /// Likely sentence in months (a fixed-term sentence is given in months: 拘役、有期徒刑六个月).
    #[serde(default)]
    pub likely_sentence_months: u32,
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
    /// The likely sentence in months, from the months or, in older records, the years.
    pub fn sentence_months(&self) -> u32 {
        if self.likely_sentence_months > 0 {
            self.likely_sentence_months
        } else {
            self.likely_sentence_years.saturating_mul(12)
        }
    }

    pub fn check(&self) -> Result<(), Vec<Ineligible>> {
        let mut why = Vec::new();
        if self.intentional_crime_within_5_years {
            why.push(Ineligible::RecentIntentionalCrime);
        }
        if self.negligent {
            if self.sentence_months() > 7 * 12 {
                why.push(Ineligible::SentenceTooLong);
            }
        } else {
            if !self.civil_dispute {
                why.push(Ineligible::NotCivilDispute);
            }
            if !self.chapter_4_or_5 {
                why.push(Ineligible::WrongChapter);
            }
            if self.sentence_months() > 3 * 12 {
                why.push(Ineligible::SentenceTooLong);
            }
        }
        if why.is_empty() { Ok(()) } else { Err(why) }
    }
}

/// What the reconciliation review records (DOMAIN.md §3.4): the suspect's sincere remorse, the
/// compensation or apology and the victim's voluntary forgiveness (CPL Art. 288), the organ's
/// review of voluntariness and legality and the written agreement it presided over (Art. 289, an
/// attachment).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ReconciliationRecord {
    #[serde(default)]
    pub remorse: bool,
    /// What was paid or how the apology was made.
    #[serde(default)]
    pub compensation: String,
    #[serde(default)]
    pub forgiveness: bool,
    #[serde(default)]
    pub voluntary_and_lawful: bool,
    /// The id of the case attachment holding the signed agreement (和解协议书).
    #[serde(default)]
    pub agreement_attachment: String,
}

impl ReconciliationRecord {
    /// The fields still missing, each a translation key's suffix; empty when the record is whole.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.remorse {
            out.push("remorse");
        }
        if self.compensation.trim().is_empty() {
            out.push("compensation");
        }
        if !self.forgiveness {
            out.push("forgiveness");
        }
        if !self.voluntary_and_lawful {
            out.push("voluntary_and_lawful");
        }
        if self.agreement_attachment.trim().is_empty() {
            out.push("agreement_attachment");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_count_in_months_and_old_records_in_years() {
        let months = |m, y| ReconciliationFacts {
            civil_dispute: true,
            chapter_4_or_5: true,
            likely_sentence_months: m,
            likely_sentence_years: y,
            ..Default::default()
        };
        assert_eq!(months(36, 0).check(), Ok(()));
        assert_eq!(
            months(37, 0).check(),
            Err(vec![Ineligible::SentenceTooLong]),
            "three years and a month"
        );
        assert_eq!(months(0, 3).check(), Ok(()), "an older record in years");
        assert_eq!(months(6, 9).sentence_months(), 6, "months win");
        let r = ReconciliationRecord {
            remorse: true,
            compensation: "赔偿医药费八千元并当面赔礼道歉".into(),
            forgiveness: true,
            voluntary_and_lawful: true,
            agreement_attachment: "a".into(),
        };
        assert!(r.missing().is_empty());
        assert_eq!(
            ReconciliationRecord::default().missing(),
            vec![
                "remorse",
                "compensation",
                "forgiveness",
                "voluntary_and_lawful",
                "agreement_attachment"
            ]
        );
    }

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
