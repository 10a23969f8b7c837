//! Issue 11 §6: documents as .docx — filled from the record the caller may see, in the GB/T 9704
//! layout with the date in Chinese numerals, refused with a reason before the record allows them;
//! templates the administrator replaces with a .docx of markers (Word's split runs and all),
//! refused when a marker is unknown, and restored.

use std::io::{Cursor, Read, Write};

use gongzhi_app::domain::document::chinese_date;
use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::json;

/// The parts of a .docx.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_owned(), data)
        })
        .collect()
}

fn pack(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in parts {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A document's body text (the runs joined, tags dropped) and its raw XML.
fn body(bytes: &[u8]) -> (String, String) {
    let xml = parts(bytes)
        .into_iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, d)| String::from_utf8(d).unwrap())
        .unwrap();
    let mut text = String::new();
    let mut inside = false;
    for c in xml.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    (text, xml)
}

/// GETs a document: its status, content type and bytes.
pub(crate) async fn download(api: &Api, path: &str) -> (u16, String, Vec<u8>) {
    let res = api
        .c
        .get(format!("{}{path}", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

/// A document's text, asserting it is a .docx.
pub(crate) async fn document_text(api: &Api, path: &str) -> String {
    let (s, kind, bytes) = download(api, path).await;
    assert_eq!(s, 200, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert!(kind.contains("wordprocessingml"), "{kind}");
    body(&bytes).0
}

async fn upload(api: &Api, kind: &str, bytes: Vec<u8>) -> (u16, serde_json::Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("模板.docx"),
    );
    let res = api
        .c
        .put(format!("{}/api/v1/document-templates/{kind}", api.base))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

/// A decided (numbered) suggestion to the transport bureau.
async fn decided_suggestion(t: &TestApp) -> String {
    let case = crate::statute::visit_petition(
        &t.api("demo_reception").await,
        &t.org_id("620702104201").await,
        "出租车拒载引发纠纷",
    )
    .await;
    let prosecutor = t.api("demo_prosecutor").await;
    let (_, c) = prosecutor
        .post(
            "/api/v1/suggestions",
            json!({"kind": "social_governance", "title": "关于加强出租车营运管理的检察建议",
            "recipient_agency_id": t.agency_id("GZ-JTJ").await, "cases": [case]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let step = |name: &'static str, body: serde_json::Value| {
        let (p, id) = (&prosecutor, id.clone());
        async move {
            p.post(&format!("/api/v1/suggestions/{id}/steps/{name}"), body)
                .await
                .0
        }
    };
    assert_eq!(step("investigate", json!({"note": "调阅信访材料"})).await, 200);
    assert_eq!(
        step("draft", json!({"facts": "本院办理信访案件中发现多起出租车拒载纠纷", "problems": "营运监管存在漏洞",
            "proposals": "一、加强巡查\n二、建立投诉快速处理机制", "legal_basis": "《人民检察院检察建议工作规定》第十一条", "objection_days": 10})).await,
        200
    );
    let (_, s) = prosecutor.get(&format!("/api/v1/suggestions/{id}")).await;
    assert!(s["number"].is_null());
    // Before the decision there is no 检察建议书, and the page says why.
    let (st, _, e) = download(
        &prosecutor,
        &format!("/api/v1/suggestions/{id}/documents/suggestion.docx"),
    )
    .await;
    assert_eq!(st, 422, "{}", String::from_utf8_lossy(&e));
    assert!(String::from_utf8_lossy(&e).contains("检察长决定并编号后"));
    let chief = t.api("demo_chief").await;
    assert_eq!(
        chief
            .post(&format!("/api/v1/suggestions/{id}/steps/decide"), json!({}))
            .await
            .0,
        200
    );
    id
}

#[tokio::test]
async fn a_suggestion_document_is_filled_from_the_record_in_the_official_layout() {
    let t = TestApp::spawn_admin("documents").await;
    let id = decided_suggestion(&t).await;
    let prosecutor = t.api("demo_prosecutor").await;
    let text = document_text(
        &prosecutor,
        &format!("/api/v1/suggestions/{id}/documents/suggestion.docx"),
    )
    .await;
    let year = time::local_date(chrono::Utc::now()).format("%Y").to_string();
    for part in [
        "甘州区人民检察院".to_owned(),
        format!("甘州检建〔{year}〕1号"),
        "检察建议书".to_owned(),
        "甘州区交通运输局：".to_owned(),
        "二、建立投诉快速处理机制".to_owned(),
        "两个月内".to_owned(),
        chinese_date(time::local_date(chrono::Utc::now())),
    ] {
        assert!(text.contains(&part), "{part} in {text}");
    }
    assert!(!text.contains("{{"), "every marker filled: {text}");
    // The page offers it; anyone else may not have it.
    let page = t
        .page_text("demo_prosecutor", &format!("/suggestions/{id}"))
        .await;
    assert!(page.contains(&format!("/suggestions/{id}/documents/suggestion.docx")));
    let anon = t
        .client()
        .get(format!(
            "{}/api/v1/suggestions/{id}/documents/suggestion.docx",
            t.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    let grid = t.api("demo_grid").await;
    assert_eq!(
        download(
            &grid,
            &format!("/api/v1/suggestions/{id}/documents/suggestion.docx")
        )
        .await
        .0,
        403
    );
    assert_eq!(
        download(
            &prosecutor,
            &format!("/api/v1/suggestions/{id}/documents/aid_decision.docx")
        )
        .await
        .0,
        404
    );
    let audited = t
        .rows("SELECT COUNT(*) FROM audit_event WHERE action = 'document.generate'")
        .await;
    assert_eq!(audited[0][0], "1");
}

#[tokio::test]
async fn an_uploaded_template_replaces_the_built_in_one_and_unknown_markers_are_refused() {
    let t = TestApp::spawn_admin("doctemplates").await;
    let id = decided_suggestion(&t).await;
    let admin = t.api("demo_sysadmin").await;
    let (s, list) = admin.get("/api/v1/document-templates").await;
    assert_eq!(s, 200);
    assert_eq!(
        list.as_array().unwrap().len(),
        6,
        "every kind: hearing notice and announcement, suggestion, aid, acceptance notice, reply opinion"
    );
    assert_eq!(list[0]["uploaded"], false);
    let (s, _, builtin) = download(&admin, "/api/v1/document-templates/suggestion").await;
    assert_eq!(s, 200);
    // An office's own template, as Word saves it: a marker split over two runs.
    let mut edited = parts(&builtin);
    let doc = edited.iter_mut().find(|(n, _)| n == "word/document.xml").unwrap();
    let xml = String::from_utf8(doc.1.clone()).unwrap().replacen(
        "<w:body>",
        "<w:body><w:p><w:r><w:t>本院自制格式 {{文</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>号}}</w:t></w:r></w:p>",
        1,
    );
    let unknown = xml.replacen(
        "<w:body>",
        "<w:body><w:p><w:r><w:t>{{承办人电话}}</w:t></w:r></w:p>",
        1,
    );
    doc.1 = unknown.into_bytes();
    let (s, e) = upload(&admin, "suggestion", pack(&edited)).await;
    assert_eq!(s, 422);
    assert!(
        e["fields"]["file"].as_str().unwrap().contains("承办人电话"),
        "{e}"
    );
    let (s, e) = upload(&admin, "suggestion", b"not a word file".to_vec()).await;
    assert_eq!(s, 422);
    assert!(e["fields"]["file"].as_str().unwrap().contains(".docx"), "{e}");
    let prosecutor = t.api("demo_prosecutor").await;
    assert_eq!(
        upload(&prosecutor, "suggestion", builtin.clone()).await.0,
        403,
        "the administrator's"
    );
    let doc = edited.iter_mut().find(|(n, _)| n == "word/document.xml").unwrap();
    doc.1 = xml.into_bytes();
    let (s, e) = upload(&admin, "suggestion", pack(&edited)).await;
    assert_eq!(s, 200, "{e}");
    let text = document_text(
        &prosecutor,
        &format!("/api/v1/suggestions/{id}/documents/suggestion.docx"),
    )
    .await;
    let year = time::local_date(chrono::Utc::now()).format("%Y").to_string();
    assert!(
        text.contains(&format!("本院自制格式 甘州检建〔{year}〕1号")),
        "{text}"
    );
    // Back to the built-in one.
    assert_eq!(
        admin
            .c
            .delete(format!("{}/api/v1/document-templates/suggestion", admin.base))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let text = document_text(
        &prosecutor,
        &format!("/api/v1/suggestions/{id}/documents/suggestion.docx"),
    )
    .await;
    assert!(!text.contains("本院自制格式"));
}

#[tokio::test]
async fn a_petitions_replies_are_written_as_its_acceptance_notice_and_reply_opinion() {
    let t = TestApp::spawn("doc_case").await;
    let place = t.org_id("620702104201").await;
    let clerk = t.api("demo_reception").await;
    let (s, c) = clerk
        .post(
            "/api/v1/cases",
            serde_json::json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": place,
                "title": "王某不服民事判决申请监督", "narrative": "认为判决认定事实错误。",
                "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "王建国", "phone": "13812345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    let notice = format!("/api/v1/cases/{id}/documents/acceptance_notice.docx");
    // Before the procedural reply there is nothing to write.
    let (s, _, body) = download(&clerk, &notice).await;
    assert_eq!(s, 422, "{}", String::from_utf8_lossy(&body));
    let (s, e) = clerk
        .post(
            &format!("/api/v1/cases/{id}/replies"),
            serde_json::json!({"kind": "procedural", "channel": "in_person", "body": "经审查，你反映的问题属于本院管辖，本院决定受理"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let text = document_text(&clerk, &notice).await;
    for part in [
        "受理告知书",
        "王建国：",
        "王某不服民事判决申请监督",
        "本院决定受理。",
        "三个月内",
        c["number"].as_str().unwrap(),
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // The reply opinion needs the result reply; it tells the petitioner of the 30 days for review.
    let opinion = format!("/api/v1/cases/{id}/documents/reply_opinion.docx");
    assert_eq!(download(&clerk, &opinion).await.0, 422);
    t.rows(&format!(
        "INSERT INTO reply (id, case_id, kind, channel, body, sent_at, sent_by_name, agency_name)
         VALUES ('{}', '{id}', 'result', 'letter', '经审查，原判决认定事实清楚，不支持监督申请。', 1, '刘检察官', '甘州区人民检察院')",
        gongzhi_app::domain::Id::new()
    ))
    .await;
    let text = document_text(&clerk, &opinion).await;
    for part in ["答复意见书", "不支持监督申请。", "三十日内"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // Another agency's case is not found; the page offers the documents beside the replies.
    let (s, _, _) = download(&t.api("demo_partner").await, &notice).await;
    assert_eq!(s, 404);
    let page = t.page_text("demo_reception", &format!("/cases/{id}")).await;
    assert!(
        page.contains("documents/acceptance_notice.docx") && page.contains("documents/reply_opinion.docx")
    );
}
