//! Petition and conflict risk assessment (DOMAIN.md §3.5): an explainable, versioned rule set. Each
//! factor that applies adds points; the sum gives the level 高/中/低 of the national social-stability
//! pattern. The rule-set version is stored with every assessment so old scores stay explainable.

use crate::policy::codes;

codes! {
    RiskLevel {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

codes! {
    Factor {
        /// 集体访: five or more people.
        GroupPetition => "group_petition",
        /// Two or more earlier petitions on the same matter.
        RepeatPetition => "repeat_petition",
        /// Threats of self-harm or extreme words.
        ExtremeWords => "extreme_words",
        /// A minor, elderly, disabled or impoverished party.
        VulnerableParty => "vulnerable_party",
        /// A sum of 100,000 yuan or more in dispute.
        LargeSum => "large_sum",
        /// 1,000,000 yuan or more.
        VeryLargeSum => "very_large_sum",
        /// Media or online attention.
        MediaAttention => "media_attention",
        /// Earlier escalations (越级访, petitions to higher levels).
        EarlierEscalation => "earlier_escalation",
        /// The matter has lasted more than a year.
        LongRunning => "long_running",
    }
}

impl Factor {
    /// Whether the factor applies from a number (people, earlier petitions, a sum) rather than a
    /// yes or no.
    pub fn measured(self) -> bool {
        matches!(
            self,
            Factor::GroupPetition | Factor::RepeatPetition | Factor::LargeSum | Factor::VeryLargeSum
        )
    }

    /// Whether the system can work the factor out from the case: the number of petitioners, the
    /// earlier cases of the same identity number (blind index), the parties' ages and flags, how
    /// long ago the matter first came in.
    pub fn derivable(self) -> bool {
        matches!(
            self,
            Factor::GroupPetition | Factor::RepeatPetition | Factor::VulnerableParty | Factor::LongRunning
        )
    }

    /// The input's measure of the factor: a number, or 1 for yes and 0 for no.
    fn measure(self, i: &RiskInput) -> i64 {
        match self {
            Factor::GroupPetition => i64::from(i.people),
            Factor::RepeatPetition => i64::from(i.earlier_petitions),
            Factor::ExtremeWords => i64::from(i.extreme_words),
            Factor::VulnerableParty => i64::from(i.vulnerable_party),
            Factor::LargeSum | Factor::VeryLargeSum => i.amount_yuan,
            Factor::MediaAttention => i64::from(i.media_attention),
            Factor::EarlierEscalation => i64::from(i.earlier_escalation),
            Factor::LongRunning => i64::from(i.long_running),
        }
    }
}

/// One factor of a rule set: its points, the measure from which it applies (1 for a yes-or-no
/// factor), and whether the system derives it from the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FactorRule {
    pub factor: Factor,
    pub points: u32,
    pub from: i64,
    #[serde(default)]
    pub derived: bool,
}

/// A versioned risk rule set (DOMAIN.md §0: thresholds are data; §3.5 "varies by county"): the
/// factors with their points and the scores from which a risk is medium and high. It applies from
/// `effective_from` in its region (an administrative-division code prefix; empty for everywhere).
/// A version, once used, is never changed: each assessment names the version that scored it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RiskRules {
    pub version: String,
    #[serde(default)]
    pub region: String,
    #[schema(value_type = String, format = Date)]
    pub effective_from: chrono::NaiveDate,
    pub medium_from: u32,
    pub high_from: u32,
    pub factors: Vec<FactorRule>,
    #[serde(default)]
    pub note: String,
}

/// What the case itself says about the derivable factors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Derived {
    /// Petitioners recorded on the case.
    pub people: u32,
    /// Earlier cases with a party of the same identity number.
    pub earlier_petitions: u32,
    /// A party is a minor, elderly (60 or older, 老年人权益保障法 Art. 2), disabled or impoverished.
    pub vulnerable_party: bool,
    /// The matter first came in more than a year ago.
    pub long_running: bool,
}

impl RiskRules {
    /// Rule set 2026.1, the one gongzhi ships with: the three levels of DOMAIN.md §3.5; the points
    /// and thresholds are gongzhi's defaults (DOMAIN.md fixes none of them, "varies by county"), to
    /// be replaced by an administrator with the county's own.
    pub fn standard() -> RiskRules {
        let f = |factor, points, from, derived| FactorRule {
            factor,
            points,
            from,
            derived,
        };
        RiskRules {
            version: "2026.1".into(),
            region: String::new(),
            effective_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            medium_from: 30,
            high_from: 60,
            factors: vec![
                f(Factor::GroupPetition, 30, 5, true),
                f(Factor::RepeatPetition, 15, 2, true),
                f(Factor::ExtremeWords, 40, 1, false),
                f(Factor::VulnerableParty, 15, 1, true),
                f(Factor::LargeSum, 15, 100_000, false),
                f(Factor::VeryLargeSum, 15, 1_000_000, false),
                f(Factor::MediaAttention, 20, 1, false),
                f(Factor::EarlierEscalation, 15, 1, false),
                f(Factor::LongRunning, 10, 1, true),
            ],
            note: String::new(),
        }
    }

    /// Every reason the rule set cannot be saved, as (field, translation key); empty when it can.
    pub fn problems(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        let v = self.version.trim();
        if v.is_empty() || v.chars().count() > 20 || v.contains(',') {
            out.push(("version".into(), "risk-rule-version-invalid"));
        }
        if !self.region.chars().all(|c| c.is_ascii_digit()) || self.region.len() > 12 {
            out.push(("region".into(), "risk-rule-region-invalid"));
        }
        if self.medium_from == 0 || self.medium_from > 1000 {
            out.push(("medium_from".into(), "risk-rule-threshold-invalid"));
        }
        if self.high_from <= self.medium_from || self.high_from > 1000 {
            out.push(("high_from".into(), "risk-rule-high-not-above-medium"));
        }
        if self.factors.is_empty() {
            out.push(("factors".into(), "risk-rule-no-factors"));
        }
        for (n, r) in self.factors.iter().enumerate() {
            let field = |name: &str| format!("factors[{n}].{name}");
            if self.factors[..n].iter().any(|x| x.factor == r.factor) {
                out.push((field("factor"), "risk-rule-factor-twice"));
            }
            if r.points > 100 {
                out.push((field("points"), "risk-rule-points-invalid"));
            }
            if r.from < 1 || (!r.factor.measured() && r.from != 1) {
                out.push((field("from"), "risk-rule-from-invalid"));
            }
            if r.derived && !r.factor.derivable() {
                out.push((field("derived"), "risk-rule-not-derivable"));
            }
        }
        out
    }

    /// The assessor's input with the derived factors filled in: the system's count or flag is a
    /// floor the assessor may raise (a disability the records do not show) but not lower.
    pub fn complete(&self, typed: &RiskInput, d: &Derived) -> RiskInput {
        let mut i = typed.clone();
        for r in self.factors.iter().filter(|r| r.derived) {
            match r.factor {
                Factor::GroupPetition => i.people = i.people.max(d.people),
                Factor::RepeatPetition => i.earlier_petitions = i.earlier_petitions.max(d.earlier_petitions),
                Factor::VulnerableParty => i.vulnerable_party |= d.vulnerable_party,
                Factor::LongRunning => i.long_running |= d.long_running,
                _ => {}
            }
        }
        i
    }

    pub fn assess(&self, i: &RiskInput) -> Assessment {
        let factors: Vec<(Factor, u32)> = self
            .factors
            .iter()
            .filter(|r| r.factor.measure(i) >= r.from)
            .map(|r| (r.factor, r.points))
            .collect();
        let score = factors.iter().map(|(_, p)| p).sum();
        let level = if score >= self.high_from {
            RiskLevel::High
        } else if score >= self.medium_from {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        };
        Assessment {
            score,
            level,
            factors,
        }
    }
}

/// What the assessor records (a field left out is 0 or no).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RiskInput {
    pub people: u32,
    pub earlier_petitions: u32,
    pub extreme_words: bool,
    pub vulnerable_party: bool,
    pub amount_yuan: i64,
    pub media_attention: bool,
    pub earlier_escalation: bool,
    pub long_running: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub score: u32,
    pub level: RiskLevel,
    /// The factors that applied, with their points.
    pub factors: Vec<(Factor, u32)>,
}

/// A factor that scored, with its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Scored {
    pub factor: Factor,
    pub points: u32,
}

/// The factors as an assessment row stores them: `code:points`, comma-separated.
pub fn write_factors(factors: &[(Factor, u32)]) -> String {
    factors
        .iter()
        .map(|(f, p)| format!("{}:{p}", f.code()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored factors read back; a code this rule set does not know is left out.
pub fn read_factors(stored: &str) -> Vec<Scored> {
    stored
        .split(',')
        .filter_map(|x| {
            let (code, points) = x.split_once(':')?;
            Some(Scored {
                factor: Factor::parse(code)?,
                points: points.parse().ok()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assess(i: &RiskInput) -> Assessment {
        RiskRules::standard().assess(i)
    }

    #[test]
    fn stored_factors_read_back_as_written() {
        let a = assess(&RiskInput {
            people: 6,
            extreme_words: true,
            ..Default::default()
        });
        let stored = write_factors(&a.factors);
        assert_eq!(stored, "group_petition:30,extreme_words:40");
        let back: Vec<(Factor, u32)> = read_factors(&stored)
            .iter()
            .map(|s| (s.factor, s.points))
            .collect();
        assert_eq!(back, a.factors);
        assert!(read_factors("").is_empty());
        assert_eq!(read_factors("gone:5,large_sum:15").len(), 1);
    }

    #[test]
    fn nothing_is_low() {
        let a = assess(&RiskInput::default());
        assert_eq!((a.score, a.level), (0, RiskLevel::Low));
        assert!(a.factors.is_empty());
    }

    #[test]
    fn a_group_petition_of_five_is_medium_four_is_not() {
        let five = assess(&RiskInput {
            people: 5,
            ..Default::default()
        });
        assert_eq!(five.level, RiskLevel::Medium);
        assert_eq!(five.factors, vec![(Factor::GroupPetition, 30)]);
        assert_eq!(
            assess(&RiskInput {
                people: 4,
                ..Default::default()
            })
            .level,
            RiskLevel::Low
        );
    }

    #[test]
    fn extreme_words_with_a_group_are_high_and_explained() {
        let a = assess(&RiskInput {
            people: 8,
            extreme_words: true,
            amount_yuan: 1_200_000,
            ..Default::default()
        });
        assert_eq!(a.level, RiskLevel::High);
        assert_eq!(a.score, 30 + 40 + 15 + 15);
        assert!(a.factors.contains(&(Factor::VeryLargeSum, 15)));
    }

    #[test]
    fn the_standard_rules_are_valid_and_a_bad_set_is_refused_with_every_reason() {
        assert!(RiskRules::standard().problems().is_empty());
        let mut r = RiskRules::standard();
        r.version = " ".into();
        r.high_from = r.medium_from;
        r.factors[1].factor = Factor::GroupPetition;
        r.factors[2].from = 3;
        r.factors[2].derived = true;
        let keys: Vec<(String, &str)> = r.problems();
        assert_eq!(
            keys,
            vec![
                ("version".to_string(), "risk-rule-version-invalid"),
                ("high_from".to_string(), "risk-rule-high-not-above-medium"),
                ("factors[1].factor".to_string(), "risk-rule-factor-twice"),
                ("factors[2].from".to_string(), "risk-rule-from-invalid"),
                ("factors[2].derived".to_string(), "risk-rule-not-derivable"),
            ]
        );
    }

    #[test]
    fn thresholds_and_points_are_the_rule_sets() {
        let mut r = RiskRules::standard();
        r.factors[0].from = 3;
        r.factors[0].points = 35;
        r.medium_from = 35;
        let a = r.assess(&RiskInput {
            people: 3,
            ..Default::default()
        });
        assert_eq!((a.score, a.level), (35, RiskLevel::Medium));
        assert_eq!(
            assess(&RiskInput {
                people: 3,
                ..Default::default()
            })
            .level,
            RiskLevel::Low
        );
    }

    #[test]
    fn derived_factors_are_a_floor_the_assessor_may_raise_but_not_lower() {
        let r = RiskRules::standard();
        let d = Derived {
            people: 6,
            earlier_petitions: 1,
            vulnerable_party: true,
            long_running: false,
        };
        let typed = RiskInput {
            people: 2,
            earlier_petitions: 3,
            long_running: true,
            ..Default::default()
        };
        let i = r.complete(&typed, &d);
        assert_eq!(
            (i.people, i.earlier_petitions, i.vulnerable_party, i.long_running),
            (6, 3, true, true)
        );
        let mut manual = RiskRules::standard();
        manual.factors.iter_mut().for_each(|f| f.derived = false);
        assert_eq!(manual.complete(&typed, &d), typed);
    }
}
