//! Referrals (交办): handing a case to another agency with a feedback deadline, and its answer.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{ClockKind, ClockState};
use gongzhi_domain::notice::{Message, Notice};
use gongzhi_domain::policy::Action;
use gongzhi_domain::referral::{self as referral_rules, Answer, ReferralState, Refusal, Side};
use gongzhi_domain::{Id, time};
use gongzhi_store::case;
use gongzhi_store::notice::Notice as NoticeRow;
use gongzhi_store::reference;
use gongzhi_store::referral::Referral;
use gongzhi_store::{notice, referral};

use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// A referral, as the case page's form and `POST /api/v1/cases/{id}/referrals` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewReferral {
    /// Id of the receiving agency.
    pub to_agency: String,
    pub note: String,
    /// Feedback deadline in days (1–90).
    pub days: u32,
}

/// An answer to a referral.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReferralAnswer {
    /// accept, return (reason required), report (report required), revoke (the sender)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

impl App {
    /// Refers a case to another agency with a feedback deadline in days.
    pub async fn refer(&self, ctx: &Ctx, case: Id, input: &NewReferral) -> Result<(), AppError> {
        let NewReferral {
            to_agency,
            note,
            days,
        } = input;
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let mut checks = Checks::new();
        let to = match to_agency.trim().parse::<Id>() {
            Ok(a) => reference::agency_get(tx.conn(), a).await?.filter(|a| a.active),
            Err(_) => None,
        };
        checks.check(to.is_some(), "to_agency", "agency-unknown");
        checks.check(
            to.as_ref().is_none_or(|a| a.id != c.owner_agency_id),
            "to_agency",
            "referral-to-self",
        );
        checks.check(!note.trim().is_empty(), "note", "referral-note-required");
        let days = Some(*days).filter(|d| (1..=90).contains(d));
        checks.check(days.is_some(), "days", "referral-days-invalid");
        checks.check(!c.status.is_closed(), "to_agency", "case-closed");
        let open = referral::referrals(tx.conn(), case).await?;
        checks.check(
            !open.iter().any(|r| {
                to.as_ref().is_some_and(|a| a.id.to_string() == r.to_agency_id)
                    && matches!(r.state.as_str(), "pending" | "accepted")
            }),
            "to_agency",
            "referral-open",
        );
        checks.finish()?;
        let (Some(to), Some(days)) = (to, days) else {
            return Err(AppError::field("to_agency", "agency-unknown"));
        };
        let now = self.now();
        let clocks = self.clocks(tx.conn()).await?;
        let referral_id = Id::new();
        let mut clock = clocks
            .clock_of_days(case, ClockKind::ReferralFeedback, time::local_date(now), days)
            .ok_or_else(|| AppError::field("days", "referral-days-invalid"))?;
        clock.referral_id = Some(referral_id);
        referral::insert_referral(
            tx.conn(),
            &Referral {
                id: referral_id.to_string(),
                case_id: case.to_string(),
                from_agency_id: actor.agency_id.to_string(),
                from_agency_name: None,
                to_agency_id: to.id.to_string(),
                to_agency_name: None,
                note: note.trim().to_owned(),
                due_date: clock.due_date.to_string(),
                state: ReferralState::Pending.code().into(),
                answer: String::new(),
                created_by_name: actor.display_name.clone(),
                created_at: time::to_millis(now),
                answered_by_name: String::new(),
                answered_at: None,
                version: 1,
            },
        )
        .await?;
        case::insert_clock(tx.conn(), &clock).await?;
        notice::raise_notice(
            tx.conn(),
            &NoticeRow {
                id: Id::new().to_string(),
                dedup: format!("referral:{referral_id}"),
                user_id: None,
                agency_id: Some(to.id.to_string()),
                case_id: Some(case.to_string()),
                kind: "referral".into(),
                body: Notice {
                    number: c.number.clone(),
                    title: c.title.clone(),
                    message: Message::Referral {
                        due: clock.due_date.to_string(),
                    },
                }
                .encode(),
                created_at: time::to_millis(now),
                read_at: None,
                audience: "all".into(),
            },
        )
        .await?;
        self.event(
            tx.conn(),
            ctx,
            &c,
            "referred",
            &format!("{}：{}", to.name, note.trim()),
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.refer",
            "case",
            &case.to_string(),
            Changes::new().set("to", to.name.clone()).set("days", days),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The receiving agency accepts a referral, returns it (a reason is required) or reports back;
    /// the sending agency may revoke it while it is open.
    pub async fn answer_referral(
        &self,
        ctx: &Ctx,
        referral: Id,
        input: &ReferralAnswer,
    ) -> Result<Id, AppError> {
        let ReferralAnswer { action, text } = input;
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let r = referral::get_referral(tx.conn(), referral)
            .await?
            .ok_or(AppError::NotFound)?;
        let case: Id = r.case_id.parse().map_err(|_| AppError::NotFound)?;
        let c = case::get_case(tx.conn(), case).await?.ok_or(AppError::NotFound)?;
        let state = ReferralState::parse(&r.state).unwrap_or(ReferralState::Revoked);
        let side = if r.to_agency_id == actor.agency_id.to_string() {
            Side::Receiving
        } else if r.from_agency_id == actor.agency_id.to_string() {
            Side::Sending
        } else {
            Side::Other
        };
        let text = text.trim();
        let answer =
            Answer::parse(action).ok_or_else(|| AppError::field("action", "referral-action-invalid"))?;
        let new_state =
            referral_rules::answer(state, answer, side, !text.is_empty()).map_err(|e| match e {
                Refusal::NeedsText if answer == Answer::Return => {
                    AppError::field("text", "referral-return-reason")
                }
                Refusal::NeedsText => AppError::field("text", "referral-report-required"),
                Refusal::NotOpen => AppError::field("action", "referral-not-open"),
                Refusal::Unknown => AppError::NotFound,
            })?;
        let now = self.now();
        referral::answer_referral(
            tx.conn(),
            &r,
            new_state.code(),
            if new_state == ReferralState::Accepted {
                &r.answer
            } else {
                text
            },
            &actor.display_name,
            time::to_millis(now),
        )
        .await?;
        for mut k in case::clocks(tx.conn(), case).await? {
            if k.referral_id == Some(referral) && k.state.is_open() {
                match new_state {
                    ReferralState::Reported | ReferralState::Returned => {
                        k.state = ClockState::Met;
                        k.met_at = Some(now);
                    }
                    ReferralState::Revoked => {
                        k.state = ClockState::Exempt;
                        k.note = "交办已撤回".into();
                    }
                    _ => continue,
                }
                case::update_clock(tx.conn(), &k).await?;
                crate::deadlines::clock_settled(tx.conn(), &k, now).await?;
            }
        }
        // The "new referral" notice has done its work once the receiver answers (or it is revoked).
        notice::resolve_notices(
            tx.conn(),
            case,
            &format!("referral:{referral}"),
            time::to_millis(now),
        )
        .await?;
        if matches!(new_state, ReferralState::Returned | ReferralState::Reported) {
            notice::raise_notice(
                tx.conn(),
                &NoticeRow {
                    id: Id::new().to_string(),
                    dedup: format!("referral-{}:{referral}", new_state.code()),
                    user_id: c.handler_id.map(|h| h.to_string()),
                    agency_id: Some(r.from_agency_id.clone()),
                    case_id: Some(case.to_string()),
                    kind: format!("referral_{}", new_state.code()),
                    body: Notice {
                        number: c.number.clone(),
                        title: c.title.clone(),
                        message: if new_state == ReferralState::Returned {
                            Message::ReferralReturned {
                                by: actor.agency_name.clone(),
                            }
                        } else {
                            Message::ReferralReported {
                                by: actor.agency_name.clone(),
                            }
                        },
                    }
                    .encode(),
                    created_at: time::to_millis(now),
                    read_at: None,
                    audience: "all".into(),
                },
            )
            .await?;
        }
        self.event(
            tx.conn(),
            ctx,
            &c,
            &format!("referral-{}", new_state.code()),
            text,
            false,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            &format!("referral.{}", new_state.code()),
            "referral",
            &referral.to_string(),
            Changes::new().set("case", c.number.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(case)
    }
}
