//! Official documents (法律文书) the workflows produce — the hearing notice and announcement, the
//! procuratorial suggestion (检察建议书) and the judicial-aid decision (司法救助决定书) — as Word
//! documents staff edit and print: a template (the default layout here, or one the administrator
//! uploads) whose `{{占位符}}` are filled with the record's fields.
//!
//! The layout follows GB/T 9704-2012 (党政机关公文格式): red 发文机关标志, 发文字号 with 〔〕, the
//! red separator, a 2号小标宋 title, 3号仿宋 body of 22 lines a page, 版记. One rule is not settled:
//! GB/T 9704-2012 §7.3.5.1 writes 成文日期 in Arabic numerals, while the procuratorate's legal
//! documents (人民检察院法律文书格式样本) write it in Chinese numerals (二〇二六年十二月二日). The
//! default templates use Chinese numerals as the procuratorate does; both forms are offered as
//! markers (`{{日期}}`, `{{日期数字}}`), so an uploaded template chooses.

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use crate::policy::codes;

pub mod layout;

codes! {
    DocumentKind {
        /// 听证通知书: to the parties and participants, at least 3 days before (§3.6 Art. 10).
        HearingNotice => "hearing_notice",
        /// 听证公告: a public hearing's announcement, parties' names masked (§3.6 Art. 10, 21).
        HearingAnnouncement => "hearing_announcement",
        /// 检察建议书 (§3.7), numbered 甘州检建〔2026〕1号.
        Suggestion => "suggestion",
        /// 司法救助决定书 (§3.8), numbered 甘州检司救〔2026〕1号.
        AidDecision => "aid_decision",
        /// 受理告知书: a petition's procedural reply in writing (§3.2: within 7 days — accepted, not
        /// accepted, transferred, materials needed), with the 3-month and monthly commitments.
        AcceptanceNotice => "acceptance_notice",
        /// 答复意见书: the written result reply (§3.2, 3 months), which opens the petitioner's 30
        /// days to request a review by the next-higher organ (§3.3, 信访工作条例 Art. 35).
        ReplyOpinion => "reply_opinion",
    }
}

/// The record a document is made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Case,
    Hearing,
    Suggestion,
    Aid,
}

/// Markers every document offers.
const COMMON: &[(&str, &str)] = &[
    ("机关", "本院全称，如 甘州区人民检察院"),
    ("文号", "文书编号（检察建议书、司法救助决定书）或案号"),
    ("案号", "所涉案件的案号"),
    ("日期", "成文日期，汉字数字（二〇二六年十二月二日）"),
    ("日期数字", "成文日期，阿拉伯数字（2026年12月2日）"),
];

impl DocumentKind {
    pub fn source(self) -> Source {
        match self {
            DocumentKind::HearingNotice | DocumentKind::HearingAnnouncement => Source::Hearing,
            DocumentKind::Suggestion => Source::Suggestion,
            DocumentKind::AidDecision => Source::Aid,
            DocumentKind::AcceptanceNotice | DocumentKind::ReplyOpinion => Source::Case,
        }
    }

    /// The document's name, its title and the file's name.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::HearingNotice => "听证通知书",
            DocumentKind::HearingAnnouncement => "听证公告",
            DocumentKind::Suggestion => "检察建议书",
            DocumentKind::AidDecision => "司法救助决定书",
            DocumentKind::AcceptanceNotice => "受理告知书",
            DocumentKind::ReplyOpinion => "答复意见书",
        }
    }

    /// The markers a template of this kind may use, with what each is.
    pub fn markers(self) -> Vec<(&'static str, &'static str)> {
        let own: &[(&str, &str)] = match self {
            DocumentKind::HearingNotice => &[
                ("参加人", "听证参加人（当事人及其他参加人），以顿号分隔"),
                ("听证事项", "听证会审查的事项"),
                ("听证时间", "如 2026年12月15日上午9时30分"),
                ("听证地点", "听证室或村（社区）的地点"),
                ("公开方式", "公开 / 不公开"),
                ("主持人", "主持听证的检察官"),
                ("听证员", "听证员姓名，以顿号分隔"),
            ],
            DocumentKind::HearingAnnouncement => &[
                ("听证事项", "听证会审查的事项（当事人姓名已隐去）"),
                ("听证时间", "如 2026年12月15日上午9时30分"),
                ("听证地点", "听证室或村（社区）的地点"),
                ("听证员", "听证员姓名，以顿号分隔"),
                ("听证结果", "听证后的结果公告（当事人姓名已隐去）；未公告时为空"),
            ],
            DocumentKind::Suggestion => &[
                ("标题", "检察建议的标题"),
                ("主送机关", "被建议单位"),
                ("事实", "检察机关查明的事实"),
                ("问题", "存在的问题"),
                ("法律依据", "提出建议的法律依据"),
                ("建议", "建议的内容"),
                ("回复期限", "书面回复的期限，如 两个月"),
                ("抄送", "抄送单位"),
            ],
            DocumentKind::AidDecision => &[
                ("申请人", "救助申请人"),
                ("案由", "所涉案件"),
                ("救助理由", "符合的救助情形与生活困难情况"),
                ("救助金额", "阿拉伯数字，元"),
                ("救助金额大写", "人民币大写，如 人民币叁万元整"),
                ("决定内容", "决定的理由与内容"),
            ],
            DocumentKind::AcceptanceNotice => &[
                ("信访人", "信访人姓名，以顿号分隔"),
                ("信访事项", "信访事项（案件标题）"),
                ("收到日期", "收到信访事项的日期，汉字数字"),
                ("告知内容", "程序性答复的内容：受理、不予受理、转送或补充材料"),
                ("承办单位", "承办案件的单位"),
            ],
            DocumentKind::ReplyOpinion => &[
                ("信访人", "信访人姓名，以顿号分隔"),
                ("信访事项", "信访事项（案件标题）"),
                ("收到日期", "收到信访事项的日期，汉字数字"),
                ("答复内容", "答复意见（结果答复的内容）"),
                ("复查机关", "可以请求复查的上一级机关"),
            ],
        };
        COMMON.iter().chain(own).copied().collect()
    }

    pub fn allows(self, name: &str) -> bool {
        self.markers().iter().any(|(n, _)| *n == name)
    }
}

const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 1–31 in Chinese numerals as dates write them: 十, 十一, 二十, 三十一.
fn small(n: u32) -> String {
    let digit = |d: u32| DIGITS[usize::try_from(d).unwrap_or(0) % 10];
    match n {
        0..=9 => digit(n).to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", digit(n % 10)),
        _ if n.is_multiple_of(10) => format!("{}十", digit(n / 10)),
        _ => format!("{}十{}", digit(n / 10), digit(n % 10)),
    }
}

/// 二〇二六年十二月二日: each digit of the year, the month and day as numbers.
pub fn chinese_date(d: NaiveDate) -> String {
    let year: String = d
        .year()
        .to_string()
        .chars()
        .map(|c| {
            c.to_digit(10)
                .map_or(c, |v| DIGITS[usize::try_from(v).unwrap_or(0)])
        })
        .collect();
    format!("{year}年{}月{}日", small(d.month()), small(d.day()))
}

/// 2026年12月2日 (GB/T 9704-2012 §7.3.5.1: months and days without a leading zero).
pub fn arabic_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// An amount of whole yuan in capitals as money is written on a decision: 人民币叁万零伍佰元整.
pub fn yuan_in_capitals(yuan: i64) -> String {
    const NUM: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNIT: [&str; 4] = ["", "拾", "佰", "仟"];
    const SECTION: [&str; 3] = ["", "万", "亿"];
    if yuan <= 0 {
        return "人民币零元整".into();
    }
    let mut sections = Vec::new();
    let mut n = yuan;
    while n > 0 {
        sections.push(n % 10_000);
        n /= 10_000;
    }
    let mut out = String::new();
    // A zero is read once between non-zero digits, also across sections (壹万零伍佰).
    let mut zero = false;
    for (i, sec) in sections.iter().enumerate().rev() {
        if *sec == 0 {
            zero = !out.is_empty();
            continue;
        }
        let digits = [sec / 1000, sec / 100 % 10, sec / 10 % 10, sec % 10];
        for (k, d) in digits.iter().enumerate() {
            if *d == 0 {
                zero = !out.is_empty();
                continue;
            }
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(NUM[usize::try_from(*d).unwrap_or(0)]);
            out.push_str(UNIT[3 - k]);
        }
        out.push_str(SECTION.get(i).copied().unwrap_or("亿"));
    }
    format!("人民币{out}元整")
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum FillError {
    /// Markers the document kind does not know.
    #[error("unknown markers: {}", .0.join(", "))]
    Unknown(Vec<String>),
}

/// A `<w:t>` element's text in a part of a Word document, and the paragraph it belongs to.
struct Text {
    /// The opening tag's start and the text's start and end (bytes).
    open: usize,
    start: usize,
    end: usize,
    paragraph: usize,
}

fn texts(xml: &str) -> Vec<Text> {
    let mut out = Vec::new();
    let mut paragraph = 0;
    let mut at = 0;
    while let Some(off) = xml[at..].find('<') {
        let open = at + off;
        let rest = &xml[open..];
        if rest.starts_with("</w:p>") {
            paragraph += 1;
            at = open + 6;
        } else if rest.starts_with("<w:t>") || rest.starts_with("<w:t ") {
            let Some(gt) = rest.find('>') else { break };
            // `<w:t/>` holds nothing.
            if rest[..gt].ends_with('/') {
                at = open + gt + 1;
                continue;
            }
            let start = open + gt + 1;
            let Some(close) = xml[start..].find("</w:t>") else {
                break;
            };
            out.push(Text {
                open,
                start,
                end: start + close,
                paragraph,
            });
            at = start + close + 6;
        } else {
            at = open + 1;
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `{{name}}` spans of a paragraph's text (char indices), with their names.
fn spans(text: &[char]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < text.len() {
        if text[i] == '{'
            && text[i + 1] == '{'
            && let Some(len) = text[i + 2..].windows(2).position(|w| w == ['}', '}'])
        {
            let name: String = text[i + 2..i + 2 + len].iter().collect();
            out.push((i, i + 4 + len, name.trim().to_owned()));
            i += 4 + len;
            continue;
        }
        i += 1;
    }
    out
}

/// The markers a part uses, also those Word split across runs (spell check, fonts, edits).
pub fn markers_in(xml: &str) -> Vec<String> {
    let ts = texts(xml);
    let mut out = Vec::new();
    for group in ts.chunk_by(|a, b| a.paragraph == b.paragraph) {
        let text: Vec<char> = group
            .iter()
            .flat_map(|t| unescape(&xml[t.start..t.end]).chars().collect::<Vec<_>>())
            .collect();
        out.extend(spans(&text).into_iter().map(|(_, _, n)| n));
    }
    out
}

/// Fills a part's markers with `value(name)`. A marker split across runs is written
/// into the run it starts in; a value's line breaks become line breaks of that run. Text outside
/// the markers keeps its runs and their formatting.
pub fn fill(xml: &str, value: &dyn Fn(&str) -> Option<String>) -> Result<String, FillError> {
    let ts = texts(xml);
    let mut unknown = Vec::new();
    // The new text of each run that changes.
    let mut changed: Vec<(usize, String)> = Vec::new();
    let mut first = 0;
    for group in ts.chunk_by(|a, b| a.paragraph == b.paragraph) {
        let mut text = Vec::new();
        let mut owner = Vec::new();
        for (k, t) in group.iter().enumerate() {
            for c in unescape(&xml[t.start..t.end]).chars() {
                text.push(c);
                owner.push(first + k);
            }
        }
        let found = spans(&text);
        if !found.is_empty() {
            let mut out: Vec<String> = vec![String::new(); group.len()];
            let mut i = 0;
            for (a, b, name) in &found {
                for p in i..*a {
                    out[owner[p] - first].push(text[p]);
                }
                match value(name) {
                    Some(v) => out[owner[*a] - first].push_str(&v),
                    None => unknown.push(name.clone()),
                }
                i = *b;
            }
            for p in i..text.len() {
                out[owner[p] - first].push(text[p]);
            }
            // Runs whose text is what it was are left exactly as written.
            changed.extend(
                out.into_iter()
                    .enumerate()
                    .filter(|(k, s)| *s != unescape(&xml[group[*k].start..group[*k].end]))
                    .map(|(k, s)| (first + k, s)),
            );
        }
        first += group.len();
    }
    if !unknown.is_empty() {
        unknown.dedup();
        return Err(FillError::Unknown(unknown));
    }
    let mut xml_out = String::with_capacity(xml.len() + 1024);
    let mut at = 0;
    for (k, new) in changed {
        let t = &ts[k];
        xml_out.push_str(&xml[at..t.open]);
        xml_out.push_str("<w:t xml:space=\"preserve\">");
        let lines: Vec<String> = new.split('\n').map(escape).collect();
        xml_out.push_str(&lines.join("</w:t><w:br/><w:t xml:space=\"preserve\">"));
        at = t.end;
    }
    xml_out.push_str(&xml[at..]);
    Ok(xml_out)
}

#[cfg(test)]
mod tests;
