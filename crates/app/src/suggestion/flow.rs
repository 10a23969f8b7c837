//! The steps of a suggestion, each checked against the state machine and its own rules.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::{self, ClockKind, Unit};
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::policy::Action;
use gongzhi_domain::suggestion::{
    self as rules, Delivery, Recheck, SuggestionCommand, SuggestionState, SuggestionType,
};
use gongzhi_domain::{Id, time};
use gongzhi_store::suggestion::{self as store, StepRow, SuggestionRow};
use gongzhi_store::{StoreError, case, reference};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// A clue becoming a suggestion: `POST /api/v1/suggestions`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewSuggestion {
    /// `retrial`, `correction`, `public_interest`, `social_governance`, `other`.
    pub kind: String,
    pub title: String,
    /// The agency the suggestion is addressed to.
    pub recipient_agency_id: String,
    /// The cases the clue came from (at least one, the procuratorate's own).
    pub cases: Vec<String>,
    /// What the clue is.
    #[serde(default)]
    pub facts: String,
}

/// Any step's fields (`POST /api/v1/suggestions/{id}/steps/{step}`); each step reads its own.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SuggestionStep {
    #[serde(default)]
    pub version: i64,
    /// What was done or decided, in words: investigation, reasons, reminder, follow-up findings.
    #[serde(default)]
    pub note: String,
    /// `draft`: the document's parts.
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub proposals: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub objection_days: i64,
    #[serde(default)]
    pub urgent: bool,
    /// A shortened reply period in days for an urgent matter (0: the 2 months).
    #[serde(default)]
    pub reply_days: i64,
    /// `serve`: `written` or `announced`, who attended an announced delivery, the copies, and the
    /// day the recipient received it (`YYYY-MM-DD`).
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub observers: String,
    #[serde(default)]
    pub copies: String,
    #[serde(default)]
    pub received_on: String,
    /// `recheck`: `amend`, `uphold` or `withdraw`.
    #[serde(default)]
    pub recheck: String,
    /// `reply`: the written reply and the rectification evidence.
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub evidence: String,
}

fn need(checks: &mut Checks, text: &str, field: &str) {
    checks.check(!text.trim().is_empty(), field, "suggestion-field-required");
}

impl App {
    /// Opens a suggestion from a clue found in one or more of the procuratorate's cases.
    pub async fn open_suggestion(&self, ctx: &Ctx, f: &NewSuggestion) -> Result<Id, AppError> {
        let actor = self.authorize(ctx, Action::DraftSuggestion).await?;
        let mut tx = self.db().begin().await?;
        let mut checks = Checks::new();
        let kind = SuggestionType::parse(&f.kind);
        checks.check(kind.is_some(), "kind", "suggestion-kind-invalid");
        checks.check(
            (4..=100).contains(&f.title.trim().chars().count()),
            "title",
            "title-invalid",
        );
        let recipient = match f.recipient_agency_id.parse::<Id>() {
            Ok(a) => reference::agency_get(tx.conn(), a).await?,
            Err(_) => None,
        };
        match &recipient {
            Some(a) if a.kind != AgencyKind::Procuratorate => {}
            _ => checks.fail(FieldError::new(
                "recipient_agency_id",
                "suggestion-recipient-invalid",
            )),
        }
        let mut cases = Vec::new();
        for c in &f.cases {
            match c.parse::<Id>() {
                Ok(id) if self.case_for_write(tx.conn(), ctx, id).await.is_ok() => {
                    if !cases.contains(&id) {
                        cases.push(id);
                    }
                }
                _ => checks.fail(FieldError::new("cases", "case-unknown")),
            }
        }
        checks.check(!cases.is_empty(), "cases", "suggestion-cases-required");
        checks.finish()?;
        let (Some(kind), Some(recipient)) = (kind, recipient) else {
            return Err(AppError::field("kind", "suggestion-kind-invalid"));
        };
        let id = Id::new();
        let now = time::to_millis(self.now());
        let row = SuggestionRow {
            id: id.to_string(),
            agency_id: actor.agency_id.to_string(),
            kind: kind.code().into(),
            state: SuggestionState::Clue.code().into(),
            title: f.title.trim().to_owned(),
            recipient_agency_id: recipient.id.to_string(),
            facts: f.facts.trim().to_owned(),
            objection_days: 10,
            created_by_name: actor.display_name.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
            ..SuggestionRow::default()
        };
        store::insert_suggestion(tx.conn(), &row, &cases).await?;
        for cid in &cases {
            if let Some(c) = case::get_case(tx.conn(), *cid).await? {
                self.event(tx.conn(), ctx, &c, "suggestion", &row.title, false)
                    .await?;
            }
        }
        ctx.audit(
            tx.conn(),
            "suggestion.open",
            "suggestion",
            &row.id,
            Changes::new()
                .set("kind", kind.code())
                .set("recipient", recipient.name.as_str())
                .set("cases", cases.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The reply date: the shortened days from receipt, or the 2-month rule (kept as data).
    async fn reply_due(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        row: &SuggestionRow,
        kind: SuggestionType,
        received: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        let clocks = self.clocks(conn).await?;
        let days = rules::shortened_days(kind, row.urgent != 0, u32::try_from(row.reply_days).unwrap_or(0));
        let due = match days {
            Some(d) => deadline::due_date(&clocks.cal, received, d, Unit::CalendarDay).map(|d| d.due),
            None => deadline::pick(
                &clocks.rules,
                ClockKind::SuggestionReply,
                received,
                crate::deadlines::REGION,
            )
            .and_then(|r| r.due(&clocks.cal, received))
            .map(|d| d.due),
        };
        // A retired rule with no successor: say so, rather than guess a date.
        due.ok_or_else(|| {
            AppError::Invalid(vec![
                FieldError::new("received_on", "deadline-rule-missing")
                    .arg("clock", ClockKind::SuggestionReply),
            ])
        })
    }

    /// Gives a suggestion its next step (named as in [`SuggestionCommand`]).
    pub async fn suggestion_step(
        &self,
        ctx: &Ctx,
        id: Id,
        command: SuggestionCommand,
        f: &SuggestionStep,
    ) -> Result<(), AppError> {
        let action = if command.is_recipients() {
            Action::AnswerSuggestion
        } else if command.is_chiefs() {
            Action::DecideSuggestion
        } else {
            Action::DraftSuggestion
        };
        let actor = self.authorize(ctx, action).await?;
        let mut tx = self.db().begin().await?;
        let (s, issuer) = self.suggestion_for(tx.conn(), &actor, id).await?;
        // The recipient answers its own; everything else is the issuing procuratorate's.
        if !command.is_recipients() && !issuer {
            return Err(AppError::Forbidden);
        }
        if f.version != 0 && f.version != s.row.version {
            return Err(AppError::Conflict(vec![("state".into(), s.state.code().into())]));
        }
        let recheck = Recheck::parse(&f.recheck);
        let to = rules::next(s.state, command, recheck).map_err(|_| {
            AppError::Invalid(vec![
                FieldError::new(
                    if command == SuggestionCommand::Recheck {
                        "recheck"
                    } else {
                        "command"
                    },
                    "suggestion-not-now",
                )
                .arg("state", s.state)
                .arg("command", command),
            ])
        })?;
        let now = self.now();
        let today = time::local_date(now);
        let mut row = s.row.clone();
        let mut checks = Checks::new();
        use SuggestionCommand as C;
        match command {
            C::Investigate | C::SendBack | C::Remind | C::FollowUp | C::Withdraw => {
                need(&mut checks, &f.note, "note")
            }
            C::Draft => {
                for (v, field) in [
                    (&f.facts, "facts"),
                    (&f.problems, "problems"),
                    (&f.proposals, "proposals"),
                    (&f.legal_basis, "legal_basis"),
                ] {
                    need(&mut checks, v, field);
                }
                checks.check(
                    (1..=30).contains(&f.objection_days),
                    "objection_days",
                    "suggestion-objection-days",
                );
                checks.check(
                    (0..=59).contains(&f.reply_days),
                    "reply_days",
                    "suggestion-reply-days",
                );
                row.facts = f.facts.trim().to_owned();
                row.problems = f.problems.trim().to_owned();
                row.proposals = f.proposals.trim().to_owned();
                row.legal_basis = f.legal_basis.trim().to_owned();
                row.objection_days = f.objection_days;
                row.urgent = i64::from(f.urgent);
                row.reply_days = if f.urgent { f.reply_days } else { 0 };
            }
            C::Decide => {
                // Numbered in the deciding transaction: a failure gives the number back (gapless).
                let agency = reference::agency_get(tx.conn(), actor.agency_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let year = chrono::Datelike::year(&today);
                let seq = case::next_seq(tx.conn(), actor.agency_id, "suggestion", year).await?;
                row.number = Some(rules::number(&agency.short_name, year, seq));
                row.decided_by_name = actor.display_name.clone();
                row.decided_at = Some(time::to_millis(now));
            }
            C::Serve => {
                let delivery = Delivery::parse(&f.delivery);
                checks.check(delivery.is_some(), "delivery", "suggestion-delivery-invalid");
                if delivery == Some(Delivery::Announced) {
                    // Announced delivery may invite deputies, members, supervisors: name who came.
                    need(&mut checks, &f.observers, "observers");
                }
                let received = NaiveDate::parse_from_str(f.received_on.trim(), "%Y-%m-%d").ok();
                let decided = row.decided_at.map(|d| time::local_date(time::from_millis(d)));
                match received {
                    Some(r) if r <= today && decided.is_none_or(|d| d <= r) => {
                        row.due_date = Some(self.reply_due(tx.conn(), &row, s.kind, r).await?.to_string());
                        row.received_on = Some(r.to_string());
                    }
                    _ => checks.fail(FieldError::new("received_on", "suggestion-received-invalid")),
                }
                row.delivery = f.delivery.trim().to_owned();
                row.observers = f.observers.trim().to_owned();
                row.copies = f.copies.trim().to_owned();
            }
            C::Object => {
                need(&mut checks, &f.note, "note");
                // Within the objection period the document gives, counted from receipt.
                let last = row
                    .received_on
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .and_then(|d| {
                        d.checked_add_days(chrono::Days::new(u64::try_from(row.objection_days).unwrap_or(0)))
                    });
                if last.is_some_and(|l| today > l) {
                    checks.fail(
                        FieldError::new("note", "suggestion-objection-late")
                            .arg("last", last.unwrap_or(today)),
                    );
                }
                row.objection = f.note.trim().to_owned();
            }
            C::Recheck => {
                need(&mut checks, &f.note, "note");
                if recheck == Some(Recheck::Amend) {
                    need(&mut checks, &f.proposals, "proposals");
                    row.proposals = f.proposals.trim().to_owned();
                }
                row.recheck = f.recheck.clone();
            }
            C::Reply => {
                need(&mut checks, &f.reply, "reply");
                need(&mut checks, &f.evidence, "evidence");
                row.reply = f.reply.trim().to_owned();
                row.evidence = f.evidence.trim().to_owned();
                row.replied_on = Some(today.to_string());
                row.replied_by_name = format!("{}（{}）", actor.display_name, actor.agency_name);
            }
            C::Escalate => {
                need(&mut checks, &f.note, "note");
                // §3.7: "no rectification without good reason after reminders" — reminded, or past
                // its date, or a reply that the follow-up check found empty.
                let waited = row.reminders > 0 || s.overdue || s.state == SuggestionState::Replied;
                if !waited {
                    checks.fail(FieldError::new("note", "suggestion-escalate-early"));
                }
                if rules::next_rung(usize::try_from(row.rung).unwrap_or(0)).is_none() {
                    checks.fail(FieldError::new("note", "suggestion-ladder-top"));
                }
                row.rung += 1;
            }
            C::Evaluate => {
                need(&mut checks, &f.note, "note");
                row.evaluation = f.note.trim().to_owned();
            }
            C::Close => {}
        }
        if command == C::Remind {
            row.reminders += 1;
        }
        if command == C::FollowUp {
            row.follow_up = f.note.trim().to_owned();
        }
        checks.finish()?;
        row.state = to.code().into();
        row.updated_at = time::to_millis(now);
        store::save_suggestion(tx.conn(), &row, s.row.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), s.state.code().into())]),
                other => other.into(),
            })?;
        let note = match command {
            C::Decide => row.number.clone().unwrap_or_default(),
            // The delivery and the reply date are on the suggestion itself; the step keeps who attended.
            C::Serve => f.observers.trim().to_owned(),
            // The outcome is the step's own label (suggestion-step-recheck-…); the note its reasons.
            C::Recheck => f.note.trim().to_owned(),
            C::Reply => f.reply.trim().to_owned(),
            C::Draft => String::new(),
            _ => f.note.trim().to_owned(),
        };
        store::insert_step(
            tx.conn(),
            id,
            &StepRow {
                // A re-check is kept with its outcome (recheck_amend, recheck_uphold, recheck_withdraw).
                command: match recheck {
                    Some(r) if command == C::Recheck => format!("recheck_{}", r.code()),
                    _ => command.code().into(),
                },
                note,
                by_name: actor.display_name.clone(),
                by_agency: actor.agency_name.clone(),
                at: time::to_millis(now),
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            &format!("suggestion.{}", command.code()),
            "suggestion",
            &row.id,
            Changes::new()
                .field("state", s.state.code(), to.code())
                .set("number", row.number.clone().unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
