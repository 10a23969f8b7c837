//! `GET /cases/export.xlsx` (issue 13 §5): the case list, with the list's own filters, as a
//! workbook — every case the filter selects, not one page; a minor's case's title and place left
//! out (app::export).

use axum::extract::{Query, State};
use gongzhi_app::document::DocumentFile;
use gongzhi_app::export::{Cell, Sheet, XLSX_MIME, workbook};

use super::list::{ListQuery, Narrowing, listed_row, selected};
use crate::AppState;
use crate::middleware::Req;
use crate::ui::document::download;
use crate::ui::{PageResult, page};

pub(crate) async fn export(
    State(s): State<AppState>,
    req: Req,
    Query(q): Query<ListQuery>,
    Query(n): Query<Narrowing>,
) -> PageResult {
    let f = selected(&s, &req, &q, &n).await?.filter;
    let cases = page(&req, s.app.export_cases(&req.ctx, &f).await)?;
    let t = &req.t;
    let header = [
        "field-number",
        "field-title",
        "field-status",
        "field-kind",
        "field-category",
        "field-place",
        "field-received",
        "field-next-due",
        "field-risk",
        "field-handler",
        "urgent",
    ];
    let rows = cases
        .iter()
        .map(|l| {
            let r = listed_row(t, l);
            vec![
                Cell::from(r.number),
                r.title.into(),
                r.status.into(),
                r.kind.into(),
                r.category.into(),
                r.place.into(),
                r.received.into(),
                r.due.into(),
                r.risk.into(),
                r.handler.into(),
                if r.urgent { t.t("urgent") } else { String::new() }.into(),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: t.t("nav-cases"),
        header: header.iter().map(|k| t.t(k)).collect(),
        widths: vec![24, 40, 12, 14, 12, 18, 18, 16, 8, 12, 6],
        rows,
    };
    let bytes = page(&req, workbook(&[sheet]))?;
    let today = gongzhi_app::domain::time::local_date(s.app.now());
    Ok(download(
        DocumentFile {
            filename: format!("{}-{today}.xlsx", t.t("nav-cases")),
            bytes,
        },
        XLSX_MIME,
        "cases.xlsx",
    ))
}
