//! The actions card of the case page: the viewer's steps as buttons, and why any waits.

use gongzhi_app::case::CaseView;
use gongzhi_app::domain::workflow::Command;

use crate::i18n::T;

/// A step the actions card offers: a command button, or a link to the panel that gives it (the
/// reply form, the risk assessment).
pub struct StepRow {
    pub code: String,
    pub label: String,
    pub class: &'static str,
    /// The panel that gives the command ("" for a button of the actions form).
    pub link: &'static str,
    pub blocked: bool,
}

/// The actions card: the viewer's steps (the expected one emphasised, one held back disabled) and,
/// in words, why a step waits and whose the others are.
pub(crate) fn step_rows(t: &T, v: &CaseView) -> (Vec<StepRow>, Vec<String>) {
    if v.merged.is_some() {
        // A merged duplicate takes no steps; its banner says where the work goes on.
        return (Vec::new(), Vec::new());
    }
    let label = |c: Command| t.code("command", c.code());
    let mut why = Vec::new();
    let rows = v
        .steps
        .offered
        .iter()
        .map(|x| {
            if let Some(e) = &x.blocked {
                why.push(t.ta(
                    "steps-blocked",
                    &[("command", label(x.command)), ("reason", t.t(e.key()))],
                ));
            }
            StepRow {
                code: x.command.code().to_owned(),
                label: label(x.command),
                class: match (x.blocked.is_some(), x.expected, x.needs_reason) {
                    (true, _, _) => "btn-outline-secondary",
                    (false, true, _) => "btn-primary",
                    (false, false, true) => "btn-outline-danger",
                    (false, false, false) => "btn-outline-primary",
                },
                link: match x.command {
                    Command::ReplyProcedural | Command::ReplyResult => "reply",
                    Command::Grade => "assess",
                    _ => "",
                },
                blocked: x.blocked.is_some(),
            }
        })
        .collect();
    let mut others: Vec<(String, String)> = Vec::new();
    for (c, roles) in &v.steps.others {
        let who = roles
            .iter()
            .map(|r| t.code("role", r.code()))
            .collect::<Vec<_>>()
            .join("、");
        match others.iter_mut().find(|(_, w)| *w == who) {
            Some((cmds, _)) => cmds.push_str(&format!("「{}」", label(*c))),
            None => others.push((format!("「{}」", label(*c)), who)),
        }
    }
    for (commands, roles) in others {
        why.push(t.ta("steps-others", &[("commands", commands), ("roles", roles)]));
    }
    if v.steps.offered.is_empty() && v.steps.others.is_empty() && v.owner {
        why.push(t.t(if v.case.status.is_closed() {
            "steps-closed"
        } else {
            "steps-waiting"
        }));
    }
    (rows, why)
}
