//! Near-duplicate narratives (issue 13 §2; ARCHITECTURE.md "duplicates"): a weighted 64-bit
//! SimHash over jieba's keywords, with a hash fixed here (FNV-1a 64 over the UTF-8 bytes) so that
//! the same text gives the same value on every machine, release and database. Four 16-bit bands
//! are stored beside it: two values within [`MAX_DISTANCE`] bits of each other share at least one
//! band (four bands, three differing bits), so an indexed lookup by band finds every candidate.

use std::collections::BTreeMap;

use super::{JIEBA, is_han};

/// Hamming distance at or under which two narratives are taken as "likely the same".
pub const MAX_DISTANCE: u32 = 3;

/// Words that say nothing about which grievance it is.
const STOP: &[&str] = &[
    "反映", "要求", "我们", "他们", "自己", "因为", "所以", "但是", "已经", "没有", "问题", "情况", "进行",
    "相关", "有关", "一个", "这个", "那个", "以及", "并且", "或者", "其中", "目前", "现在",
];

/// FNV-1a, 64-bit: small, fixed and the same everywhere.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The keywords of a text with their weights: jieba's words of two characters or more, less the
/// stop words, each weighted by how often it occurs times its length (longer words say more).
pub fn keywords(text: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for t in JIEBA.cut(text, true) {
        let n = t.word.chars().count();
        // A Chinese word, or a run of letters and digits (a number, a company's latin name).
        let word = t.word.chars().all(is_han) || t.word.chars().all(char::is_alphanumeric);
        if n >= 2 && word && !STOP.contains(&t.word) {
            *out.entry(t.word.to_lowercase()).or_insert(0) += i64::try_from(n).unwrap_or(1);
        }
    }
    out
}

/// The SimHash of a text; 0 for a text with no keywords (which then matches nothing: see
/// [`similar`]).
pub fn simhash(text: &str) -> u64 {
    let mut v = [0i64; 64];
    let words = keywords(text);
    if words.is_empty() {
        return 0;
    }
    for (w, weight) in &words {
        let h = fnv1a(w.as_bytes());
        for (bit, acc) in v.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *acc += weight;
            } else {
                *acc -= weight;
            }
        }
    }
    v.iter()
        .enumerate()
        .filter(|(_, acc)| **acc > 0)
        .fold(0u64, |h, (bit, _)| h | 1 << bit)
}

/// A case's SimHash: of its title and narrative together.
pub fn of_case(title: &str, narrative: &str) -> u64 {
    simhash(&format!("{title} {narrative}"))
}

/// The four 16-bit bands, low bits first, as the database stores them.
pub fn bands(h: u64) -> [i64; 4] {
    [0, 1, 2, 3].map(|i| i64::from((h >> (16 * i)) as u16))
}

pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Two narratives are likely the same grievance: both have keywords and differ in at most
/// `max` bits.
pub fn similar(a: u64, b: u64, max: u32) -> bool {
    a != 0 && b != 0 && distance(a, b) <= max
}

/// A SimHash as the database keeps it (a signed 64-bit column) and back.
pub fn to_stored(h: u64) -> i64 {
    h as i64
}

pub fn from_stored(v: i64) -> u64 {
    v as u64
}
