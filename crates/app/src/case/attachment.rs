//! Attachments: checked by content and size, stored with their SM3 hash.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_domain::referral::ReceiverWork;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::attachment;
pub use gongzhi_store::case::Case;

use crate::case::{Upload, sm3_hex};
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

impl App {
    /// Stores a file with its SM3 digest; the digest goes to the audit log, where the audit
    /// administrator checks a file's integrity (GB/T 39786 §7: integrity of important data), and
    /// not onto the case page.
    pub(crate) async fn store_attachment(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &Case,
        u: &Upload,
        mime: &str,
    ) -> Result<Id, AppError> {
        let id = Id::new();
        let name: String = u
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("附件")
            .chars()
            .filter(|ch| !ch.is_control())
            .take(120)
            .collect();
        let sm3 = sm3_hex(&u.data);
        ctx.audit(
            conn,
            "attachment.store",
            "attachment",
            &id.to_string(),
            Changes::new()
                .set("case", c.number.clone())
                .set("file", name.clone())
                .set("sm3", sm3.clone()),
        )
        .await?;
        attachment::insert_attachment(
            conn,
            &attachment::AttachmentMeta {
                id: id.to_string(),
                case_id: c.id.to_string(),
                filename: name,
                mime: mime.to_owned(),
                size: i64::try_from(u.data.len()).unwrap_or(i64::MAX),
                sm3,
                uploaded_by_name: ctx.timeline_name(),
                uploaded_at: time::to_millis(self.now()),
            },
            &u.data,
        )
        .await?;
        Ok(id)
    }

    /// At most ten files, each within the size limit and of an accepted type by its content; returns
    /// the content types of the files that passed.
    pub(crate) fn check_uploads(&self, checks: &mut Checks, uploads: &[Upload]) -> Vec<&'static str> {
        let limit = self.case_settings().max_attachment_bytes;
        if uploads.len() > 10 {
            checks.fail(FieldError::new("attachments", "attachments-too-many"));
        }
        let mut mimes = Vec::new();
        for u in uploads {
            if u.data.len() > limit {
                checks.fail(
                    FieldError::new("attachments", "attachment-too-large")
                        .arg("name", &u.filename)
                        .arg("limit", limit / (1024 * 1024)),
                );
            } else {
                match gongzhi_domain::attachment::check(&u.filename, &u.data) {
                    Ok(mime) => mimes.push(mime),
                    Err(e) => checks.fail(
                        FieldError::new("attachments", e.message_key()).arg(
                            "name",
                            u.filename
                                .chars()
                                .filter(|c| !gongzhi_domain::attachment::is_disguising(*c))
                                .collect::<String>(),
                        ),
                    ),
                }
            }
        }
        mimes
    }

    /// Adds attachments to an existing case.
    pub async fn add_attachments(&self, ctx: &Ctx, case: Id, uploads: &[Upload]) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self
            .case_for_work(tx.conn(), ctx, case, ReceiverWork::Attachment)
            .await?;
        let mut checks = Checks::new();
        checks.check(!uploads.is_empty(), "attachments", "attachments-none");
        let mimes = self.check_uploads(&mut checks, uploads);
        checks.finish()?;
        for (u, m) in uploads.iter().zip(mimes) {
            self.store_attachment(tx.conn(), ctx, &c, u, m).await?;
        }
        self.event(
            tx.conn(),
            ctx,
            &c,
            "attachment",
            &uploads.len().to_string(),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.attach",
            "case",
            &case.to_string(),
            Changes::new().set("files", uploads.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn attachment(
        &self,
        ctx: &Ctx,
        case: Id,
        attachment: Id,
    ) -> Result<(attachment::AttachmentMeta, Vec<u8>), AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, case).await?;
        let (meta, data) = attachment::attachment_data(&mut conn, attachment)
            .await?
            .ok_or(AppError::NotFound)?;
        if meta.case_id != c.id.to_string() {
            return Err(AppError::NotFound);
        }
        Ok((meta, data))
    }
}
