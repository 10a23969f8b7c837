//! What leaves the building: the portal and Open311 show public fields only (service, status,
//! village, dates, agency, what staff released), never what anyone typed, no digit of a phone,
//! nothing about a minor; a partner reads back only its own requests; Open311 clients post as
//! clients do; look-ups are throttled.
use gongzhi_app::domain::idcard::check_char;
use gongzhi_test_support::TestApp;
use serde_json::{Value, json};

/// The captcha token of a portal page and its answer, read with the server's key.
pub(crate) fn captcha(t: &TestApp, page: &str) -> (String, String) {
    let token = page
        .split("name=\"captcha_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let raw = String::from_utf8(data_encoding::BASE64URL_NOPAD.decode(token.as_bytes()).unwrap()).unwrap();
    let answer = t
        .cipher
        .decrypt(&raw)
        .unwrap()
        .split('|')
        .nth(1)
        .unwrap()
        .to_owned();
    (token, answer)
}

fn submission(place: &str, token: &str, answer: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("kind", "dispute")
        .text("category", "IRRIGATION_WATER")
        .text("place_id", place.to_owned())
        .text("title", "春灌轮水次序纠纷")
        .text(
            "narrative",
            "上游马家不按轮灌次序放水，我家麦田旱了。电话13993651234。",
        )
        .text("parties[0].name", "马玉兰")
        .text("parties[0].phone", "13993651234")
        .text("captcha_token", token.to_owned())
        .text("captcha", answer.to_owned())
}

async fn text(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

/// Submits on the portal; returns the tracking code.
async fn submit(t: &TestApp, place: &str) -> String {
    submit_form(t, |f| f, place).await
}

/// Submits on the portal with more fields; returns the tracking code.
async fn submit_form(
    t: &TestApp,
    more: impl FnOnce(reqwest::multipart::Form) -> reqwest::multipart::Form,
    place: &str,
) -> String {
    let c = t.client();
    let page = text(c.get(format!("{}/portal/submit", t.base)).send().await.unwrap()).await;
    let (token, answer) = captcha(t, &page);
    let res = c
        .post(format!("{}/portal/submit", t.base))
        .multipart(more(submission(place, &token, &answer)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    text(res)
        .await
        .split("id=\"tracking-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_portal_captcha_is_a_picture_or_speech_and_good_for_one_try() {
    let t = TestApp::spawn("captcha").await;
    let c = t.client();
    let place = t.org_id("620702104201").await;
    let page = text(c.get(format!("{}/portal/submit", t.base)).send().await.unwrap()).await;
    assert!(
        page.contains("data:image/png;base64,"),
        "a picture, not shapes in the page"
    );
    let (token, answer) = captcha(&t, &page);
    assert!(!page.contains(&answer) || !page.contains(&format!(">{answer}<")));
    let audio = c
        .get(format!("{}/portal/captcha-audio?token={token}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(audio.status(), 200);
    assert_eq!(audio.headers()["content-type"], "audio/wav");
    assert!(audio.bytes().await.unwrap().starts_with(b"RIFF"));
    let bad = c
        .get(format!("{}/portal/captcha-audio?token=forged", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);

    let wrong = if answer == "1111" { "2222" } else { "1111" };
    let res = c
        .post(format!("{}/portal/submit", t.base))
        .multipart(submission(&place, &token, wrong))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = text(res).await;
    assert!(
        body.contains("验证码不正确") && body.contains("春灌轮水次序纠纷"),
        "what was typed is kept"
    );
    // The wrong answer spent the token: the right answer with it no longer helps.
    let res = c
        .post(format!("{}/portal/submit", t.base))
        .multipart(submission(&place, &token, &answer))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(text(res).await.contains("验证码已失效"));
    let code = submit(&t, &place).await;
    assert_eq!(code.len(), 10);
}

#[tokio::test]
async fn tracking_needs_the_code_and_last_four_digits_and_shows_public_fields_only() {
    let t = TestApp::spawn("tracking").await;
    let place = t.org_id("620702104201").await;
    let code = submit(&t, &place).await;
    let c = t.client();
    let track = |code: String, last4: &'static str| {
        c.post(format!("{}/portal/track", t.base))
            .form(&[("code", code), ("last4", last4.to_owned())])
            .send()
    };
    let res = track(code.to_lowercase(), "1234").await.unwrap();
    assert_eq!(res.status(), 200, "codes are read whatever their case");
    let body = text(res).await;
    assert!(
        body.contains("灌溉用水") && body.contains("乌江"),
        "service and place"
    );
    for private in ["春灌轮水次序纠纷", "马玉兰", "马家", "139****", "13993651234"] {
        assert!(!body.contains(private), "{private} is not shown");
    }
    // Wrong last digits are counted against the code: five lock it, the right ones too.
    for _ in 0..5 {
        assert_eq!(track(code.clone(), "0000").await.unwrap().status(), 422);
    }
    assert_eq!(track(code.clone(), "1234").await.unwrap().status(), 429);
}

/// Sends a reply on a case through the API, with the case's current version.
async fn reply(api: &gongzhi_test_support::Api, case: &str, channel: &str, body: &str) -> (u16, Value) {
    let (s, c) = api.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(s, 200, "{c}");
    api.post(
        &format!("/api/v1/cases/{case}/replies"),
        json!({"kind": "procedural", "channel": channel, "body": body, "version": c["case"]["version"]}),
    )
    .await
}

/// Edits a case's text through the API, sending the mark "concerns a minor" only when given.
async fn edit(api: &gongzhi_test_support::Api, id: &str, mark: Option<bool>) -> (u16, Value) {
    let (_, c) = api.get(&format!("/api/v1/cases/{id}")).await;
    let mut body = json!({"title": "春灌轮水次序纠纷（补充）", "narrative": c["narrative"],
        "category": "IRRIGATION_WATER", "version": c["case"]["version"]});
    if let Some(m) = mark {
        body["minor_involved"] = json!(m);
    }
    api.post(&format!("/api/v1/cases/{id}"), body).await
}

/// What the portal shows for a code and the last four digits of 13993651234.
async fn tracked(t: &TestApp, code: &str) -> String {
    let res = t
        .client()
        .post(format!("{}/portal/track", t.base))
        .form(&[("code", code), ("last4", "1234")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    text(res).await
}

#[tokio::test]
async fn the_portal_shows_replies_sent_through_it_and_none_about_a_minor() {
    let t = TestApp::spawn("portalreplies").await;
    let place = t.org_id("620702104201").await;
    let owner = t.api("demo_centre").await;
    let case_of = |code: String| {
        let t = &t;
        async move {
            t.rows(&format!(
                "SELECT id, minor_involved FROM dispute_case WHERE tracking_code = '{code}'"
            ))
            .await[0]
                .clone()
        }
    };
    // An ordinary request: the reply by letter stays in the record, the one through the portal shows.
    let code = submit(&t, &place).await;
    let case = case_of(code.clone()).await;
    assert_eq!(case[1], "0");
    let (s, e) = reply(
        &owner,
        &case[0],
        "letter",
        "书面答复：已转乌江镇调委会，王调解员负责。",
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = reply(
        &owner,
        &case[0],
        "portal",
        "您反映的问题已受理，将在十五日内调解。",
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let page = tracked(&t, &code).await;
    assert!(page.contains("您反映的问题已受理"), "the portal reply is shown");
    assert!(!page.contains("王调解员"), "the letter is not");
    // Text released for publication holds no phone or ID number.
    let (s, e) = owner
        .post(
            &format!("/api/v1/cases/{}/publication", case[0]),
            json!({"title": "马玉兰 139 9365 1234 灌溉纠纷", "reply": "已调解，身份证620702198001011234"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["public_title"].as_str().unwrap().contains("7 位"),
        "{e}"
    );
    assert!(e["fields"]["public_reply"].is_string(), "{e}");

    // Marked on the portal as concerning a child: never answered online, never listed by Open311.
    let code = submit_form(&t, |f| f.text("minor_involved", "on"), &place).await;
    let case = case_of(code.clone()).await;
    assert_eq!(case[1], "1", "the mark is kept");
    let (s, e) = reply(&owner, &case[0], "portal", "孩子已由村委会安排照看。").await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["channel"].as_str().unwrap().contains("涉及未成年人"),
        "{e}"
    );
    let (s, e) = reply(&owner, &case[0], "phone", "孩子已由村委会安排照看。").await;
    assert_eq!(s, 200, "{e}");
    // An edit that does not mention the mark keeps it; taking it off is the agency head's call.
    let (s, e) = edit(&owner, &case[0], None).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(case_of(code.clone()).await[1], "1", "kept when not sent");
    let (s, e) = edit(&owner, &case[0], Some(false)).await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["minor_involved"]
            .as_str()
            .unwrap()
            .contains("单位负责人"),
        "{e}"
    );
    assert_eq!(case_of(code.clone()).await[1], "1");
    let page = tracked(&t, &code).await;
    assert!(page.contains("灌溉用水"), "the status is shown");
    assert!(!page.contains("孩子已由村委会安排照看"), "{page}");
    let public_id = t
        .rows(&format!(
            "SELECT public_id FROM dispute_case WHERE id = '{}'",
            case[0]
        ))
        .await[0][0]
        .clone();
    assert_eq!(
        open311_get(&t, &format!("requests/{public_id}.json")).await.0,
        404
    );
    let (_, all) = open311_get(&t, "requests.json").await;
    assert_eq!(
        all.as_array().unwrap().len(),
        1,
        "only the ordinary request: {all}"
    );
    // The head of the agency may take the mark off, and it is in the audit trail.
    let chief = t.api("demo_chief").await;
    let (s, e) = edit(&chief, &case[0], Some(false)).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(case_of(code.clone()).await[1], "0");
    let audited = t
        .rows(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE action = 'case.edit' AND target_id = '{}'",
            case[0]
        ))
        .await;
    assert_eq!(audited[0][0], "2");
}

async fn open311_get(t: &TestApp, path: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}/open311/v2/{path}", t.base))
        .send()
        .await
        .unwrap();
    let s = res.status().as_u16();
    (s, res.json().await.unwrap_or(Value::Null))
}

/// A GeoReport client: form-encoded, no Origin, no cookies.
async fn open311_post(t: &TestApp, fields: &[(&str, &str)]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/open311/v2/requests.json", t.base))
        .form(fields)
        .send()
        .await
        .unwrap();
    let s = res.status().as_u16();
    (s, res.json().await.unwrap_or(Value::Null))
}

fn minor_id() -> String {
    let first = "62070220150601001";
    format!("{first}{}", check_char(first.as_bytes()))
}

#[tokio::test]
async fn open311_shows_public_fields_a_partner_its_own_text_and_nothing_of_a_minor() {
    let t = TestApp::spawn("open311public").await;
    let place = t.org_id("620702104201").await;
    let portal_code = submit(&t, &place).await;
    let hotline = t.app.create_api_key(&t.system_ctx(), "12345 热线").await.unwrap();
    let grid = t.app.create_api_key(&t.system_ctx(), "网格系统").await.unwrap();
    let (s, created) = open311_post(
        &t,
        &[
            ("api_key", hotline.as_str()),
            ("service_code", "LABOUR"),
            ("description", "杜志强在工地被拖欠工资三万元，电话13812345678"),
            ("address_id", "620702104201"),
            ("last_name", "杜"),
            ("first_name", "志强"),
            ("phone", "13812345678"),
        ],
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let rid = created[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(
        created[0]["tracking_code"].as_str().unwrap().len(),
        10,
        "for the person, to use on the portal"
    );
    // The audit trail names who acted: the partner by its key's name, a citizen as the public.
    let who = t
        .rows("SELECT principal, actor_name FROM audit_event WHERE action = 'case.portal_submit' ORDER BY occurred_at")
        .await;
    assert_eq!(who[0], vec!["public", ""]);
    assert_eq!(who[1], vec!["partner", "12345 热线"]);
    let issued = t
        .rows("SELECT principal, actor_name FROM audit_event WHERE action = 'api_key.create'")
        .await;
    assert_eq!(issued[0][0], "system");
    // A staff member registers a case about a child; it has a tracking code like any other.
    let staff = t.api("demo_reception").await;
    let (s, minor_case) = staff
        .post(
            "/api/v1/cases",
            json!({"kind": "dispute", "channel": "portal", "category": "MARRIAGE_FAMILY", "place_id": place,
                "title": "留守儿童小花无人照看", "narrative": "其母外出务工，孩子独自在家。",
                "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "李奶奶", "phone": "13912340000"},
                            {"role": "other", "name": "小花", "id_number": minor_id()}]}),
        )
        .await;
    assert_eq!(s, 200, "{minor_case}");
    let public_id = |tracking: String| {
        let t = &t;
        async move {
            t.rows(&format!(
                "SELECT public_id FROM dispute_case WHERE tracking_code = '{tracking}'"
            ))
            .await[0][0]
                .clone()
        }
    };
    let minor_code = public_id(minor_case["tracking_code"].as_str().unwrap().to_owned()).await;
    let portal_id = public_id(portal_code.clone()).await;
    assert_eq!(portal_id.len(), 16);
    // The tracking code is the submitter's secret: Open311 knows the request by its own id only.
    assert_eq!(
        open311_get(&t, &format!("requests/{portal_code}.json")).await.0,
        404
    );

    let (s, all) = open311_get(&t, "requests.json").await;
    assert_eq!(s, 200);
    let listed = all.to_string();
    assert_eq!(all.as_array().unwrap().len(), 2, "{listed}");
    for private in [
        "春灌",
        "马玉兰",
        "杜志强",
        "13812345678",
        "138****",
        "13993651234",
        "139****",
        "小花",
        "留守",
        "甘州",
    ] {
        assert!(
            !listed.contains(private),
            "{private} must not be listed: {listed}"
        );
    }
    assert!(listed.contains("LABOUR") && listed.contains("IRRIGATION_WATER"));
    assert_eq!(
        open311_get(&t, &format!("requests/{minor_code}.json")).await.0,
        404
    );

    // By id without a key: public fields; with the key of the partner that sent it: its text.
    let (_, anon) = open311_get(&t, &format!("requests/{}.json", rid.to_uppercase())).await;
    assert_eq!(anon[0]["service_code"], "LABOUR");
    assert!(
        anon[0]["description"].is_null() && anon[0]["service_notice"].is_null(),
        "{anon}"
    );
    let (_, own) = open311_get(&t, &format!("requests/{rid}.json?api_key={hotline}")).await;
    assert_eq!(
        own[0]["description"],
        "杜志强在工地被拖欠工资三万元，电话13812345678"
    );
    assert!(own[0]["service_notice"].as_str().unwrap().contains('号'));
    let (_, other) = open311_get(&t, &format!("requests/{rid}.json?api_key={grid}")).await;
    assert!(
        other[0]["description"].is_null(),
        "another partner sees public fields only"
    );
    let (_, theirs) = open311_get(&t, &format!("requests/{portal_id}.json?api_key={hotline}")).await;
    assert!(theirs[0]["description"].is_null());
    assert_eq!(
        open311_get(&t, &format!("requests/{rid}.json?api_key=wrong"))
            .await
            .0,
        403
    );

    // Staff release a title and a reply for publication; the public sees exactly those.
    let owner = t.api("demo_centre").await;
    let (_, found) = owner.get("/api/v1/cases?q=春灌").await;
    let portal_case = found["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, e) = owner
        .post(
            &format!("/api/v1/cases/{portal_case}/publication"),
            json!({"title": "乌江镇春灌用水纠纷", "reply": "经村调委会调解，双方已达成轮灌协议。"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, one) = open311_get(&t, &format!("requests/{portal_id}.json")).await;
    assert_eq!(one[0]["description"], "乌江镇春灌用水纠纷");
    assert_eq!(one[0]["status_notes"], "经村调委会调解，双方已达成轮灌协议。");
    let minor_id_ = minor_case["id"].as_str().unwrap();
    let (s, e) = staff
        .post(
            &format!("/api/v1/cases/{minor_id_}/publication"),
            json!({"title": "儿童", "reply": ""}),
        )
        .await;
    assert_eq!(s, 422, "nothing about a minor is released: {e}");
}

#[tokio::test]
async fn open311_clients_post_form_encoded_with_a_place_by_code_name_or_coordinates() {
    let t = TestApp::spawn("open311post").await;
    let key = t.app.create_api_key(&t.system_ctx(), "12345 热线").await.unwrap();
    let post = |place: Vec<(&'static str, &'static str)>| {
        let key = key.clone();
        let t = &t;
        async move {
            let mut fields = vec![
                ("api_key", key.as_str()),
                ("service_code", "NEIGHBOUR"),
                ("description", "邻居加盖院墙占用通道"),
                ("last_name", "王"),
                ("first_name", "芳"),
                ("phone", "13709361234"),
            ];
            fields.extend(place);
            open311_post(t, &fields).await
        }
    };
    let place_of = |rid: String| {
        let t = &t;
        async move {
            t.rows(&format!(
                "SELECT p.code, a.code FROM dispute_case c JOIN org_unit p ON p.id = c.place_id \
                 JOIN agency a ON a.id = c.owner_agency_id WHERE c.public_id = '{rid}'"
            ))
            .await[0]
                .clone()
        }
    };
    let (s, r) = post(vec![("address_string", "甘州区乌江镇东湖村三社")]).await;
    assert_eq!(s, 201, "{r}");
    let rid = r[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(place_of(rid).await, vec!["620702104202", "GZ-ZZ10"]);
    // The demo village 620702104201 lies at (39.05, 100.40).
    let (s, r) = post(vec![("lat", "39.0501"), ("long", "100.4003")]).await;
    assert_eq!(s, 201, "{r}");
    let rid = r[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(place_of(rid).await[0], "620702104201");
    // Only the township known: its governance centre triages.
    let (s, r) = post(vec![("address_string", "乌江镇")]).await;
    assert_eq!(s, 201, "{r}");
    let rid = r[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(place_of(rid).await, vec!["620702104000", "GZ-ZZ10"]);
    // Nothing known: the GeoReport error shape.
    let before = t.snapshot().await;
    let (s, e) = post(vec![("address_string", "兰州市城关区")]).await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["code"], 400);
    assert!(e[0]["description"].as_str().unwrap().contains("address_id"));
    let (s, _) = post(vec![("lat", "36.06"), ("long", "103.83")]).await;
    assert_eq!(s, 400, "too far from any place");
    let (s, e) = open311_post(&t, &[("service_code", "NEIGHBOUR"), ("description", "x")]).await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(t.snapshot().await, before, "refused requests change nothing");
}

#[tokio::test]
async fn open311_look_ups_by_unknown_ids_are_throttled() {
    let t = TestApp::spawn("open311throttle").await;
    for i in 0..20 {
        assert_eq!(open311_get(&t, &format!("requests/NOPE{i:06}.json")).await.0, 404);
    }
    let (s, e) = open311_get(&t, "requests/ANYTHING00.json").await;
    assert_eq!(s, 429, "{e}");
    assert_eq!(e[0]["code"], 429);
}

/// Issue 10 §7: while the matter is open the submitter adds material with the code and the last
/// four digits; a refused try keeps its file; the handler is told; a wrong code or a closed matter
/// adds nothing.
#[tokio::test]
async fn the_submitter_adds_material_while_the_matter_is_open() {
    let t = TestApp::spawn("portal_material").await;
    let place = t.org_id("620702104201").await;
    let code = submit(&t, &place).await;
    let c = t.client();
    let pdf = || reqwest::multipart::Part::bytes(b"%PDF-1.4 receipt".to_vec()).file_name("收据.pdf");
    let post = |form: reqwest::multipart::Form| {
        c.post(format!("{}/portal/material", t.base))
            .multipart(form)
            .send()
    };
    let base = |last4: &str| {
        reqwest::multipart::Form::new()
            .text("code", code.clone())
            .text("last4", last4.to_owned())
    };
    // Wrong digits: nothing is added.
    let before = t.rows("SELECT COUNT(*) FROM attachment").await;
    let res = post(
        base("0000")
            .text("material_note", "补充")
            .part("attachments", pdf()),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(t.rows("SELECT COUNT(*) FROM attachment").await, before);
    // Too long a note: refused in plain words, the file held for the next try.
    let res = post(
        base("1234")
            .text("material_note", "长".repeat(1001))
            .part("attachments", pdf()),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let body = text(res).await;
    assert!(
        body.contains("id=\"material-held\"") && body.contains("收据.pdf"),
        "{body}"
    );
    let held = body
        .split("name=\"held\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let res = post(
        base("1234")
            .text("material_note", "补交水费收据一张。")
            .text("held", held),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert!(text(res).await.contains("已收到您补充的材料（附件 1 个）"));
    let case = t
        .rows(&format!(
            "SELECT id FROM dispute_case WHERE tracking_code = '{code}'"
        ))
        .await
        .remove(0)
        .remove(0);
    let (_, d) = t
        .api("demo_centre")
        .await
        .get(&format!("/api/v1/cases/{case}"))
        .await;
    assert_eq!(d["attachments"][0]["filename"], "收据.pdf", "{d}");
    assert!(
        d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"] == "material-added")
    );
    let (_, inbox) = t.api("demo_centre").await.get("/api/v1/inbox").await;
    assert!(
        inbox["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "material_added"),
        "{inbox}"
    );
    // Nothing at all: refused, saying what to give.
    let res = post(base("1234")).await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(text(res).await.contains("请写下补充说明或选择要上传的文件"));
}
