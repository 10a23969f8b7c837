//! The default templates' layout, per GB/T 9704-2012: A4 with the 版心 156 × 225 mm (天头 37 mm,
//! 订口 28 mm), 3号仿宋 body at 22 lines a page (exact 28.95 pt line pitch), a red 发文机关标志 in
//! 小标宋, the 发文字号 over a red separator, a 2号小标宋 title, 署名 and 成文日期 at the right
//! with the seal's place, 版记 lines for 抄送, page numbers "— 1 —" in 4号宋体.

use super::DocumentKind;

/// Twips per millimetre (1 inch = 1440 twips = 25.4 mm).
const fn mm(n: u32) -> u32 {
    n * 1440 * 10 / 254
}

const BODY_FONT: &str = "仿宋_GB2312";
const TITLE_FONT: &str = "方正小标宋简体";
const RED: &str = "FF0000";
/// 3号 = 16 pt, in half points.
const BODY_SIZE: u32 = 32;
/// 28.95 pt: 225 mm over 22 lines.
const LINE: u32 = 579;

fn run(text: &str, font: &str, size: u32, color: Option<&str>) -> String {
    let color = color
        .map(|c| format!("<w:color w:val=\"{c}\"/>"))
        .unwrap_or_default();
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\"/>{color}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        super::escape(text)
    )
}

/// The body's spacing: the exact line pitch, nothing before or after.
fn exact() -> String {
    format!("<w:spacing w:line=\"{LINE}\" w:lineRule=\"exact\" w:before=\"0\" w:after=\"0\"/>")
}

/// A paragraph: `align` (left, center, right, both), first-line indent in characters, right
/// indent in characters, extra properties.
fn para(runs: &str, align: &str, indent_chars: u32, right_chars: u32, extra: &str) -> String {
    spaced(runs, align, (indent_chars, right_chars), extra, &exact())
}

/// A paragraph with its own spacing.
fn spaced(
    runs: &str,
    align: &str,
    (indent_chars, right_chars): (u32, u32),
    extra: &str,
    spacing: &str,
) -> String {
    let ind = match (indent_chars, right_chars) {
        (0, 0) => String::new(),
        (f, r) => format!(
            "<w:ind w:firstLine=\"{}\" w:right=\"{}\"/>",
            f * BODY_SIZE * 10,
            r * BODY_SIZE * 10
        ),
    };
    format!("<w:p><w:pPr>{extra}{spacing}{ind}<w:jc w:val=\"{align}\"/></w:pPr>{runs}</w:p>")
}

fn body(text: &str) -> String {
    para(&run(text, BODY_FONT, BODY_SIZE, None), "both", 2, 0, "")
}

fn blank() -> String {
    para("", "left", 0, 0, "")
}

/// 版头: the agency's name in red, the number line over the red separator.
fn head(number: &str) -> String {
    // §7.2.2: the mark's upper edge 35 mm below the 版心's (the glyph sits about 3 mm into its
    // line); 36 pt does not fit the body's exact pitch, so it has a line height of its own.
    let mark = spaced(
        &run("{{机关}}", TITLE_FONT, 72, Some(RED)),
        "center",
        (0, 0),
        "",
        &format!(
            "<w:spacing w:before=\"{}\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>",
            mm(32)
        ),
    );
    let separator =
        format!("<w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"8\" w:color=\"{RED}\"/></w:pBdr>");
    [
        mark,
        blank(),
        para(
            &run(number, BODY_FONT, BODY_SIZE, None),
            "center",
            0,
            0,
            &separator,
        ),
        blank(),
    ]
    .concat()
}

fn title(text: &str) -> String {
    [
        para(&run(text, TITLE_FONT, 44, None), "center", 0, 0, ""),
        blank(),
    ]
    .concat()
}

/// 主送机关: flush left, with a full-width colon.
fn addressee(text: &str) -> String {
    para(&run(text, BODY_FONT, BODY_SIZE, None), "left", 0, 0, "")
}

/// 署名 and 成文日期 at the right, four characters in, two lines below the body (§7.3.5.1: the
/// seal is pressed over both), kept together on one page.
fn signature() -> String {
    let keep = "<w:keepNext/>";
    [
        para("", "left", 0, 0, keep),
        para("", "left", 0, 0, keep),
        para(&run("{{机关}}", BODY_FONT, BODY_SIZE, None), "right", 0, 4, keep),
        para(&run("{{日期}}", BODY_FONT, BODY_SIZE, None), "right", 0, 4, ""),
    ]
    .concat()
}

/// 版记: 抄送 between two lines, 4号仿宋.
fn record(copies: &str) -> String {
    let lines = "<w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"000000\"/><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"000000\"/></w:pBdr>";
    [
        blank(),
        para(&run(copies, BODY_FONT, 28, None), "left", 0, 0, lines),
    ]
    .concat()
}

/// The body paragraphs of a kind's default template.
fn content(kind: DocumentKind) -> String {
    match kind {
        DocumentKind::HearingNotice => [
            head("（{{案号}}）"),
            title("听证通知书"),
            addressee("{{参加人}}："),
            body("本院定于{{听证时间}}在{{听证地点}}，就{{听证事项}}举行{{公开方式}}听证会。听证会由{{主持人}}主持，听证员为{{听证员}}。"),
            body("请你（单位）准时参加，并携带身份证件和与听证事项有关的材料。当事人认为听证员、检察官与案件有利害关系或者其他关系可能影响公正听证的，可以在听证会开始前提出回避申请。不能按时参加的，请于听证会三日前告知本院。"),
            body("特此通知。"),
            signature(),
        ]
        .concat(),
        DocumentKind::HearingAnnouncement => [
            head("（{{案号}}）"),
            title("听证公告"),
            body("本院定于{{听证时间}}在{{听证地点}}，就{{听证事项}}举行公开听证。听证员为{{听证员}}。"),
            body("公民可以向本院申请旁听；旁听人员应当遵守听证纪律。"),
            body("{{听证结果}}"),
            body("特此公告。"),
            signature(),
        ]
        .concat(),
        DocumentKind::Suggestion => [
            head("{{文号}}"),
            title("检察建议书"),
            addressee("{{主送机关}}："),
            body("本院在履行法律监督职责中发现：{{事实}}"),
            body("上述情况反映出以下问题：{{问题}}"),
            body("为此，根据{{法律依据}}的规定，特提出如下检察建议："),
            body("{{建议}}"),
            body("请你单位自收到本检察建议书之日起{{回复期限}}内，将采纳建议、整改落实的情况书面回复本院。对本检察建议书有异议的，可以自收到之日起十日内向本院书面提出。"),
            signature(),
            record("抄送：{{抄送}}"),
        ]
        .concat(),
        DocumentKind::AidDecision => [
            head("{{文号}}"),
            title("司法救助决定书"),
            body("申请人：{{申请人}}。"),
            body("申请人{{申请人}}因{{案由}}一案，向本院申请国家司法救助。"),
            body("经审查，申请人{{救助理由}}"),
            body("{{决定内容}}"),
            body("根据《人民检察院国家司法救助工作细则》的规定，本院决定给予申请人{{申请人}}国家司法救助金{{救助金额大写}}（¥{{救助金额}}元），一次性发放。"),
            signature(),
        ]
        .concat(),
        // DOMAIN.md §3.2: the procedural reply within 7 days; the result within 3 months, or the
        // progress, and every month after until done.
        DocumentKind::AcceptanceNotice => [
            head("{{案号}}"),
            title("受理告知书"),
            addressee("{{信访人}}："),
            body("你（们）于{{收到日期}}反映的{{信访事项}}一事，本院已收悉。"),
            body("{{告知内容}}"),
            body("本案由{{承办单位}}办理。本院将在三个月内将办理结果答复你（们）；三个月内未能办结的，将告知办理进展，此后每月答复一次，直至办结。"),
            body("特此告知。"),
            signature(),
        ]
        .concat(),
        // DOMAIN.md §3.3 (信访工作条例 Art. 35): 30 days from the written opinion to ask for a review.
        DocumentKind::ReplyOpinion => [
            head("{{案号}}"),
            title("答复意见书"),
            addressee("{{信访人}}："),
            body("你（们）于{{收到日期}}反映的{{信访事项}}一事，本院依法进行了办理。现答复如下："),
            body("{{答复内容}}"),
            body("如对本答复意见不服，可以自收到本答复意见书之日起三十日内，向{{复查机关}}书面请求复查。"),
            signature(),
        ]
        .concat(),
    }
}

/// The footer: the page number, "— 1 —", 4号半角宋体.
pub fn footer() -> String {
    let font = "<w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
<w:r>{font}<w:t xml:space=\"preserve\">— </w:t></w:r><w:r>{font}<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>{font}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r>{font}<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>{font}<w:t>1</w:t></w:r><w:r>{font}<w:fldChar w:fldCharType=\"end\"/></w:r><w:r>{font}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

/// `word/document.xml` of a kind's default template.
pub fn document(kind: DocumentKind) -> String {
    let sect = format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
<w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/>\
<w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE}\" w:charSpace=\"0\"/></w:sectPr>",
        mm(37),
        mm(26),
        mm(35),
        mm(28),
        mm(28) / 2
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<w:body>{}{sect}</w:body></w:document>",
        content(kind)
    )
}

/// `word/styles.xml`: the body's font and size as the default, so text typed anywhere matches.
pub fn styles() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"{BODY_FONT}\" w:hAnsi=\"{BODY_FONT}\" w:eastAsia=\"{BODY_FONT}\" w:cs=\"{BODY_FONT}\"/><w:sz w:val=\"{BODY_SIZE}\"/><w:szCs w:val=\"{BODY_SIZE}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:line=\"{LINE}\" w:lineRule=\"exact\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style></w:styles>"
    )
}
