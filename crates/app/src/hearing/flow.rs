//! The commands that move a hearing along (DOMAIN.md §3.6): each checked against the state machine
//! and the rules of its step, written with the audit row in one transaction.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::hearing::officer::PartyFacts;
use gongzhi_domain::hearing::{self as rules, HearingCommand, HearingState, Opinion, STEPS, Venue};
use gongzhi_domain::notice::Message;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::hearing::{self as store, HearingRow, ParticipantRow};
use gongzhi_store::{AnyConnection, StoreError, Tx, case, notice};

use super::Hearing;
use crate::case::parse_local;
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// Date, place, chair and participants (Art. 10, 12, 13).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PrepareForm {
    /// Local time `YYYY-MM-DD HH:MM`.
    pub scheduled_at: String,
    pub venue: String,
    #[serde(default)]
    pub place: String,
    /// The chair: the case prosecutor, or the chief prosecutor or head who owns the case (Art. 13).
    pub chair: String,
    /// One participant per line, `身份 姓名` (申请人 张某, 代理律师 李某, 村委会代表 王某).
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub public: bool,
}

/// The record of the seven steps (Art. 15), in order.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HoldForm {
    pub steps: Vec<String>,
}

/// One officer's opinion.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OfficerOpinion {
    pub officer_id: String,
    /// `agree`, `disagree` or `partly`.
    pub opinion: String,
    pub text: String,
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OpinionForm {
    pub opinions: Vec<OfficerOpinion>,
}

/// The decision after hearing the officers: its stance on the proposed handling, and the report
/// to the chief prosecutor when it departs from their majority.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DecideForm {
    pub decision: String,
    pub text: String,
    #[serde(default)]
    pub report: String,
}

/// Any step's fields, as the forms and `POST /api/v1/hearings/{id}/steps/{step}` send them; each
/// step reads its own.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct StepForm {
    /// The hearing's version the form was built from (0: whatever it is now).
    #[serde(default)]
    pub version: i64,
    /// `answer`: take a party's application on (true) or refuse it with reasons (false).
    #[serde(default)]
    pub accept: bool,
    /// Reasons: for a refusal, a rejection, a withdrawal.
    #[serde(default)]
    pub reason: String,
    /// `prepare`
    #[serde(default)]
    pub prepare: Option<PrepareForm>,
    /// `notify`: how the participants were told (书面通知、电话通知 …).
    #[serde(default)]
    pub method: String,
    /// `hold`: the seven steps' record.
    #[serde(default)]
    pub steps: Vec<String>,
    /// `opinions`
    #[serde(default)]
    pub opinions: Vec<OfficerOpinion>,
    /// `decide`: `agree`, `disagree` or `partly` with the proposed handling.
    #[serde(default)]
    pub decision: String,
    /// `decide`: the decision; `announce`: the announcement.
    #[serde(default)]
    pub text: String,
    /// `decide`: the report to the chief prosecutor when departing from the officers' majority.
    #[serde(default)]
    pub report: String,
}

impl StepForm {
    /// The step named in the path (`answer`, `prepare`, `notify`, `hold`, `opinions`, `decide`,
    /// `announce`, `archive`, `withdraw`), or `None` for another name.
    pub fn into_step(self, name: &str) -> Option<Step> {
        Some(match name {
            "answer" => Step::Answer {
                accept: self.accept,
                reason: self.reason,
            },
            "prepare" => Step::Prepare(self.prepare.unwrap_or_default()),
            "notify" => Step::Notify { method: self.method },
            "hold" => Step::Hold(HoldForm { steps: self.steps }),
            "opinions" => Step::Opinions(OpinionForm {
                opinions: self.opinions,
            }),
            "decide" => Step::Decide(DecideForm {
                decision: self.decision,
                text: self.text,
                report: self.report,
            }),
            "announce" => Step::Announce { text: self.text },
            "archive" => Step::Archive,
            "withdraw" => Step::Withdraw { reason: self.reason },
            _ => return None,
        })
    }
}

/// A step of a hearing, with what it needs.
#[derive(Clone, Debug)]
pub enum Step {
    Answer { accept: bool, reason: String },
    Review { approve: bool, reason: String },
    Prepare(PrepareForm),
    Notify { method: String },
    Hold(HoldForm),
    Opinions(OpinionForm),
    Decide(DecideForm),
    Announce { text: String },
    Archive,
    Withdraw { reason: String },
}

impl Step {
    fn command(&self) -> HearingCommand {
        match self {
            Step::Answer { accept: true, .. } => HearingCommand::Accept,
            Step::Answer { accept: false, .. } => HearingCommand::Refuse,
            Step::Review { approve: true, .. } => HearingCommand::Approve,
            Step::Review { approve: false, .. } => HearingCommand::Reject,
            Step::Prepare(_) => HearingCommand::Prepare,
            Step::Notify { .. } => HearingCommand::Notify,
            Step::Hold(_) => HearingCommand::Hold,
            Step::Opinions(_) => HearingCommand::RecordOpinions,
            Step::Decide(_) => HearingCommand::Decide,
            Step::Announce { .. } => HearingCommand::Announce,
            Step::Archive => HearingCommand::Archive,
            Step::Withdraw { .. } => HearingCommand::Withdraw,
        }
    }
}

/// The record's steps as stored (JSON object by step code), in the order of Art. 15.
pub(crate) fn record_of(json: &str) -> Vec<(String, String)> {
    let map: std::collections::BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
    STEPS
        .iter()
        .map(|s| ((*s).to_owned(), map.get(*s).cloned().unwrap_or_default()))
        .collect()
}

fn participants_of(text: &str) -> Vec<ParticipantRow> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            let (role, name) = match l.split_once([' ', '\u{3000}', '：', ':']) {
                Some((r, n)) if !n.trim().is_empty() => (r.trim(), n.trim()),
                _ => ("参加人", l),
            };
            ParticipantRow {
                seq: i as i64 + 1,
                role: role.chars().take(20).collect(),
                name: name.chars().take(40).collect(),
            }
        })
        .collect()
}

fn need(text: &str, field: &str, checks: &mut Checks) {
    checks.check(!text.trim().is_empty(), field, "reason-required");
}

impl App {
    /// The parties of the hearing's case as the conflict check sees them: a party's village is
    /// the case's village.
    pub(crate) async fn hearing_parties(
        &self,
        conn: &mut AnyConnection,
        c: &case::Case,
    ) -> Result<Vec<PartyFacts>, AppError> {
        Ok(case::parties(conn, c.id)
            .await?
            .into_iter()
            .map(|p| PartyFacts {
                name: p.name,
                village_id: c.place_id,
            })
            .collect())
    }

    /// Loads a hearing for a command: the actor's agency's, in a state the command may follow,
    /// at the version the form was built from.
    pub(crate) async fn hearing_for_step(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Id,
        command: HearingCommand,
        version: i64,
    ) -> Result<(Hearing, case::Case, HearingState), AppError> {
        let h = self.hearing_for(tx.conn(), actor, id).await?;
        if version != 0 && version != h.row.version {
            return Err(AppError::Conflict(vec![("state".into(), h.state.code().into())]));
        }
        let to = rules::next(h.state, command).map_err(|_| {
            AppError::Invalid(vec![
                FieldError::new("command", "hearing-not-now")
                    .arg("state", h.state)
                    .arg("command", command),
            ])
        })?;
        let c = case::get_case(tx.conn(), h.row.case_id.parse().map_err(|_| AppError::NotFound)?)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((h, c, to))
    }

    /// Gives a hearing its next step. `version` is the hearing's version the form was built from
    /// (0: whatever it is now).
    pub async fn hearing_step(&self, ctx: &Ctx, id: Id, version: i64, step: Step) -> Result<(), AppError> {
        let command = step.command();
        let action = if command.is_chiefs() {
            Action::ApproveHearing
        } else {
            Action::ConductHearing
        };
        let actor = self.authorize(ctx, action).await?;
        let mut tx = self.db().begin().await?;
        let (h, c, to) = self
            .hearing_for_step(&mut tx, &actor, id, command, version)
            .await?;
        let now = self.now();
        let now_ms = time::to_millis(now);
        let today = time::local_date(now);
        let mut row = h.row.clone();
        let mut checks = Checks::new();
        let mut changes = Changes::new().field("state", h.state.code(), to.code());
        match &step {
            Step::Answer { accept, reason } => {
                if !accept {
                    // Art. 9: a refused application is answered with reasons.
                    need(reason, "reason", &mut checks);
                    row.refusal_reason = reason.trim().to_owned();
                }
            }
            Step::Review { approve, reason } => {
                if *approve {
                    row.approved_by_name = actor.display_name.clone();
                    row.approved_at = Some(now_ms);
                    // Art. 12: the approval covers the venue it was asked for.
                    row.approved_venue = format!("{}|{}", row.venue, row.place.trim());
                } else {
                    need(reason, "reason", &mut checks);
                    row.refusal_reason = reason.trim().to_owned();
                }
            }
            Step::Prepare(f) => self.prepare(&mut tx, &c, &mut row, f, today, &mut checks).await?,
            Step::Notify { method } => {
                checks.check(
                    !method.trim().is_empty(),
                    "method",
                    "hearing-notice-method-required",
                );
                self.check_seats(tx.conn(), &c, &row, true, &mut checks).await?;
                let earliest = self.earliest_hearing_day(tx.conn(), today).await?;
                if row
                    .scheduled_at
                    .is_some_and(|at| time::local_date(time::from_millis(at)) < earliest)
                {
                    // Art. 10: notices at least 3 days before; say the first legal day.
                    checks
                        .fail(FieldError::new("scheduled_at", "hearing-too-soon").arg("earliest", earliest));
                }
                row.noticed_at = Some(now_ms);
                row.notice_method = method.trim().to_owned();
            }
            Step::Hold(f) => {
                let day = row.scheduled_at.map(|at| time::local_date(time::from_millis(at)));
                if day.is_some_and(|d| today < d) {
                    checks.fail(FieldError::new("steps", "hearing-not-yet").arg("day", day.unwrap_or(today)));
                }
                let mut record = serde_json::Map::new();
                for (i, s) in STEPS.iter().enumerate() {
                    let text = f.steps.get(i).map(|t| t.trim()).unwrap_or_default();
                    checks.check(!text.is_empty(), &format!("steps[{i}]"), "hearing-step-required");
                    record.insert((*s).to_owned(), text.into());
                }
                row.record = serde_json::Value::Object(record).to_string();
                row.held_at = Some(now_ms);
            }
            Step::Opinions(f) => {
                for s in store::seats(tx.conn(), id).await? {
                    let given = f.opinions.iter().find(|o| o.officer_id == s.officer_id);
                    let field = format!("opinion.{}", s.officer_id);
                    match given.and_then(|o| Opinion::parse(&o.opinion).map(|op| (op, o.text.trim()))) {
                        Some((op, text)) if !text.is_empty() => {
                            store::set_opinion(tx.conn(), id, &s.officer_id, op.code(), text).await?;
                        }
                        _ => checks.fail(
                            FieldError::new(&field, "hearing-opinion-required").arg("name", &s.officer_name),
                        ),
                    }
                }
            }
            Step::Decide(f) => {
                let decision = Opinion::parse(&f.decision);
                checks.check(decision.is_some(), "decision", "hearing-decision-invalid");
                checks.check(
                    !f.text.trim().is_empty(),
                    "text",
                    "hearing-decision-text-required",
                );
                let opinions: Vec<Opinion> = store::seats(tx.conn(), id)
                    .await?
                    .iter()
                    .filter_map(|s| Opinion::parse(&s.opinion))
                    .collect();
                let departs = decision.is_some_and(|d| rules::departs_from_majority(d, &opinions));
                if departs {
                    // §3.6: officers' opinions not adopted → report to the chief prosecutor.
                    checks.check(!f.report.trim().is_empty(), "report", "hearing-report-required");
                }
                row.decision = decision.map(|d| d.code()).unwrap_or_default().into();
                row.decision_text = f.text.trim().to_owned();
                row.report = if departs {
                    f.report.trim().to_owned()
                } else {
                    String::new()
                };
                row.decided_at = Some(now_ms);
            }
            Step::Announce { text } => {
                checks.check(!text.trim().is_empty(), "text", "hearing-announcement-required");
                row.announcement = text.trim().to_owned();
                row.announced_at = Some(now_ms);
            }
            Step::Archive => row.archived_at = Some(now_ms),
            Step::Withdraw { reason } => {
                need(reason, "reason", &mut checks);
                row.refusal_reason = reason.trim().to_owned();
            }
        }
        checks.finish()?;
        row.state = to.code().into();
        row.updated_at = now_ms;
        store::save_hearing(tx.conn(), &row, h.row.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), h.state.code().into())]),
                other => other.into(),
            })?;
        self.after_step(&mut tx, ctx, &actor, &c, &h.row, &row, &step)
            .await?;
        if let Step::Prepare(f) = &step {
            changes = changes
                .field(
                    "scheduled_at",
                    h.row.scheduled_at.unwrap_or(0).to_string(),
                    row.scheduled_at.unwrap_or(0).to_string(),
                )
                .field("venue", h.row.venue.as_str(), f.venue.as_str());
        }
        ctx.audit(
            tx.conn(),
            &format!("hearing.{}", command.code()),
            "hearing",
            &row.id,
            changes.set("case", c.number.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Date, venue, chair and participants; the seated officers must still be eligible that day.
    async fn prepare(
        &self,
        tx: &mut Tx,
        c: &case::Case,
        row: &mut HearingRow,
        f: &PrepareForm,
        today: NaiveDate,
        checks: &mut Checks,
    ) -> Result<(), AppError> {
        let at = parse_local(&f.scheduled_at);
        let earliest = self.earliest_hearing_day(tx.conn(), today).await?;
        match at {
            None => checks.fail(FieldError::new("scheduled_at", "hearing-date-invalid")),
            Some(at) if time::local_date(at) < earliest => {
                checks.fail(FieldError::new("scheduled_at", "hearing-too-soon").arg("earliest", earliest))
            }
            Some(_) => {}
        }
        let venue = Venue::parse(&f.venue);
        match venue {
            None => checks.fail(FieldError::new("venue", "hearing-venue-invalid")),
            // Art. 12: away from the hearing room only where the chief prosecutor approved it.
            Some(v)
                if v.needs_chief_approval()
                    && row.approved_venue != format!("{}|{}", v.code(), f.place.trim()) =>
            {
                checks.fail(FieldError::new("venue", "hearing-venue-needs-approval"))
            }
            Some(v) if v != Venue::HearingRoom && f.place.trim().is_empty() => {
                checks.fail(FieldError::new("place", "place-required"))
            }
            Some(_) => {}
        }
        checks.check(!f.chair.trim().is_empty(), "chair", "hearing-chair-required");
        let people = participants_of(&f.participants);
        checks.check(
            !people.is_empty(),
            "participants",
            "hearing-participants-required",
        );
        row.scheduled_at = at.map(time::to_millis);
        row.venue = venue.map(|v| v.code()).unwrap_or(&row.venue).to_owned();
        row.place = f.place.trim().to_owned();
        row.chair_name = f.chair.trim().to_owned();
        row.wants_public = i64::from(f.public && row.minor == 0);
        if at.is_some() {
            self.check_seats(tx.conn(), c, row, false, checks).await?;
        }
        store::replace_participants(
            tx.conn(),
            row.id.parse().map_err(|_| AppError::NotFound)?,
            &people,
        )
        .await?;
        Ok(())
    }

    /// Every seated officer is still eligible on the hearing day, and — with `count`, when the
    /// notices go out — there are 3 to 7 of them (seats are filled after the schedule is set).
    async fn check_seats(
        &self,
        conn: &mut AnyConnection,
        c: &case::Case,
        row: &HearingRow,
        count: bool,
        checks: &mut Checks,
    ) -> Result<(), AppError> {
        let id: Id = row.id.parse().map_err(|_| AppError::NotFound)?;
        let seats = store::seats(&mut *conn, id).await?;
        if count && !rules::OFFICERS.contains(&seats.len()) {
            checks.fail(FieldError::new("officers", "hearing-officer-count").arg("count", seats.len()));
        }
        let Some(at) = row.scheduled_at else {
            return Ok(());
        };
        let day = time::local_date(time::from_millis(at));
        let parties = self.hearing_parties(&mut *conn, c).await?;
        for s in seats {
            let o = gongzhi_store::hearing::officer::officer(
                &mut *conn,
                s.officer_id.parse().map_err(|_| AppError::NotFound)?,
            )
            .await?
            .ok_or(AppError::NotFound)?;
            if let Err(block) =
                gongzhi_domain::hearing::officer::eligibility(&self.officer_of(o)?.standing(), day, &parties)
            {
                checks.fail(
                    FieldError::new("officers", block.key())
                        .arg("name", &s.officer_name)
                        .arg("day", day),
                );
            }
        }
        Ok(())
    }

    /// What follows a step: notices, timeline entries, participation counts.
    #[allow(clippy::too_many_arguments)]
    async fn after_step(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        actor: &Actor,
        c: &case::Case,
        before: &HearingRow,
        row: &HearingRow,
        step: &Step,
    ) -> Result<(), AppError> {
        let id: Id = row.id.parse().map_err(|_| AppError::NotFound)?;
        let now_ms = time::to_millis(self.now());
        match step {
            Step::Answer { accept: true, .. } => self.ask_chief(tx.conn(), c, row, actor).await?,
            Step::Review { approve, reason } => {
                notice::resolve_notices(tx.conn(), c.id, &format!("hearing:{}:approval", row.id), now_ms)
                    .await?;
                let proposer: Option<Id> = before.created_by.parse().ok();
                self.notify(
                    tx.conn(),
                    c,
                    proposer,
                    &row.agency_id,
                    format!("hearing:{}:reviewed", row.id),
                    Message::HearingReviewed {
                        hearing: row.id.clone(),
                        approved: *approve,
                        by: actor.display_name.clone(),
                        reason: reason.trim().to_owned(),
                    },
                )
                .await?;
            }
            Step::Hold(_) => {
                gongzhi_store::hearing::officer::count_participation(tx.conn(), id).await?;
                self.event(tx.conn(), ctx, c, "hearing_held", &row.topic, false)
                    .await?;
            }
            Step::Decide(_) if !row.report.is_empty() => {
                self.notify_heads(
                    tx.conn(),
                    c,
                    &row.agency_id,
                    format!("hearing:{}:report", row.id),
                    Message::HearingReport {
                        hearing: row.id.clone(),
                        by: actor.display_name.clone(),
                        report: row.report.clone(),
                    },
                )
                .await?;
            }
            Step::Decide(f) => {
                self.event(tx.conn(), ctx, c, "hearing_decided", &f.text, false)
                    .await?
            }
            Step::Withdraw { .. } | Step::Answer { .. } => {
                notice::resolve_notices(tx.conn(), c.id, &format!("hearing:{}:approval", row.id), now_ms)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }
}
