//! Chinese full-text search (issue 13 §1; ARCHITECTURE.md "search"): the tokens a text is indexed
//! by and what a query asks for. Both databases index the same tokens — SQLite in FTS5, PostgreSQL
//! in a `tsvector` — so the rules live here once and a hit means the same on either.
//!
//! A run of Chinese characters is indexed twice: by jieba's words (with gongzhi's own dictionary of
//! legal, petition and local terms, `dict.txt`) and by its character bigrams, the fallback for the
//! names and places no dictionary holds. A query's run matches when all its jieba words occur or all
//! its bigrams do — words find "土地……纠纷" for 土地纠纷, bigrams find 王建国 however jieba cut it. A
//! party's name is also indexed by its pinyin and initials (张三: `zhangsan`, `zs`), which a query
//! matches as a prefix.

pub mod simhash;
mod snippet;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use jieba_rs::Jieba;
use pinyin::ToPinyin;

pub use snippet::{Segment, snippet};

/// The longest query taken, in characters: a search box, not a document.
pub const MAX_QUERY_CHARS: usize = 100;
/// The most terms one query combines; more only slow the database without narrowing much.
pub const MAX_TERMS: usize = 12;
/// The longest single latin or digit token kept (longer runs are not words anyone types).
const MAX_TOKEN_CHARS: usize = 40;

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for word in DICTIONARY.lines().map(str::trim) {
        if !word.is_empty() && !word.starts_with('#') {
            // No frequency: jieba then suggests one high enough to keep the word whole.
            j.add_word(word, None, None);
        }
    }
    j
});

const DICTIONARY: &str = include_str!("dict.txt");

/// Loads the dictionary now rather than on the first search (start-up, not a user, waits).
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// Is `c` a Chinese character (the CJK blocks a name or a petition is written in)?
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3007}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Full-width letters and digits as ASCII, lower-cased: `ＺＳ１２` is `zs12`.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Han,
    Word,
    Gap,
}

fn class(c: char) -> Class {
    if is_han(c) {
        Class::Han
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Gap
    }
}

/// A text cut into runs of Chinese characters and runs of other letters and digits.
fn runs(text: &str) -> Vec<(Class, String)> {
    let mut out: Vec<(Class, String)> = Vec::new();
    let mut open = false;
    for c in text.chars().map(fold) {
        let k = class(c);
        if k == Class::Gap {
            open = false;
            continue;
        }
        match out.last_mut() {
            Some((last, run)) if open && *last == k => run.push(c),
            _ => out.push((k, c.to_string())),
        }
        open = true;
    }
    out
}

fn bigrams(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// jieba's words of a run for the index, two characters or longer (single characters are not
/// indexed): every word and the shorter words inside it (拖欠工资, 拖欠, 工资).
fn words(run: &str) -> Vec<String> {
    JIEBA
        .cut_for_search(run, true)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_owned)
        .collect()
}

/// jieba's words of a query's run, each as short as the dictionary allows without losing a
/// character: 拖欠工资 asks for 拖欠 and 工资 (found in "工资已被拖欠" too), while 王建国 stays whole,
/// as 建国 alone would drop the surname.
fn query_words(run: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in JIEBA.cut(run, true) {
        let chars: Vec<char> = t.word.chars().collect();
        if chars.len() < 2 {
            continue;
        }
        let inner: Vec<Vec<char>> = JIEBA
            .cut_for_search(t.word, true)
            .into_iter()
            .map(|s| s.word.chars().collect::<Vec<_>>())
            .filter(|s| s.len() >= 2 && s.len() < chars.len())
            .collect();
        out.extend(tiling(&chars, &inner).unwrap_or_else(|| vec![t.word.to_owned()]));
    }
    out
}

/// The word cut into `pieces` end to end, the longest piece first at each place, if they cover it.
fn tiling(word: &[char], pieces: &[Vec<char>]) -> Option<Vec<String>> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < word.len() {
        let p = pieces
            .iter()
            .filter(|p| word[at..].starts_with(p))
            .max_by_key(|p| p.len())?;
        out.push(p.iter().collect());
        at += p.len();
    }
    (!out.is_empty()).then_some(out)
}

fn latin(run: &str) -> Option<String> {
    let n = run.chars().count();
    (1..=MAX_TOKEN_CHARS).contains(&n).then(|| run.to_owned())
}

/// The tokens a text is indexed by: jieba's words and the bigrams of every Chinese run, and every
/// other run of letters or digits as one lower-cased token. Sorted, each once.
pub fn tokens(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    add_tokens(&mut out, text);
    out
}

/// Adds a text's tokens to `out`.
pub fn add_tokens(out: &mut BTreeSet<String>, text: &str) {
    for (k, run) in runs(text) {
        match k {
            Class::Han => {
                out.extend(words(&run));
                out.extend(bigrams(&run));
            }
            _ => out.extend(latin(&run)),
        }
    }
}

/// Adds a person's name: its own tokens, and for a Chinese name its pinyin whole, by syllable and
/// by initials (张三: `zhangsan`, `zhang`, `san`, `zs`) — readings as the pinyin crate gives them.
pub fn add_name(out: &mut BTreeSet<String>, name: &str) {
    add_tokens(out, name);
    let syllables: Vec<&str> = name
        .chars()
        .filter(|c| is_han(*c))
        .filter_map(|c| c.to_pinyin().map(|p| p.plain()))
        .collect();
    if syllables.len() < 2 {
        return;
    }
    out.insert(syllables.concat());
    out.insert(syllables.iter().filter_map(|s| s.get(..1)).collect());
    out.extend(syllables.iter().map(|s| (*s).to_owned()));
}

/// One part of a query: all of one of its alternatives must occur.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// A run of Chinese characters: its jieba words (empty when jieba left only single
    /// characters), or its bigrams.
    Han {
        text: String,
        words: Vec<String>,
        bigrams: Vec<String>,
    },
    /// Letters or digits, matched as the start of a token (pinyin `zhang` finds `zhangsan`).
    Prefix(String),
}

/// A query as the database is asked it: every term must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("search-empty")]
    Empty,
    #[error("search-too-short")]
    TooShort,
    #[error("search-too-long")]
    TooLong,
}

impl QueryError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "search-empty",
            Self::TooShort => "search-too-short",
            Self::TooLong => "search-too-long",
        }
    }
}

impl Query {
    /// What a search box's text asks. Punctuation, quotes, `*` and words like `OR` or `NEAR` are
    /// text, never syntax: the query is rebuilt from tokens the database only ever sees quoted.
    pub fn parse(q: &str) -> Result<Self, QueryError> {
        let q = crate::text::strip_forbidden(q);
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut terms = Vec::new();
        let mut single = false;
        for (k, run) in runs(&q) {
            let n = run.chars().count();
            match k {
                // One character alone matches half the district: asked for at least two.
                _ if n == 1 => single = true,
                Class::Han => terms.push(Term::Han {
                    words: query_words(&run),
                    bigrams: bigrams(&run),
                    text: run,
                }),
                _ => terms.extend(latin(&run).map(Term::Prefix)),
            }
        }
        terms.dedup();
        terms.truncate(MAX_TERMS);
        match terms.is_empty() {
            false => Ok(Self { terms }),
            true if single => Err(QueryError::TooShort),
            true => Err(QueryError::Empty),
        }
    }

    /// The strings a snippet marks: each Chinese run and its words, and each latin term, longest
    /// first so that a longer match is marked whole.
    pub fn needles(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in &self.terms {
            match t {
                Term::Han { text, words, .. } => {
                    out.push(text.clone());
                    out.extend(words.iter().cloned());
                }
                Term::Prefix(p) => out.push(p.clone()),
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
