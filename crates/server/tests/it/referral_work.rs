//! Issue 10 §4–§5: the referral picker offers the case's township centre and roster agencies
//! first, the referral clock runs for the days set, and the receiver finishes the job in the case —
//! a mediation with the signed agreement attached, material, its own reply when asked, feedback.

use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::{Value, json};

use crate::statute::{clock_of, gov_petition_in_handling, visit_petition};

fn agreement_form(outcome: &str, scan: Option<(&str, &[u8])>) -> reqwest::multipart::Form {
    let f = reqwest::multipart::Form::new()
        .text("mediator", "王调解员")
        .text(
            "held_at",
            gongzhi_app::domain::time::format_local(chrono::Utc::now()),
        )
        .text("place", "乌江镇综治中心调解室")
        .text("attendees", "刘某、村委会主任")
        .text("outcome", outcome.to_owned())
        .text("agreement", "补偿款于十五日内补足，双方不再争执。")
        .text("agreement_date", chrono::Local::now().date_naive().to_string());
    match scan {
        Some((name, data)) => f.part(
            "attachments",
            reqwest::multipart::Part::bytes(data.to_vec()).file_name(name.to_owned()),
        ),
        None => f,
    }
}

#[tokio::test]
async fn a_referral_to_the_township_centre_is_finished_in_the_case() {
    // Administrators without a second factor: the audit administrator reads the log at the end.
    let t = TestApp::spawn_admin("referral_work").await;
    let police = t.api("demo_partner").await;
    let place = t.org_id("620702104201").await;
    let (c, _) = gov_petition_in_handling(&police, &place).await;
    let id = c["id"].as_str().unwrap();

    // The picker: the suggested group comes first and opens with the township's own centre; the
    // village's roster agencies are marked as such.
    let html = t.page_text("demo_partner", &format!("/cases/{id}")).await;
    let menu = &html[html.find("id=\"ref-to\"").expect("the referral menu")..];
    let suggested = menu
        .find("label=\"建议（本镇及本村网格）\"")
        .expect("a suggested group");
    let first_kind = menu.find("data-key=\"").unwrap();
    assert!(suggested < menu.find("</optgroup>").unwrap() && suggested < first_kind + 200);
    let centre_option = menu
        .find("乌江镇综治中心（本镇综治中心）")
        .expect("the centre, suggested");
    assert!(
        menu[suggested..centre_option].matches("<option").count() == 1,
        "the centre is the first suggestion"
    );
    assert!(
        menu.contains("（1+4+6 网格成员单位）"),
        "roster agencies suggested"
    );

    // Referred for 10 days, asking the centre to reply itself: the clock says 10 days.
    let centre = t.agency_id("GZ-ZZ10").await;
    let (s, e) = police
        .post(
            &format!("/api/v1/cases/{id}/referrals"),
            json!({"to_agency": centre, "note": "请组织调解并直接答复", "days": 10, "reply_requested": true}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, d) = police.get(&format!("/api/v1/cases/{id}")).await;
    let feedback = clock_of(&d, "referral_feedback");
    assert_eq!(feedback["term_days"], 10, "{feedback}");
    assert!(
        t.page_text("demo_partner", &format!("/cases/{id}"))
            .await
            .contains("10日（次日起算）"),
        "the page states the days set, not the rule's 15"
    );
    assert_eq!(d["referrals"][0]["reply_requested"], true);
    let referral = d["referrals"][0]["id"].as_str().unwrap().to_owned();

    // Before accepting, the centre reads only: no mediation, no material, no reply.
    let centre_user = t.api("demo_centre").await;
    let browser = t.browser("demo_centre", DEMO_PASSWORD).await;
    let mediation = |form| {
        browser
            .post(format!("{}/cases/{id}/mediation", t.base))
            .multipart(form)
            .send()
    };
    let res = mediation(agreement_form("agreed", None)).await.unwrap();
    assert_eq!(res.status(), 403);
    let page = t.page_text("demo_centre", &format!("/cases/{id}")).await;
    assert!(
        page.contains("请在") && page.contains("前接收或退回"),
        "the banner says what is next"
    );
    let before = t.snapshot().await;
    let (s, _) = centre_user
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            json!({"kind": "result", "channel": "phone", "body": "已调解"}),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(t.snapshot().await, before, "a refused reply changes nothing");

    let (s, e) = centre_user
        .post(
            &format!("/api/v1/referrals/{referral}"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");

    // A scan with a mediation that did not agree is refused, and the scan is held for the next try.
    let pdf: &[u8] = b"%PDF-1.4 agreement";
    let res = mediation(agreement_form("failed", Some(("调解协议书.pdf", pdf))))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("只有达成协议的调解才附调解协议书"), "{body}");
    assert!(body.contains("调解协议书.pdf"), "the refused try's file is kept");
    let held = body
        .split("name=\"held\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert!(!held.is_empty());
    // The next try sends no file: the held one is the agreement.
    let res = mediation(agreement_form("agreed", None).text("held", held))
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status() == 303,
        "{}",
        res.status()
    );
    let (_, d) = centre_user.get(&format!("/api/v1/cases/{id}")).await;
    let m = &d["mediations"][0];
    assert_eq!(m["outcome"], "agreed", "{d}");
    let scan = m["agreement_attachment"].as_str().expect("the scan is linked");
    let att = d["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == scan)
        .unwrap();
    assert_eq!(att["filename"], "调解协议书.pdf");
    assert!(att.get("sm3").is_none(), "a clerk is not shown the digest: {att}");

    // Its own reply, as asked; then the feedback closes the referral and its clock.
    let (s, e) = centre_user
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            json!({"kind": "result", "channel": "phone", "body": "经调解双方达成协议，补偿款十五日内补足。"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (s, _) = centre_user
        .post(
            &format!("/api/v1/referrals/{referral}"),
            json!({"action": "report", "text": "已调解结案，协议书已附。"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, d) = police.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(clock_of(&d, "referral_feedback")["state"], "met");
    assert_eq!(
        d["replies"][0]["agency"].as_str().map(|a| a.contains("综治中心")),
        Some(true),
        "{d}"
    );
    // Done: the centre reads only again, and the banner says so.
    let res = mediation(agreement_form("agreed", None)).await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        t.page_text("demo_centre", &format!("/cases/{id}"))
            .await
            .contains("本案交办已办理完毕，仅供查阅。")
    );
    // The digest is in the audit log, for the audit administrator.
    let sm3 = t
        .rows(&format!("SELECT sm3 FROM attachment WHERE id = '{scan}'"))
        .await
        .remove(0)
        .remove(0);
    let audit = t
        .page_text("demo_auditor", "/admin/audit?action=attachment.store")
        .await;
    assert!(audit.contains(&sm3), "the audit log holds the file's SM3");
}

/// A procuratorate petition is answered by the procuratorate: asking the receiver to reply is
/// refused with the reason, and nothing is stored.
#[tokio::test]
async fn the_procuratorate_keeps_the_reply_to_its_own_petition() {
    let t = TestApp::spawn("referral_reply_kept").await;
    let reception = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let id = visit_petition(&reception, &place, "反映执行难").await;
    let before = t.snapshot().await;
    let centre = t.agency_id("GZ-ZZ10").await;
    let (s, e): (u16, Value) = reception
        .post(
            &format!("/api/v1/cases/{id}/referrals"),
            json!({"to_agency": centre, "note": "请协助", "days": 10, "reply_requested": true}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["reply_requested"]
            .as_str()
            .unwrap()
            .contains("由本院答复"),
        "{e}"
    );
    assert_eq!(t.snapshot().await, before);
}
