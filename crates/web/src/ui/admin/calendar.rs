//! The work calendar: holidays and make-up working days by year, one date at a time or a whole
//! State Council notice at once; after each change, the due dates it moved.

use askama::Template;
use axum::extract::{Query, State};
use chrono::Datelike;
use gongzhi_app::AppError;
use gongzhi_app::calendar::{CalendarDay, HolidayNoticeForm, Recomputed};
use gongzhi_app::domain::calendar::NoticeHoliday;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::time;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, form_error, page};

pub fn router() -> Routes {
    let manage = Access::Staff(Action::ManageReference);
    Routes::new()
        .get("/admin/calendar", Access::Staff(Action::ViewReference), calendar)
        .post("/admin/calendar", manage, calendar_set)
        .post("/admin/calendar/delete", manage, calendar_delete)
        .post("/admin/calendar/notice", manage, notice)
}

/// Lines of the notice form: a State Council notice has seven holidays, one line is spare.
pub const NOTICE_LINES: usize = 8;

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    c: Chrome,
    year: i32,
    days: Vec<CalendarDay>,
    f: FormState,
    /// The notice form's state (its own, so that a failed notice keeps every line typed).
    fnotice: FormState,
    lines: Vec<usize>,
    /// The years whose holidays must be loaded now.
    missing: String,
    /// What the change just saved did to the running clocks.
    done: Option<Recomputed>,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
    ok: Option<String>,
}

struct View {
    year: Option<i32>,
    f: FormState,
    fnotice: FormState,
    ok: Option<String>,
    done: Option<Recomputed>,
    status: StatusCode,
}

impl Default for View {
    fn default() -> Self {
        View {
            year: None,
            f: FormState::default(),
            fnotice: FormState::default(),
            ok: None,
            done: None,
            status: StatusCode::OK,
        }
    }
}

async fn calendar_view(s: &AppState, req: &Req, v: View) -> PageResult {
    let year = v
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| time::local_date(chrono::Utc::now()).year());
    let days = page(req, s.app.calendar_year(&req.ctx, year).await)?;
    let missing = page(req, s.app.calendar_missing(&req.ctx).await)?
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join("、");
    let p = CalendarPage {
        c: Chrome::new(req).with_flash(v.ok.as_deref()),
        year,
        days,
        f: v.f,
        fnotice: v.fnotice,
        lines: (0..NOTICE_LINES).collect(),
        missing,
        done: v.done,
    };
    Ok(render(v.status, &p, req.ctx.request_id()))
}

async fn calendar(State(s): State<AppState>, req: Req, Query(q): Query<YearQuery>) -> PageResult {
    let v = View {
        year: q.year,
        ok: q.ok,
        ..View::default()
    };
    calendar_view(&s, &req, v).await
}

/// The year a form's date names, to show that year's page after it.
fn year_of(d: &str) -> Option<i32> {
    d.get(0..4).and_then(|y| y.parse().ok())
}

/// After a change: the page of its year with what it moved, or the failed form kept.
async fn answer(
    s: &AppState,
    req: &Req,
    d: &FormData,
    year: Option<i32>,
    r: Result<Recomputed, AppError>,
    notice: bool,
) -> PageResult {
    match r {
        Ok(done) => {
            let v = View {
                year,
                ok: Some("saved".into()),
                done: Some(done),
                ..View::default()
            };
            calendar_view(s, req, v).await
        }
        Err(e) => {
            let (f, status) = form_error(req, e, FormState::from_data(d))?;
            let v = if notice {
                View {
                    year,
                    fnotice: f,
                    status,
                    ..View::default()
                }
            } else {
                View {
                    year,
                    f,
                    status,
                    ..View::default()
                }
            };
            calendar_view(s, req, v).await
        }
    }
}

async fn calendar_set(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let r = s
        .app
        .set_calendar_day(
            &req.ctx,
            &d.get("day"),
            &d.get("to"),
            &d.get("kind"),
            &d.get("name"),
        )
        .await;
    answer(&s, &req, &d, year_of(&d.get("day")), r, false).await
}

async fn calendar_delete(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let r = s.app.delete_calendar_day(&req.ctx, &d.get("day")).await;
    answer(&s, &req, &d, year_of(&d.get("day")), r, false).await
}

/// The notice form's lines as holidays; a date that does not read is left empty, and the use case
/// then names it. Make-up days are separated by spaces, commas or 、.
fn notice_form(d: &FormData) -> Result<HolidayNoticeForm, AppError> {
    let date = |v: String| v.trim().parse().ok();
    let mut bad = Vec::new();
    let holidays = (0..NOTICE_LINES)
        .map(|i| {
            let field = |n: &str| format!("holidays[{i}].{n}");
            let workdays = d
                .get(&field("workdays"))
                .split([' ', ',', '，', '、'])
                .filter(|w| !w.trim().is_empty())
                .filter_map(|w| {
                    let parsed = date(w.to_owned());
                    if parsed.is_none() {
                        bad.push(gongzhi_app::FieldError::new(&field("workdays"), "date-invalid"));
                    }
                    parsed
                })
                .collect();
            NoticeHoliday {
                name: d.get(&field("name")),
                from: date(d.get(&field("from"))),
                to: date(d.get(&field("to"))),
                workdays,
            }
        })
        .collect();
    if bad.is_empty() {
        Ok(HolidayNoticeForm { holidays })
    } else {
        Err(AppError::Invalid(bad))
    }
}

async fn notice(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let r = match notice_form(&d) {
        Ok(form) => s.app.enter_holiday_notice(&req.ctx, &form).await,
        Err(e) => Err(e),
    };
    answer(&s, &req, &d, year_of(&d.get("holidays[0].from")), r, true).await
}
