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

mod simhash_values {
    use super::super::simhash::*;

    const A: &str = "村民王建国反映其承包的土地被邻居占用，要求依法处理土地承包经营权纠纷。";
    const A2: &str = "村民王建国再次反映其承包的土地被邻居占用，要求依法处理土地承包经营权纠纷。";
    const B: &str = "李秀兰等五名农民工在工地务工，工程完工后包工头拖欠工资三万元，临近年关情绪激动。";

    /// Fixed values: the same on every machine and release; a change here re-hashes every case.
    #[test]
    fn simhash_is_stable_and_near_texts_are_within_three_bits() {
        // FNV-1a 64's published vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(simhash(A), 0x92c4_7e37_26af_e960);
        assert_eq!(simhash(A2), 0x12c4_6e27_26af_e960);
        assert_eq!(simhash(B), 0x8ccc_93e3_755a_dac6);
        assert_eq!(bands(simhash(A)), [59744, 9903, 32311, 37572]);
        assert_eq!(distance(simhash(A), simhash(A2)), 3);
        assert!(similar(simhash(A), simhash(A2), MAX_DISTANCE));
        assert!(distance(simhash(A), simhash(B)) > 20);
        // Within three bits, at least one of the four bands is equal: what the indexed lookup needs.
        let (a, b) = (bands(simhash(A)), bands(simhash(A2)));
        assert!(a.iter().zip(&b).any(|(x, y)| x == y));
        // Nothing to compare: never similar, not even to itself.
        assert_eq!(simhash("，。"), 0);
        assert!(!similar(0, 0, MAX_DISTANCE));
        assert_eq!(from_stored(to_stored(u64::MAX)), u64::MAX);
    }
}
