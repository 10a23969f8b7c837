//! Exports (issue 13 §5): a list or a report as an .xlsx workbook. What leaves the system is
//! redacted as the minors' rules say (PRODUCT.md module 9 "redacted in every export"; Minor
//! Protection Law Art. 103, DOMAIN.md §6.1: nothing that identifies a minor in a case), every
//! export is audited with what it held, and a cell never runs as a formula (`xlsx`).

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::Action;
use gongzhi_store::case::CaseFilter;

use crate::case::Listed;
use crate::{App, AppError, Ctx};

pub mod xlsx;

pub use xlsx::{Cell, Sheet, XLSX_MIME, workbook};

/// The most cases one export holds: beyond it the user narrows the list (a district's year is
/// some thousands; a file of more is not read, only passed on).
pub const EXPORT_MAX: i64 = 20_000;

/// What stands for a minor's case's title and place in an export.
pub const MINOR_REDACTED: &str = "涉未成年人案件（已隐去）";

const BATCH: i64 = 500;

impl App {
    /// The cases a list filter selects, as the list shows them to the caller, for an export:
    /// all of them (at most `EXPORT_MAX`, else `export-too-many`), a minor's case's title and
    /// place left out.
    pub async fn export_cases(&self, ctx: &Ctx, f: &CaseFilter) -> Result<Vec<Listed>, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut read = self.read_conn(ctx).await?;
        let mut out = Vec::new();
        let mut page = CaseFilter {
            limit: BATCH,
            offset: 0,
            ..f.clone()
        };
        loop {
            let (mut cases, total) = self.list_cases_on(&mut read, ctx, &actor, &page).await?;
            if total > EXPORT_MAX {
                return Err(AppError::field("export", "export-too-many"));
            }
            let done = cases.len() < BATCH as usize;
            for l in &mut cases {
                if l.case.has_minor {
                    l.case.title = MINOR_REDACTED.to_owned();
                    l.case.place_name = MINOR_REDACTED.to_owned();
                }
            }
            out.append(&mut cases);
            if done || out.len() as i64 >= total {
                break;
            }
            page.offset += BATCH;
        }
        let mut conn = self.db().conn().await?;
        ctx.audit(
            &mut conn,
            "case.export",
            "case",
            "",
            Changes::new()
                .set("cases", out.len())
                .set("minors_redacted", out.iter().filter(|l| l.case.has_minor).count()),
        )
        .await?;
        Ok(out)
    }
}
