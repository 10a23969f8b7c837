//! Referrals (交办): handing a case to another agency with a feedback deadline, and its answer.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{ClockKind, ClockState};
use gongzhi_domain::notice::Message;
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::policy::Action;
use gongzhi_domain::policy::Actor;
use gongzhi_domain::referral::{
    self as referral_rules, Answer, ReceiverWork, ReferralState, Refusal, Side, Suggestion,
};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case};
use gongzhi_store::reference::{self, Agency, AgencyFilter};
use gongzhi_store::referral::Referral;
use gongzhi_store::roster;
use gongzhi_store::{notice, referral};
use std::collections::HashSet;

use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// The referral of `actor`'s agency under which it may do `work` in the case, if any.
pub(crate) fn held_referral<'a>(
    referrals: &'a [Referral],
    actor: &Actor,
    work: ReceiverWork,
) -> Option<&'a Referral> {
    referrals.iter().find(|r| {
        r.to_agency_id == actor.agency_id.to_string()
            && ReferralState::parse(&r.state)
                .is_some_and(|s| referral_rules::receiver_may(s, r.reply_requested != 0, work))
    })
}

/// An agency a case may be referred to, and why it is offered first, if it is.
#[derive(Clone, Debug)]
pub struct ReferralChoice {
    pub agency: Agency,
    pub suggestion: Option<Suggestion>,
}

/// A referral, as the case page's form and `POST /api/v1/cases/{id}/referrals` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewReferral {
    /// Id of the receiving agency.
    pub to_agency: String,
    pub note: String,
    /// Feedback deadline in days (1–90).
    pub days: u32,
    /// Ask the receiver to reply to the citizen itself (a dispute or a government petition only).
    #[serde(default)]
    pub reply_requested: bool,
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
    /// Loads a case for work its owner does, or the receiver of an accepted referral may do in it
    /// (issue 10 §5: mediation with the agreement, material, the reply when asked).
    pub(crate) async fn case_for_work(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
        work: ReceiverWork,
    ) -> Result<Case, AppError> {
        let (c, owner) = self.case_for_read(conn, ctx, case).await?;
        if owner || held_referral(&referral::referrals(conn, case).await?, ctx.actor()?, work).is_some() {
            self.refuse_merged(conn, &c).await?;
            Ok(c)
        } else {
            Err(AppError::NotOwner)
        }
    }

    /// The agencies the case may be referred to: first those `referral_rules::suggestion` offers —
    /// the case's township centre, the township's and village's own agencies, the agencies of the
    /// village's 1+4+6 roster and the township's patch owner — then every other, by kind.
    pub async fn referral_choices(&self, ctx: &Ctx, case: Id) -> Result<Vec<ReferralChoice>, AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut conn = self.db().conn().await?;
        let c = self.case_for_write(&mut conn, ctx, case).await?;
        let place = match c.place_id {
            Some(p) => reference::org_get(&mut conn, p).await?,
            None => None,
        };
        let (village, township) = match &place {
            Some(u) if u.level == OrgLevel::Township => (None, Some(u.id)),
            Some(u) => (Some(u.id), u.parent_id),
            None => (None, None),
        };
        let mut on_roster = HashSet::new();
        if let Some(t) = township {
            for s in roster::slots(&mut conn, Some(t)).await? {
                if Some(s.village_id) == village {
                    on_roster.insert(s.agency_id);
                }
            }
            for p in roster::patches(&mut conn).await? {
                if p.township_id == t {
                    on_roster.insert(p.agency_id);
                }
            }
        }
        let local = [village, township];
        let mut out: Vec<ReferralChoice> = reference::agency_list(&mut conn, &AgencyFilter::default())
            .await?
            .into_iter()
            .filter(|a| a.active && a.id != c.owner_agency_id)
            .map(|a| ReferralChoice {
                suggestion: referral_rules::suggestion(
                    a.kind,
                    local.contains(&Some(a.org_unit_id)),
                    on_roster.contains(&a.id),
                ),
                agency: a,
            })
            .collect();
        // Stable: within a suggestion, and among the rest, the store's order by kind and code.
        out.sort_by_key(|x| (x.suggestion.is_none(), x.suggestion));
        Ok(out)
    }

    /// Refers a case to another agency with a feedback deadline in days.
    pub async fn refer(&self, ctx: &Ctx, case: Id, input: &NewReferral) -> Result<(), AppError> {
        self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        self.refer_in(tx.conn(), ctx, &c, input).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refers a case the caller may work on, in the caller's transaction (a grid visit's finding
    /// registers its case and refers it in one step).
    pub(crate) async fn refer_in(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        c: &Case,
        input: &NewReferral,
    ) -> Result<(), AppError> {
        let NewReferral {
            to_agency,
            note,
            days,
            reply_requested,
        } = input;
        let actor = ctx.actor()?;
        let case = c.id;
        let mut checks = Checks::new();
        let to = match to_agency.trim().parse::<Id>() {
            Ok(a) => reference::agency_get(&mut *conn, a).await?.filter(|a| a.active),
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
        checks.check(
            !reply_requested || referral_rules::reply_may_be_delegated(c.kind),
            "reply_requested",
            "referral-reply-kept",
        );
        let open = referral::referrals(&mut *conn, case).await?;
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
        let clocks = self.clocks(&mut *conn).await?;
        let referral_id = Id::new();
        let mut clock = clocks
            .clock_of_days(case, ClockKind::ReferralFeedback, time::local_date(now), days)
            .ok_or_else(|| AppError::field("days", "referral-days-invalid"))?;
        clock.referral_id = Some(referral_id);
        referral::insert_referral(
            &mut *conn,
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
                reply_requested: i64::from(*reply_requested),
            },
        )
        .await?;
        case::insert_clock(&mut *conn, &clock).await?;
        self.notify(
            &mut *conn,
            c,
            None,
            &to.id.to_string(),
            format!("referral:{referral_id}"),
            Message::Referral {
                due: clock.due_date.to_string(),
            },
        )
        .await?;
        self.event(
            &mut *conn,
            ctx,
            c,
            "referred",
            &format!("{}：{}", to.name, note.trim()),
            false,
        )
        .await?;
        ctx.audit(
            &mut *conn,
            "case.refer",
            "case",
            &case.to_string(),
            Changes::new().set("to", to.name.clone()).set("days", days),
        )
        .await?;
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
            let by = actor.agency_name.clone();
            self.notify(
                tx.conn(),
                &c,
                c.handler_id,
                &r.from_agency_id,
                format!("referral-{}:{referral}", new_state.code()),
                if new_state == ReferralState::Returned {
                    Message::ReferralReturned { by }
                } else {
                    Message::ReferralReported { by }
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
