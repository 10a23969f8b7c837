//! The few lines of a hit shown under its title, with what the query asked for marked.

use super::fold;

/// A piece of a snippet: marked when it is what the query asked for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Segment {
    pub text: String,
    pub mark: bool,
}

/// About `width` characters of `text` around the first needle found (from the start when none is,
/// as for a hit on a name's pinyin), every needle in it marked; "…" where text was left out. Line
/// breaks become spaces. Matching ignores case and full-width forms, as the index does.
pub fn snippet(text: &str, needles: &[String], width: usize) -> Vec<Segment> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let folded: Vec<char> = chars.iter().map(|c| fold(*c)).collect();
    let needles: Vec<Vec<char>> = needles
        .iter()
        .map(|n| n.chars().map(fold).collect::<Vec<_>>())
        .filter(|n| !n.is_empty())
        .collect();
    let at = |i: usize| needles.iter().find(|n| folded[i..].starts_with(n)).map(Vec::len);
    let first = (0..folded.len()).find(|i| at(*i).is_some()).unwrap_or(0);
    let start = first.saturating_sub(width / 4);
    let end = (start + width).min(chars.len());
    let start = end.saturating_sub(width).min(start);
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |s: String, mark: bool| match out.last_mut() {
        Some(last) if last.mark == mark => last.text.push_str(&s),
        _ => out.push(Segment { text: s, mark }),
    };
    if start > 0 {
        push("…".into(), false);
    }
    let mut i = start;
    while i < end {
        match at(i) {
            Some(n) => {
                let stop = (i + n).min(end);
                push(chars[i..stop].iter().collect(), true);
                i = stop;
            }
            None => {
                push(chars[i].to_string(), false);
                i += 1;
            }
        }
    }
    if end < chars.len() {
        push("…".into(), false);
    }
    out
}
