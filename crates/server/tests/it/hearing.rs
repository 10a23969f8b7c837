//! Issue 11 §1–§2: the hearing-officer pool and a hearing from proposal to archive — the chief
//! prosecutor's approval, the 3-day notice, eligibility on the hearing day, the reproducible draw,
//! each officer's opinion, the report when the decision departs from the majority, and what the
//! public sees.

use chrono::{Datelike, Days, Utc};
use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

/// A petition at the procuratorate whose party is 马玉兰 of 乌江村 (or a child, with `minor`).
async fn petition(t: &TestApp, minor: bool) -> String {
    let reception = t.api("demo_reception").await;
    let party = if minor {
        json!({"role": "petitioner", "name": "马小宝", "minor": true, "phone": "13993651234"})
    } else {
        json!({"role": "petitioner", "name": "马玉兰", "phone": "13993651234"})
    };
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED",
                "place_id": t.org_id("620702104201").await, "title": "马玉兰不服民事判决申请监督",
                "narrative": "认为判决认定事实错误。", "received_at": time::format_local(Utc::now()),
                "parties": [party]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

/// Enters and admits a person; returns the id.
async fn officer(pool: &Api, body: Value) -> String {
    let (s, c) = pool.post("/api/v1/hearing-officers", body).await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    let (s, c) = pool
        .post(
            &format!("/api/v1/hearing-officers/{id}/review"),
            json!({"decision": "admit"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    id
}

fn person(name: &str, category: &str, birth: &str) -> Value {
    json!({"name": name, "category": category, "birth_date": birth, "entry": "recommended",
        "recommended_by": "甘州区人大常委会", "expertise": "土地、婚姻家庭", "phone": "13909361234"})
}

async fn step(api: &Api, h: &str, name: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/api/v1/hearings/{h}/steps/{name}"), body)
        .await
}

#[tokio::test]
async fn a_hearing_runs_from_proposal_to_archive_with_a_reproducible_draw() {
    let t = TestApp::spawn("hearingflow").await;
    let case = petition(&t, false).await;
    let pool = t.api("demo_hearing").await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let earliest = Utc::now().with_timezone(&time::china()).date_naive() + Days::new(3);
    let day = earliest + Days::new(2);
    // Four who may sit, and three who may not on that day.
    let mut able = Vec::new();
    for (n, c) in [
        ("赵德明", "npc_deputy"),
        ("钱文华", "cppcc_member"),
        ("孙立新", "lawyer"),
        ("李淑珍", "expert"),
    ] {
        able.push(officer(&pool, person(n, c, "1975-04-02")).await);
    }
    let after = day + Days::new(1);
    let turns_23_after = format!("{}-{:02}-{:02}", after.year() - 23, after.month(), after.day());
    let young = officer(&pool, person("周小雨", "village_representative", &turns_23_after)).await;
    let mut barred = person("吴永福", "other", "1968-01-01");
    barred["disqualifications"] = json!(["dishonest_debtor"]);
    let barred = officer(&pool, barred).await;
    let mut kin = person("郑国庆", "other", "1970-01-01");
    kin["relations"] = json!("马玉兰");
    let kin = officer(&pool, kin).await;
    // A people's supervisor needs a term, and at most a second one.
    let mut sup = person("王秀英", "people_supervisor", "1980-01-01");
    sup["term_no"] = json!(3);
    sup["term_start"] = json!("2024-01-01");
    let (s, e) = pool.post("/api/v1/hearing-officers", sup).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["term_no"].is_string(), "{e}");
    // Only the pool manager keeps the pool; only a prosecutor proposes.
    let (s, _) = prosecutor
        .post("/api/v1/hearing-officers", person("某某", "other", "1970-01-01"))
        .await;
    assert_eq!(s, 403);
    let proposal = json!({"case_id": case, "kind": "civil_supervision", "origin": "prosecutor",
        "topic": "马玉兰不服民事判决申请监督，是否支持监督申请", "proposed_handling": "拟不支持监督申请并释法说理",
        "venue": "doorstep", "place": "乌江村村委会", "public": true});
    let (s, _) = pool.post("/api/v1/hearings", proposal.clone()).await;
    assert_eq!(s, 403);
    let (s, c) = prosecutor.post("/api/v1/hearings", proposal).await;
    assert_eq!(s, 200, "{c}");
    let h = c["id"].as_str().unwrap().to_owned();
    // The chief prosecutor is told, finds it among the decisions, and only the chief approves.
    assert_eq!(
        t.rows("SELECT COUNT(*) FROM notice WHERE kind = 'hearing_proposed'")
            .await[0][0],
        "1"
    );
    let inbox = t.page_text("demo_chief", "/inbox").await;
    assert!(
        inbox.contains("待检察长决定") && inbox.contains(&format!("/hearings/{h}")),
        "{inbox}"
    );
    let (s, _) = prosecutor
        .post(&format!("/api/v1/hearings/{h}/review"), json!({"approve": true}))
        .await;
    assert_eq!(s, 403);
    let (s, e) = step(&prosecutor, &h, "prepare", json!({"prepare": {"scheduled_at": format!("{day} 09:30"), "venue": "doorstep", "place": "乌江村村委会", "chair": "张检察官", "participants": "申请人 马玉兰"}})).await;
    assert_eq!(s, 422, "preparing before approval: {e}");
    let (s, e) = chief
        .post(&format!("/api/v1/hearings/{h}/review"), json!({"approve": true}))
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        t.rows("SELECT COUNT(*) FROM notice WHERE kind = 'hearing_proposed' AND read_at IS NULL")
            .await[0][0],
        "0"
    );
    // Less than 3 days out: refused with the earliest legal date.
    let tomorrow = earliest - Days::new(2);
    let prepare = |at: String, venue: &str| {
        json!({"prepare": {"scheduled_at": at, "venue": venue, "place": "乌江村村委会", "chair": "张检察官",
            "participants": "申请人 马玉兰\n代理律师 孙某", "public": true}})
    };
    let (s, e) = step(
        &prosecutor,
        &h,
        "prepare",
        prepare(format!("{tomorrow} 09:30"), "doorstep"),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["scheduled_at"]
            .as_str()
            .unwrap()
            .contains(&earliest.to_string()),
        "{e}"
    );
    // Another place away from the room than the one approved needs approval again.
    let (s, e) = step(
        &prosecutor,
        &h,
        "prepare",
        prepare(format!("{day} 09:30"), "elsewhere"),
    )
    .await;
    assert_eq!(s, 422);
    assert!(e["fields"]["venue"].is_string(), "{e}");
    let (s, e) = step(
        &prosecutor,
        &h,
        "prepare",
        prepare(format!("{day} 09:30"), "doorstep"),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    // More than are eligible: the shortfall is named.
    let (s, e) = prosecutor
        .post(&format!("/api/v1/hearings/{h}/draw"), json!({"wanted": 5}))
        .await;
    assert_eq!(s, 422);
    let msg = e["fields"]["wanted"].as_str().unwrap().to_owned();
    assert!(msg.contains('4') && msg.contains('1'), "{msg}");
    let (s, d) = prosecutor
        .post(&format!("/api/v1/hearings/{h}/draw"), json!({"wanted": 3}))
        .await;
    assert_eq!(s, 200, "{d}");
    // The notice names the participants and the drawn officers; the announcement masks the parties.
    let notice = crate::document::document_text(
        &prosecutor,
        &format!("/api/v1/hearings/{h}/documents/hearing_notice.docx"),
    )
    .await;
    assert!(
        notice.contains("听证通知书") && notice.contains("马玉兰") && notice.contains("乌江村村委会"),
        "{notice}"
    );
    assert!(
        notice.contains("公开听证会") && notice.contains("张检察官"),
        "{notice}"
    );
    let announcement = crate::document::document_text(
        &prosecutor,
        &format!("/api/v1/hearings/{h}/documents/hearing_announcement.docx"),
    )
    .await;
    assert!(
        announcement.contains("听证公告")
            && announcement.contains("马某")
            && !announcement.contains("马玉兰"),
        "{announcement}"
    );
    let picked: Vec<String> = d["picked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(picked.len(), 3);
    assert!(
        picked.iter().all(|p| able.contains(p)),
        "only eligible people are drawn"
    );
    // Nobody ineligible is seated by hand either, each refusal naming why.
    for (who, key) in [(&young, "23"), (&barred, "禁止"), (&kin, "利害关系")] {
        let (s, e) = prosecutor
            .post(
                &format!("/api/v1/hearings/{h}/seats"),
                json!({"officer_id": who, "seat": true}),
            )
            .await;
        assert_eq!(s, 422, "{who}");
        assert!(e["fields"]["officer_id"].as_str().unwrap().contains(key), "{e}");
    }
    let fourth = able.iter().find(|a| !picked.contains(a)).unwrap().clone();
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/hearings/{h}/seats"),
            json!({"officer_id": fourth, "seat": true}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    // The draw re-runs from its recorded seed to the same names.
    let (_, v) = prosecutor.get(&format!("/api/v1/hearings/{h}")).await;
    assert_eq!(v["draws"][0]["verified"], true, "{v}");
    assert_eq!(v["draws"][0]["candidates"], 4);
    let seed: u64 = v["draws"][0]["seed"].as_str().unwrap().parse().unwrap();
    let rows = t
        .rows(&format!(
            "SELECT candidates, picked FROM hearing_draw WHERE hearing_id = '{h}'"
        ))
        .await;
    let candidates: Vec<gongzhi_app::domain::hearing::draw::Candidate> =
        serde_json::from_str(&rows[0][0]).unwrap();
    let again = gongzhi_app::domain::hearing::draw::draw(&candidates, 3, seed).unwrap();
    assert_eq!(serde_json::to_string(&again).unwrap(), rows[0][1]);
    assert_eq!(v["seats"].as_array().unwrap().len(), 4);
    let (s, _) = step(&prosecutor, &h, "notify", json!({"method": "书面通知"})).await;
    assert_eq!(s, 200);
    // Officers no longer change once notified; the hearing is not held before its day.
    let (s, _) = prosecutor
        .post(&format!("/api/v1/hearings/{h}/draw"), json!({"wanted": 1}))
        .await;
    assert_eq!(s, 422);
    let seven: Vec<String> = (1..=7).map(|i| format!("第{i}环节记录")).collect();
    let (s, e) = step(&prosecutor, &h, "hold", json!({"steps": seven})).await;
    assert_eq!(s, 422, "{e}");
    let sat = time::to_millis(Utc::now()) - 3_600_000;
    t.rows(&format!(
        "UPDATE hearing SET scheduled_at = {sat} WHERE id = '{h}'"
    ))
    .await;
    let (s, e) = step(&prosecutor, &h, "hold", json!({"steps": &seven[..6]})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["steps[6]"].is_string(), "{e}");
    let (s, e) = step(&prosecutor, &h, "hold", json!({"steps": seven})).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        t.rows("SELECT COUNT(*) FROM hearing_officer WHERE participations = 1")
            .await[0][0],
        "4",
        "each seated officer sat once"
    );
    // Each officer's opinion, one by one: a missing one is named.
    let seats: Vec<String> = picked.iter().chain([&fourth]).cloned().collect();
    let opinions = |n: usize| json!({"opinions": seats.iter().take(n).map(|o| json!({"officer_id": o, "opinion": "agree", "text": "同意拟处理意见"})).collect::<Vec<_>>()});
    let (s, e) = step(&prosecutor, &h, "opinions", opinions(3)).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("opinion.")),
        "{e}"
    );
    let (s, _) = step(&prosecutor, &h, "opinions", opinions(4)).await;
    assert_eq!(s, 200);
    let (_, v) = prosecutor.get(&format!("/api/v1/hearings/{h}")).await;
    assert_eq!(v["majority"], "agree");
    // Departing from the majority needs a report, which reaches the chief prosecutor.
    let (s, e) = step(
        &prosecutor,
        &h,
        "decide",
        json!({"decision": "disagree", "text": "支持监督申请"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(e["fields"]["report"].is_string(), "{e}");
    let (s, _) = step(
        &prosecutor,
        &h,
        "decide",
        json!({"decision": "disagree", "text": "支持马玉兰的监督申请", "report": "新证据表明原判决确有错误"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        t.rows("SELECT COUNT(*) FROM notice WHERE kind = 'hearing_report' AND audience = 'heads'")
            .await[0][0],
        "1"
    );
    let (s, _) = step(
        &prosecutor,
        &h,
        "announce",
        json!({"text": "本院经公开听证，决定支持马玉兰的监督申请。"}),
    )
    .await;
    assert_eq!(s, 200);
    // The public sees it with the party's name masked.
    let portal = t
        .client()
        .get(format!("{}/portal/hearings/{h}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(portal.status(), 200);
    let text = portal.text().await.unwrap();
    assert!(
        text.contains("马某") && !text.contains("马玉兰"),
        "names masked on the portal"
    );
    let (s, _) = step(&prosecutor, &h, "archive", json!({})).await;
    assert_eq!(s, 200);
    let (s, e) = step(&prosecutor, &h, "withdraw", json!({"reason": "撤回"})).await;
    assert_eq!(s, 422, "an archived hearing takes no step: {e}");
    let audit = t
        .rows("SELECT COUNT(*) FROM audit_event WHERE action LIKE 'hearing.%'")
        .await;
    assert!(audit[0][0].parse::<i64>().unwrap() >= 10);
}

#[tokio::test]
async fn a_minor_partys_hearing_is_closed_and_never_published() {
    let t = TestApp::spawn("hearingminor").await;
    let case = petition(&t, true).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, c) = prosecutor
        .post(
            "/api/v1/hearings",
            json!({"case_id": case, "kind": "criminal_appeal", "origin": "prosecutor",
            "topic": "马小宝刑事申诉是否复查", "venue": "hearing_room", "public": true}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let h = c["id"].as_str().unwrap();
    let (_, v) = prosecutor.get(&format!("/api/v1/hearings/{h}")).await;
    assert_eq!(v["public"], false);
    assert_eq!(v["minor"], true);
    // Even announced, it is not on the portal, and has no announcement to print.
    t.rows(&format!(
        "UPDATE hearing SET state = 'announced', announcement = '结论', scheduled_at = 1798761600000 WHERE id = '{h}'"
    ))
    .await;
    let (s, _, e) = crate::document::download(
        &prosecutor,
        &format!("/api/v1/hearings/{h}/documents/hearing_announcement.docx"),
    )
    .await;
    assert_eq!(s, 422);
    assert!(String::from_utf8_lossy(&e).contains("不发布听证公告"));
    crate::document::document_text(
        &prosecutor,
        &format!("/api/v1/hearings/{h}/documents/hearing_notice.docx"),
    )
    .await;
    let anon = t.client();
    let one = anon
        .get(format!("{}/portal/hearings/{h}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 404);
    let list = anon
        .get(format!("{}/portal/hearings", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("马小宝") && !list.contains(h));
}

#[tokio::test]
async fn a_refused_application_gives_reasons_and_a_partner_sees_no_hearing() {
    let t = TestApp::spawn("hearingapply").await;
    let case = petition(&t, false).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let partner = t.api("demo_partner").await;
    let (s, e) = prosecutor
        .post(
            "/api/v1/hearings",
            json!({"case_id": case, "kind": "petition", "origin": "party",
            "topic": "申请就执行问题举行听证", "venue": "hearing_room"}),
        )
        .await;
    assert_eq!(s, 422, "a party's application names the applicant");
    assert!(e["fields"]["applicant"].is_string());
    let (s, c) = prosecutor
        .post(
            "/api/v1/hearings",
            json!({"case_id": case, "kind": "petition", "origin": "party", "applicant": "马玉兰",
            "topic": "申请就执行问题举行听证", "venue": "hearing_room"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let h = c["id"].as_str().unwrap().to_owned();
    let before = t.snapshot().await;
    let (s, e) = step(&prosecutor, &h, "answer", json!({"accept": false})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["reason"].is_string());
    let (s, _) = step(&prosecutor, &h, "nonsense", json!({})).await;
    assert_eq!(s, 404);
    assert_eq!(t.snapshot().await, before, "refused steps change nothing");
    let (s, _) = step(
        &prosecutor,
        &h,
        "answer",
        json!({"accept": false, "reason": "已有生效裁判，不属于听证范围"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, v) = prosecutor.get(&format!("/api/v1/hearings/{h}")).await;
    assert_eq!(v["state"], "refused");
    assert!(v["commands"].as_array().unwrap().is_empty());
    // A partner agency has no hearings at all; the public no staff page.
    assert_eq!(partner.get("/api/v1/hearings").await.0, 403);
    assert_eq!(partner.get(&format!("/api/v1/hearings/{h}")).await.0, 403);
    assert_eq!(
        t.api("demo_hearing")
            .await
            .post(
                &format!("/api/v1/hearings/{h}/steps/withdraw"),
                json!({"reason": "x"})
            )
            .await
            .0,
        403
    );
}
