//! Replies to the petitioner: the templates, drafting from one, and sending (a reply that is also a
//! workflow step runs the transition in the same transaction).

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::{ReplyChannel, ReplyKind};
use gongzhi_domain::deadline::{ClockKind, Trigger};
use gongzhi_domain::policy::Action;
use gongzhi_domain::referral::ReceiverWork;
use gongzhi_domain::workflow::{CaseKind, Command, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::case;
use gongzhi_store::reply;
use gongzhi_store::reply::Reply;
pub use gongzhi_store::reply::Template;

use crate::case::TransitionInput;
use crate::deadlines;
use crate::error::Checks;
use crate::{App, AppError, Ctx};

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
            "procedural-not-accepted",
            ReplyKind::Procedural,
            "程序性答复（不予受理）",
            "您反映的“{title}”（{number}）我院已收悉，经审查不符合受理条件，依法不予受理，理由如下：\n（不予受理的理由）\n{agency}\n{date}",
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

/// §3.2: the procedural reply tells the petitioner whether the petition is accepted, not
/// accepted or transferred to the competent organ. Sent from the template that says so, it also
/// gives that decision (with its roles, its gate and, for a refusal, the reply as its reason);
/// the template asking for materials leaves the decision for later.
pub fn announced_decision(template: &str) -> Option<Command> {
    match template {
        "procedural-accepted" => Some(Command::Accept),
        "procedural-not-accepted" => Some(Command::NotAccept),
        "procedural-transferred" => Some(Command::TransferOut),
        _ => None,
    }
}

/// The template a reply of this state starts from: on a procuratorate petition the step the
/// reply gives (the procedural reply, which accepts; the result reply), otherwise a progress
/// reply — a dispute's or a government petition's reply is by the state it is sent in.
pub fn fitting_template(kind: CaseKind, status: Status) -> &'static str {
    match (kind, status) {
        (_, Status::Registered | Status::Routed) => "procedural-accepted",
        (CaseKind::Petition, Status::Handling) => "result-final",
        (
            CaseKind::Dispute | CaseKind::GovPetition | CaseKind::MinorCriminal,
            Status::Resolved
            | Status::FollowUp
            | Status::OpinionIssued
            | Status::Reviewed
            | Status::Final
            | Status::Announced,
        ) => "result-final",
        _ => "progress-monthly",
    }
}

/// The reply kinds a case may be sent in its state: on a procuratorate petition the procedural
/// reply only before acceptance and the result reply only while it is handled (each is a step
/// of §3.2); other kinds' replies are not steps.
pub fn fitting_kinds(kind: CaseKind, status: Status) -> Vec<ReplyKind> {
    match (kind, status) {
        (CaseKind::Petition, Status::Registered) => vec![ReplyKind::Procedural],
        (CaseKind::Petition, Status::Handling) => vec![ReplyKind::Result, ReplyKind::Progress],
        (CaseKind::Petition, _) => vec![ReplyKind::Progress],
        _ => ReplyKind::ALL.to_vec(),
    }
}

/// Fills a template's `{number}`, `{title}`, `{agency}` and `{date}`.
pub fn fill(template: &str, number: &str, title: &str, agency: &str, date: NaiveDate) -> String {
    template
        .replace("{number}", number)
        .replace("{title}", title)
        .replace("{agency}", agency)
        .replace("{date}", &date.format("%Y年%m月%d日").to_string())
}

/// A reply to the petitioner (答复), as the case page's form and the API give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewReply {
    /// procedural, progress, result
    pub kind: String,
    /// in_person, letter, phone, sms, portal
    pub channel: String,
    pub body: String,
    /// The case version read; a stale one is 409 with the current values.
    #[serde(default)]
    pub version: i64,
    /// The template the reply was drafted from: a procedural reply from `procedural-accepted`,
    /// `procedural-not-accepted` or `procedural-transferred` also gives that decision (§3.2).
    #[serde(default)]
    pub template: String,
}

impl App {
    pub async fn templates(&self, ctx: &Ctx) -> Result<Vec<Template>, AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        Ok(reply::templates(&mut conn).await?)
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
        let t = reply::templates(tx.conn())
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
        reply::put_template(
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

    /// Sends a reply. A procedural reply satisfies the 7-day clock; a progress reply the 3-month
    /// (or the last monthly) clock and starts the next month's; a result reply the result clocks.
    /// On a procuratorate petition, the procedural and result replies are also workflow steps.
    pub async fn send_reply(&self, ctx: &Ctx, case: Id, reply: &NewReply) -> Result<(), AppError> {
        let NewReply {
            kind,
            channel,
            body,
            version,
            template,
        } = reply;
        let version = *version;
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
        let c = self
            .case_for_work(tx.conn(), ctx, case, ReceiverWork::Reply)
            .await?;
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
        let decision = announced_decision(template.trim())
            .filter(|_| c.kind == CaseKind::Petition && kind == ReplyKind::Procedural);
        let now = self.now();
        let today = time::local_date(now);
        reply::insert_reply(
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
            // The procedural reply is also the 2007 rule's written acceptance notice (§3.2).
            ReplyKind::Procedural => {
                deadlines::meet(
                    tx.conn(),
                    case,
                    &[ClockKind::ProceduralReply, ClockKind::AcceptanceNotice],
                    now,
                )
                .await?;
            }
            ReplyKind::Result => {
                deadlines::meet(
                    tx.conn(),
                    case,
                    &[
                        ClockKind::ResultReply,
                        ClockKind::ProgressReply,
                        ClockKind::InternalHandling,
                    ],
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
                    let clocks = self.clocks(tx.conn()).await?;
                    // §3.2 "3个月未办结的，每月答复后续进展": the monthly chain starts once the
                    // three months are over — a progress reply given earlier answers the 3-month
                    // duty, and the first monthly one falls due a month after the three months.
                    let (seq, from) = if last.kind == ClockKind::ProgressReply {
                        (last.seq + 1, today)
                    } else {
                        (1, today.max(last.due_date))
                    };
                    for k in clocks.started(case, c.kind, Trigger::ProgressReplied, from, seq) {
                        case::insert_clock(tx.conn(), &k).await?;
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
        // The decision the reply announces, after it (its reason: the reply's text).
        if let Some(decision) = decision {
            let input = TransitionInput {
                note: body.trim().chars().take(500).collect(),
                ..Default::default()
            };
            self.transition_in(tx.conn(), ctx, case, decision, &input).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
