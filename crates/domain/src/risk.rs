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

pub const RULESET_VERSION: &str = "2026.1";

/// Points of each factor in rule set 2026.1.
pub fn points(f: Factor) -> u32 {
    match f {
        Factor::GroupPetition => 30,
        Factor::RepeatPetition => 15,
        Factor::ExtremeWords => 40,
        Factor::VulnerableParty => 15,
        Factor::LargeSum => 15,
        Factor::VeryLargeSum => 15,
        Factor::MediaAttention => 20,
        Factor::EarlierEscalation => 15,
        Factor::LongRunning => 10,
    }
}

/// From this score up the level is high; from `MEDIUM_FROM` medium.
pub const HIGH_FROM: u32 = 60;
pub const MEDIUM_FROM: u32 = 30;

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

pub fn assess(i: &RiskInput) -> Assessment {
    let applies = |f: Factor| match f {
        Factor::GroupPetition => i.people >= 5,
        Factor::RepeatPetition => i.earlier_petitions >= 2,
        Factor::ExtremeWords => i.extreme_words,
        Factor::VulnerableParty => i.vulnerable_party,
        Factor::LargeSum => i.amount_yuan >= 100_000,
        Factor::VeryLargeSum => i.amount_yuan >= 1_000_000,
        Factor::MediaAttention => i.media_attention,
        Factor::EarlierEscalation => i.earlier_escalation,
        Factor::LongRunning => i.long_running,
    };
    let factors: Vec<(Factor, u32)> = Factor::ALL
        .iter()
        .filter(|f| applies(**f))
        .map(|f| (*f, points(*f)))
        .collect();
    let score = factors.iter().map(|(_, p)| p).sum();
    let level = if score >= HIGH_FROM {
        RiskLevel::High
    } else if score >= MEDIUM_FROM {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
