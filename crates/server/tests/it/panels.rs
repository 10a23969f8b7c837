//! The case page updates in place: an action posted by htmx is answered with only the panels it
//! changed, marked for an out-of-band swap; without htmx the same form redirects as before.

use gongzhi_app::domain::time;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::json;

async fn post(
    c: &reqwest::Client,
    url: &str,
    htmx: bool,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = c.post(url).form(form);
    if htmx {
        req = req.header("hx-request", "true");
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn an_action_answers_with_the_panels_it_changed_and_keeps_the_form_on_a_refusal() {
    let t = TestApp::spawn("panels").await;
    let api = t.api("demo_reception").await;
    let place = t.org_id("620702104201").await;
    let (s, c) = api
        .post(
            "/api/v1/cases",
            json!({
                "kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "王某不服民事判决申请监督", "narrative": "认为判决认定事实错误。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "王建国", "phone": "13812345678"}]
            }),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    let version = c["version"].to_string();
    let browser = t.browser("demo_reception", DEMO_PASSWORD).await;
    let reply_url = format!("{}/cases/{id}/reply", t.base);

    // Refused (no text): 422 with the reply panel, the typed choice kept, the field's message and
    // the notice; nothing of the whole page.
    let (s, _, body) = post(
        &browser,
        &reply_url,
        true,
        &[
            ("kind", "procedural"),
            ("channel", "letter"),
            ("body", ""),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        body.contains(r#"<div id="panel-reply" hx-swap-oob="true">"#),
        "{body}"
    );
    assert!(
        body.contains(r#"<option value="letter" selected"#),
        "the typed channel is kept"
    );
    assert!(body.contains("is-invalid") && body.contains("输入有误"), "{body}");
    assert!(
        !body.contains("<html") && !body.contains("<nav"),
        "a partial, not the page"
    );

    // Sent: 200, the reply panel with the reply, the panels every change shows in, and the version
    // fields of the forms not re-rendered; not the panels the reply does not touch.
    let text = "来信已收到，我院已登记，将依法审查。";
    let (s, h, body) = post(
        &browser,
        &reply_url,
        true,
        &[
            ("kind", "procedural"),
            ("channel", "letter"),
            ("body", text),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(header(&h, "hx-replace-url"), format!("/cases/{id}?ok=replied"));
    for id in [
        "panel-reply",
        "case-head",
        "panel-actions",
        "panel-clocks",
        "panel-timeline",
        "case-toast",
    ] {
        assert!(body.contains(&format!(r#"id="{id}""#)), "{id} is answered");
    }
    assert!(body.contains(text) && body.contains("答复已发送"), "{body}");
    for id in [
        "panel-mediation",
        "panel-edit",
        "panel-parties",
        "panel-referrals",
    ] {
        assert!(!body.contains(&format!(r#"id="{id}""#)), "{id} is untouched");
    }
    assert!(
        body.contains(r#"id="edit-version" value="#),
        "the edit form's version follows"
    );
    // Head, notice, message, commands, clocks, timeline, the reply panel and the edit version.
    assert_eq!(body.matches(r#"hx-swap-oob="true""#).count(), 8, "{body}");

    // Without htmx the same action redirects to the page.
    let (s, h, _) = post(
        &browser,
        &format!("{}/cases/{id}/follow-up", t.base),
        false,
        &[("satisfaction", "satisfied")],
    )
    .await;
    assert_eq!(
        (s, header(&h, "location")),
        (303, &*format!("/cases/{id}?ok=saved#follow-up"))
    );

    // A refused command (a clerk cannot close): 409 with every panel and the reason in the notice.
    let (s, _, body) = post(
        &browser,
        &format!("{}/cases/{id}/transition", t.base),
        true,
        &[("command", "close"), ("version", "0")],
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert!(body.contains(r#"id="case-alert""#) && body.contains(r#"id="panel-mediation""#));

    // A page that leaves (the session is gone) is a redirect htmx follows, not a page it drops.
    let (s, h, _) = post(&t.client(), &reply_url, true, &[("body", "x")]).await;
    assert_eq!(s, 200);
    assert!(header(&h, "hx-redirect").starts_with("/login"), "{h:?}");
}
