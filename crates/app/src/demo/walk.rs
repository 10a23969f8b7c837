//! Walking a drafted case through its workflow: the commands, replies, assessments, referrals,
//! mediation and meetings a real case would see.

use chrono::Duration;
use gongzhi_domain::deadline::{ClockKind, ClockState, Trigger};
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::workflow::{self, CaseKind, Channel, Command, Exempt, Facts, RiskFacts, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::follow_up::FollowUp;
use gongzhi_store::mediation::Mediation;
use gongzhi_store::meeting::Meeting;
use gongzhi_store::reference::Agency;
use gongzhi_store::referral::Referral;
use gongzhi_store::reply::Reply;
use gongzhi_store::task::Task;
use gongzhi_store::{meeting, task};

use super::draft::Draft;
use super::{Rng, World};
use crate::{App, AppError};

impl App {
    /// Walks a draft through its workflow up to `now`, with realistic delays.
    pub(super) fn walk(&self, d: &mut Draft, rng: &mut Rng, w: &World, owner: &Agency) {
        let staff = &w.staff;
        let kind = d.case.kind;
        let who = match kind {
            CaseKind::Dispute => staff.grid.clone(),
            CaseKind::GovPetition => staff.partner.clone(),
            _ => staff.reception.clone(),
        };
        let handler = match kind {
            CaseKind::Dispute => staff.grid.clone(),
            CaseKind::GovPetition => staff.partner.clone(),
            _ => staff.prosecutor.clone(),
        };
        let agency = owner.name.clone();
        let at = d.case.received_at;
        d.event(
            at,
            &who,
            &agency,
            "registered",
            &EventDetail::Registered {
                number: d.case.number.clone(),
                channel: d.case.channel,
            }
            .encode(),
            true,
        );
        // The path, with delays in hours.
        let path: Vec<(Command, i64)> = match kind {
            CaseKind::Petition => {
                let decision = match rng.below(100) {
                    0..=84 => Command::Accept,
                    85..=92 => Command::NotAccept,
                    _ => Command::TransferOut,
                };
                let mut p = Vec::new();
                if d.case.status == Status::Received {
                    p.push((Command::Register, rng.range(1, 20)));
                }
                let late = rng.chance(4);
                p.push((
                    Command::ReplyProcedural,
                    if late {
                        rng.range(8 * 24, 12 * 24)
                    } else {
                        rng.range(4, 6 * 24)
                    },
                ));
                p.push((decision, rng.range(1, 24)));
                if decision == Command::Accept {
                    p.push((Command::StartHandling, rng.range(12, 96)));
                    p.push((Command::ReplyResult, rng.range(15 * 24, 120 * 24)));
                }
                p.push((Command::Close, rng.range(24, 10 * 24)));
                p
            }
            CaseKind::Dispute => {
                let mut p = Vec::new();
                if d.case.status == Status::Received {
                    p.push((Command::Register, rng.range(1, 20)));
                }
                p.push((Command::Grade, rng.range(1, 24)));
                p.push((Command::Assign, rng.range(1, 24)));
                p.push((Command::StartMediation, rng.range(4, 72)));
                match rng.below(100) {
                    0..=72 => p.push((Command::Resolve, rng.range(24, 8 * 24))),
                    73..=87 => {
                        p.push((Command::Fail, rng.range(24, 5 * 24)));
                        p.push((Command::Escalate, rng.range(4, 48)));
                        p.push((Command::StartMediation, rng.range(4, 48)));
                        p.push((Command::Resolve, rng.range(24, 10 * 24)));
                    }
                    _ => {
                        p.push((Command::Divert, rng.range(24, 6 * 24)));
                        p.push((Command::Close, rng.range(24, 5 * 24)));
                        return self.run(d, rng, w, &who, &handler, p);
                    }
                }
                p.push((Command::StartFollowUp, rng.range(3 * 24, 15 * 24)));
                p.push((Command::Close, rng.range(24, 5 * 24)));
                p
            }
            CaseKind::GovPetition => {
                let mut p = vec![(Command::Route, rng.range(24, 13 * 24))];
                if rng.chance(9) {
                    p.push((Command::NotAccept, rng.range(24, 12 * 24)));
                } else {
                    p.push((Command::Accept, rng.range(24, 12 * 24)));
                    p.push((Command::StartHandling, rng.range(4, 48)));
                    p.push((Command::IssueOpinion, rng.range(10 * 24, 70 * 24)));
                    if rng.chance(10) {
                        p.push((Command::RequestReview, rng.range(5 * 24, 25 * 24)));
                        p.push((Command::IssueReviewOpinion, rng.range(5 * 24, 28 * 24)));
                    }
                }
                // After an opinion the case waits out the petitioner's 30 days to ask for review
                // (§3.3, Art. 35) before it is closed.
                let wait = if p.last().is_some_and(|(c, _)| *c == Command::NotAccept) {
                    rng.range(24, 7 * 24)
                } else {
                    rng.range(31 * 24, 40 * 24)
                };
                p.push((Command::Close, wait));
                p
            }
            CaseKind::MinorCriminal => {
                // §3.4: the prosecutor joins early "at the right time" — in most cases, not all.
                let mut p = Vec::new();
                if rng.chance(70) {
                    p.push((Command::Intervene, rng.range(24, 5 * 24)));
                }
                p.push((Command::Investigate, rng.range(2 * 24, 10 * 24)));
                p.push((Command::TransferForReview, rng.range(10 * 24, 40 * 24)));
                let reconciled = rng.chance(60);
                if reconciled {
                    p.push((Command::StartReconciliation, rng.range(3 * 24, 10 * 24)));
                    p.push((Command::ReviewReconciliation, rng.range(2 * 24, 7 * 24)));
                    p.push((Command::DecideNonProsecution, rng.range(5 * 24, 20 * 24)));
                } else {
                    p.push((Command::DecideProsecution, rng.range(5 * 24, 20 * 24)));
                }
                p.push((Command::Announce, rng.range(24, 5 * 24)));
                p.push((Command::StartFollowUp, rng.range(10 * 24, 30 * 24)));
                p.push((Command::Close, rng.range(24, 10 * 24)));
                if reconciled {
                    d.case.reconciliation = r#"{"civil_dispute":true,"chapter_4_or_5":true,"negligent":false,"likely_sentence_months":10,"intentional_crime_within_5_years":false}"#.into();
                }
                p
            }
        };
        self.run(d, rng, w, &who, &handler, path);
    }

    pub(super) fn run(
        &self,
        d: &mut Draft,
        rng: &mut Rng,
        w: &World,
        who: &(Id, String),
        handler: &(Id, String),
        path: Vec<(Command, i64)>,
    ) {
        let (clocks, staff, now) = (&w.clocks, &w.staff, w.now);
        let owner_name = d.case.owner_agency_name.clone();
        let agency = owner_name.as_str();
        let mut at = d.case.received_at;
        let mut risk = RiskFacts::default();
        let mut referred = false;
        let commands: Vec<Command> = path.iter().map(|(c, _)| *c).collect();
        // Some recent cases stall part-way, as some do: their clocks run over and the sweeper
        // escalates them.
        let recent = d.case.received_at > now - Duration::days(90);
        let stall = (recent && rng.chance(30)).then(|| rng.below(commands.len()));
        for (step, (cmd, hours)) in path.into_iter().enumerate() {
            if stall == Some(step) {
                break;
            }
            // What comes after this step decides how a mediation session ends.
            let then = commands.get(step + 1).copied();
            let next_at = at + Duration::hours(hours);
            if next_at >= now {
                break;
            }
            // Progress replies while a petition's result is pending for more than three months.
            if cmd == Command::ReplyResult && d.case.kind == CaseKind::Petition {
                let mut seq = 0;
                while let Some(k) = d
                    .clocks
                    .iter()
                    .find(|k| {
                        matches!(k.kind, ClockKind::ResultReply | ClockKind::ProgressReply)
                            && k.state == ClockState::Running
                    })
                    .cloned()
                {
                    let due = time::start_of_local_day(k.due_date) - Duration::days(rng.range(1, 5))
                        + Duration::hours(10);
                    if due >= next_at || due >= now {
                        break;
                    }
                    d.meet(&[ClockKind::ResultReply, ClockKind::ProgressReply], due);
                    seq += 1;
                    d.open(clocks, Trigger::ProgressReplied, due, seq);
                    self.reply(d, "progress", due, handler, agency);
                }
            }
            if workflow::is_decision(cmd) && risk.current.is_none() {
                // Assessed before the decision, and after whatever made the last assessment stale.
                let assessed = (next_at - Duration::hours(2)).max(at + Duration::minutes(1));
                risk = super::risk::assess(d, rng, handler, &staff.chief.1, assessed);
            }
            let note = match cmd {
                Command::NotAccept => "经审查，反映事项已经法院生效裁判处理，依法不予受理。",
                Command::TransferOut => "不属于本院管辖，已移送有权处理机关。",
                Command::Fail => "双方分歧较大，本级调解未能达成一致。",
                Command::Divert => "引导当事人通过诉讼途径解决。",
                _ => "",
            };
            let facts = Facts {
                level: d.case.level,
                risk,
                reason_given: !note.is_empty(),
                reconciliation: serde_json::from_str(&d.case.reconciliation).ok(),
                replies_exempt: !d.case.exempt_reason.is_empty(),
                minor_suspect: false,
            };
            let Ok(effects) = workflow::apply(d.case.kind, d.case.status, cmd, facts) else {
                break;
            };
            at = next_at;
            d.case.status = effects.to;
            d.case.level = effects.level;
            d.case.updated_at = at;
            let actor = if workflow::is_decision(cmd) { handler } else { who };
            // The step's own effects, as the use case applies them.
            d.meet(effects.meet, at);
            if let Some(trigger) = effects.start {
                d.open(clocks, trigger, at, 1);
            }
            match effects.exempt {
                Exempt::Nothing => {}
                e @ Exempt::Kinds(_) => d.exempt(e, note),
                e @ Exempt::AllOpen => d.exempt(e, "案件已办结"),
            }
            if effects.risk_stale {
                d.case.risk_stale_after = time::to_millis(at) + 1;
                risk = RiskFacts::default();
            }
            if effects.closes {
                d.case.closed_at = Some(at);
            }
            // What the people do around the step: the replies, the sessions, the visits.
            match cmd {
                Command::ReplyProcedural => {
                    d.meet(&[ClockKind::ProceduralReply, ClockKind::AcceptanceNotice], at);
                    self.reply(d, "procedural", at, who, agency);
                }
                Command::ReplyResult => {
                    d.meet(
                        &[
                            ClockKind::ResultReply,
                            ClockKind::ProgressReply,
                            ClockKind::InternalHandling,
                        ],
                        at,
                    );
                    self.reply(d, "result", at, handler, agency);
                }
                Command::StartHandling | Command::Assign | Command::Intervene => {
                    d.case.handler_id = Some(handler.0);
                }
                Command::StartMediation => {
                    let (outcome, agreement) = match then {
                        Some(Command::Resolve) => ("agreed", true),
                        Some(Command::Fail | Command::Divert) => ("failed", false),
                        _ => ("continued", false),
                    };
                    let held = at + Duration::hours(rng.range(1, 20));
                    if held < now {
                        let date = time::local_date(held);
                        let mediator = format!("孙调解员{}", rng.range(1, 3));
                        d.event(
                            held,
                            handler,
                            agency,
                            &format!("mediation-{outcome}"),
                            &mediator,
                            agreement,
                        );
                        d.mediations.push(Mediation {
                            id: Id::new().to_string(),
                            case_id: d.case.id.to_string(),
                            mediator,
                            held_at: time::to_millis(held),
                            place: format!("{}调解室", d.case.owner_agency_name.replace("综治中心", "")),
                            attendees: d.parties.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("、"),
                            outcome: outcome.into(),
                            notes: "双方陈述了各自意见，调解员释法说理。".into(),
                            agreement: if agreement { "双方自愿达成协议：一方于十五日内一次性支付约定款项，另一方放弃其他请求，双方今后和睦相处。".into() } else { String::new() },
                            agreement_date: agreement.then(|| date.to_string()),
                            created_by_name: handler.1.clone(),
                            created_at: time::to_millis(held),
                            agreement_attachment_id: None,
                        });
                        if agreement {
                            d.open(clocks, Trigger::Agreement, held, 1);
                        }
                    }
                }
                Command::StartFollowUp => {
                    // A third have applied for judicial confirmation (人民调解法 Art. 33).
                    if rng.chance(33) {
                        d.meet(&[ClockKind::JudicialConfirmation], at);
                    }
                    d.follow_ups.push(FollowUp {
                        id: Id::new().to_string(),
                        case_id: d.case.id.to_string(),
                        at: time::to_millis(at),
                        by_name: handler.1.clone(),
                        satisfaction: rng
                            .pick(&["satisfied", "satisfied", "satisfied", "basically", "unsatisfied"])
                            .to_string(),
                        notes: "电话回访，当事人表示协议已履行。".into(),
                    });
                }
                _ => {}
            }
            if effects.own_event {
                d.event(
                    at,
                    actor,
                    agency,
                    &format!("cmd-{}", cmd.code()),
                    note,
                    effects.public,
                );
            }
            // Some cases are referred to another agency early on.
            if !referred && matches!(cmd, Command::Accept | Command::Assign) && rng.chance(14) {
                referred = true;
                self.demo_referral(d, rng, w, at, handler, agency);
            }
        }
    }

    pub(super) fn reply(
        &self,
        d: &mut Draft,
        kind: &str,
        at: time::Timestamp,
        who: &(Id, String),
        agency: &str,
    ) {
        let channel = if d.case.channel == Channel::Portal {
            "portal"
        } else {
            "phone"
        };
        let body = match kind {
            "procedural" => format!(
                "您反映的“{}”（{}）我院已收悉，经审查已依法受理，我们将认真办理并在三个月内答复办理结果。",
                d.case.title, d.case.number
            ),
            "progress" => format!(
                "您反映的“{}”（{}）正在办理中，承办人已调阅相关材料并听取各方意见，我们将及时告知进展。",
                d.case.title, d.case.number
            ),
            _ => format!(
                "您反映的“{}”（{}）已办理完毕。经调查核实，已督促相关单位依法处理，如对答复有异议，可依法申请复查。",
                d.case.title, d.case.number
            ),
        };
        if d.case.anonymous {
            return;
        }
        d.replies.push(Reply {
            id: Id::new().to_string(),
            case_id: d.case.id.to_string(),
            kind: kind.into(),
            channel: channel.into(),
            body,
            sent_at: time::to_millis(at),
            sent_by_name: who.1.clone(),
            agency_name: agency.to_owned(),
        });
        d.event(at, who, agency, &format!("reply-{kind}"), channel, true);
    }

    pub(super) fn demo_referral(
        &self,
        d: &mut Draft,
        rng: &mut Rng,
        w: &World,
        at: time::Timestamp,
        who: &(Id, String),
        agency: &str,
    ) {
        let (clocks, agencies, now) = (&w.clocks, &w.agencies, w.now);
        let candidates: Vec<&Agency> = agencies
            .iter()
            .filter(|a| {
                a.id != d.case.owner_agency_id
                    && matches!(
                        a.kind,
                        AgencyKind::Police
                            | AgencyKind::Court
                            | AgencyKind::JusticeOffice
                            | AgencyKind::GovernanceCentre
                            | AgencyKind::HumanResources
                            | AgencyKind::CivilAffairs
                    )
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        let to = *rng.pick(&candidates);
        let id = Id::new();
        let Some(mut clock) =
            clocks.clock_of_days(d.case.id, ClockKind::ReferralFeedback, time::local_date(at), 15)
        else {
            return;
        };
        clock.referral_id = Some(id);
        let answered = at + Duration::hours(rng.range(2 * 24, 20 * 24));
        let (state, answer) = if answered >= now {
            ("pending", String::new())
        } else if rng.chance(15) {
            (
                "returned",
                "经核查，该事项不属于本单位职责范围，请转有关部门办理。".to_owned(),
            )
        } else {
            (
                "reported",
                "已组织双方当面沟通，相关问题已整改落实，当事人表示认可。".to_owned(),
            )
        };
        if state != "pending" {
            clock.state = ClockState::Met;
            clock.met_at = Some(answered);
        }
        d.referrals.push(Referral {
            id: id.to_string(),
            case_id: d.case.id.to_string(),
            from_agency_id: d.case.owner_agency_id.to_string(),
            from_agency_name: None,
            to_agency_id: to.id.to_string(),
            to_agency_name: None,
            note: "请协助核实情况并在期限内反馈处理结果。".into(),
            due_date: clock.due_date.to_string(),
            state: state.into(),
            answer,
            created_by_name: who.1.clone(),
            created_at: time::to_millis(at),
            answered_by_name: if state == "pending" {
                String::new()
            } else {
                format!("{}经办人", to.short_name)
            },
            answered_at: (state != "pending").then(|| time::to_millis(answered)),
            version: 1,
            reply_requested: 0,
        });
        d.clocks.push(clock);
        d.event(
            at,
            who,
            agency,
            "referred",
            &format!("{}：请协助核实情况并在期限内反馈处理结果。", to.name),
            false,
        );
        if state != "pending" {
            d.event(answered, who, &to.name, &format!("referral-{state}"), "", false);
        }
    }

    pub(super) async fn demo_meeting(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
        queue: &[(Id, Id, time::Timestamp)],
    ) -> Result<(), AppError> {
        let (jcy, agencies, staff, now) = (&w.jcy, &w.agencies, &w.staff, w.now);
        let Some(last) = queue.iter().map(|q| q.2).max() else {
            return Ok(());
        };
        let held = last + Duration::days(rng.range(2, 10));
        if held >= now {
            return Ok(());
        }
        let mut ids = vec![jcy.id];
        for (_, owner, _) in queue {
            if !ids.contains(owner) {
                ids.push(*owner);
            }
        }
        if let Some(police) = agencies.iter().find(|a| a.kind == AgencyKind::Police)
            && !ids.contains(&police.id)
        {
            ids.push(police.id);
        }
        let id = Id::new();
        meeting::insert_meeting(
            conn,
            &Meeting {
                id: id.to_string(),
                title: format!("{}涉法涉诉矛盾纠纷共同研判会", time::local_date(held).format("%Y年%m月")),
                held_at: time::to_millis(held),
                place: "甘州区综治中心会商室".into(),
                conclusions: "一、对涉及的矛盾纠纷逐件分析研判，明确包案责任人；二、检察机关对涉法涉诉事项释法说理，必要时组织公开听证；三、属地乡镇落实稳控措施，两周内反馈进展。".into(),
                agency_id: jcy.id.to_string(),
                created_by_name: staff.prosecutor.1.clone(),
                created_at: time::to_millis(held),
            },
            &ids,
            &queue.iter().map(|q| q.0).collect::<Vec<_>>(),
        )
        .await?;
        let due = time::local_date(held) + chrono::Days::new(14);
        let task = Task {
            id: Id::new().to_string(),
            case_id: Some(queue[0].0.to_string()),
            source: "meeting".into(),
            source_id: id.to_string(),
            title: "约谈当事人并释法说理，反馈化解进展".into(),
            owner_id: staff.prosecutor.0.to_string(),
            owner_name: None,
            due_date: due.to_string(),
            done_at: None,
            created_at: time::to_millis(held),
            case_number: None,
        };
        task::insert_task(&mut *conn, &task).await?;
        if held + Duration::days(14) < now {
            task::finish_task(
                conn,
                task.id.parse().unwrap_or_default(),
                time::to_millis(held + Duration::days(rng.range(3, 13))),
            )
            .await?;
        }
        Ok(())
    }
}
