//! Documents (issue 11 §6): the hearing notice and announcement, the 检察建议书 and the 司法救助决定书
//! made from a hearing, a suggestion or an aid case the caller may see, as .docx from the kind's
//! template — the built-in GB/T 9704 layout, or one the administrator uploaded in its place.

use std::collections::HashMap;

use chrono::{Datelike, Timelike};
use gongzhi_domain::aid::AidState;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::{PartyRole, ReplyKind};
use gongzhi_domain::document::{self as rules, DocumentKind, Source};
use gongzhi_domain::hearing::{Venue, masked};
use gongzhi_domain::minor::masked_name;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::document::{self as store, TemplateMeta};
use gongzhi_store::{case, reference};

use crate::{App, AppError, Ctx, FieldError};

mod docx;

pub use docx::{DocxError, MAX_UPLOAD};

/// A generated (or template) file to download.
#[derive(Clone, Debug)]
pub struct DocumentFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A kind's template as the administrator's page lists it.
#[derive(Clone, Debug)]
pub struct TemplateInfo {
    pub kind: DocumentKind,
    /// The uploaded one in use, if any (else the built-in one).
    pub uploaded: Option<TemplateMeta>,
}

/// A record's fields for its document: the markers' values, the number the file is named
/// by, and the agency that issues it (its 红头, whoever downloads it — a suggestion's recipient too).
struct Filled {
    values: HashMap<&'static str, String>,
    number: String,
    issuer: String,
}

pub const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// 2026年12月15日上午9时30分, as notices write a time.
fn chinese_time(at: time::Timestamp) -> String {
    let t = at.with_timezone(&time::china());
    let (half, hour) = match t.hour() {
        h @ 0..12 => ("上午", h),
        12 => ("中午", 12),
        h => ("下午", h - 12),
    };
    let minutes = match t.minute() {
        0 => String::new(),
        m => format!("{m}分"),
    };
    format!(
        "{}年{}月{}日{half}{hour}时{minutes}",
        t.year(),
        t.month(),
        t.day()
    )
}

/// A field written as a sentence of the document: ended with 。 unless it ends with punctuation.
fn sentence(s: &str) -> String {
    let s = s.trim();
    match s.chars().last() {
        None => String::new(),
        Some(c) if "。！？；：.!?;:）)」”".contains(c) => s.to_owned(),
        Some(_) => format!("{s}。"),
    }
}

fn docx_error(e: DocxError) -> AppError {
    match e {
        DocxError::NotDocx => AppError::field("file", "document-not-docx"),
        DocxError::TooLarge => AppError::Invalid(vec![
            FieldError::new("file", "document-too-large").arg("mb", MAX_UPLOAD / 1024 / 1024),
        ]),
        DocxError::Unknown(names) => AppError::Invalid(vec![
            FieldError::new("file", "document-marker-unknown").arg("names", names.join("、")),
        ]),
    }
}

impl App {
    /// A document of a hearing, a suggestion or an aid case, filled from the record.
    pub async fn document(&self, ctx: &Ctx, kind: DocumentKind, id: Id) -> Result<DocumentFile, AppError> {
        // Whoever may see the record may have its documents; the record's own scope applies below.
        let view = match kind.source() {
            Source::Case => Action::ViewCases,
            Source::Hearing => Action::ViewHearings,
            Source::Suggestion => Action::ViewSuggestions,
            Source::Aid => Action::ViewAid,
        };
        self.authorize(ctx, view).await?;
        let Filled {
            mut values,
            number,
            issuer,
        } = match kind.source() {
            Source::Case => self.case_values(ctx, kind, id).await?,
            Source::Hearing => self.hearing_values(ctx, kind, id).await?,
            Source::Suggestion => self.suggestion_values(ctx, id).await?,
            Source::Aid => self.aid_values(ctx, id).await?,
        };
        let mut tx = self.db().begin().await?;
        let issuer: Id = issuer.parse().map_err(|_| AppError::NotFound)?;
        let agency = reference::agency_get(tx.conn(), issuer)
            .await?
            .ok_or(AppError::NotFound)?;
        let today = time::local_date(self.now());
        values.insert("机关", agency.name.clone());
        values.insert("日期", rules::chinese_date(today));
        values.insert("日期数字", rules::arabic_date(today));
        let template = match store::template(tx.conn(), kind.code()).await? {
            Some(t) => t,
            None => docx::default_template(kind).map_err(docx_error)?,
        };
        let bytes = docx::render(&template, &|name| values.get(name).cloned()).map_err(docx_error)?;
        ctx.audit(
            tx.conn(),
            "document.generate",
            kind.code(),
            &id.to_string(),
            Changes::new().set("number", number.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentFile {
            filename: format!("{}-{}.docx", kind.title(), number.replace(['/', '\\'], "-")),
            bytes,
        })
    }

    /// A petition's 受理告知书 or 答复意见书, from the case and its latest procedural or result reply
    /// (the document is the reply in writing: without one there is nothing to write).
    async fn case_values(&self, ctx: &Ctx, kind: DocumentKind, id: Id) -> Result<Filled, AppError> {
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, id).await?;
        let wanted = if kind == DocumentKind::AcceptanceNotice {
            ReplyKind::Procedural
        } else {
            ReplyKind::Result
        };
        let reply = gongzhi_store::reply::replies(&mut conn, id)
            .await?
            .into_iter()
            .filter(|r| r.kind == wanted.code())
            .max_by_key(|r| r.sent_at)
            .ok_or_else(|| AppError::field("kind", "document-reply-missing"))?;
        // A letter to the petitioner names the petitioners; a child among them by surname only
        // (Minor Protection Law Art. 103).
        let petitioners: Vec<String> = case::parties(&mut conn, id)
            .await?
            .into_iter()
            .filter(|p| p.role == PartyRole::Petitioner.code())
            .map(|p| {
                if p.minor != 0 {
                    masked_name(&p.name)
                } else {
                    p.name
                }
            })
            .collect();
        let owner = reference::agency_get(&mut conn, c.owner_agency_id).await?;
        let superior = gongzhi_store::review::superior_of(&mut conn, c.owner_agency_id).await?;
        let mut m = HashMap::new();
        m.insert("文号", c.number.clone());
        m.insert("案号", c.number.clone());
        m.insert(
            "信访人",
            if petitioners.is_empty() {
                "信访人".to_owned()
            } else {
                petitioners.join("、")
            },
        );
        m.insert("信访事项", c.title.clone());
        m.insert("收到日期", rules::chinese_date(time::local_date(c.received_at)));
        m.insert("告知内容", sentence(&reply.body));
        m.insert("答复内容", sentence(&reply.body));
        m.insert("承办单位", owner.map(|a| a.name).unwrap_or_default());
        m.insert(
            "复查机关",
            superior
                .map(|(_, name)| name)
                .unwrap_or_else(|| "上一级机关".to_owned()),
        );
        Ok(Filled {
            values: m,
            number: c.number,
            issuer: c.owner_agency_id.to_string(),
        })
    }

    async fn hearing_values(&self, ctx: &Ctx, kind: DocumentKind, id: Id) -> Result<Filled, AppError> {
        let v = self.hearing(ctx, id).await?;
        let h = &v.hearing;
        let Some(at) = h.row.scheduled_at else {
            return Err(AppError::field("kind", "document-hearing-unscheduled"));
        };
        let public = kind == DocumentKind::HearingAnnouncement;
        // §3.6 Art. 5, 10: only a public hearing is announced, never one with a minor party.
        if public && !h.public {
            return Err(AppError::field("kind", "document-hearing-closed"));
        }
        let names: Vec<String> = if public {
            let mut conn = self.db().conn().await?;
            case::parties(&mut conn, v.case_id)
                .await?
                .into_iter()
                .map(|p| p.name)
                .collect()
        } else {
            Vec::new()
        };
        let text = |s: &str| if public { masked(s, &names) } else { s.to_owned() };
        let place = match (h.venue, h.row.place.trim()) {
            (Venue::HearingRoom, "") => "本院听证室".to_owned(),
            (Venue::Online, "") => "本院听证室（网络远程听证）".to_owned(),
            (_, p) => text(p),
        };
        let officers: Vec<String> = v.seats.iter().map(|s| s.row.officer_name.clone()).collect();
        let participants: Vec<String> = v.participants.iter().map(|p| p.name.clone()).collect();
        let mut m = HashMap::new();
        m.insert("文号", v.number.clone());
        m.insert("案号", v.number.clone());
        m.insert("参加人", participants.join("、"));
        m.insert("听证事项", text(&h.row.topic));
        m.insert("听证时间", chinese_time(time::from_millis(at)));
        m.insert("听证地点", place);
        m.insert("公开方式", if h.public { "公开" } else { "不公开" }.to_owned());
        m.insert("主持人", h.row.chair_name.clone());
        m.insert(
            "听证员",
            if officers.is_empty() {
                "（待确定）".to_owned()
            } else {
                officers.join("、")
            },
        );
        m.insert("听证结果", sentence(&text(&h.row.announcement)));
        Ok(Filled {
            values: m,
            number: v.number,
            issuer: h.row.agency_id.clone(),
        })
    }

    async fn suggestion_values(&self, ctx: &Ctx, id: Id) -> Result<Filled, AppError> {
        let v = self.suggestion(ctx, id).await?;
        let r = &v.s.row;
        // The document exists once the chief prosecutor has decided and numbered it (§3.7).
        let Some(number) = r.number.clone() else {
            return Err(AppError::field("kind", "document-suggestion-undecided"));
        };
        let reply = match r.reply_days {
            0 => "两个月".to_owned(),
            n => format!("{n}日"),
        };
        let mut m = HashMap::new();
        m.insert("文号", number.clone());
        m.insert(
            "案号",
            v.cases.iter().map(|c| c.1.clone()).collect::<Vec<_>>().join("、"),
        );
        m.insert("标题", r.title.clone());
        m.insert("主送机关", v.recipient_name.clone());
        m.insert("事实", sentence(&r.facts));
        m.insert("问题", sentence(&r.problems));
        m.insert("法律依据", r.legal_basis.clone());
        m.insert("建议", r.proposals.clone());
        m.insert("回复期限", reply);
        m.insert("抄送", r.copies.clone());
        Ok(Filled {
            values: m,
            number,
            issuer: r.agency_id.clone(),
        })
    }

    async fn aid_values(&self, ctx: &Ctx, id: Id) -> Result<Filled, AppError> {
        let v = self.aid_case(ctx, id).await?;
        let r = &v.aid.row;
        let decided = !matches!(
            v.aid.state,
            AidState::Clue
                | AidState::Informed
                | AidState::Applied
                | AidState::AdvancePaid
                | AidState::Rejected
        );
        let (true, Some(number)) = (decided, r.number.clone()) else {
            return Err(AppError::field("kind", "document-aid-undecided"));
        };
        let reasons: Vec<&str> = v.aid.categories.iter().map(|c| c.legal_text()).collect();
        let hardship = sentence(&r.hardship);
        let mut m = HashMap::new();
        m.insert("文号", number.clone());
        m.insert("案号", v.number.clone());
        m.insert("申请人", r.applicant_name.clone());
        m.insert("案由", v.title.clone());
        m.insert("救助理由", format!("{}{hardship}", sentence(&reasons.join("；"))));
        m.insert("救助金额", r.amount.to_string());
        m.insert("救助金额大写", rules::yuan_in_capitals(r.amount));
        m.insert("决定内容", sentence(&r.decision_text));
        Ok(Filled {
            values: m,
            number,
            issuer: r.agency_id.clone(),
        })
    }

    /// Each kind's template: the uploaded one in use, or the built-in one.
    pub async fn document_templates(&self, ctx: &Ctx) -> Result<Vec<TemplateInfo>, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut conn = self.db().conn().await?;
        let uploaded = store::templates(&mut conn).await?;
        Ok(DocumentKind::ALL
            .iter()
            .map(|k| TemplateInfo {
                kind: *k,
                uploaded: uploaded.iter().find(|t| t.kind == k.code()).cloned(),
            })
            .collect())
    }

    /// The template in use for a kind, unfilled, to edit in Word and upload back.
    pub async fn document_template(&self, ctx: &Ctx, kind: DocumentKind) -> Result<DocumentFile, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut conn = self.db().conn().await?;
        let bytes = match store::template(&mut conn, kind.code()).await? {
            Some(b) => b,
            None => docx::default_template(kind).map_err(docx_error)?,
        };
        Ok(DocumentFile {
            filename: format!("{}-模板.docx", kind.title()),
            bytes,
        })
    }

    /// Replaces a kind's template with an uploaded .docx whose markers are all the kind's.
    pub async fn upload_document_template(
        &self,
        ctx: &Ctx,
        kind: DocumentKind,
        filename: &str,
        bytes: &[u8],
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageReference).await?;
        let used = docx::markers(bytes).map_err(docx_error)?;
        let unknown: Vec<String> = used.iter().filter(|p| !kind.allows(p)).cloned().collect();
        if !unknown.is_empty() {
            return Err(docx_error(DocxError::Unknown(unknown)));
        }
        if used.is_empty() {
            return Err(AppError::field("file", "document-marker-none"));
        }
        let mut tx = self.db().begin().await?;
        let meta = TemplateMeta {
            kind: kind.code().into(),
            filename: filename.trim().chars().take(200).collect(),
            uploaded_by_name: actor.display_name.clone(),
            uploaded_at: time::to_millis(self.now()),
        };
        store::put_template(tx.conn(), &meta, bytes).await?;
        ctx.audit(
            tx.conn(),
            "document.template_upload",
            "document_template",
            kind.code(),
            Changes::new()
                .set("filename", meta.filename.as_str())
                .set("markers", used.join("、")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Goes back to a kind's built-in template.
    pub async fn reset_document_template(&self, ctx: &Ctx, kind: DocumentKind) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        if store::delete_template(tx.conn(), kind.code()).await? {
            ctx.audit(
                tx.conn(),
                "document.template_reset",
                "document_template",
                kind.code(),
                Changes::new(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
