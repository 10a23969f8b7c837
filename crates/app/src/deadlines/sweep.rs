//! The sweeper: a reminder before a clock's due date, an escalation after it, each raised once
//! however many servers sweep; the parties' own time lapses instead of escalating.

use chrono::NaiveDate;
use gongzhi_domain::deadline::ClockState;
use gongzhi_domain::notice::{Message, Notice};
use gongzhi_domain::{Id, time};
use gongzhi_store::case::{self, ClockFilter, OpenClock};
use gongzhi_store::notice::Notice as NoticeRow;
use gongzhi_store::{AnyConnection, Page, notice};

use super::SWEEP_PAGE;
use crate::{App, AppError, Ctx};

impl App {
    /// One pass of the sweeper: a reminder for every running clock due within two working days and
    /// an escalation for every overdue one, each raised once (a unique key per clock and due date),
    /// however many servers sweep at the same time. Returns (reminders, escalations) raised.
    pub async fn sweep_deadlines(&self, ctx: &Ctx, today: NaiveDate) -> Result<(usize, usize), AppError> {
        self.authorize_system(ctx, "sweep_deadlines").await?;
        let mut conn = self.db().conn().await?;
        let clocks = self.clocks(&mut conn).await?;
        let horizon = today + chrono::Days::new(14);
        let mut open = Vec::new();
        // Every clock, a page at a time (raising a notice changes no clock, so the pages hold).
        for n in 1.. {
            let page = case::open_clocks(
                &mut conn,
                horizon,
                ClockFilter::default(),
                Page::nth(n, SWEEP_PAGE),
            )
            .await?;
            let last = page.items.len() < usize::try_from(SWEEP_PAGE).unwrap_or(0);
            open.extend(page.items);
            if last {
                break;
            }
        }
        drop(conn);
        let (mut reminders, mut escalations) = (0, 0);
        for o in open {
            let state = clocks.state(&o.clock, today);
            let kind = match state {
                ClockState::DueSoon => "reminder",
                // The parties' own time is no duty of the agency: when it has passed without
                // their application it lapses, with no escalation (人民调解法 Art. 33; the
                // review windows of 信访工作条例 Arts. 35–36).
                ClockState::Overdue if o.clock.kind.is_parties_time() => {
                    let mut tx = self.db().begin().await?;
                    let mut k = o.clock.clone();
                    k.state = ClockState::Exempt;
                    k.note = k.kind.lapsed_note().into();
                    match case::update_clock(tx.conn(), &k).await {
                        // A concurrent sweep or a recorded application got there first.
                        Ok(()) | Err(gongzhi_store::StoreError::Conflict) => {}
                        Err(e) => return Err(e.into()),
                    }
                    tx.commit().await?;
                    continue;
                }
                // §3.2: the 2007 rule's clocks are tracked, not reported upward.
                ClockState::Overdue if o.clock.kind.is_tracked_only() => continue,
                ClockState::Overdue => "escalation",
                _ => continue,
            };
            let mut tx = self.db().begin().await?;
            if self.raise(tx.conn(), &o, kind).await? {
                if kind == "reminder" {
                    reminders += 1;
                } else {
                    escalations += 1;
                }
            }
            tx.commit().await?;
        }
        Ok((reminders, escalations))
    }

    async fn raise(&self, conn: &mut AnyConnection, o: &OpenClock, kind: &str) -> Result<bool, AppError> {
        let agency = o.referral_to.unwrap_or(o.owner_agency_id);
        // A reminder goes to the handler when there is one (else to the agency, as unassigned
        // work); an escalation to the agency's heads, who answer for it — not to everyone.
        let user = if kind == "reminder" && o.referral_to.is_none() {
            o.handler_id
        } else {
            None
        };
        let audience = if kind == "reminder" { "all" } else { "heads" };
        let (clock, due) = (o.clock.kind, o.clock.due_date.to_string());
        let message = if kind == "reminder" {
            Message::Reminder { clock, due }
        } else {
            Message::Escalation { clock, due }
        };
        let n = Notice {
            number: o.number.clone(),
            title: o.title.clone(),
            message,
        };
        Ok(notice::raise_notice(
            conn,
            &NoticeRow {
                id: Id::new().to_string(),
                dedup: format!("{kind}:{}:{}", o.clock.id, o.clock.due_date),
                user_id: user.map(|u| u.to_string()),
                agency_id: Some(agency.to_string()),
                case_id: Some(o.clock.case_id.to_string()),
                kind: n.kind().to_owned(),
                body: n.encode(),
                created_at: time::to_millis(self.now()),
                read_at: None,
                audience: audience.into(),
            },
        )
        .await?)
    }
}
