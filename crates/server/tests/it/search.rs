//! Issue 13 §1: search — precision on a fixed Chinese test set (two- and four-character words,
//! names, places, pinyin and initials), scope in the query itself, exact lookups through the blind
//! indexes, and bad queries answered rather than failed. Runs on SQLite and on PostgreSQL.

use std::collections::BTreeSet;

use gongzhi_app::domain::time;
use gongzhi_test_support::{Api, TestApp};
use serde_json::{Value, json};

/// The test set: (key, village code, title, narrative, party name, phone).
const SET: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "land",
        "620702104201",
        "王建国反映承包地被占",
        "村民王建国反映其承包的土地被邻居占用，要求依法处理土地承包经营权纠纷。",
        "王建国",
        "13993650001",
    ),
    (
        "wages",
        "620702107201",
        "李秀兰等农民工讨薪",
        "李秀兰等五名农民工在工地务工，工程完工后包工头拖欠工资三万元，临近年关情绪激动。",
        "李秀兰",
        "13993650002",
    ),
    (
        "neighbour",
        "620702107201",
        "张三与邻居边界争执",
        "张三与邻居因宅基地边界发生争执，双方多次争吵。",
        "张三",
        "13993650003",
    ),
    (
        "family",
        "620702102201",
        "赵四反映家暴",
        "赵四反映丈夫长期实施家庭暴力，请求妇联介入并提供庇护。",
        "赵四",
        "13993650004",
    ),
    (
        "property",
        "620702102201",
        "小区停车收费过高",
        "小区业主反映物业公司服务不到位，停车收费过高，多次协商无果。",
        "钱多多",
        "13993650005",
    ),
    (
        "compensation",
        "620702107201",
        "征地补偿款未足额发放",
        "村民反映征地补偿款未足额发放，涉及土地面积二十亩。",
        "孙立",
        "13993650006",
    ),
    (
        "salary",
        "620702102201",
        "劳动报酬迟迟不付",
        "用人单位未按时支付劳动报酬，职工工资已被拖欠四个月。",
        "吴工",
        "13993650007",
    ),
];

/// (query, the keys it must find — and nothing else of the set).
const QUERIES: &[(&str, &[&str])] = &[
    ("土地", &["land", "compensation"]),
    ("拖欠工资", &["wages", "salary"]),
    ("家庭暴力", &["family"]),
    ("物业", &["property"]),
    ("宅基地", &["neighbour"]),
    ("王建国", &["land"]),
    ("乌江镇", &["land"]),
    ("党寨镇 补偿", &["compensation"]),
    ("zhangsan", &["neighbour"]),
    ("zs", &["neighbour", "family"]),
    ("qianduoduo", &["property"]),
    ("LIXIULAN", &["wages"]),
];

async fn register(
    api: &Api,
    village: &str,
    title: &str,
    narrative: &str,
    name: &str,
    phone: &str,
) -> (String, String) {
    let (s, c) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": village,
                "title": title, "narrative": narrative,
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": name, "phone": phone}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    (
        c["id"].as_str().unwrap().to_owned(),
        c["number"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn search(api: &Api, q: &str, extra: &str) -> (u16, Value) {
    let url = reqwest::Url::parse_with_params("http://x/api/v1/search", [("q", q)]).unwrap();
    api.get(&format!(
        "/api/v1/search?{}{extra}",
        url.query().unwrap_or_default()
    ))
    .await
}

/// The cases a search finds (by a case hit or a party hit).
fn cases_of(v: &Value) -> BTreeSet<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["case_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_chinese_test_set_is_found_exactly_and_only_where_the_user_may_look() {
    let t = TestApp::spawn("search").await;
    let reception = t.api("demo_reception").await;
    let mut ids = std::collections::BTreeMap::new();
    let mut numbers = Vec::new();
    for (key, code, title, narrative, name, phone) in SET {
        let (id, number) = register(&reception, &t.org_id(code).await, title, narrative, name, phone).await;
        ids.insert(id, *key);
        numbers.push(number);
    }
    // A case of the police, which the procuratorate's clerk may not open.
    let police = t.api("demo_partner").await;
    let (police_case, _) = register(
        &police,
        &t.org_id("620702104201").await,
        "交通事故赔偿争议",
        "王建军驾驶车辆发生交通事故，双方就赔偿数额争执不下。",
        "王建军",
        "13993650099",
    )
    .await;

    let (mut found_right, mut found, mut wanted) = (0usize, 0usize, 0usize);
    for (q, expected) in QUERIES {
        let (s, v) = search(&reception, q, "").await;
        assert_eq!(s, 200, "{q}: {v}");
        let got: BTreeSet<&str> = cases_of(&v).iter().filter_map(|c| ids.get(c).copied()).collect();
        let expected: BTreeSet<&str> = expected.iter().copied().collect();
        found_right += got.intersection(&expected).count();
        found += got.len();
        wanted += expected.len();
        assert_eq!(got, expected, "query {q}: {v}");
        assert!(
            !cases_of(&v).contains(&police_case),
            "{q}: the police's case is not the clerk's"
        );
        assert!(v["total"].as_i64().unwrap() >= v["items"].as_array().unwrap().len() as i64);
    }
    println!(
        "search test set: {} queries, precision {found_right}/{found}, recall {found_right}/{wanted}",
        QUERIES.len()
    );

    // Marked snippets: the four characters asked for, at the place they occur.
    let (_, v) = search(&reception, "拖欠工资", "&kind=case").await;
    let hit = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "李秀兰等农民工讨薪")
        .unwrap();
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    let [a, b] = [
        hit["marks"][0][0].as_u64().unwrap() as usize,
        hit["marks"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(snippet[a..b].iter().collect::<String>(), "拖欠工资", "{hit}");

    // Filters: the kind, the township (by division code prefix), the date.
    let (_, v) = search(&reception, "王建国", "&kind=party").await;
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "party"),
        "{v}"
    );
    assert_eq!(v["total"], 1, "{v}");
    let (_, v) = search(&reception, "土地", "&place=620702107").await;
    let got: BTreeSet<&str> = cases_of(&v).iter().filter_map(|c| ids.get(c).copied()).collect();
    assert_eq!(got, BTreeSet::from(["compensation"]), "{v}");
    let (_, v) = search(&reception, "土地", "&to=2020-01-01").await;
    assert_eq!(v["total"], 0, "{v}");

    // The police see their own case and nothing of the procuratorate's.
    let (_, v) = search(&police, "王建", "").await;
    assert_eq!(cases_of(&v), BTreeSet::from([police_case.clone()]), "{v}");
    let (_, v) = search(&police, "拖欠工资", "").await;
    assert_eq!(v["total"], 0, "{v}");
    // The district-wide chief sees both.
    let chief = t.api("demo_chief").await;
    let (_, v) = search(&chief, "王建", "").await;
    assert!(
        cases_of(&v).contains(&police_case) && cases_of(&v).len() >= 2,
        "{v}"
    );

    // Exact: a case number, a phone — and the phone of the police's party is not the clerk's.
    let (_, v) = search(&reception, &numbers[1], "").await;
    assert_eq!(v["exact"], true, "{v}");
    assert_eq!(v["items"][0]["number"], numbers[1].as_str(), "{v}");
    let (_, v) = search(&reception, "13993650003", "").await;
    assert_eq!(v["exact"], true, "{v}");
    assert_eq!(v["items"][0]["title"], "张三", "{v}");
    // Found nowhere the clerk may look: not "exact", and nothing.
    let (_, v) = search(&reception, "13993650099", "").await;
    assert_eq!(
        (v["exact"].as_bool(), v["total"].as_i64()),
        (Some(false), Some(0)),
        "{v}"
    );
}

#[tokio::test]
async fn bad_queries_get_a_clear_answer_and_nobody_outside_gets_any() {
    let t = TestApp::spawn("searchbad").await;
    let reception = t.api("demo_reception").await;
    register(
        &reception,
        &t.org_id("620702104201").await,
        "邻里纠纷",
        "因排水沟引发邻里纠纷。",
        "马某",
        "13993650011",
    )
    .await;
    for (q, field) in [("", "q"), ("王", "q"), ("，。！？", "q")] {
        let (s, v) = search(&reception, q, "").await;
        assert_eq!(s, 422, "{q:?}: {v}");
        assert!(v["fields"][field].as_str().unwrap().contains('。'), "{v}");
    }
    // 10,000 characters (5,000 Chinese ones fill 45 KB of URL, inside the 64 KB a URI may have).
    for long in ["x".repeat(10_000), "纠".repeat(5_000)] {
        let (s, v) = search(&reception, &long, "").await;
        assert_eq!(s, 422, "{v}");
        assert!(v["fields"]["q"].as_str().unwrap().contains("100"), "{v}");
    }
    // Query syntax of either database is text: answered, never an error.
    for q in [
        "\"纠纷",
        "纠纷*",
        "NEAR(纠纷 邻里)",
        "纠纷 OR 1=1",
        "' OR ''='",
        "纠纷 AND NOT",
        "ab:* & !cd",
        "纠纷\\",
    ] {
        let (s, v) = search(&reception, q, "").await;
        assert_eq!(s, 200, "{q}: {v}");
    }
    let (s, v) = search(&reception, "纠纷", "&from=2026-13-01").await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = search(&reception, "纠纷", "&kind=everything").await;
    assert_eq!(s, 422, "{v}");
    // The page keeps what was typed and says why.
    let web = t
        .browser("demo_reception", gongzhi_test_support::DEMO_PASSWORD)
        .await;
    let r = web
        .get(format!("{}/search?q=%E7%8E%8B", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("请至少输入两个字") && html.contains("value=\"王\""),
        "{html}"
    );
    let r = web
        .get(format!("{}/search?q=%E9%82%BB%E9%87%8C", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<mark>邻里</mark>"), "{html}");
    // Nobody logged in gets nothing: 401 from the API, the login page from the UI.
    let anon = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = anon
        .get(format!("{}/api/v1/search?q=%E7%BA%A0%E7%BA%B7", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = anon
        .get(format!("{}/search?q=%E7%BA%A0%E7%BA%B7", t.base))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
}

/// The case's version, for an edit.
async fn version(api: &Api, case: &str) -> i64 {
    let (_, d) = api.get(&format!("/api/v1/cases/{case}")).await;
    d["case"]["version"].as_i64().unwrap()
}

#[tokio::test]
async fn what_touches_a_minor_is_found_by_its_number_only_and_the_index_is_rebuilt_from_what_is_stored() {
    let t = TestApp::spawn("searchminor").await;
    let reception = t.api("demo_reception").await;
    let village = t.org_id("620702104201").await;
    // A case with a minor party: neither the child, nor the parent, nor the narrative is found.
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": village,
                "title": "学生在校受伤赔偿", "narrative": "家长反映孩子在学校受伤，要求学校赔偿。",
                "received_at": time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "欧阳娜娜", "phone": "13993650021"},
                            {"role": "victim", "name": "欧阳小宝", "minor": true}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let sealed = c["id"].as_str().unwrap().to_owned();
    for q in ["欧阳小宝", "ouyangxiaobao", "欧阳娜娜", "受伤赔偿", "13993650021"] {
        let (_, v) = search(&reception, q, "").await;
        assert_eq!(v["total"], 0, "{q}: {v}");
    }
    let (_, v) = search(&reception, c["number"].as_str().unwrap(), "").await;
    assert_eq!(cases_of(&v), BTreeSet::from([sealed.clone()]), "{v}");

    // A case marked later as concerning a minor is sealed from then on, and found again by its
    // words when the agency head takes the mark off.
    let (id, _) = register(
        &reception,
        &village,
        "上官云反映邻里纠纷",
        "上官云反映其子上官小明与邻居孩子发生冲突。",
        "上官云",
        "13993650022",
    )
    .await;
    let (_, v) = search(&reception, "上官小明", "").await;
    assert_eq!(v["total"], 1, "{v}");
    let edit = |minor: bool, version: i64| {
        json!({"title": "上官云反映邻里纠纷", "narrative": "上官云反映其子上官小明与邻居孩子发生冲突。",
            "category": "LAW_RELATED", "minor_involved": minor, "version": version})
    };
    let (s, e) = reception
        .post(
            &format!("/api/v1/cases/{id}"),
            edit(true, version(&reception, &id).await),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    for q in ["上官小明", "上官云", "shangguanyun", "13993650022"] {
        let (_, v) = search(&reception, q, "").await;
        assert_eq!(v["total"], 0, "{q}: {v}");
    }
    let chief = t.api("demo_chief").await;
    let (s, e) = chief
        .post(
            &format!("/api/v1/cases/{id}"),
            edit(false, version(&chief, &id).await),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    for q in ["上官小明", "上官云", "shangguanyun"] {
        let (_, v) = search(&reception, q, "").await;
        assert_eq!(cases_of(&v), BTreeSet::from([id.clone()]), "{q}: {v}");
    }

    // A grid visit with a finding about a minor is found by its visitor and place, not its notes.
    let prosecutor = t.api("demo_prosecutor").await;
    let (s, v) = prosecutor
        .post(
            "/api/v1/grid/visits",
            json!({"village_id": village, "visited_at": time::format_local(chrono::Utc::now()),
                "people_met": "留守儿童司马小雨的祖母", "notes": "司马小雨独自在家，祖母卧病。",
                "findings": [{"kind": "minor", "summary": "留守儿童无人照看"}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, v) = search(&prosecutor, "司马小雨", "").await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = search(&prosecutor, "走访", "&kind=visit").await;
    assert!(v["total"].as_i64().unwrap() >= 1, "{v}");

    // Emptied, the index is rebuilt from the tables, the phone's blind index and the seals with it.
    let mut conn = t.db.conn().await.unwrap();
    let mut wipe = vec![
        "DELETE FROM search_doc",
        "UPDATE case_party SET phone_index = NULL",
    ];
    if t.url.starts_with("sqlite") {
        // SQLite keeps the tokens in the FTS5 table; PostgreSQL in search_doc itself.
        wipe.push("DELETE FROM search_fts");
    }
    for sql in wipe {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    let (_, v) = search(&reception, "上官云", "").await;
    assert_eq!(v["total"], 0, "{v}");
    let batches = t.app.reindex(&t.system_ctx(), true).await.unwrap();
    assert!(batches >= 8, "{batches}");
    let (_, v) = search(&reception, "上官云", "").await;
    assert_eq!(cases_of(&v), BTreeSet::from([id.clone()]), "{v}");
    let (_, v) = search(&reception, "13993650022", "").await;
    assert_eq!(
        (v["exact"].as_bool(), v["total"].as_i64()),
        (Some(true), Some(1)),
        "{v}"
    );
    for q in ["欧阳小宝", "欧阳娜娜", "13993650021"] {
        let (_, v) = search(&reception, q, "").await;
        assert_eq!(v["total"], 0, "{q}: {v}");
    }
    let (_, v) = search(&prosecutor, "司马小雨", "").await;
    assert_eq!(v["total"], 0, "{v}");
}
