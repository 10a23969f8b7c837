//! Issue 13 §7: `gongzhi import` — good lines go in with their numbers, states and clocks, found by
//! search at once; bad lines are refused with their line, field and reason; a legacy number already
//! stored is not imported twice; a minor's case is sealed as if registered.

use gongzhi_test_support::TestApp;
use serde_json::json;

fn line(v: serde_json::Value) -> String {
    format!("{v}\n")
}

#[tokio::test]
async fn good_lines_go_in_bad_ones_are_named_and_nothing_is_imported_twice() {
    let t = TestApp::spawn("import").await;
    let closed = json!({"number": "甘州检信〔2024〕118号", "kind": "petition", "channel": "letter",
        "category": "LABOUR", "place": "620702104201", "title": "旧系统导入的讨薪信访",
        "narrative": "诸葛青山等五名农民工反映包工头拖欠工资三万元，多次讨要未果。",
        "received_at": "2024-03-05 09:30", "status": "closed", "closed_at": "2024-04-20 16:00",
        "parties": [{"role": "petitioner", "name": "诸葛青山", "phone": "13993659001"}]});
    let open = json!({"kind": "dispute", "channel": "visit", "category": "NEIGHBOUR", "place": "620702104201",
        "title": "孩子在校受伤", "narrative": "家长反映孩子司徒小明在学校受伤。", "received_at": "2026-11-20 10:00",
        "parties": [{"role": "petitioner", "name": "司徒大明", "phone": "13993659002"},
                    {"role": "victim", "name": "司徒小明", "minor": true}]});
    let mut bad = closed.clone();
    bad["number"] = json!("");
    bad["category"] = json!("NO_SUCH");
    bad["parties"][0]["id_number"] = json!("620702198001011235");
    let mut unknown = open.clone();
    unknown["colour"] = json!("red");
    let mut closed_open = open.clone();
    closed_open["status"] = json!("closed");
    let file = [
        line(closed.clone()),
        line(open),
        line(bad),
        "这不是 JSON\n".to_owned(),
        line(closed.clone()),
        "\n".to_owned(),
        line(unknown),
        line(closed_open),
    ]
    .concat();
    let report = t
        .app
        .import_cases(&t.system_ctx(), file.as_bytes(), "legacy.jsonl")
        .await
        .unwrap();
    assert_eq!(
        (report.read, report.imported, report.refused),
        (7, 2, 5),
        "{report:?}"
    );
    let refused: Vec<(usize, &str, &str)> = report
        .refusals
        .iter()
        .map(|r| (r.line, r.field.as_str(), r.code.as_str()))
        .collect();
    for want in [
        (3, "category", "category-unknown"),
        (3, "parties[0].id_number", "id-check-digit"),
        (4, "line", "import-json"),
        (5, "number", "import-number-taken"),
        (7, "line", "import-json"),
        (8, "closed_at", "import-closed-needed"),
    ] {
        assert!(refused.contains(&want), "{want:?} in {refused:?}");
    }

    // The closed case keeps its legacy number, its dates and met clocks; the open one is numbered
    // in the agency's series with its clocks running from receipt.
    let rows = t
        .rows("SELECT number, status, kind FROM dispute_case ORDER BY received_at")
        .await;
    assert_eq!(
        rows[0],
        vec![
            "甘州检信〔2024〕118号".to_owned(),
            "closed".into(),
            "petition".into()
        ]
    );
    assert_eq!(
        (rows[1][1].as_str(), rows[1][2].as_str()),
        ("registered", "dispute")
    );
    assert!(!rows[1][0].is_empty(), "{rows:?}");
    let states = t
        .rows("SELECT c.status, k.state FROM case_clock k JOIN dispute_case c ON c.id = k.case_id ORDER BY c.received_at, k.kind")
        .await;
    assert!(
        states.iter().filter(|s| s[0] == "closed").all(|s| s[1] == "met"),
        "{states:?}"
    );
    assert!(
        states.iter().any(|s| s[0] == "registered" && s[1] == "running"),
        "{states:?}"
    );

    // Found by search at once; the minor's case by its number only.
    let chief = t.api("demo_chief").await;
    let q = |s: &str| {
        let url = reqwest::Url::parse_with_params("http://x/", [("q", s)]).unwrap();
        format!("/api/v1/search?{}", url.query().unwrap())
    };
    for found in ["诸葛青山", "拖欠工资"] {
        let (_, hits) = chief.get(&q(found)).await;
        let cases: std::collections::BTreeSet<&str> = hits["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["case_id"].as_str())
            .collect();
        assert_eq!(cases.len(), 1, "{found}: {hits}");
    }
    for hidden in ["司徒小明", "司徒大明"] {
        assert_eq!(chief.get(&q(hidden)).await.1["total"], 0, "{hidden}");
    }
    let (_, hits) = chief.get(&q(&rows[1][0])).await;
    assert_eq!(hits["total"], 1, "{hits}");

    // The same legacy line again: refused, nothing added.
    let again = t
        .app
        .import_cases(&t.system_ctx(), line(closed).as_bytes(), "legacy.jsonl")
        .await
        .unwrap();
    assert_eq!((again.imported, again.refused), (0, 1), "{again:?}");
    assert_eq!(t.rows("SELECT id FROM dispute_case").await.len(), 2);
    let audit = t
        .rows("SELECT action FROM audit_event WHERE action = 'case.import'")
        .await;
    assert_eq!(audit.len(), 1);
}
