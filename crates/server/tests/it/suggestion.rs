//! Issue 11 §3: a procuratorial suggestion from a clue to closing — the chief prosecutor's decision
//! and its gapless number, service and the 2-month reply period from receipt, the recipient's own
//! objection and reply online, the overdue list per recipient, the escalation ladder.

use chrono::{Months, Utc};
use gongzhi_app::domain::suggestion::SuggestionCommand;
use gongzhi_app::domain::time;
use gongzhi_app::suggestion::SuggestionStep;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

async fn case(t: &TestApp) -> String {
    crate::statute::visit_petition(
        &t.api("demo_reception").await,
        &t.org_id("620702104201").await,
        "出租车拒载引发纠纷",
    )
    .await
}

/// A user of the transport bureau (a regulator), to reply online.
async fn regulator(t: &TestApp) -> Api {
    let form = gongzhi_app::users::UserForm {
        username: "jtj_handler".into(),
        display_name: "交通局王科长".into(),
        agency_id: t.agency_id("GZ-JTJ").await,
        roles: vec!["partner_handler".into()],
        password: gongzhi_test_support::DEMO_PASSWORD.into(),
        active: true,
        version: 0,
    };
    t.app.create_user(&t.system_ctx(), &form).await.unwrap();
    // The first password was given by the administrator; this user has already changed it.
    t.rows("UPDATE app_user SET must_change_password = 0 WHERE username = 'jtj_handler'")
        .await;
    t.api("jtj_handler").await
}

async fn open(t: &TestApp, api: &Api, case: &str, title: &str) -> String {
    let (s, c) = api
        .post("/api/v1/suggestions", json!({"kind": "social_governance", "title": title,
            "recipient_agency_id": t.agency_id("GZ-JTJ").await, "cases": [case], "facts": "多起出租车拒载、绕路引发的纠纷"}))
        .await;
    assert_eq!(s, 200, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

fn draft() -> Value {
    json!({"facts": "本院办理信访案件中发现", "problems": "出租车营运监管存在漏洞", "proposals": "一、加强巡查；二、建立投诉快速处理机制",
        "legal_basis": "《人民检察院检察建议工作规定》第十一条", "objection_days": 10})
}

async fn step(api: &Api, id: &str, name: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/api/v1/suggestions/{id}/steps/{name}"), body)
        .await
}

#[tokio::test]
async fn a_suggestion_runs_from_a_clue_to_closing_with_the_recipient_replying_online() {
    let t = TestApp::spawn("suggestionflow").await;
    let c = case(&t).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let jtj = regulator(&t).await;
    let id = open(&t, &prosecutor, &c, "关于加强出租车营运管理的检察建议").await;
    // Nothing reaches the recipient before service.
    assert_eq!(jtj.get("/api/v1/suggestions").await.1["total"], 0);
    assert_eq!(jtj.get(&format!("/api/v1/suggestions/{id}")).await.0, 404);
    let (s, _) = step(
        &prosecutor,
        &id,
        "investigate",
        json!({"note": "调阅12件信访材料，走访出租车公司"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, e) = step(&prosecutor, &id, "draft", json!({"facts": "只有事实"})).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["proposals"].is_string() && e["fields"]["legal_basis"].is_string(),
        "{e}"
    );
    assert_eq!(step(&prosecutor, &id, "draft", draft()).await.0, 200);
    // Only the chief prosecutor decides, and the decision numbers it.
    assert_eq!(step(&prosecutor, &id, "decide", json!({})).await.0, 403);
    assert_eq!(step(&chief, &id, "decide", json!({})).await.0, 200);
    let (_, v) = prosecutor.get(&format!("/api/v1/suggestions/{id}")).await;
    let year = time::local_date(Utc::now()).format("%Y").to_string();
    assert_eq!(v["number"], format!("甘州检建〔{year}〕1号"));
    // Announced delivery names who attended; the reply is due 2 months from receipt.
    let today = time::local_date(Utc::now());
    let (s, e) = step(
        &prosecutor,
        &id,
        "serve",
        json!({"delivery": "announced", "received_on": today.to_string()}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(e["fields"]["observers"].is_string());
    let tomorrow = today.succ_opt().unwrap();
    let (s, e) = step(
        &prosecutor,
        &id,
        "serve",
        json!({"delivery": "written", "received_on": tomorrow.to_string()}),
    )
    .await;
    assert_eq!(s, 422, "received in the future: {e}");
    let (s, e) = step(
        &prosecutor,
        &id,
        "serve",
        json!({"delivery": "announced", "observers": "区人大代表赵某、人民监督员钱某",
        "received_on": today.to_string(), "copies": "区委政法委"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (_, v) = jtj.get(&format!("/api/v1/suggestions/{id}")).await;
    let two_months = today.checked_add_months(Months::new(2)).unwrap();
    assert!(
        v["due_date"].as_str().unwrap() >= two_months.to_string().as_str(),
        "{v}"
    );
    assert_eq!(v["state"], "awaiting_reply");
    // The recipient objects; the chief prosecutor upholds; the recipient replies with evidence.
    let (s, _) = step(&jtj, &id, "object", json!({"note": "部分建议不属于本局职责"})).await;
    assert_eq!(s, 200);
    assert_eq!(
        step(&jtj, &id, "recheck", json!({"recheck": "withdraw", "note": "x"}))
            .await
            .0,
        403
    );
    let (s, _) = step(
        &chief,
        &id,
        "recheck",
        json!({"recheck": "uphold", "note": "经复核，建议均属交通运输局监管职责"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, e) = step(&jtj, &id, "reply", json!({"reply": "已开展专项整治"})).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["evidence"].is_string());
    let (s, _) = step(
        &jtj,
        &id,
        "reply",
        json!({"reply": "已开展专项整治，查处违规车辆15台", "evidence": "整治方案、处罚决定书15份"}),
    )
    .await;
    assert_eq!(s, 200);
    // The recipient cannot run the issuer's steps.
    assert_eq!(step(&jtj, &id, "follow_up", json!({"note": "x"})).await.0, 403);
    assert_eq!(
        step(
            &prosecutor,
            &id,
            "follow_up",
            json!({"note": "回头看：投诉量下降六成"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        step(
            &prosecutor,
            &id,
            "evaluate",
            json!({"note": "整改到位，效果良好"})
        )
        .await
        .0,
        200
    );
    assert_eq!(step(&prosecutor, &id, "close", json!({})).await.0, 200);
    let (_, v) = prosecutor.get(&format!("/api/v1/suggestions/{id}")).await;
    assert_eq!(v["state"], "closed");
    assert_eq!(v["steps"].as_array().unwrap().len(), 10, "{v}");
    assert!(v["commands"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn overdue_replies_are_listed_per_recipient_and_escalate_up_the_ladder() {
    let t = TestApp::spawn("suggestionoverdue").await;
    let c = case(&t).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let chief = t.api("demo_chief").await;
    let id = open(&t, &prosecutor, &c, "关于规范网约车营运的检察建议").await;
    assert_eq!(step(&prosecutor, &id, "draft", draft()).await.0, 200);
    assert_eq!(step(&chief, &id, "decide", json!({})).await.0, 200);
    let today = time::local_date(Utc::now()).to_string();
    assert_eq!(
        step(
            &prosecutor,
            &id,
            "serve",
            json!({"delivery": "written", "received_on": today})
        )
        .await
        .0,
        200
    );
    t.rows(&format!(
        "UPDATE suggestion SET due_date = '2026-01-01' WHERE id = '{id}'"
    ))
    .await;
    let (_, l) = prosecutor.get("/api/v1/suggestions?overdue=true").await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["overdue"], true);
    let (_, a) = prosecutor.get("/api/v1/suggestions/awaiting").await;
    assert_eq!(a[0]["agency"], "张掖市甘州区交通运输局");
    assert_eq!(
        (a[0]["awaiting"].as_i64(), a[0]["overdue"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        step(&prosecutor, &id, "remind", json!({"note": "电话督促"}))
            .await
            .0,
        200
    );
    assert_eq!(
        step(&prosecutor, &id, "escalate", json!({"note": "x"})).await.0,
        403,
        "escalation is the chief's"
    );
    for _ in 0..3 {
        assert_eq!(
            step(&chief, &id, "escalate", json!({"note": "无正当理由逾期未整改"}))
                .await
                .0,
            200
        );
    }
    let (s, e) = step(&chief, &id, "escalate", json!({"note": "再次"})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        prosecutor.get(&format!("/api/v1/suggestions/{id}")).await.1["rung"],
        3
    );
}

/// Decided together — eight decisions on six suggestions, two of them twice — the numbers are
/// 1 to 6 with none skipped: a decision that fails gives its number back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn numbers_are_gapless_when_decided_concurrently() {
    let t = TestApp::spawn("suggestionnumbers").await;
    let c = case(&t).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let id = open(&t, &prosecutor, &c, &format!("第{i}号线索的检察建议")).await;
        assert_eq!(step(&prosecutor, &id, "draft", draft()).await.0, 200);
        ids.push(id);
    }
    let chief = t.ctx("demo_chief").await;
    let mut runs = Vec::new();
    for id in ids.iter().chain(ids.iter().take(2)) {
        let app = t.app.clone();
        let ctx = chief.clone();
        let id: gongzhi_app::domain::Id = id.parse().unwrap();
        runs.push(tokio::spawn(async move {
            let f = SuggestionStep {
                version: 2,
                ..Default::default()
            };
            app.suggestion_step(&ctx, id, SuggestionCommand::Decide, &f)
                .await
                .is_ok()
        }));
    }
    let mut ok = 0;
    for r in runs {
        ok += usize::from(r.await.unwrap());
    }
    assert_eq!(ok, 6, "each suggestion is decided once");
    let mut seqs: Vec<i64> = t
        .rows("SELECT number FROM suggestion")
        .await
        .iter()
        .map(|r| {
            r[0].trim_end_matches('号')
                .rsplit('〕')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>());
}
