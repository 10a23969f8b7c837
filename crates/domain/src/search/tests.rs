use super::*;

fn has(set: &BTreeSet<String>, t: &str) -> bool {
    set.contains(t)
}

#[test]
fn a_text_is_indexed_by_its_words_its_bigrams_and_its_latin_runs() {
    let t = tokens("乌江镇村民王建国反映土地承包纠纷，ＡＢＣ公司2026年拖欠工资。");
    for w in ["乌江镇", "土地承包", "纠纷", "拖欠工资", "abc", "2026"] {
        assert!(has(&t, w), "{w} in {t:?}");
    }
    // The name no dictionary holds is still found by its bigrams.
    assert!(has(&t, "王建") && has(&t, "建国"));
    assert!(t.iter().all(|w| w.chars().count() >= 2 || !w.chars().any(is_han)));
}

#[test]
fn a_name_is_indexed_by_pinyin_syllables_and_initials() {
    let mut t = BTreeSet::new();
    add_name(&mut t, "张三");
    for w in ["张三", "zhangsan", "zhang", "san", "zs"] {
        assert!(has(&t, w), "{w} in {t:?}");
    }
    let mut one = BTreeSet::new();
    add_name(&mut one, "王");
    assert!(one.is_empty(), "a one-character name gives no pinyin: {one:?}");
}

#[test]
fn queries_of_two_and_four_characters_ask_for_words_or_bigrams() {
    let q = Query::parse("土地").unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(
        q.terms,
        vec![Term::Han {
            text: "土地".into(),
            words: vec!["土地".into()],
            bigrams: vec!["土地".into()]
        }]
    );
    let q = Query::parse("拖欠工资 ZhangSan").unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(q.terms.len(), 2);
    assert!(matches!(&q.terms[0], Term::Han { bigrams, .. } if bigrams == &["拖欠", "欠工", "工资"]));
    assert_eq!(q.terms[1], Term::Prefix("zhangsan".into()));
}

#[test]
fn bad_queries_get_a_reason_and_syntax_is_only_text() {
    assert_eq!(Query::parse(""), Err(QueryError::Empty));
    assert_eq!(Query::parse("  ，。!!"), Err(QueryError::Empty));
    assert_eq!(Query::parse("王"), Err(QueryError::TooShort));
    assert_eq!(Query::parse(&"纠".repeat(10_000)), Err(QueryError::TooLong));
    let q = Query::parse("\"土地\" OR NEAR(a b) * '; DROP").unwrap_or_else(|e| unreachable!("{e}"));
    // Every term is a bare token: quotes, stars, parentheses and semicolons are gone.
    for t in &q.terms {
        match t {
            Term::Prefix(p) => assert!(p.chars().all(char::is_alphanumeric), "{p}"),
            Term::Han { text, .. } => assert!(text.chars().all(is_han), "{text}"),
        }
    }
    assert!(q.terms.contains(&Term::Prefix("or".into())));
    assert!(q.terms.contains(&Term::Prefix("near".into())));
    assert!(q.terms.len() <= MAX_TERMS);
}

#[test]
fn a_snippet_marks_the_match_and_cuts_around_it() {
    let text = format!("{}张三反映拖欠工资问题。{}", "前文".repeat(40), "后文".repeat(40));
    let q = Query::parse("拖欠工资").unwrap_or_else(|e| unreachable!("{e}"));
    let s = snippet(&text, &q.needles(), 30);
    assert!(
        s.first().is_some_and(|x| x.text.starts_with('…') && !x.mark),
        "{s:?}"
    );
    assert!(
        s.last().is_some_and(|x| x.text.ends_with('…') && !x.mark),
        "{s:?}"
    );
    let marked: Vec<&str> = s.iter().filter(|x| x.mark).map(|x| x.text.as_str()).collect();
    assert_eq!(marked, vec!["拖欠工资"]);
    let shown: String = s.iter().map(|x| x.text.as_str()).collect();
    assert!(shown.chars().count() <= 32, "{shown}");
    // Latin matches ignore case and full width.
    let s = snippet("ＡＢＣ公司", &["abc".to_owned()], 30);
    assert_eq!(
        s[0],
        Segment {
            text: "ＡＢＣ".into(),
            mark: true
        }
    );
    // Nothing found: the start of the text.
    let s = snippet("短文", &["zhangsan".to_owned()], 30);
    assert_eq!(
        s,
        vec![Segment {
            text: "短文".into(),
            mark: false
        }]
    );
}

#[test]
fn a_query_word_is_cut_into_dictionary_words_only_when_they_cover_it() {
    let words = |q: &str| match Query::parse(q).map(|q| q.terms) {
        Ok(t) => match &t[..] {
            [Term::Han { words, .. }] => words.clone(),
            _ => unreachable!("{t:?}"),
        },
        Err(e) => unreachable!("{e}"),
    };
    assert_eq!(words("拖欠工资"), ["拖欠", "工资"]);
    assert_eq!(words("王建国"), ["王建国"]);
    assert_eq!(words("乌江镇"), ["乌江镇"]);
}
