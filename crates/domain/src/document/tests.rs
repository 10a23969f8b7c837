use chrono::NaiveDate;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn dates_in_chinese_numerals_as_the_procuratorate_writes_them() {
    assert_eq!(chinese_date(d(2026, 12, 2)), "二〇二六年十二月二日");
    assert_eq!(chinese_date(d(2026, 1, 10)), "二〇二六年一月十日");
    assert_eq!(chinese_date(d(2030, 11, 20)), "二〇三〇年十一月二十日");
    assert_eq!(chinese_date(d(2027, 10, 31)), "二〇二七年十月三十一日");
    assert_eq!(chinese_date(d(2027, 3, 19)), "二〇二七年三月十九日");
    assert_eq!(arabic_date(d(2026, 1, 5)), "2026年1月5日");
}

#[test]
fn amounts_in_capitals_read_each_zero_once() {
    assert_eq!(yuan_in_capitals(30_000), "人民币叁万元整");
    assert_eq!(yuan_in_capitals(30_500), "人民币叁万零伍佰元整");
    assert_eq!(yuan_in_capitals(10_001), "人民币壹万零壹元整");
    assert_eq!(yuan_in_capitals(270_000), "人民币贰拾柒万元整");
    assert_eq!(yuan_in_capitals(100_000), "人民币壹拾万元整");
    assert_eq!(yuan_in_capitals(1_005), "人民币壹仟零伍元整");
    assert_eq!(yuan_in_capitals(100_001_000), "人民币壹亿零壹仟元整");
    assert_eq!(yuan_in_capitals(0), "人民币零元整");
}

const P: &str = "<w:p><w:r><w:t>";

#[test]
fn a_marker_split_across_runs_is_filled_in_the_run_it_starts_in() {
    // Word splits text into runs wherever formatting, spell check or editing history differ.
    let xml = "<w:body><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>申请人{{申</w:t></w:r><w:r><w:t xml:space=\"preserve\">请人}} 因</w:t></w:r></w:p>\
<w:p><w:r><w:t>{{</w:t></w:r><w:r><w:t>日期}}</w:t></w:r><w:r><w:tab/><w:t>止</w:t></w:r></w:p></w:body>";
    assert_eq!(markers_in(xml), ["申请人", "日期"]);
    let out = fill(xml, &|n| match n {
        "申请人" => Some("王<建国>&".into()),
        "日期" => Some("二〇二六年十二月二日".into()),
        _ => None,
    })
    .unwrap();
    assert!(
        out.contains("<w:b/></w:rPr><w:t xml:space=\"preserve\">申请人王&lt;建国&gt;&amp;</w:t>"),
        "{out}"
    );
    assert!(out.contains("<w:t xml:space=\"preserve\"> 因</w:t>"), "{out}");
    assert!(
        out.contains("二〇二六年十二月二日</w:t></w:r><w:r><w:t xml:space=\"preserve\"></w:t>"),
        "{out}"
    );
    assert!(
        out.contains("<w:tab/><w:t>止</w:t>"),
        "untouched runs stay as they were"
    );
    assert!(markers_in(&out).is_empty());
}

#[test]
fn markers_do_not_join_across_paragraphs_and_unknown_ones_are_named() {
    let xml = format!("{P}{{{{申请</w:t></w:r></w:p>{P}人}}}}</w:t></w:r></w:p>");
    assert!(markers_in(&xml).is_empty(), "a paragraph break ends a marker");
    let xml = format!("{P}{{{{机关}}}}与{{{{不存在}}}}</w:t></w:r></w:p>");
    let e = fill(&xml, &|n| (n == "机关").then(|| "甘州区人民检察院".to_owned()));
    assert_eq!(e, Err(FillError::Unknown(vec!["不存在".into()])));
}

#[test]
fn line_breaks_of_a_value_become_breaks_of_its_run() {
    let xml = format!("{P}{{{{建议}}}}</w:t></w:r></w:p>");
    let out = fill(&xml, &|_| Some("一、加强巡查\n二、建立台账".into())).unwrap();
    assert!(
        out.contains("一、加强巡查</w:t><w:br/><w:t xml:space=\"preserve\">二、建立台账"),
        "{out}"
    );
}

#[test]
fn every_default_template_uses_only_its_kinds_markers() {
    for kind in DocumentKind::ALL {
        let xml = layout::document(*kind);
        let used = markers_in(&xml);
        assert!(used.contains(&"机关".to_owned()), "{kind}: the 红头");
        for name in &used {
            assert!(kind.allows(name), "{kind}: {{{{{name}}}}}");
        }
        let filled = fill(&xml, &|n| kind.allows(n).then(|| format!("[{n}]"))).unwrap();
        assert!(!filled.contains("{{"), "{kind}");
        assert!(filled.contains(kind.title()), "{kind}: its title");
    }
}

#[test]
fn the_layout_is_gb_t_9704() {
    let xml = layout::document(DocumentKind::Suggestion);
    // 版心 156 × 225 mm on A4: 天头 37 mm, 订口 28 mm, right 26 mm, bottom 35 mm (in twips).
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(
        xml.contains("w:top=\"2097\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""),
        "{xml}"
    );
    // A red 发文机关标志 and separator, 3号 (16 pt) 仿宋 at 22 lines a page.
    assert!(xml.contains("<w:color w:val=\"FF0000\"/><w:sz w:val=\"72\"/>"));
    assert!(xml.contains("w:color=\"FF0000\"/></w:pBdr>"));
    assert!(xml.contains("仿宋_GB2312") && xml.contains("<w:sz w:val=\"32\"/>"));
    assert!(xml.contains("w:line=\"579\" w:lineRule=\"exact\""));
}
