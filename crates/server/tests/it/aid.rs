//! Issue 11 §4: judicial aid — once per person per case, the 36-month cap and its approval, advance
//! aid settled later, the working-day limits, and social aid as a referral of the case.

use chrono::Datelike;
use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

async fn victim_case(t: &TestApp) -> (String, String) {
    let reception = t.api("demo_reception").await;
    let case = crate::statute::visit_petition(
        &reception,
        &t.org_id("620702104201").await,
        "故意伤害致残被害人申请救助",
    )
    .await;
    let party = t
        .rows(&format!("SELECT id FROM case_party WHERE case_id = '{case}'"))
        .await[0][0]
        .clone();
    (case, party)
}

async fn step(api: &Api, id: &str, name: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/api/v1/aid-cases/{id}/steps/{name}"), body)
        .await
}

#[tokio::test]
async fn aid_is_capped_once_per_person_per_case_and_linked_to_social_aid() {
    let t = TestApp::spawn_admin("aidflow").await;
    let (case, party) = victim_case(&t).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let (s, c) = prosecutor
        .post(
            "/api/v1/aid-cases",
            json!({"case_id": case, "party_id": party, "clue": "被害人因伤致残，加害人无力赔偿"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    // One aid per person per case: the second names the first.
    let (s, e) = prosecutor
        .post(
            "/api/v1/aid-cases",
            json!({"case_id": case, "party_id": party, "clue": "再次"}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["party_id"].as_str().unwrap().contains("一人一案"),
        "{e}"
    );
    assert_eq!(
        step(
            &prosecutor,
            &id,
            "inform",
            json!({"note": "电话告知，当事人同意申请"})
        )
        .await
        .0,
        200
    );
    let (s, e) = step(
        &prosecutor,
        &id,
        "apply",
        json!({"mode": "oral", "hardship": "村委会证明：家庭4口，无劳动能力"}),
    )
    .await;
    assert_eq!(s, 422, "a category is needed: {e}");
    let (s, _) = step(&prosecutor, &id, "apply", json!({"mode": "oral", "categories": ["serious_injury"], "hardship": "村委会证明：家庭4口，无劳动能力"})).await;
    assert_eq!(s, 200);
    let (_, v) = prosecutor.get(&format!("/api/v1/aid-cases/{id}")).await;
    assert!(v["review_due"].is_string(), "10 working days: {v}");
    let inbox = t.page_text("demo_chief", "/inbox").await;
    assert!(
        inbox.contains("司法救助决定") && inbox.contains(&format!("/aid-cases/{id}")),
        "the chief decides it"
    );
    assert!(
        !t.page_text("demo_prosecutor", "/inbox")
            .await
            .contains("待检察长决定")
    );
    // No wage on record: the cap cannot be computed, and says which year is missing.
    let year = time::local_date(chrono::Utc::now()).year() - 1;
    let decide = |amount: i64, approval: &str| json!({"categories": ["serious_injury"], "amount": amount, "over_cap_approval": approval, "text": "符合救助条件"});
    let (s, e) = step(&chief, &id, "decide", decide(10_000, "")).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["amount"]
            .as_str()
            .unwrap()
            .contains(&year.to_string()),
        "{e}"
    );
    let admin = t.api("demo_sysadmin").await;
    let (s, e) = admin
        .c
        .put(format!("{}/api/v1/aid-wages/{year}", t.base))
        .bearer_auth(&admin.token)
        .json(&json!({"monthly": 7_500, "source": "测试数据"}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 200, "{e:?}");
    // An advance within 3 months' wage, then the decision against the cap.
    let (s, _) = step(&prosecutor, &id, "advance", json!({"amount": 30_000})).await;
    assert_eq!(s, 422, "more than 3 months' wage without approval");
    assert_eq!(
        step(&prosecutor, &id, "advance", json!({"amount": 20_000}))
            .await
            .0,
        200
    );
    assert_eq!(
        step(&prosecutor, &id, "decide", decide(10_000, "")).await.0,
        403,
        "the chief decides"
    );
    let (s, e) = step(&chief, &id, "decide", decide(270_001, "")).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["amount"].as_str().unwrap().contains("270000"),
        "the cap is shown: {e}"
    );
    let mut excluded = decide(50_000, "");
    excluded["exclusions"] = json!(["already_compensated"]);
    assert_eq!(step(&chief, &id, "decide", excluded).await.0, 422);
    let (s, _) = step(&chief, &id, "decide", decide(15_000, "")).await;
    assert_eq!(s, 200);
    let (_, v) = prosecutor.get(&format!("/api/v1/aid-cases/{id}")).await;
    assert_eq!(v["settlement"], -5_000, "the advance was more: claw back 5,000");
    assert_eq!(v["cap"], 270_000);
    // Numbered when decided, and its 司法救助决定书 states the amount in capitals.
    let number = format!("甘州检司救〔{}〕1号", year + 1);
    assert_eq!(v["number"], number.as_str(), "{v}");
    let doc = crate::document::document_text(
        &prosecutor,
        &format!("/api/v1/aid-cases/{id}/documents/aid_decision.docx"),
    )
    .await;
    for part in [
        number.as_str(),
        "司法救助决定书",
        "人民币壹万伍仟元整",
        "15000",
        "严重残疾",
    ] {
        assert!(doc.contains(part), "{part} in {doc}");
    }
    for (name, note) in [
        ("request_funds", "已报财务"),
        ("receive_funds", ""),
        ("notify", "电话通知"),
        ("pay", "转账发放"),
    ] {
        let (s, e) = step(&prosecutor, &id, name, json!({"note": note})).await;
        assert_eq!(s, 200, "{name}: {e}");
    }
    // Social aid is a referral of the case to civil affairs, listed on the aid.
    let (s, e) = prosecutor
        .post(&format!("/api/v1/cases/{case}/referrals"), json!({"to_agency": t.agency_id("GZ-MZJ").await, "note": "司法救助+社会救助：申请最低生活保障", "days": 15}))
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, v) = prosecutor.get(&format!("/api/v1/aid-cases/{id}")).await;
    assert_eq!(v["social_aid"][0]["state"], "pending", "{v}");
    assert_eq!(
        step(&prosecutor, &id, "close", json!({"note": "已回访"})).await.0,
        200
    );
    // Only the procuratorate's aid staff reach it.
    assert_eq!(
        t.api("demo_partner")
            .await
            .get(&format!("/api/v1/aid-cases/{id}"))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn above_the_cap_needs_a_recorded_approval_and_never_exceeds_the_award() {
    let t = TestApp::spawn_admin("aidcap").await;
    let (case, party) = victim_case(&t).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let year = time::local_date(chrono::Utc::now()).year() - 1;
    t.app
        .set_provincial_wage(&t.ctx("demo_sysadmin").await, year, 7_500, "测试数据")
        .await
        .unwrap();
    let (_, c) = prosecutor
        .post(
            "/api/v1/aid-cases",
            json!({"case_id": case, "party_id": party, "clue": "被害人死亡，子女生活困难"}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    step(
        &prosecutor,
        &id,
        "apply",
        json!({"mode": "written", "categories": ["death_or_incapacity"], "hardship": "证明"}),
    )
    .await;
    let before = t.snapshot().await;
    let (s, _) = step(&chief, &id, "decide", json!({"categories": ["death_or_incapacity"], "amount": 300_000, "text": "x", "court_award": 280_000, "over_cap_approval": "检委会〔2026〕3号"})).await;
    assert_eq!(s, 422, "never above the court award");
    assert_eq!(t.snapshot().await, before, "a refused decision changes nothing");
    let (s, e) = step(&chief, &id, "decide", json!({"categories": ["death_or_incapacity"], "amount": 300_000, "text": "特殊困难，经检委会研究", "over_cap_approval": "检委会〔2026〕3号"})).await;
    assert_eq!(s, 200, "{e}");
}
