//! A grid visit's minor clue becomes a mandatory report (issue 12 §1, §3; DOMAIN.md §3.9–§3.10):
//! the report form is filled from the clue, and filing the report closes the clue in the same
//! transaction, moving what it said about the child out of the plain grid tables into the
//! encrypted report.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::grid::{ClueState, FindingKind};
use gongzhi_domain::minor::{GuardianSituation, ReporterKind};
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::grid::{self, FindingListed};

use super::{ChildRecord, ReportForm, Reporter};
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// What a clue says once its report holds it.
const MOVED: &str = "（已登记为强制报告，内容转入加密档案）";

impl App {
    /// The report form filled from a minor clue not yet closed (the juvenile team).
    pub async fn minor_report_from_clue(&self, ctx: &Ctx, finding: Id) -> Result<ReportForm, AppError> {
        self.authorize(ctx, Action::ManageMinors).await?;
        let mut conn = self.db().conn().await?;
        let clue = open_clue(&mut conn, finding).await?.ok_or(AppError::NotFound)?;
        let visit = grid::visit(
            &mut conn,
            clue.row.visit_id.parse().map_err(|_| AppError::NotFound)?,
        )
        .await?
        .ok_or(AppError::NotFound)?;
        let at = visit
            .row
            .visited_at
            .clone()
            .unwrap_or_else(|| format!("{} 09:00", visit.row.day));
        Ok(ReportForm {
            reporter_kind: ReporterKind::GridVisit.code().into(),
            reporter: Reporter {
                organisation: format!("网格走访（{}）", clue.township_name),
                person: clue.visitor_name.clone(),
                phone: String::new(),
            },
            received_at: at,
            harm_kind: String::new(),
            guardian_situation: GuardianSituation::LeftBehind.code().into(),
            village_id: visit.row.village_id.clone(),
            child: ChildRecord {
                what: [clue.row.summary.as_str(), clue.row.details.as_str()]
                    .iter()
                    .filter(|s| !s.trim().is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n"),
                ..ChildRecord::default()
            },
            finding_id: clue.row.id.clone(),
            child_id: String::new(),
        })
    }

    /// The clue a report is filed from, checked: a minor clue, not closed.
    pub(super) async fn minor_clue(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        typed: &str,
        checks: &mut Checks,
    ) -> Result<Option<FindingListed>, AppError> {
        if typed.trim().is_empty() || !actor.can(Action::ManageMinors) {
            return Ok(None);
        }
        let found = match typed.trim().parse::<Id>() {
            Ok(id) => open_clue(conn, id).await?,
            Err(_) => None,
        };
        checks.check(found.is_some(), "finding_id", "minor-clue-invalid");
        Ok(found)
    }

    /// Closes the clue its report was filed from, keeping nothing about the child in the clue.
    pub(super) async fn close_minor_clue(
        &self,
        ctx: &Ctx,
        conn: &mut AnyConnection,
        actor: &Actor,
        clue: FindingListed,
    ) -> Result<(), AppError> {
        let before = clue.row.clone();
        let mut row = clue.row;
        row.clue_state = Some(ClueState::Closed.code().into());
        row.summary = MOVED.into();
        row.details.clear();
        row.outcome = "已登记强制报告".into();
        row.closed_at = Some(time::to_millis(self.now()));
        if row.taken_by_id.is_none() {
            row.taken_by_id = Some(actor.user_id.to_string());
            row.taken_by_name = actor.display_name.clone();
        }
        grid::save_finding(conn, &row, before.version).await?;
        ctx.audit(
            conn,
            "grid.clue.report",
            "grid_finding",
            &row.id,
            Changes::new().field(
                "clue_state",
                before.clue_state.as_deref().unwrap_or_default(),
                ClueState::Closed.code(),
            ),
        )
        .await?;
        Ok(())
    }
}

async fn open_clue(conn: &mut AnyConnection, id: Id) -> Result<Option<FindingListed>, AppError> {
    Ok(grid::finding(conn, id).await?.filter(|f| {
        FindingKind::parse(&f.row.kind) == Some(FindingKind::Minor)
            && f.row.clue_state.as_deref() != Some(ClueState::Closed.code())
    }))
}
