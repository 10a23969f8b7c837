//! Work on a case beside its workflow: replies, referrals between agencies, joint analysis meetings,
//! mediation with agreements and follow-up visits, tasks, reply templates, and each user's inbox.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::{MediationOutcome, ReferralState, ReplyChannel, ReplyKind, Satisfaction};
use gongzhi_domain::deadline::{ClockKind, ClockState, Trigger};
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::{CaseKind, Command};
use gongzhi_domain::{Id, time};
use gongzhi_store::cases::{self, ClockFilter, OpenClock};
pub use gongzhi_store::casework::Template;
use gongzhi_store::casework::{self, FollowUp, Mediation, Meeting, Notice, Referral, Reply, Task};
use gongzhi_store::reference;
use gongzhi_store::{Page, Paged};

use crate::case::{TransitionInput, district_wide, parse_local};
use crate::deadlines::{self, Clocks};
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// The default reply templates (editable by the reception office). `{number}`, `{title}`,
/// `{agency}` and `{date}` are filled in when a reply is drafted.
pub fn default_templates() -> Vec<(&'static str, ReplyKind, &'static str, &'static str)> {
    vec![
        (
            "procedural-accepted",
            ReplyKind::Procedural,
            "程序性答复（已受理）",
            "您反映的“{title}”（{number}）我院已收悉，经审查属于本院管辖，已依法受理，我们将认真办理并在三个月内答复办理结果。\n{agency}\n{date}",
        ),
        (
            "procedural-transferred",
            ReplyKind::Procedural,
            "程序性答复（已移送）",
            "您反映的“{title}”（{number}）我院已收悉，经审查不属于本院管辖，已移送有权处理的机关，请您与其联系。\n{agency}\n{date}",
        ),
        (
            "procedural-materials",
            ReplyKind::Procedural,
            "程序性答复（需补充材料）",
            "您反映的“{title}”（{number}）我院已收悉，为便于审查，请您补充提供相关证明材料。\n{agency}\n{date}",
        ),
        (
            "progress-monthly",
            ReplyKind::Progress,
            "办理进展答复",
            "您反映的“{title}”（{number}）正在办理中，目前已开展调查核实工作，我们将持续推进并及时告知进展。\n{agency}\n{date}",
        ),
        (
            "result-final",
            ReplyKind::Result,
            "办理结果答复",
            "您反映的“{title}”（{number}）已办理完毕，现将办理结果答复如下：\n（办理结果）\n如对答复有异议，可依法申请复查。\n{agency}\n{date}",
        ),
    ]
}

/// Rows of each inbox section per page.
pub const INBOX_PAGE: i64 = 50;

/// A user's work, most urgent first: one page of each section, with each section's total.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    pub clocks: Paged<(OpenClock, ClockState)>,
    pub referrals: Paged<(Referral, String, String)>,
    pub tasks: Paged<Task>,
    pub notices: Paged<Notice>,
    /// The page shown (from 1).
    pub page: i64,
}

impl Inbox {
    /// Whether a later page holds more of any section.
    pub fn has_more(&self) -> bool {
        let shown = self.page * INBOX_PAGE;
        [
            self.clocks.total,
            self.referrals.total,
            self.tasks.total,
            self.notices.total,
        ]
        .iter()
        .any(|t| *t > shown)
    }
}

#[derive(Clone, Debug, Default)]
pub struct MediationForm {
    pub mediator: String,
    pub held_at: String,
    pub place: String,
    pub attendees: String,
    pub outcome: String,
    pub notes: String,
    pub agreement: String,
    pub agreement_date: String,
}

#[derive(Clone, Debug, Default)]
pub struct MeetingForm {
    pub title: String,
    pub held_at: String,
    pub place: String,
    pub conclusions: String,
    pub agencies: Vec<String>,
    pub cases: Vec<String>,
    /// (title, owner user id, due date)
    pub items: Vec<(String, String, String)>,
}

fn fill(template: &str, number: &str, title: &str, agency: &str, date: NaiveDate) -> String {
    template
        .replace("{number}", number)
        .replace("{title}", title)
        .replace("{agency}", agency)
        .replace("{date}", &date.format("%Y年%m月%d日").to_string())
}

impl App {
    pub async fn templates(&self, ctx: &Ctx) -> Result<Vec<Template>, AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        Ok(casework::templates(&mut conn).await?)
    }

    pub async fn save_template(
        &self,
        ctx: &Ctx,
        code: &str,
        name: &str,
        body: &str,
        version: i64,
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageTemplates).await?;
        let mut checks = Checks::new();
        checks.check(
            (1..=40).contains(&name.trim().chars().count()),
            "name",
            "name-invalid",
        );
        checks.check(!body.trim().is_empty(), "body", "body-required");
        checks.finish()?;
        let mut tx = self.db().begin().await?;
        let t = casework::templates(tx.conn())
            .await?
            .into_iter()
            .find(|t| t.code == code)
            .ok_or(AppError::NotFound)?;
        if t.version != version {
            return Err(AppError::Conflict(vec![
                ("name".into(), t.name),
                ("body".into(), t.body),
                ("version".into(), t.version.to_string()),
            ]));
        }
        casework::put_template(
            tx.conn(),
            &Template {
                name: name.trim().to_owned(),
                body: body.trim().to_owned(),
                updated_at: time::to_millis(self.now()),
                ..t
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "template.update",
            "reply_template",
            code,
            Changes::new().set("name", name.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reply drafted from a template for a case.
    pub async fn draft_reply(&self, ctx: &Ctx, case: Id, template: &str) -> Result<String, AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, case).await?;
        let t = casework::templates(&mut conn)
            .await?
            .into_iter()
            .find(|t| t.code == template)
            .ok_or(AppError::NotFound)?;
        Ok(fill(
            &t.body,
            &c.number,
            &c.title,
            &c.owner_agency_name,
            time::local_date(self.now()),
        ))
    }

    /// Sends a reply. A procedural reply satisfies the 7-day clock; a progress reply the 3-month
    /// (or the last monthly) clock and starts the next month's; a result reply the result clocks.
    /// On a procuratorate petition, the procedural and result replies are also workflow steps.
    pub async fn send_reply(
        &self,
        ctx: &Ctx,
        case: Id,
        kind: &str,
        channel: &str,
        body: &str,
        version: i64,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut checks = Checks::new();
        let kind = ReplyKind::parse(kind);
        checks.check(kind.is_some(), "kind", "reply-kind-invalid");
        let channel = ReplyChannel::parse(channel);
        checks.check(channel.is_some(), "channel", "reply-channel-invalid");
        checks.check(
            (1..=5000).contains(&body.trim().chars().count()),
            "body",
            "body-required",
        );
        checks.finish()?;
        let (Some(kind), Some(channel)) = (kind, channel) else {
            return Err(AppError::field("kind", "reply-kind-invalid"));
        };
        let command = match kind {
            ReplyKind::Procedural => Some(Command::ReplyProcedural),
            ReplyKind::Result => Some(Command::ReplyResult),
            ReplyKind::Progress => None,
        };
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.status.is_closed() {
            return Err(AppError::field("kind", "case-closed"));
        }
        // What is answered through the portal is read there with a code and four digits: never for
        // a case concerning a minor (DOMAIN.md §6.1, Minor Protection Law Art. 103).
        if channel == ReplyChannel::Portal && !gongzhi_domain::publication::may_release(c.has_minor) {
            return Err(AppError::field("channel", "reply-portal-minor"));
        }
        if version != 0 && version != c.version {
            return Err(AppError::Conflict(vec![
                ("status".into(), c.status.code().into()),
                ("version".into(), c.version.to_string()),
            ]));
        }
        // On a procuratorate petition the procedural and result replies are workflow steps: the
        // transition runs in the same transaction, with its roles and its risk gate.
        if c.kind == CaseKind::Petition
            && let Some(cmd) = command
        {
            let input = TransitionInput {
                version: c.version,
                ..Default::default()
            };
            self.transition_in(tx.conn(), ctx, case, cmd, &input).await?;
        }
        let now = self.now();
        let today = time::local_date(now);
        casework::insert_reply(
            tx.conn(),
            &Reply {
                id: Id::new().to_string(),
                case_id: case.to_string(),
                kind: kind.code().into(),
                channel: channel.code().into(),
                body: body.trim().to_owned(),
                sent_at: time::to_millis(now),
                sent_by_name: actor.display_name.clone(),
                agency_name: actor.agency_name.clone(),
            },
        )
        .await?;
        match kind {
            ReplyKind::Procedural => {
                deadlines::meet(tx.conn(), case, &[ClockKind::ProceduralReply], now).await?;
            }
            ReplyKind::Result => {
                deadlines::meet(
                    tx.conn(),
                    case,
                    &[ClockKind::ResultReply, ClockKind::ProgressReply],
                    now,
                )
                .await?;
            }
            ReplyKind::Progress => {
                let met = deadlines::meet(
                    tx.conn(),
                    case,
                    &[ClockKind::ResultReply, ClockKind::ProgressReply],
                    now,
                )
                .await?;
                if let Some(last) = met
                    .iter()
                    .max_by_key(|k| (k.kind == ClockKind::ProgressReply, k.seq))
                {
                    let clocks = Clocks::load(tx.conn()).await?;
                    let seq = if last.kind == ClockKind::ProgressReply {
                        last.seq + 1
                    } else {
                        1
                    };
                    for k in clocks.started(case, c.kind, Trigger::ProgressReplied, today, seq) {
                        cases::insert_clock(tx.conn(), &k).await?;
                    }
                }
            }
        }
        self.event(
            tx.conn(),
            ctx,
            &c,
            &format!("reply-{}", kind.code()),
            channel.code(),
            true,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.reply",
            "case",
            &case.to_string(),
            Changes::new()
                .set("kind", kind.code())
                .set("channel", channel.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refers a case to another agency with a feedback deadline in days.
    pub async fn refer(
        &self,
        ctx: &Ctx,
        case: Id,
        to_agency: &str,
        note: &str,
        days: &str,
    ) -> Result<(), AppError> {
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
        let days = days.trim().parse::<u32>().ok().filter(|d| (1..=90).contains(d));
        checks.check(days.is_some(), "days", "referral-days-invalid");
        checks.check(!c.status.is_closed(), "to_agency", "case-closed");
        let open = casework::referrals(tx.conn(), case).await?;
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
        let clocks = Clocks::load(tx.conn()).await?;
        let referral_id = Id::new();
        let mut clock = clocks
            .clock_of_days(case, ClockKind::ReferralFeedback, time::local_date(now), days)
            .ok_or_else(|| AppError::field("days", "referral-days-invalid"))?;
        clock.referral_id = Some(referral_id);
        casework::insert_referral(
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
        cases::insert_clock(tx.conn(), &clock).await?;
        casework::raise_notice(
            tx.conn(),
            &Notice {
                id: Id::new().to_string(),
                dedup: format!("referral:{referral_id}"),
                user_id: None,
                agency_id: Some(to.id.to_string()),
                case_id: Some(case.to_string()),
                kind: "referral".into(),
                body: format!("referral|{}|{}|{}", c.number, c.title, clock.due_date),
                created_at: time::to_millis(now),
                read_at: None,
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
        action: &str,
        text: &str,
    ) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let r = casework::get_referral(tx.conn(), referral)
            .await?
            .ok_or(AppError::NotFound)?;
        let case: Id = r.case_id.parse().map_err(|_| AppError::NotFound)?;
        let c = cases::get_case(tx.conn(), case)
            .await?
            .ok_or(AppError::NotFound)?;
        let receiving = r.to_agency_id == actor.agency_id.to_string();
        let sending = r.from_agency_id == actor.agency_id.to_string();
        let state = ReferralState::parse(&r.state).unwrap_or(ReferralState::Revoked);
        let text = text.trim();
        let new_state = match action {
            "accept" if receiving && state == ReferralState::Pending => ReferralState::Accepted,
            "return" if receiving && matches!(state, ReferralState::Pending | ReferralState::Accepted) => {
                if text.is_empty() {
                    return Err(AppError::field("text", "referral-return-reason"));
                }
                ReferralState::Returned
            }
            "report" if receiving && matches!(state, ReferralState::Pending | ReferralState::Accepted) => {
                if text.is_empty() {
                    return Err(AppError::field("text", "referral-report-required"));
                }
                ReferralState::Reported
            }
            "revoke" if sending && matches!(state, ReferralState::Pending | ReferralState::Accepted) => {
                ReferralState::Revoked
            }
            "accept" | "return" | "report" | "revoke" if receiving || sending => {
                return Err(AppError::field("action", "referral-not-open"));
            }
            "accept" | "return" | "report" | "revoke" => return Err(AppError::NotFound),
            _ => return Err(AppError::field("action", "referral-action-invalid")),
        };
        let now = self.now();
        casework::answer_referral(
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
        for mut k in cases::clocks(tx.conn(), case).await? {
            if k.referral_id == Some(referral) && matches!(k.state, ClockState::Running | ClockState::Paused)
            {
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
                cases::update_clock(tx.conn(), &k).await?;
            }
        }
        if matches!(new_state, ReferralState::Returned | ReferralState::Reported) {
            casework::raise_notice(
                tx.conn(),
                &Notice {
                    id: Id::new().to_string(),
                    dedup: format!("referral-{}:{referral}", new_state.code()),
                    user_id: c.handler_id.map(|h| h.to_string()),
                    agency_id: Some(r.from_agency_id.clone()),
                    case_id: Some(case.to_string()),
                    kind: format!("referral_{}", new_state.code()),
                    body: format!(
                        "referral_{}|{}|{}|{}",
                        new_state.code(),
                        c.number,
                        c.title,
                        actor.agency_name
                    ),
                    created_at: time::to_millis(now),
                    read_at: None,
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

    pub async fn record_mediation(&self, ctx: &Ctx, case: Id, f: &MediationForm) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let mut checks = Checks::new();
        checks.check(
            (1..=30).contains(&f.mediator.trim().chars().count()),
            "mediator",
            "name-invalid",
        );
        let held = parse_local(&f.held_at);
        checks.check(
            held.is_some_and(|h| h <= self.now() + chrono::Duration::minutes(5)),
            "held_at",
            "held-invalid",
        );
        checks.check(!f.place.trim().is_empty(), "place", "place-required");
        checks.check(!f.attendees.trim().is_empty(), "attendees", "attendees-required");
        let outcome = MediationOutcome::parse(&f.outcome);
        checks.check(outcome.is_some(), "outcome", "outcome-invalid");
        checks.check(!c.status.is_closed(), "outcome", "case-closed");
        let agreed = outcome == Some(MediationOutcome::Agreed);
        let agreement_date = NaiveDate::parse_from_str(f.agreement_date.trim(), "%Y-%m-%d").ok();
        if agreed {
            checks.check(!f.agreement.trim().is_empty(), "agreement", "agreement-required");
            checks.check(agreement_date.is_some(), "agreement_date", "date-invalid");
        }
        checks.finish()?;
        let held = held.ok_or_else(|| AppError::field("held_at", "held-invalid"))?;
        let now = self.now();
        casework::insert_mediation(
            tx.conn(),
            &Mediation {
                id: Id::new().to_string(),
                case_id: case.to_string(),
                mediator: f.mediator.trim().to_owned(),
                held_at: time::to_millis(held),
                place: f.place.trim().to_owned(),
                attendees: f.attendees.trim().to_owned(),
                outcome: outcome.map(|o| o.code()).unwrap_or_default().into(),
                notes: f.notes.trim().to_owned(),
                agreement: if agreed {
                    f.agreement.trim().to_owned()
                } else {
                    String::new()
                },
                agreement_date: agreement_date.filter(|_| agreed).map(|d| d.to_string()),
                created_by_name: actor.display_name.clone(),
                created_at: time::to_millis(now),
            },
        )
        .await?;
        // 人民调解法 Art. 33: the parties may apply for judicial confirmation within 30 days of the
        // agreement taking effect; the clock reminds the mediator inside that window.
        if let (true, Some(d)) = (agreed, agreement_date) {
            let clocks = Clocks::load(tx.conn()).await?;
            for k in clocks.started(case, c.kind, Trigger::Agreement, d, 1) {
                cases::insert_clock(tx.conn(), &k).await?;
            }
        }
        let code = outcome.map(|o| o.code()).unwrap_or_default();
        self.event(
            tx.conn(),
            ctx,
            &c,
            &format!("mediation-{code}"),
            f.mediator.trim(),
            agreed,
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "case.mediation",
            "case",
            &case.to_string(),
            Changes::new().set("outcome", code),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A follow-up visit (回访) with the party's satisfaction.
    pub async fn record_follow_up(
        &self,
        ctx: &Ctx,
        case: Id,
        satisfaction: &str,
        notes: &str,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let s = Satisfaction::parse(satisfaction)
            .ok_or_else(|| AppError::field("satisfaction", "satisfaction-invalid"))?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        casework::insert_follow_up(
            tx.conn(),
            &FollowUp {
                id: Id::new().to_string(),
                case_id: case.to_string(),
                at: time::to_millis(self.now()),
                by_name: actor.display_name.clone(),
                satisfaction: s.code().into(),
                notes: notes.trim().to_owned(),
            },
        )
        .await?;
        deadlines::meet(tx.conn(), case, &[ClockKind::JudicialConfirmation], self.now())
            .await
            .map(|_| ())?;
        self.event(tx.conn(), ctx, &c, "follow-up", s.code(), false)
            .await?;
        ctx.audit(
            tx.conn(),
            "case.follow_up",
            "case",
            &case.to_string(),
            Changes::new().set("satisfaction", s.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A joint analysis meeting (共同研判) of several agencies on several cases, with action items.
    pub async fn create_meeting(&self, ctx: &Ctx, f: &MeetingForm) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        checks.check(
            (1..=100).contains(&f.title.trim().chars().count()),
            "title",
            "title-invalid",
        );
        let held = parse_local(&f.held_at);
        checks.check(held.is_some(), "held_at", "held-invalid");
        checks.check(!f.place.trim().is_empty(), "place", "place-required");
        checks.check(
            !f.conclusions.trim().is_empty(),
            "conclusions",
            "conclusions-required",
        );
        let mut agencies = vec![actor.agency_id];
        for a in &f.agencies {
            match a.parse::<Id>() {
                Ok(id) if reference::agency_get(tx.conn(), id).await?.is_some() => {
                    if !agencies.contains(&id) {
                        agencies.push(id);
                    }
                }
                _ => checks.fail(FieldError::new("agencies", "agency-unknown")),
            }
        }
        checks.check(agencies.len() >= 2, "agencies", "meeting-agencies");
        // Only cases of the convening agency: a meeting writes to each case's timeline.
        let mut case_ids = Vec::new();
        for c in &f.cases {
            let id = c.parse::<Id>().ok();
            let visible = match id {
                Some(id) => self.case_for_write(tx.conn(), ctx, id).await.is_ok(),
                None => false,
            };
            match (id, visible) {
                (Some(id), true) => case_ids.push(id),
                _ => checks.fail(FieldError::new("cases", "case-unknown")),
            }
        }
        checks.check(!case_ids.is_empty(), "cases", "meeting-cases");
        let items = self
            .check_tasks(tx.conn(), &mut checks, &f.items, &agencies)
            .await?;
        checks.finish()?;
        let held = held.ok_or_else(|| AppError::field("held_at", "held-invalid"))?;
        let id = Id::new();
        let now = self.now();
        casework::insert_meeting(
            tx.conn(),
            &Meeting {
                id: id.to_string(),
                title: f.title.trim().to_owned(),
                held_at: time::to_millis(held),
                place: f.place.trim().to_owned(),
                conclusions: f.conclusions.trim().to_owned(),
                agency_id: actor.agency_id.to_string(),
                created_by_name: actor.display_name.clone(),
                created_at: time::to_millis(now),
            },
            &agencies,
            &case_ids,
        )
        .await?;
        let first_case = case_ids.first().copied();
        self.insert_tasks(tx.conn(), first_case, "meeting", &id.to_string(), items)
            .await?;
        for cid in &case_ids {
            if let Some(c) = cases::get_case(tx.conn(), *cid).await? {
                self.event(tx.conn(), ctx, &c, "meeting", f.title.trim(), false)
                    .await?;
            }
        }
        ctx.audit(
            tx.conn(),
            "meeting.create",
            "meeting",
            &id.to_string(),
            Changes::new()
                .set("cases", case_ids.len())
                .set("agencies", agencies.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn finish_task(&self, ctx: &Ctx, task: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut tx = self.db().begin().await?;
        let t = casework::get_task(tx.conn(), task)
            .await?
            .ok_or(AppError::NotFound)?;
        if t.owner_id != actor.user_id.to_string() {
            return Err(AppError::NotFound);
        }
        casework::finish_task(tx.conn(), task, time::to_millis(self.now())).await?;
        ctx.audit(
            tx.conn(),
            "task.done",
            "task",
            &task.to_string(),
            Changes::new().set("title", t.title.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn read_notice(&self, ctx: &Ctx, notice: Id) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut tx = self.db().begin().await?;
        casework::read_notice(
            tx.conn(),
            notice,
            actor.user_id,
            actor.agency_id,
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
        let clocks = Clocks::load(&mut conn).await?;
        let horizon = today + chrono::Days::new(30);
        // The agency's clocks; those who see the whole district (the policy's scope) follow every
        // handler's, the others their own, the unassigned ones and those referred to the agency.
        let filter = ClockFilter {
            agency: Some(actor.agency_id),
            for_user: (!district_wide(&actor)).then_some(actor.user_id),
        };
        let page = page.max(1);
        let at = Page::nth(page, INBOX_PAGE);
        let open = cases::open_clocks(&mut conn, horizon, filter, at).await?;
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
        Ok(Inbox {
            clocks,
            referrals: casework::referrals_to(&mut conn, actor.agency_id, at).await?,
            tasks: casework::open_tasks_of(&mut conn, actor.user_id, at).await?,
            notices: casework::notices_for(&mut conn, actor.user_id, actor.agency_id, at).await?,
            page,
        })
    }
}
