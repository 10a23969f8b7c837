//! The inbox: one person's work, a page at a time — what waits for their approval (approve or
//! refuse, with a reason), their notices (their own first), the referrals to their agency (accept
//! or return), their tasks, and the clocks of their cases and of their agency's unassigned ones.

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
use axum::response::IntoResponse;

pub fn router() -> Routes {
    use Action::{ApproveClock, ViewCases};
    Routes::new()
        .get("/inbox", Access::Staff(ViewCases), inbox)
        .get("/inbox/count", Access::Staff(ViewCases), count)
        .post(
            "/clock-requests/{id}/{decision}",
            Access::Staff(ApproveClock),
            decide_clock_request,
        )
        .post("/tasks/{id}/done", Access::Staff(ViewCases), task_done)
        .post("/notices/{id}/read", Access::Staff(ViewCases), notice_read)
}

pub struct WorkRow {
    /// The referral's or the task's id ("" for a clock).
    pub id: String,
    /// A referral not yet accepted.
    pub pending: bool,
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub what: String,
    pub due: String,
    pub state: String,
    pub class: &'static str,
}

/// One thing waiting for the viewer's approval: what, about which case, and where its
/// approve and refuse buttons post.
pub struct ApprovalRow {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub what: String,
    pub detail: String,
    pub at: String,
    /// `/cases/{id}/risk/sign-off` and `…/refuse`, or `/clock-requests/{id}/approve` and `…/refuse`.
    pub approve: String,
    pub refuse: String,
    /// The name of the refusal's reason field.
    pub reason_field: &'static str,
}

pub struct NoticeRow {
    pub id: String,
    pub case_id: String,
    /// Where the notice leads: its hearing, else its case (empty: nowhere).
    pub link: String,
    pub text: String,
    pub at: String,
    pub class: &'static str,
    /// A supervision (督办): answered here, which puts it away.
    pub supervised: bool,
}

/// A hearing, a suggestion or an aid case waiting for the chief prosecutor's decision, decided on
/// its own page (the decision has fields of its own: an approval's venue, an amount, a number).
pub struct DecisionRow {
    pub link: String,
    pub what: String,
    pub title: String,
    pub since: String,
}

/// The chief prosecutor's decisions as rows.
async fn decisions(s: &AppState, req: &Req) -> Result<Vec<DecisionRow>, crate::error::PageError> {
    use gongzhi_app::approval::DecisionKind;
    let t = &req.t;
    Ok(page(req, s.app.chief_decisions(&req.ctx).await)?
        .into_iter()
        .map(|d| {
            let (path, what) = match d.kind {
                DecisionKind::Hearing => ("hearings", "inbox-decide-hearing"),
                DecisionKind::Suggestion => ("suggestions", "inbox-decide-suggestion"),
                DecisionKind::Recheck => ("suggestions", "inbox-recheck-suggestion"),
                DecisionKind::Aid => ("aid-cases", "inbox-decide-aid"),
            };
            DecisionRow {
                link: format!("/{path}/{}", d.id),
                what: t.t(what),
                title: d.title,
                since: match d.due {
                    Some(due) => t.ta("aid-review-due", &[("due", due)]),
                    None => fmt_ms(d.since),
                },
            }
        })
        .collect())
}

/// How many of the clues waiting for the viewer's teams the inbox lists.
const CLUES_SHOWN: i64 = 5;

/// The clues grid visits found for the viewer's teams (DOMAIN.md §3.10), oldest first.
async fn clues(s: &AppState, req: &Req) -> Result<(Vec<DecisionRow>, i64), crate::error::PageError> {
    if !req.ctx.user().is_some_and(|a| a.can(Action::ViewGrid)) {
        return Ok((Vec::new(), 0));
    }
    let t = &req.t;
    let found = page(
        req,
        s.app
            .grid_clues(&req.ctx, gongzhi_app::Page::first(CLUES_SHOWN))
            .await,
    )?;
    let rows = found
        .items
        .iter()
        .map(|f| DecisionRow {
            link: format!("/grid/clues#clue-{}", f.listed.row.id),
            what: t.code("grid-finding-kind", f.kind.code()),
            title: f.listed.row.summary.clone(),
            since: format!("{} {}", f.listed.village_name, f.listed.visit_day),
        })
        .collect();
    Ok((rows, found.total))
}

/// A matter the viewer owns (包案) from a reception day, tracked until its case is closed.
pub struct OwnedRow {
    pub visit_id: String,
    pub case_id: String,
    pub number: String,
    pub visitor: String,
    pub day: String,
    /// The case is closed: the ownership may be closed.
    pub done: bool,
}

#[derive(Template)]
#[template(path = "inbox/inbox.html")]
struct InboxPage {
    c: Chrome,
    decisions: Vec<DecisionRow>,
    owned: Vec<OwnedRow>,
    /// Grid visits' clues waiting for the viewer's teams: the first few, and how many.
    clues: Vec<DecisionRow>,
    clues_total: i64,
    /// Children whose guardian owes the weekly contact, and the agency's support tasks (§3.9).
    minors: Vec<DecisionRow>,
    minors_total: i64,
    /// The patched townships' open high-risk cases (issue 12 §2).
    patches: Vec<super::roster::PatchRow>,
    /// Why an action taken here was refused.
    alert: String,
    approvals: Vec<ApprovalRow>,
    approvals_total: i64,
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
    inbox_page(&s, &req, q, String::new(), http::StatusCode::OK).await
}

async fn inbox_page(
    s: &AppState,
    req: &Req,
    q: InboxQuery,
    alert: String,
    status: http::StatusCode,
) -> PageResult {
    let w = page(req, s.app.inbox(&req.ctx, q.page.unwrap_or(1)).await)?;
    let flash = Flash { ok: q.ok };
    let c = Chrome::new(req).with_flash(flash.ok.as_deref());
    let t = &c.t;
    let approvals = approval_rows(t, &w.approvals);
    let decisions = decisions(s, req).await?;
    let (clues, clues_total) = clues(s, req).await?;
    let (minors, minors_total) = super::minor::inbox_rows(s, req).await?;
    let patches = super::roster::patch_rows(s, req).await?;
    let owned = page(req, s.app.owned_visits(&req.ctx).await)?
        .into_iter()
        .map(|v| OwnedRow {
            visit_id: v.row.id.clone(),
            case_id: v.row.case_id.clone().unwrap_or_default(),
            number: v.case_number.clone().unwrap_or_default(),
            visitor: v.row.visitor_name.clone(),
            day: v.day.clone(),
            done: v.case_closed,
        })
        .collect();
    let clocks = w
        .clocks
        .items
        .iter()
        .map(|(o, st)| WorkRow {
            id: String::new(),
            pending: false,
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
            id: r.id.clone(),
            pending: r.state == "pending",
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
            id: k.id.clone(),
            pending: false,
            case_id: k.case_id.clone().unwrap_or_default(),
            number: k.case_number.clone().unwrap_or_default(),
            title: k.title.clone(),
            what: t.code("task-source", &k.source),
            due: k.due_date.clone(),
            state: String::new(),
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
            let hearing = n.notice.as_ref().and_then(|x| x.message.hearing());
            NoticeRow {
                id: n.id.clone(),
                link: match (hearing, &n.case_id) {
                    (Some(h), _) => format!("/hearings/{h}"),
                    (None, Some(c)) => format!("/cases/{c}"),
                    (None, None) => String::new(),
                },
                case_id: n.case_id.clone().unwrap_or_default(),
                text,
                at: fmt_ms(n.at),
                class: if n.kind == "escalation" {
                    "border-danger"
                } else {
                    "border-warning"
                },
                supervised: n.kind == "supervised" && n.case_id.is_some(),
            }
        })
        .collect();
    Ok(crate::error::render(
        status,
        &InboxPage {
            alert,
            approvals_total: w.approvals.total(),
            approvals,
            c,
            decisions,
            owned,
            clues,
            clues_total,
            minors,
            minors_total,
            patches,
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
        req.ctx.request_id(),
    ))
}

/// The rows of the approval section: sign-offs first (a decision waits on them), then requests.
fn approval_rows(t: &T, a: &gongzhi_app::approval::Approvals) -> Vec<ApprovalRow> {
    let sign_offs = a.sign_offs.items.iter().map(|x| ApprovalRow {
        case_id: x.case_id.clone(),
        number: x.number.clone(),
        title: x.title.clone(),
        what: t.ta("approval-sign-off", &[("score", x.score.to_string())]),
        detail: x.plan.clone(),
        at: format!("{} · {}", x.assessor_name, fmt_ms(x.at)),
        approve: format!("/cases/{}/risk/sign-off", x.case_id),
        refuse: format!("/cases/{}/risk/refuse", x.case_id),
        reason_field: "reason",
    });
    let requests = a.clock_requests.items.iter().map(|x| {
        let r = &x.request;
        let clock = x.clock.map(|k| t.code("clock", k.code())).unwrap_or_default();
        let what = match r.action.as_str() {
            "extend" => t.ta(
                "approval-extend",
                &[("clock", clock), ("days", r.days.to_string())],
            ),
            "pause" => t.ta(
                "approval-pause",
                &[("clock", clock), ("why", t.code("pause-reason", &r.pause_reason))],
            ),
            _ => t.ta("approval-resume", &[("clock", clock)]),
        };
        ApprovalRow {
            case_id: r.case_id.clone(),
            number: x.number.clone(),
            title: x.title.clone(),
            what,
            detail: r.reason.clone(),
            at: format!("{} · {}", r.requested_by_name, fmt_ms(r.requested_at)),
            approve: format!("/clock-requests/{}/approve", r.id),
            refuse: format!("/clock-requests/{}/refuse", r.id),
            reason_field: "answer",
        }
    });
    sign_offs.chain(requests).collect()
}

/// The navigation's badge: how much waits for the user (loaded after the page, see layout).
async fn count(State(s): State<AppState>, req: Req) -> PageResult {
    let n = page(&req, s.app.inbox_count(&req.ctx).await)?;
    let html = if n == 0 {
        String::new()
    } else {
        let shown = if n > 99 { "99+".to_owned() } else { n.to_string() };
        format!(
            r#"<span class="badge rounded-pill text-bg-danger ms-1" id="inbox-count">{shown}<span class="visually-hidden">{}</span></span>"#,
            req.t.t("inbox-count-label")
        )
    };
    Ok((
        [(http::header::CACHE_CONTROL, "no-store")],
        axum::response::Html(html),
    )
        .into_response())
}

/// Approving or refusing a clock request from the inbox (or the case page, `back=case`).
async fn decide_clock_request(
    State(s): State<AppState>,
    req: Req,
    Path((id, decision)): Path<(Id, String)>,
    d: crate::form::FormData,
) -> PageResult {
    let approve = match decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => {
            return Err(crate::error::PageError(
                req.clone(),
                gongzhi_app::AppError::NotFound,
            ));
        }
    };
    let ok = if approve {
        "request-approved"
    } else {
        "request-refused"
    };
    match s
        .app
        .decide_clock_request(&req.ctx, id, approve, &d.get("answer"))
        .await
    {
        Ok(case) if d.get("back") == "case" => see_other(&format!("/cases/{case}?ok={ok}#clocks")),
        r => from_inbox(&s, &req, r.map(|_| ()), ok).await,
    }
}

/// The answer to an action taken in the inbox (an approval, a referral accepted or returned):
/// back to the inbox, with the success, or with why it was refused — the item stays.
pub(crate) async fn from_inbox(
    s: &AppState,
    req: &Req,
    r: Result<(), gongzhi_app::AppError>,
    ok: &str,
) -> PageResult {
    match r {
        Ok(()) => see_other(&format!("/inbox?ok={ok}")),
        Err(e) => {
            let (f, status) = super::form_error(req, e, crate::form::FormState::default())?;
            let alert = f.all_errors();
            inbox_page(s, req, InboxQuery::default(), alert, status).await
        }
    }
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
        Message::Supervised { by, note, .. } => (
            "notice-supervised",
            vec![("by", by.clone()), ("note", note.clone())],
        ),
        Message::MaterialAdded { files, note } => (
            "notice-material-added",
            vec![("files", files.to_string()), ("note", note.clone())],
        ),
        Message::SupervisionAnswered { by, answer } => (
            "notice-supervision-answered",
            vec![("by", by.clone()), ("answer", answer.clone())],
        ),
        Message::SignOffRefused { by, reason } => (
            "notice-risk-refused",
            vec![("by", by.clone()), ("reason", reason.clone())],
        ),
        Message::ClockRequestDecided {
            clock,
            approved,
            by,
            answer,
        } => (
            if *approved {
                "notice-clock-request-approved"
            } else {
                "notice-clock-request-refused"
            },
            vec![
                ("clock", t.code("clock", clock.code())),
                ("by", by.clone()),
                ("answer", answer.clone()),
            ],
        ),
        Message::HearingProposed { by, topic, .. } => (
            "notice-hearing-proposed",
            vec![("by", by.clone()), ("topic", topic.clone())],
        ),
        Message::HearingReviewed {
            approved, by, reason, ..
        } => (
            if *approved {
                "notice-hearing-approved"
            } else {
                "notice-hearing-rejected"
            },
            vec![("by", by.clone()), ("reason", reason.clone())],
        ),
        Message::HearingReport { by, report, .. } => (
            "notice-hearing-report",
            vec![("by", by.clone()), ("report", report.clone())],
        ),
    };
    let args: Vec<(&str, String)> = case.into_iter().chain(more).collect();
    t.ta(key, &args)
}
