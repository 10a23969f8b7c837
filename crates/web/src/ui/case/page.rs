//! The case page: every panel, and re-rendering it after an action with the failed form kept.

use crate::ui::roster::{CasePeople, case_people};
use askama::Template;
use axum::extract::{Path, Query, State};
use chrono::Datelike;
use gongzhi_app::AppError;
use gongzhi_app::admin::Category;
use gongzhi_app::case::{CaseView, Revealed};
use gongzhi_app::domain::case::{MediationOutcome, ReplyChannel, ReplyKind, Satisfaction};
use gongzhi_app::domain::deadline::ClockState;
use gongzhi_app::domain::referral::reply_may_be_delegated;
use gongzhi_app::domain::workflow::Command;
use gongzhi_app::domain::{Id, time};
use gongzhi_app::reply::{self, Template as ReplyTemplate};
use gongzhi_app::users::User;
use http::StatusCode;

use super::events::EventRow;
use super::panel::{self, Panel};
use super::steps::{StepRow, step_rows};
use super::{CaseRow, Opt, case_row, clock_class, fmt_ms, fmt_ts, opts};
use crate::AppState;
use crate::error::{PageError, render, transition_message};
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::ui::referral::{AgencyGroup, agency_menu};
use crate::ui::risk::{RiskPanel, risk_panel};
use crate::ui::{Chrome, PageResult, form_error, page, see_other};

pub struct ClockRow {
    pub id: String,
    pub kind: String,
    pub seq: i64,
    pub due: String,
    pub state: String,
    pub class: &'static str,
    pub start: String,
    pub rule: String,
    pub source: String,
    pub skipped: String,
    pub note: String,
    pub approver: String,
    pub open: bool,
    pub paused: bool,
    /// The most days an extension may add now (0: the rule allows none, or none is left).
    pub extend_max: u32,
    /// The reasons the rule lets it be paused for: (code, label); none: it is never paused.
    pub pause_reasons: Vec<(String, String)>,
    pub rule_version: i64,
    pub provisional: bool,
    /// A request to change it waiting for the head: (id, what in words).
    pub request: Option<(String, String)>,
}

pub struct ReferralRow {
    pub id: String,
    pub to: String,
    pub from: String,
    pub state: String,
    pub state_code: String,
    pub note: String,
    pub due: String,
    pub answer: String,
    pub by: String,
    pub at: String,
    pub receiving: bool,
    pub sending: bool,
    pub reply_requested: bool,
}

#[derive(Template)]
#[template(
    path = "case/page.html",
    blocks = [
        "p_head", "p_notice", "p_toast", "p_actions", "p_reply", "p_reply_version", "p_edit",
        "p_edit_version", "p_reconciliation", "p_mediation", "p_follow_up", "p_meetings",
        "p_timeline", "p_clocks", "p_risk", "p_parties", "p_referrals", "p_attachments",
        "p_publication", "p_related"
    ]
)]
pub(crate) struct CasePage {
    /// Rendered as panels for an htmx answer (see `panel`), not as the whole page.
    pub(crate) partial: bool,
    /// The version fields rendered on their own, to be swapped into forms not re-rendered.
    pub(crate) oob_versions: bool,
    c: Chrome,
    v: CaseView,
    row: CaseRow,
    received: String,
    /// On a merged duplicate: who merged it where, and when.
    merged: String,
    /// To a receiving agency: what it may do with the referral now.
    referred_banner: String,
    channel: String,
    level: String,
    clocks: Vec<ClockRow>,
    risk: RiskPanel,
    referrals: Vec<ReferralRow>,
    events: Vec<EventRow>,
    steps: Vec<StepRow>,
    /// Why a step is held back, and which steps of this state are someone else's.
    why: Vec<String>,
    /// The expected step is a reply: the reply form opens with its draft.
    reply_expected: bool,
    /// The reply form's starting values: the template that fits the state, drafted.
    reply_draft: FormState,
    /// The form that failed, and its state.
    failed: String,
    f: FormState,
    alert: String,
    /// The templates that fit the state, each drafted for this case.
    drafts: Vec<(ReplyTemplate, String)>,
    /// The referral and routing forms' agency menu, its kind filter, and whether the receiver may
    /// be asked to reply itself.
    agencies: Vec<AgencyGroup>,
    agency_kinds: Vec<(String, String)>,
    delegable: bool,
    handlers: Vec<User>,
    reply_kinds: Vec<Opt>,
    reply_channels: Vec<Opt>,
    outcomes: Vec<Opt>,
    satisfactions: Vec<Opt>,
    categories: Vec<Category>,
    revealed: Option<(String, Revealed)>,
    /// The village's roster (its mediator first) and the case's helpers, offered as mediators:
    /// (name, what they are).
    mediators: Vec<(String, String)>,
    /// The village's 1+4+6 roster with numbers to call, the patch owner, the case's helpers.
    people: CasePeople,
    now_local: String,
    reconciliation: String,
    /// Who released the case's public text, and when ("" when nothing is released).
    published: String,
    /// The parties' 30 days for judicial confirmation are running: the follow-up can record
    /// their application, also once the case is closed (they may still apply).
    confirmation_open: bool,
}

impl CasePage {
    /// The form state for `name`: the failed one keeps what was typed, the others start empty.
    fn fs(&self, name: &str) -> &FormState {
        static EMPTY: std::sync::OnceLock<FormState> = std::sync::OnceLock::new();
        if self.failed == name {
            &self.f
        } else {
            EMPTY.get_or_init(FormState::default)
        }
    }

    fn revealed_for(&self, party: &str) -> Option<&Revealed> {
        self.revealed.as_ref().filter(|(p, _)| p == party).map(|(_, r)| r)
    }

    fn code(&self, prefix: &str, code: &str) -> String {
        self.c.t.code_or_raw(prefix, code)
    }

    fn age(&self, n: &i64) -> String {
        self.c.t.ta("age-years", &[("n", n.to_string())])
    }

    /// A party is a minor now: a hearing is closed (§3.6).
    fn minor_party(&self) -> bool {
        self.v.parties.iter().any(|p| p.minor)
    }

    /// Whether the actions card offers this command.
    fn offers(&self, code: &str) -> bool {
        self.steps.iter().any(|c| c.code == code)
    }

    /// The actions form has a command of its own (not only links to other panels): its note and
    /// handler fields are shown.
    fn has_commands(&self) -> bool {
        self.steps.iter().any(|s| s.link.is_empty())
    }

    /// The reply form's state: what was typed when it failed, else the fitting draft.
    fn reply_form(&self) -> &FormState {
        if self.failed == "reply" {
            &self.f
        } else {
            &self.reply_draft
        }
    }

    fn fmt(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
}

/// What the case page answers with: the form an action came from, how it went, what to show.
#[derive(Default)]
pub(crate) struct Answer<'a> {
    /// The form the action came from ("" for a plain view).
    pub form: &'a str,
    /// That form failed: it is shown open, with what was typed and each field's message.
    pub failed: bool,
    pub f: FormState,
    pub status: StatusCode,
    pub alert: String,
    pub revealed: Option<(String, Revealed)>,
    /// The message key of a success.
    pub ok: Option<&'a str>,
}

pub(crate) async fn case_page(s: &AppState, req: &Req, id: Id, a: Answer<'_>) -> PageResult {
    let Answer {
        form,
        failed,
        f,
        status,
        mut alert,
        revealed,
        ok: ok_key,
    } = a;
    let failed = if failed { form } else { "" };
    let v = page(req, s.app.case_view(&req.ctx, id).await)?;
    let actor = req.ctx.actor().map_err(|e| PageError(req.clone(), e))?.clone();
    let c = Chrome::new(req).with_flash(ok_key);
    let t = c.t.clone();
    let clocks = v
        .clocks
        .iter()
        .map(|k| {
            let rule = k
                .rule_term
                .map(|(n, u)| match n {
                    // §3.2, §4.1: "the same day" has no period to count from the next day.
                    0 => t.t("rule-same-day"),
                    n => t.ta(
                        "rule-amount",
                        &[("n", n.to_string()), ("unit", t.code("unit", u.code()))],
                    ),
                })
                .unwrap_or_default();
            ClockRow {
                id: k.clock.id.to_string(),
                kind: t.code("clock", k.clock.kind.code()),
                seq: k.clock.seq,
                due: k.clock.due_date.to_string(),
                state: t.code("clock-state", k.state.code()),
                class: clock_class(k.state),
                start: k.clock.start_date.to_string(),
                rule,
                source: k.rule_source.clone(),
                skipped: k
                    .skipped
                    .iter()
                    .map(|(d, name)| {
                        let what = if name.is_empty() {
                            t.code("weekday", &d.weekday().to_string().to_lowercase())
                        } else {
                            name.clone()
                        };
                        format!("{}（{what}）", d.format("%m-%d"))
                    })
                    .collect::<Vec<_>>()
                    .join("、"),
                note: k.clock.note.clone(),
                approver: k.clock.approver_name.clone(),
                open: k.state.is_open(),
                paused: k.state == ClockState::Paused,
                extend_max: k.extension_left,
                pause_reasons: k
                    .pausable
                    .iter()
                    .map(|p| (p.code().to_owned(), t.code("pause-reason", p.code())))
                    .collect(),
                rule_version: k.rule_version,
                provisional: k.provisional,
                request: v
                    .clock_requests
                    .iter()
                    .find(|r| r.clock_id == k.clock.id.to_string() && r.state == "pending")
                    .map(|r| {
                        let what = match r.action.as_str() {
                            "extend" => t.ta("clock-request-extend", &[("days", r.days.to_string())]),
                            "pause" => t.t("clock-request-pause"),
                            _ => t.t("clock-request-resume"),
                        };
                        (
                            r.id.clone(),
                            t.ta(
                                "clock-request-waiting",
                                &[
                                    ("what", what),
                                    ("who", r.requested_by_name.clone()),
                                    ("reason", r.reason.clone()),
                                ],
                            ),
                        )
                    }),
            }
        })
        .collect();
    let risk = risk_panel(&t, &v, actor.user_id);
    let referrals = v
        .referrals
        .iter()
        .map(|r| ReferralRow {
            id: r.id.clone(),
            to: r.to_agency_name.clone().unwrap_or_default(),
            from: r.from_agency_name.clone().unwrap_or_default(),
            state: t.code("referral-state", &r.state),
            state_code: r.state.clone(),
            note: r.note.clone(),
            due: r.due_date.clone(),
            answer: r.answer.clone(),
            by: r.answered_by_name.clone(),
            at: r.answered_at.map(fmt_ms).unwrap_or_default(),
            receiving: r.to_agency_id == actor.agency_id.to_string(),
            sending: r.from_agency_id == actor.agency_id.to_string(),
            reply_requested: r.reply_requested != 0,
        })
        .collect::<Vec<_>>();
    let referred_banner = referred_banner(&t, v.owner, &referrals);
    let events = v.events.items.iter().rev().map(|e| EventRow::of(&t, e)).collect();
    let (steps, why) = step_rows(&t, &v);
    let reply_expected = v
        .steps
        .expected()
        .is_some_and(|x| matches!(x.command, Command::ReplyProcedural | Command::ReplyResult));
    let kinds = reply::fitting_kinds(v.case.kind, v.case.status);
    let templates: Vec<ReplyTemplate> = if v.can.act {
        page(req, s.app.templates(&req.ctx).await)?
            .into_iter()
            .filter(|x| ReplyKind::parse(&x.kind).is_some_and(|k| kinds.contains(&k)))
            .collect()
    } else {
        Vec::new()
    };
    // Each fitting template drafted for this case: choosing one fills the form (app.js).
    let today = time::local_date(s.app.now());
    let drafts: Vec<(ReplyTemplate, String)> = templates
        .into_iter()
        .map(|x| {
            let body = reply::fill(
                &x.body,
                &v.case.number,
                &v.case.title,
                &v.case.owner_agency_name,
                today,
            );
            (x, body)
        })
        .collect();
    let reply_draft = drafts
        .iter()
        .find(|(x, _)| x.code == reply::fitting_template(v.case.kind, v.case.status))
        .or(drafts.first())
        .map(|(x, body)| {
            FormState::default()
                .with("kind", &x.kind)
                .with("template", &x.code)
                .with("body", body)
        })
        .unwrap_or_default();
    let (agencies, agency_kinds) = if v.can.act {
        agency_menu(&t, &page(req, s.app.referral_choices(&req.ctx, id).await)?)
    } else {
        Default::default()
    };
    let handlers = if v.owner {
        page(req, s.app.handlers(&req.ctx, Some(v.case.owner_agency_id)).await)?
    } else {
        Vec::new()
    };
    let failed = failed.to_owned();
    let row = case_row(&t, &v.case);
    let reconciliation = match &v.reconciliation {
        None => String::new(),
        Some(r) => match r.check() {
            Ok(()) => t.t("reconciliation-eligible"),
            Err(why) => why
                .iter()
                .map(|w| t.code("ineligible", w.code()))
                .collect::<Vec<_>>()
                .join("；"),
        },
    };
    let people = case_people(s, req, &actor, id, v.case.place_id).await?;
    let mediators = people.mediators(&t);
    let partial = req.htmx && !form.is_empty();
    if partial && alert.is_empty() && status == StatusCode::UNPROCESSABLE_ENTITY {
        alert = t.t("error-invalid");
    }
    let p = CasePage {
        partial: false,
        oob_versions: false,
        mediators,
        people,
        received: fmt_ts(v.case.received_at),
        merged: v
            .merged
            .as_ref()
            .map(|m| {
                t.ta(
                    "merged-banner",
                    &[("by", m.by_name.clone()), ("at", super::fmt_ms(m.at))],
                )
            })
            .unwrap_or_default(),
        channel: t.code("channel", v.case.channel.code()),
        level: v
            .case
            .level
            .map(|l| t.code("level", l.code()))
            .unwrap_or_default(),
        row,
        clocks,
        risk,
        referrals,
        referred_banner,
        events,
        steps,
        why,
        reply_expected,
        reply_draft,
        failed,
        f,
        alert,
        drafts,
        agencies,
        agency_kinds,
        delegable: reply_may_be_delegated(v.case.kind),
        handlers,
        reply_kinds: opts(
            &t,
            "reply-kind",
            &kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        reply_channels: opts(
            &t,
            "reply-channel",
            &ReplyChannel::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        outcomes: opts(
            &t,
            "outcome",
            &MediationOutcome::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        satisfactions: opts(
            &t,
            "satisfaction",
            &Satisfaction::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        categories: page(req, s.app.portal_categories().await)?,
        revealed,
        now_local: time::format_local(s.app.now()).replace(' ', "T"),
        reconciliation,
        published: v
            .case
            .published_at
            .map(|at| {
                t.ta(
                    "publication-current",
                    &[("who", v.case.published_by_name.clone()), ("at", fmt_ts(at))],
                )
            })
            .unwrap_or_default(),
        confirmation_open: v
            .clocks
            .iter()
            .any(|k| k.clock.kind.is_parties_time() && k.state.is_open()),
        v,
        c,
    };
    if partial {
        let panels = Panel::changed_by(form, p.v.case.status.is_closed());
        return Ok(panel::answer(p, &panels, status, req.ctx.request_id()));
    }
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ViewQuery {
    ok: Option<String>,
}

pub(crate) async fn view(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    let a = Answer {
        ok: q.ok.as_deref(),
        ..Answer::default()
    };
    case_page(&s, &req, id, a).await
}

/// The answer to an action on the case page: with htmx the panels it changed (and the address it
/// would have redirected to, for a reload); without, a redirect to the page or the page with the
/// failed form.
/// What the referral lets a receiving agency do now (issue 10 §5): accept or return it; once
/// accepted, mediate, add material, reply when asked, and report; once answered, read only.
fn referred_banner(t: &T, owner: bool, referrals: &[ReferralRow]) -> String {
    if owner {
        return String::new();
    }
    let mine = referrals.iter().filter(|r| r.receiving);
    let r = mine
        .clone()
        .find(|r| r.state_code == "accepted")
        .or_else(|| mine.clone().find(|r| r.state_code == "pending"))
        .or_else(|| mine.clone().next());
    match r {
        Some(r) if r.state_code == "pending" => t.ta("case-referred-pending", &[("due", r.due.clone())]),
        Some(r) if r.state_code == "accepted" && r.reply_requested => {
            t.ta("case-referred-accepted-reply", &[("due", r.due.clone())])
        }
        Some(r) if r.state_code == "accepted" => t.ta("case-referred-accepted", &[("due", r.due.clone())]),
        _ => t.t("case-referred-done"),
    }
}

pub(crate) async fn after(
    s: &AppState,
    req: &Req,
    id: Id,
    form: &str,
    d: &FormData,
    r: Result<(), AppError>,
    ok: &str,
) -> PageResult {
    let a = match r {
        Ok(()) if req.htmx => Answer {
            form,
            ok: Some(ok),
            ..Answer::default()
        },
        Ok(()) => return see_other(&format!("/cases/{id}?ok={ok}#{form}")),
        Err(AppError::Transition(te)) => Answer {
            form,
            failed: true,
            f: FormState::from_data(d),
            status: StatusCode::CONFLICT,
            alert: transition_message(&req.t, &te),
            ..Answer::default()
        },
        Err(e) => {
            let (f, status) = form_error(req, e, FormState::from_data(d))?;
            let alert = if f.conflict.is_empty() {
                String::new()
            } else {
                req.t.t("case-conflict")
            };
            Answer {
                form,
                failed: true,
                f,
                status,
                alert,
                ..Answer::default()
            }
        }
    };
    let replace = a.ok.map(|ok| format!("/cases/{id}?ok={ok}"));
    let mut res = case_page(s, req, id, a).await?;
    if let Some(url) = replace.and_then(|u| http::HeaderValue::from_str(&u).ok()) {
        res.headers_mut().insert("hx-replace-url", url);
    }
    Ok(res)
}
