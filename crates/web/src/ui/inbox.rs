//! The inbox: one person's open clocks, referrals, tasks and notices, a page at a time.

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::domain::Id;
use gongzhi_app::domain::notice::{Message, Notice};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::inbox::INBOX_COUNT_CAP;

use super::case::{clock_class, fmt_ms};
use super::{Chrome, Flash, PageResult, page, see_other};
use crate::AppState;
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    use Action::ViewCases;
    Routes::new()
        .get("/inbox", Access::Staff(ViewCases), inbox)
        .post("/tasks/{id}/done", Access::Staff(ViewCases), task_done)
        .post("/notices/{id}/read", Access::Staff(ViewCases), notice_read)
}

pub struct WorkRow {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub what: String,
    pub due: String,
    pub state: String,
    pub class: &'static str,
}

pub struct NoticeRow {
    pub id: String,
    pub case_id: String,
    pub text: String,
    pub at: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "inbox/inbox.html")]
struct InboxPage {
    c: Chrome,
    clocks: Vec<WorkRow>,
    referrals: Vec<WorkRow>,
    tasks: Vec<WorkRow>,
    notices: Vec<NoticeRow>,
    /// (clocks, referrals, tasks, notices) in all.
    totals: (i64, i64, i64, i64),
    page: i64,
    more: bool,
    page_label: String,
}

impl InboxPage {
    /// A section's count, "1000+" past the cap of what is counted.
    fn count(&self, n: &i64) -> String {
        if *n >= INBOX_COUNT_CAP {
            format!("{INBOX_COUNT_CAP}+")
        } else {
            n.to_string()
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct InboxQuery {
    ok: Option<String>,
    page: Option<i64>,
}

async fn inbox(State(s): State<AppState>, req: Req, Query(q): Query<InboxQuery>) -> PageResult {
    let w = page(&req, s.app.inbox(&req.ctx, q.page.unwrap_or(1)).await)?;
    let flash = Flash { ok: q.ok };
    let c = Chrome::new(&req).with_flash(flash.ok.as_deref());
    let t = &c.t;
    let clocks = w
        .clocks
        .items
        .iter()
        .map(|(o, st)| WorkRow {
            case_id: o.clock.case_id.to_string(),
            number: o.number.clone(),
            title: o.title.clone(),
            what: t.code("clock", o.clock.kind.code()),
            due: o.clock.due_date.to_string(),
            state: t.code("clock-state", st.code()),
            class: clock_class(*st),
        })
        .collect();
    let referrals = w
        .referrals
        .items
        .iter()
        .map(|(r, number, title)| WorkRow {
            case_id: r.case_id.clone(),
            number: number.clone(),
            title: title.clone(),
            what: format!(
                "{} → {}",
                r.from_agency_name.clone().unwrap_or_default(),
                t.code("referral-state", &r.state)
            ),
            due: r.due_date.clone(),
            state: r.note.clone(),
            class: "text-bg-info",
        })
        .collect();
    let tasks = w
        .tasks
        .items
        .iter()
        .map(|k| WorkRow {
            case_id: k.case_id.clone().unwrap_or_default(),
            number: k.case_number.clone().unwrap_or_default(),
            title: k.title.clone(),
            what: t.code("task-source", &k.source),
            due: k.due_date.clone(),
            state: k.id.clone(),
            class: "text-bg-secondary",
        })
        .collect();
    let notices = w
        .notices
        .items
        .iter()
        .map(|n| {
            let text = n
                .notice
                .as_ref()
                .map(|x| notice_text(t, x))
                .unwrap_or_else(|| t.t("notice-unreadable"));
            NoticeRow {
                id: n.id.clone(),
                case_id: n.case_id.clone().unwrap_or_default(),
                text,
                at: fmt_ms(n.at),
                class: if n.kind == "escalation" {
                    "border-danger"
                } else {
                    "border-warning"
                },
            }
        })
        .collect();
    super::ok(
        &req,
        &InboxPage {
            c,
            clocks,
            referrals,
            tasks,
            notices,
            totals: (w.clocks.total, w.referrals.total, w.tasks.total, w.notices.total),
            page_label: req.t.ta(
                "inbox-page",
                &[
                    ("page", w.page.to_string()),
                    ("size", gongzhi_app::inbox::INBOX_PAGE.to_string()),
                ],
            ),
            page: w.page,
            more: w.has_more(),
        },
    )
}

async fn task_done(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.finish_task(&req.ctx, id).await)?;
    see_other("/inbox?ok=done")
}

async fn notice_read(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    page(&req, s.app.read_notice(&req.ctx, id).await)?;
    see_other("/inbox")
}

/// A notice in words: its message, with the case it is about.
fn notice_text(t: &T, n: &Notice) -> String {
    let case = [("number", n.number.clone()), ("title", n.title.clone())];
    let (key, more) = match &n.message {
        Message::Reminder { clock, due } => (
            "notice-reminder",
            vec![("clock", t.code("clock", clock.code())), ("due", due.clone())],
        ),
        Message::Escalation { clock, due } => (
            "notice-escalation",
            vec![("clock", t.code("clock", clock.code())), ("due", due.clone())],
        ),
        Message::Referral { due } => ("notice-referral", vec![("due", due.clone())]),
        Message::ReferralReturned { by } => ("notice-referral-returned", vec![("by", by.clone())]),
        Message::ReferralReported { by } => ("notice-referral-reported", vec![("by", by.clone())]),
        Message::Supervised { by, note } => (
            "notice-supervised",
            vec![("by", by.clone()), ("note", note.clone())],
        ),
        Message::SignOffRefused { by, reason } => (
            "notice-risk-refused",
            vec![("by", by.clone()), ("reason", reason.clone())],
        ),
    };
    let args: Vec<(&str, String)> = case.into_iter().chain(more).collect();
    t.ta(key, &args)
}
