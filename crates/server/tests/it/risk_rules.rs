//! Risk rules as data (DOMAIN.md §0, §3.5): versions with effective dates and regions, saved by an
//! administrator through the API, the page and CSV, every bad value refused with its reason; the
//! derived factors worked out from the case.

use gongzhi_app::domain::idcard::check_char;
use gongzhi_app::domain::time;
use gongzhi_app::import::{ImportKind, ImportOutcome};
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::json;

fn id_number(birth: &str, seq: &str) -> String {
    let first17 = format!("620702{birth}{seq}");
    format!("{first17}{}", check_char(first17.as_bytes()))
}

#[tokio::test]
async fn a_new_rule_set_version_scores_new_assessments_and_a_bad_one_is_refused_with_every_reason() {
    let t = TestApp::spawn_admin("riskrules_api").await;
    let admin = t.api("demo_sysadmin").await;
    let (s, list) = admin.get("/api/v1/risk-rules").await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["version"], "2026.1");
    assert_eq!(list["items"][0]["in_force"], true);

    // Every problem at once; nothing saved.
    let (s, e) = admin
        .post(
            "/api/v1/risk-rules",
            json!({"version": "", "effective_from": "2026-01-01", "medium_from": 50, "high_from": 40,
                "factors": [{"factor": "extreme_words", "points": 40, "from": 2},
                            {"factor": "extreme_words", "points": 10, "from": 1}]}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    for field in ["version", "high_from", "factors[0].from", "factors[1].factor"] {
        assert!(e["fields"][field].is_string(), "{field} in {e}");
    }
    // The shipped version is never rewritten.
    let (s, e) = admin
        .post(
            "/api/v1/risk-rules",
            json!({"version": "2026.1", "effective_from": "2026-01-01", "medium_from": 30, "high_from": 60,
                "factors": [{"factor": "group_petition", "points": 30, "from": 5}]}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["version"].as_str().unwrap().contains("2026.1"), "{e}");
    // Only an administrator saves.
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, _) = prosecutor
        .post(
            "/api/v1/risk-rules",
            json!({"version": "x", "effective_from": "2026-01-01", "medium_from": 30, "high_from": 60, "factors": []}),
        )
        .await;
    assert_eq!(s, 403);

    // The district's own rules: a group petition from three people, medium from 25 points.
    let (s, e) = admin
        .post(
            "/api/v1/risk-rules",
            json!({"version": "甘州2026.2", "region": "620702", "effective_from": "2026-06-01",
                "medium_from": 25, "high_from": 60, "note": "区委政法委 2026 年修订",
                "factors": [{"factor": "group_petition", "points": 25, "from": 3, "derived": true},
                            {"factor": "extreme_words", "points": 40, "from": 1}]}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let grid = t.api("demo_grid").await;
    let place = t.org_id("620702104201").await;
    let (_, c) = grid
        .post(
            "/api/v1/cases",
            json!({"kind": "dispute", "channel": "grid_screening", "category": "NEIGHBOUR", "place_id": place,
                "title": "灌溉用水纠纷", "narrative": "三户村民因轮灌顺序争执。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "王某", "phone": "13912345670"},
                            {"role": "petitioner", "name": "李某", "phone": "13912345671"},
                            {"role": "petitioner", "name": "赵某", "phone": "13912345672"}]}),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    // Nothing typed: the three petitioners on record are the group.
    let (s, r) = grid
        .post(
            &format!("/api/v1/cases/{id}/risk"),
            json!({"plan": "村组长逐户联系"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["ruleset"], "甘州2026.2");
    assert_eq!(r["factors"], json!([{"factor": "group_petition", "points": 25}]));
    assert_eq!(r["level"], "medium");
    let (_, list) = admin.get("/api/v1/risk-rules").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["version"], "甘州2026.2");
}

/// §3.5 factors the system knows: a party aged 60 or more (from the identity number) is a
/// vulnerable party; two earlier cases of the same petitioner (blind index) are a repeat
/// petition. The assessor may raise a derived value, not lower it.
#[tokio::test]
async fn vulnerable_and_repeat_factors_are_derived_from_the_parties_and_the_blind_index() {
    let t = TestApp::spawn("riskderived").await;
    let reception = t.api("demo_reception").await;
    let elderly = id_number("19500312", "002");
    let place = t.org_id("620702104201").await;
    let mut ids = Vec::new();
    for (n, title) in ["执行款未到位", "再次反映执行款", "三次反映执行款"]
        .iter()
        .enumerate()
    {
        let (s, c) = reception
            .post(
                "/api/v1/cases",
                json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                    "title": title, "narrative": "判决生效后执行款仍未到位。",
                    "received_at": format!("2026-11-{:02} 09:00", n + 2),
                    "parties": [{"role": "petitioner", "name": "马某", "id_number": elderly, "phone": "13993651234"}]}),
            )
            .await;
        assert_eq!(s, 200, "{c}");
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, r) = prosecutor
        .post(
            &format!("/api/v1/cases/{}/risk", ids[2]),
            json!({"earlier_petitions": 0, "vulnerable_party": false, "plan": "专人联系"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["factors"],
        json!([{"factor": "repeat_petition", "points": 15}, {"factor": "vulnerable_party", "points": 15}]),
        "typed 0 and no, the records say 2 earlier cases and a 76-year-old"
    );
    assert_eq!(
        (r["score"].as_i64(), r["level"].as_str()),
        (Some(30), Some("medium"))
    );
    // The first case has no earlier one: the repeat factor does not apply there.
    let (_, r) = prosecutor
        .post(&format!("/api/v1/cases/{}/risk", ids[0]), json!({}))
        .await;
    assert_eq!(
        r["factors"],
        json!([{"factor": "vulnerable_party", "points": 15}])
    );
    // The case page shows what the records give.
    let browser = t.browser("demo_prosecutor", DEMO_PASSWORD).await;
    let page = browser
        .get(format!("{}/cases/{}", t.base, ids[2]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("系统据身份证号查到此前案件 2 件"),
        "derived count shown"
    );
}

#[tokio::test]
async fn a_csv_of_rule_sets_is_all_or_nothing_and_names_each_bad_line() {
    let t = TestApp::spawn_admin("riskrules_csv").await;
    let ctx = t.ctx("demo_sysadmin").await;
    let header = "version,region,effective_from,medium_from,high_from,factor,points,from,derived\n";
    let bad = format!(
        "{header}2027.1,,2027-01-01,30,60,group_petition,30,5,1\n\
         2027.1,,2027-01-01,30,60,no_such_factor,10,1,0\n\
         2027.1,,2027-02-01,30,60,extreme_words,40,1,0\n\
         2027.2,,2027-01-01,30,60,extreme_words,40,1,1\n"
    );
    let before = t.snapshot().await;
    match t
        .app
        .import_csv(&ctx, ImportKind::RiskRules, bad.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => {
            let lines: Vec<(usize, &str)> = rows
                .iter()
                .flat_map(|r| r.errors.iter().map(move |e| (r.line, e.key.as_str())))
                .collect();
            assert_eq!(
                lines,
                vec![(3, "risk-rule-factor-unknown"), (4, "risk-rule-rows-differ")],
                "{rows:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.snapshot().await, before, "nothing saved");
    // A whole rule set that parses but breaks a rule is refused on its first line.
    let derived_wrongly = format!("{header}2027.2,,2027-01-01,30,60,extreme_words,40,1,1\n");
    match t
        .app
        .import_csv(&ctx, ImportKind::RiskRules, derived_wrongly.as_bytes())
        .await
        .unwrap()
    {
        ImportOutcome::Rejected(rows) => {
            assert_eq!(rows[0].line, 2);
            assert_eq!(rows[0].errors[0].key, "risk-rule-not-derivable");
        }
        other => panic!("{other:?}"),
    }
    let good = format!(
        "{header}2027.1,,2027-01-01,30,60,group_petition,30,5,1\n\
         2027.1,,2027-01-01,30,60,extreme_words,40,1,0\n"
    );
    assert_eq!(
        t.app
            .import_csv(&ctx, ImportKind::RiskRules, good.as_bytes())
            .await
            .unwrap(),
        ImportOutcome::Imported {
            created: 1,
            updated: 0
        }
    );
    let sets = t.app.risk_rulesets(&ctx).await.unwrap();
    let v = sets.iter().find(|s| s.rules.version == "2027.1").unwrap();
    assert_eq!(v.rules.factors.len(), 2);
    assert!(!v.in_force, "effective from next year");
}
