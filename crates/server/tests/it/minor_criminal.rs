//! The minor criminal case (issue 9 point 9; DOMAIN.md §3.4, §3.6, CPL Arts. 282–290): early
//! intervention optional, a hearing approved by the chief prosecutor and closed where a party is a
//! minor, the reconciliation record with its elements and agreement, conditional non-prosecution
//! of a minor suspect with its supervision period, decisions by the chief prosecutor.

use gongzhi_app::domain::idcard::check_char;
use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

fn id_number(birth: chrono::NaiveDate, seq: &str) -> String {
    let first17 = format!("620702{}{seq}", birth.format("%Y%m%d"));
    format!("{first17}{}", check_char(first17.as_bytes()))
}

async fn case(api: &Api, place: &str, suspect_birth: chrono::NaiveDate) -> String {
    let (s, c) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "minor_criminal", "channel": "case_handling", "category": "NEIGHBOUR", "place_id": place,
                "title": "邻里纠纷引发轻伤害案", "narrative": "两家因宅基地争执，一方将对方打成轻伤。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "suspect", "name": "李某", "id_number": id_number(suspect_birth, "011")},
                            {"role": "victim", "name": "张某", "phone": "13912345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

async fn go(api: &Api, id: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/api/v1/cases/{id}/transitions"), body).await
}

#[tokio::test]
async fn a_minor_suspect_s_case_is_heard_closed_and_conditionally_not_prosecuted_by_the_chief() {
    let t = TestApp::spawn("minor_conditional").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let place = t.org_id("620702104201").await;
    let today = time::local_date(chrono::Utc::now());
    let sixteen = today - chrono::Months::new(16 * 12 + 2);
    let id = case(&prosecutor, &place, sixteen).await;
    // Early intervention is "when appropriate": investigation may come straight away.
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "investigate"})).await.0,
        200
    );
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "transfer_for_review"}))
            .await
            .0,
        200
    );
    prosecutor
        .post(&format!("/api/v1/cases/{id}/risk"), json!({}))
        .await;
    // A hearing the chief does not approve is refused with a reason and the review goes on.
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "propose_hearing"}))
            .await
            .0,
        200
    );
    let (s, e) = go(&chief, &id, json!({"command": "refuse_hearing"})).await;
    assert_eq!(s, 422, "a reason is required: {e}");
    let (s, e) = go(
        &chief,
        &id,
        json!({"command": "refuse_hearing", "note": "事实清楚，无听证必要"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    // The hearing: proposed by the prosecutor, approved only by the chief, closed for a minor.
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "propose_hearing"}))
            .await
            .0,
        200
    );
    let (s, _) = go(&prosecutor, &id, json!({"command": "approve_hearing"})).await;
    assert_eq!(s, 409, "a prosecutor does not approve a hearing");
    assert_eq!(
        go(&chief, &id, json!({"command": "approve_hearing"})).await.0,
        200
    );
    let (s, e) = go(
        &prosecutor,
        &id,
        json!({"command": "hold_hearing", "public_hearing": true}),
    )
    .await;
    assert_eq!((s, e["fields"]["public_hearing"].is_string()), (422, true), "{e}");
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "hold_hearing"})).await.0,
        200
    );
    // Conditional non-prosecution: the chief's; 6 to 12 months of supervision.
    let conditional =
        |months: u32| json!({"command": "decide_conditional_non_prosecution", "months": months});
    assert_eq!(
        go(&prosecutor, &id, conditional(8)).await.0,
        409,
        "not the prosecutor's decision"
    );
    // A likely sentence of at most a year must be on record (CPL Art. 282).
    let (s, e) = go(&chief, &id, conditional(8)).await;
    assert_eq!(s, 409, "no sentence on record: {e}");
    assert!(e["message"].as_str().unwrap().contains("一年"), "{e}");
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/cases/{id}/reconciliation"),
            json!({"civil_dispute": true, "chapter_4_or_5": true, "negligent": false,
                "likely_sentence_months": 8, "intentional_crime_within_5_years": false}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = go(&chief, &id, conditional(3)).await;
    assert_eq!((s, e["fields"]["months"].is_string()), (422, true), "{e}");
    let (s, e) = go(&chief, &id, conditional(8)).await;
    assert_eq!(s, 200, "{e}");
    let (_, d) = chief.get(&format!("/api/v1/cases/{id}")).await;
    let probation = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "probation")
        .unwrap();
    let due: chrono::NaiveDate = probation["due"].as_str().unwrap().parse().unwrap();
    assert!(
        due >= today + chrono::Months::new(8) && due <= today + chrono::Months::new(8) + chrono::Days::new(4),
        "{probation}"
    );
    let steps: Vec<String> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["detail"]["text"].as_str().map(str::to_owned))
        .collect();
    assert!(steps.iter().any(|t| t.starts_with("不公开听证")), "{steps:?}");
    assert!(steps.iter().any(|t| t.starts_with("考验期 8 个月")), "{steps:?}");
    // Not before the period has passed (Art. 284); then not prosecuted, the period met.
    let (s, e) = go(&chief, &id, json!({"command": "complete_probation"})).await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["note"].as_str().unwrap().contains(&due.to_string()),
        "{e}"
    );
    t.rows(&format!(
        "UPDATE case_clock SET due_date = '{}' WHERE case_id = '{id}' AND kind = 'probation'",
        today - chrono::Days::new(1)
    ))
    .await;
    assert_eq!(
        go(&chief, &id, json!({"command": "complete_probation"})).await.0,
        200
    );
    let (_, d) = chief.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["status"], "non_prosecution");
    let probation = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "probation")
        .unwrap();
    assert_eq!(probation["state"], "met");
}

#[tokio::test]
async fn the_reconciliation_review_needs_its_record_and_an_adult_is_not_conditionally_spared() {
    let t = TestApp::spawn("minor_reconciliation").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let place = t.org_id("620702104201").await;
    let adult = chrono::NaiveDate::from_ymd_opt(1980, 5, 1).unwrap();
    let id = case(&prosecutor, &place, adult).await;
    for cmd in ["intervene", "investigate", "transfer_for_review"] {
        assert_eq!(
            go(&prosecutor, &id, json!({"command": cmd})).await.0,
            200,
            "{cmd}"
        );
    }
    // Sentences in months: three years and a month is over the limit, ten months is not.
    let facts = |months: u32| {
        json!({"civil_dispute": true, "chapter_4_or_5": true, "negligent": false,
            "likely_sentence_months": months, "intentional_crime_within_5_years": false})
    };
    let (_, r) = prosecutor
        .post(&format!("/api/v1/cases/{id}/reconciliation"), facts(37))
        .await;
    assert_eq!(r["eligible"], false, "{r}");
    let (_, r) = prosecutor
        .post(&format!("/api/v1/cases/{id}/reconciliation"), facts(10))
        .await;
    assert_eq!(r["eligible"], true, "{r}");
    prosecutor
        .post(&format!("/api/v1/cases/{id}/risk"), json!({}))
        .await;
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "start_reconciliation"}))
            .await
            .0,
        200
    );
    // The review refuses without the record, naming every missing element.
    let (s, e) = go(&prosecutor, &id, json!({"command": "review_reconciliation"})).await;
    assert_eq!(s, 422, "{e}");
    for f in [
        "remorse",
        "compensation",
        "forgiveness",
        "voluntary_and_lawful",
        "agreement_attachment",
    ] {
        assert!(e["fields"][f].is_string(), "{f} in {e}");
    }
    let url = format!("/api/v1/cases/{id}/reconciliation/record");
    let (s, e) = prosecutor
        .post(
            &url,
            json!({"remorse": true, "compensation": "赔偿医药费八千元", "forgiveness": true,
            "voluntary_and_lawful": true, "agreement_attachment": "01900000-0000-7000-8000-000000000000"}),
        )
        .await;
    assert_eq!(
        (s, e["fields"]["agreement_attachment"].is_string()),
        (422, true),
        "not this case's: {e}"
    );
    let agreement = prosecutor.attach_pdf(&id, "和解协议书.pdf").await;
    let (s, e) = prosecutor
        .post(
            &url,
            json!({"remorse": true, "compensation": "赔偿医药费八千元并当面赔礼道歉", "forgiveness": true,
            "voluntary_and_lawful": true, "agreement_attachment": agreement}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "review_reconciliation"}))
            .await
            .0,
        200
    );
    // An adult suspect is not conditionally spared; non-prosecution is the chief's.
    let (s, e) = go(
        &chief,
        &id,
        json!({"command": "decide_conditional_non_prosecution", "months": 8}),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("未成年"), "{e}");
    assert_eq!(
        go(&prosecutor, &id, json!({"command": "decide_non_prosecution"}))
            .await
            .0,
        409
    );
    assert_eq!(
        go(&chief, &id, json!({"command": "decide_non_prosecution"}))
            .await
            .0,
        200
    );
}
