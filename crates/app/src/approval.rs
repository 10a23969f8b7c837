//! The approval queue (issue 10 §2): what waits for an agency head — a high risk's plan awaiting
//! sign-off (DOMAIN.md §3.5) and a handler's request to extend, pause or resume a clock (§3.3,
//! §4.1) — and deciding a request: approved, the change is made with the head as approver;
//! refused, with the reason. The requester is told either way.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::ClockKind;
use gongzhi_domain::notice::Message;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::approval::{self, ClockRequest as RequestRow};
pub use gongzhi_store::approval::{ClockRequest as ClockRequestRecord, SignOffWaiting};
use gongzhi_store::{AnyConnection, Page, Paged};

use crate::deadlines::ClockRequest;

mod chief;

use crate::{App, AppError, Ctx, FieldError};
pub use chief::{ChiefDecision, DecisionKind};

/// A pending clock request with its case's number and title and the clock it concerns.
#[derive(Clone, Debug)]
pub struct PendingClockRequest {
    pub request: ClockRequestRecord,
    pub number: String,
    pub title: String,
    pub clock: Option<ClockKind>,
}

/// What waits for the viewer's approval, a page of each.
#[derive(Clone, Debug, Default)]
pub struct Approvals {
    pub sign_offs: Paged<SignOffWaiting>,
    pub clock_requests: Paged<PendingClockRequest>,
}

impl Approvals {
    pub fn total(&self) -> i64 {
        self.sign_offs.total + self.clock_requests.total
    }
}

impl App {
    /// The approvals of the actor's agency that the actor may give (none for those who approve
    /// nothing).
    pub(crate) async fn approvals_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        page: Page,
    ) -> Result<Approvals, AppError> {
        let sign_offs = if actor.can(Action::SignOffRisk) {
            approval::sign_offs_waiting(&mut *conn, actor.agency_id, page).await?
        } else {
            Paged::default()
        };
        let clock_requests = if actor.can(Action::ApproveClock) {
            approval::pending_clock_requests(&mut *conn, actor.agency_id, page)
                .await?
                .map(|(request, number, title, kind)| PendingClockRequest {
                    request,
                    number,
                    title,
                    clock: ClockKind::parse(&kind),
                })
        } else {
            Paged::default()
        };
        Ok(Approvals {
            sign_offs,
            clock_requests,
        })
    }

    /// A handler asks the agency head to change a clock: checked as the change itself would be,
    /// one pending request per clock.
    pub async fn request_clock_change(
        &self,
        ctx: &Ctx,
        case: Id,
        clock: Id,
        request: &ClockRequest,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let (k, _) = self.checked_clock_change(tx.conn(), case, clock, request).await?;
        if !k.state.is_open() {
            return Err(AppError::field("clock", "clock-not-changeable"));
        }
        if approval::clock_requests_of_case(tx.conn(), case)
            .await?
            .iter()
            .any(|r| r.clock_id == clock.to_string() && r.state == "pending")
        {
            return Err(AppError::field("reason", "clock-request-pending"));
        }
        let id = Id::new().to_string();
        approval::insert_clock_request(
            tx.conn(),
            &RequestRow {
                id: id.clone(),
                case_id: case.to_string(),
                clock_id: clock.to_string(),
                agency_id: c.owner_agency_id.to_string(),
                action: request.action.clone(),
                days: i64::from(request.days),
                pause_reason: request.pause_reason.clone(),
                reason: request.reason.trim().to_owned(),
                requested_by: actor.user_id.to_string(),
                requested_by_name: actor.display_name.clone(),
                requested_at: time::to_millis(self.now()),
                state: "pending".into(),
                decided_by_name: String::new(),
                decided_at: None,
                answer: String::new(),
            },
        )
        .await?;
        self.event(
            tx.conn(),
            ctx,
            &c,
            "clock-change-requested",
            request.reason.trim(),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.clock_request",
            "case",
            &case.to_string(),
            Changes::new()
                .set("clock", k.kind.code())
                .set("action", request.action.as_str())
                .set("request", id.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The head approves (the change is made, the head its approver) or refuses (with a reason)
    /// a request; one already decided by someone else is refused with who decided, unchanged.
    /// Returns the case.
    pub async fn decide_clock_request(
        &self,
        ctx: &Ctx,
        request: Id,
        approve: bool,
        answer: &str,
    ) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::ApproveClock).await?;
        let answer = answer.trim();
        if !approve && answer.is_empty() {
            return Err(AppError::field("answer", "reason-required"));
        }
        let mut tx = self.db().begin().await?;
        let r = approval::get_clock_request(tx.conn(), request)
            .await?
            .ok_or(AppError::NotFound)?;
        let case: Id = r.case_id.parse().map_err(|_| AppError::NotFound)?;
        let c = self.case_for_approval(tx.conn(), ctx, case, "answer").await?;
        if r.state != "pending" {
            return Err(AppError::Invalid(vec![
                FieldError::new("answer", "clock-request-decided").arg("by", &r.decided_by_name),
            ]));
        }
        let clock: Id = r.clock_id.parse().map_err(|_| AppError::NotFound)?;
        let asked = ClockRequest {
            action: r.action.clone(),
            days: u32::try_from(r.days).unwrap_or(0),
            pause_reason: r.pause_reason.clone(),
            reason: if answer.is_empty() {
                r.reason.clone()
            } else {
                format!("{}（{answer}）", r.reason)
            },
        };
        if approve {
            self.apply_clock_change(tx.conn(), ctx, &c, clock, &asked, &actor.display_name)
                .await?;
        } else {
            self.event(tx.conn(), ctx, &c, "clock-request-refused", answer, false)
                .await?;
        }
        let at = time::to_millis(self.now());
        let state = if approve { "approved" } else { "refused" };
        if !approval::decide_clock_request(tx.conn(), &r.id, state, &actor.display_name, at, answer).await? {
            return Err(AppError::field("answer", "clock-request-decided"));
        }
        let kind = gongzhi_store::case::clocks(tx.conn(), case)
            .await?
            .into_iter()
            .find(|k| k.id == clock)
            .map(|k| k.kind)
            .ok_or(AppError::NotFound)?;
        let to_requester = gongzhi_store::case::Case {
            handler_id: r.requested_by.parse().ok(),
            ..c.clone()
        };
        self.notify_case(
            tx.conn(),
            &to_requester,
            format!("clock-request:{}", r.id),
            Message::ClockRequestDecided {
                clock: kind,
                approved: approve,
                by: actor.display_name.clone(),
                answer: answer.to_owned(),
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            &format!("case.clock_request_{state}"),
            "case",
            &case.to_string(),
            Changes::new().set("request", r.id.as_str()).set("answer", answer),
        )
        .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// A case's clock requests, newest first (the case page shows the pending ones).
    pub(crate) async fn clock_requests_of(
        &self,
        conn: &mut AnyConnection,
        case: Id,
    ) -> Result<Vec<ClockRequestRecord>, AppError> {
        Ok(approval::clock_requests_of_case(conn, case).await?)
    }
}
