//! A demo case's risk assessments, as §3.5 would have them made: a first assessment before the
//! decision; a high risk planned, signed off by the chief prosecutor, its mitigation task done by
//! the handler, then reassessed.

use chrono::Duration;
use gongzhi_domain::risk::{self, RiskInput, RiskLevel, RiskRules};
use gongzhi_domain::workflow::RiskFacts;
use gongzhi_domain::{Id, time};
use gongzhi_store::risk::Assessment;
use gongzhi_store::task::Task;

use super::Rng;
use super::draft::Draft;

const PLAN: &str = "落实包案领导，承办人每周联系当事人一次，释法说理，必要时组织听证和司法救助。";

/// Records the assessments of a case about to be decided at about `at`, and says what the gate
/// then knows (always cleared: the demo's decisions go ahead).
pub(super) fn assess(
    d: &mut Draft,
    rng: &mut Rng,
    who: &(Id, String),
    chief: &str,
    at: time::Timestamp,
) -> RiskFacts {
    let input = RiskInput {
        people: if rng.chance(8) {
            u32::try_from(rng.range(5, 30)).unwrap_or(5)
        } else {
            1
        },
        earlier_petitions: if rng.chance(15) { 2 } else { 0 },
        extreme_words: rng.chance(4),
        vulnerable_party: d
            .parties
            .iter()
            .any(|p| p.minor + p.elderly + p.disabled + p.impoverished > 0),
        amount_yuan: rng.range(0, 300_000),
        media_attention: rng.chance(3),
        earlier_escalation: rng.chance(6),
        long_running: rng.chance(8),
    };
    let rules = RiskRules::standard();
    let first = rules.assess(&input);
    let high = first.level == RiskLevel::High;
    let t0 = if high { at - Duration::hours(3) } else { at };
    let mut a = assessment(d, &rules, &input, who, t0);
    if first.level == RiskLevel::Low {
        a.plan.clear();
    }
    if !high {
        let facts = facts(&a, false);
        d.case.risk_level = Some(first.level);
        d.assessments.push(a);
        return facts;
    }
    a.signed_off_by = chief.to_owned();
    a.signed_off_at = Some(time::to_millis(t0 + Duration::minutes(30)));
    d.plan_tasks.push(Task {
        id: Id::new().to_string(),
        case_id: Some(d.case.id.to_string()),
        source: "risk".into(),
        source_id: a.id.clone(),
        title: "包案领导约谈当事人，释法说理并落实稳控".into(),
        owner_id: who.0.to_string(),
        owner_name: None,
        due_date: time::local_date(at).to_string(),
        done_at: Some(time::to_millis(t0 + Duration::hours(1))),
        created_at: time::to_millis(t0),
        case_number: None,
    });
    // Reassessed after the mitigation: the extreme words and the media attention have subsided.
    let calmer = RiskInput {
        extreme_words: false,
        media_attention: false,
        ..input
    };
    let mut re = assessment(d, &rules, &calmer, who, t0 + Duration::hours(2));
    re.reassesses = a.id.clone();
    if rules.assess(&calmer).level == RiskLevel::High {
        re.signed_off_by = chief.to_owned();
        re.signed_off_at = Some(re.at + 600_000);
    }
    let facts = facts(&re, true);
    d.case.risk_level = RiskLevel::parse(&re.level);
    d.assessments.push(a);
    d.assessments.push(re);
    facts
}

fn assessment(
    d: &Draft,
    rules: &RiskRules,
    input: &RiskInput,
    who: &(Id, String),
    at: time::Timestamp,
) -> Assessment {
    let r = rules.assess(input);
    Assessment {
        id: Id::new().to_string(),
        case_id: d.case.id.to_string(),
        ruleset: rules.version.clone(),
        inputs: serde_json::to_string(input).unwrap_or_default(),
        factors: risk::write_factors(&r.factors),
        score: i64::from(r.score),
        level: r.level.code().into(),
        note: String::new(),
        assessor_id: Some(who.0.to_string()),
        assessor_name: who.1.clone(),
        at: time::to_millis(at),
        plan: PLAN.to_owned(),
        signed_off_by: String::new(),
        signed_off_at: None,
        reassesses: String::new(),
        sign_off_refused_at: None,
    }
}

fn facts(a: &Assessment, reassessment: bool) -> RiskFacts {
    RiskFacts {
        current: RiskLevel::parse(&a.level),
        signed_off: a.signed_off_at.is_some(),
        has_plan: !a.plan.is_empty(),
        tasks_open: false,
        reassessment,
    }
}
