//! The inbox: one person's open clocks, referrals to their agency, tasks and notices, a page at a
//! time; reading a notice.

use gongzhi_domain::deadline::ClockState;
use gongzhi_domain::notice::Notice;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::case::{self, ClockFilter, OpenClock};
use gongzhi_store::referral::Referral;
use gongzhi_store::task::Task;
use gongzhi_store::{Page, Paged};
use gongzhi_store::{notice, referral, task};

use crate::case::district_wide;
use crate::{App, AppError, Ctx};

/// Rows of each inbox section per page.
pub const INBOX_PAGE: i64 = 50;

/// Open clocks are counted up to this many (an inbox shows "1000+").
pub use gongzhi_store::case::INBOX_COUNT_CAP;

/// A user's work, most urgent first: one page of each section, with each section's total.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    /// What waits for the viewer's approval (sign-offs, clock requests).
    pub approvals: crate::approval::Approvals,
    pub clocks: Paged<(OpenClock, ClockState)>,
    pub referrals: Paged<(Referral, String, String)>,
    pub tasks: Paged<Task>,
    pub notices: Paged<NoticeItem>,
    /// The page shown (from 1).
    pub page: i64,
}

/// One notice: what it says (typed; `None` only for a body no release could have written) and
/// when it was raised.
#[derive(Clone, Debug)]
pub struct NoticeItem {
    pub id: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub at: i64,
    pub notice: Option<Notice>,
}

impl Inbox {
    /// Whether a later page holds more of any section.
    pub fn has_more(&self) -> bool {
        let shown = self.page * INBOX_PAGE;
        [
            self.approvals.sign_offs.total,
            self.approvals.clock_requests.total,
            self.clocks.total,
            self.referrals.total,
            self.tasks.total,
            self.notices.total,
        ]
        .iter()
        .any(|t| *t > shown)
            // Past the cap the count no longer says; a full page may have a next one.
            || (self.clocks.total >= INBOX_COUNT_CAP && i64::try_from(self.clocks.items.len()).unwrap_or(0) == INBOX_PAGE)
    }
}

impl App {
    pub async fn read_notice(&self, ctx: &Ctx, notice: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut tx = self.db().begin().await?;
        notice::read_notice(
            tx.conn(),
            notice,
            actor.user_id,
            actor.agency_id,
            is_head(&actor),
            time::to_millis(self.now()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// "My work": the clocks of cases I handle (or, without a handler, of my agency) that run out
    /// within 30 days, referrals waiting for my agency, my open tasks and unread notices.
    pub async fn inbox(&self, ctx: &Ctx, page: i64) -> Result<Inbox, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let today = time::local_date(self.now());
        let clocks = self.clocks(&mut conn).await?;
        let horizon = today + chrono::Days::new(30);
        // The agency's clocks; those who see the whole district (the policy's scope) follow every
        // handler's, the others their own, the unassigned ones and those referred to the agency.
        let filter = ClockFilter {
            agency: Some(actor.agency_id),
            for_user: (!district_wide(&actor)).then_some(actor.user_id),
        };
        let page = page.max(1);
        let at = Page::nth(page, INBOX_PAGE);
        let open = case::open_clocks(&mut conn, horizon, filter, at).await?;
        let clocks = Paged {
            total: open.total,
            items: open
                .items
                .into_iter()
                .map(|o| {
                    let s = clocks.state(&o.clock, today);
                    (o, s)
                })
                .collect(),
        };
        let notices =
            notice::notices_for(&mut conn, actor.user_id, actor.agency_id, is_head(&actor), at).await?;
        Ok(Inbox {
            approvals: self.approvals_in(&mut conn, &actor, at).await?,
            clocks,
            referrals: referral::referrals_to(&mut conn, actor.agency_id, at).await?,
            tasks: task::open_tasks_of(&mut conn, actor.user_id, at).await?,
            notices: notices.map(|n| NoticeItem {
                notice: Notice::decode(&n.kind, &n.body),
                id: n.id,
                case_id: n.case_id,
                kind: n.kind,
                at: n.created_at,
            }),
            page,
        })
    }
}

/// Heads answer for their agency: its escalations are theirs (sent to no one else).
fn is_head(actor: &gongzhi_domain::policy::Actor) -> bool {
    actor.can(Action::ApproveClock) || actor.can(Action::SignOffRisk)
}

impl App {
    /// How much waits for the user: approvals, referrals to the agency not yet accepted, open
    /// tasks and unread notices (the navigation's badge).
    pub async fn inbox_count(&self, ctx: &Ctx) -> Result<i64, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let one = Page::first(1);
        let approvals = self.approvals_in(&mut conn, &actor, one).await?.total();
        let referrals = referral::referrals_to(&mut conn, actor.agency_id, one)
            .await?
            .total;
        let tasks = task::open_tasks_of(&mut conn, actor.user_id, one).await?.total;
        let notices = notice::notices_for(&mut conn, actor.user_id, actor.agency_id, is_head(&actor), one)
            .await?
            .total;
        Ok(approvals + referrals + tasks + notices)
    }

    /// Raises a notice about a case for its handler (and, without one, its agency); `dedup` keeps
    /// it from being raised twice.
    pub(crate) async fn notify_case(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        c: &gongzhi_store::case::Case,
        dedup: String,
        message: gongzhi_domain::notice::Message,
    ) -> Result<(), AppError> {
        let agency = c.owner_agency_id.to_string();
        self.notify(conn, c, c.handler_id, &agency, dedup, message).await
    }

    /// Raises a notice about a case for a user (if any) and an agency, read by all its people.
    pub(crate) async fn notify(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        c: &gongzhi_store::case::Case,
        user: Option<Id>,
        agency: &str,
        dedup: String,
        message: gongzhi_domain::notice::Message,
    ) -> Result<(), AppError> {
        self.raise_case_notice(conn, c, user, agency, "all", dedup, message)
            .await
    }

    /// Raises a notice about a case for an agency's heads only (its chief prosecutor or head).
    pub(crate) async fn notify_heads(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        c: &gongzhi_store::case::Case,
        agency: &str,
        dedup: String,
        message: gongzhi_domain::notice::Message,
    ) -> Result<(), AppError> {
        self.raise_case_notice(conn, c, None, agency, "heads", dedup, message)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn raise_case_notice(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        c: &gongzhi_store::case::Case,
        user: Option<Id>,
        agency: &str,
        audience: &str,
        dedup: String,
        message: gongzhi_domain::notice::Message,
    ) -> Result<(), AppError> {
        let body = Notice {
            number: c.number.clone(),
            title: c.title.clone(),
            message,
        };
        notice::raise_notice(
            conn,
            &notice::Notice {
                id: Id::new().to_string(),
                dedup,
                user_id: user.map(|h| h.to_string()),
                agency_id: Some(agency.to_owned()),
                case_id: Some(c.id.to_string()),
                kind: body.kind().into(),
                body: body.encode(),
                created_at: time::to_millis(self.now()),
                read_at: None,
                audience: audience.into(),
            },
        )
        .await?;
        Ok(())
    }
}
