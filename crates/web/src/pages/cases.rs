//! Cases in the UI: the list, intake (with attachments), and the case page with every action on it.
//! Each action posts to its own route and comes back to the page: on success with a confirmation, on
//! a problem with the form that failed marked and everything typed kept.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use gongzhi_app::admin::{Agency, Category, OrgUnit};
use gongzhi_app::case::{Case, CaseFilter};
use gongzhi_app::case::{CaseEdit, CaseView, IntakeForm, PartyInput, Revealed, TransitionInput, Upload};
use gongzhi_app::deadlines::ClockChange;
use gongzhi_app::domain::case::{MediationOutcome, PartyRole, ReplyChannel, ReplyKind, Satisfaction};
use gongzhi_app::domain::deadline::ClockState;
use gongzhi_app::domain::org::OrgLevel;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::risk::RiskInput;
use gongzhi_app::domain::workflow::{CaseKind, Channel, Command, ReconciliationFacts, Status};
use gongzhi_app::domain::{Id, time};
use gongzhi_app::mediation::MediationForm;
use gongzhi_app::reply::Template as ReplyTemplate;
use gongzhi_app::users::User;
use gongzhi_app::{AppError, FieldError};
use http::{StatusCode, header};

use super::{Chrome, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::{PageError, render, transition_message};
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    use Action::{ApproveClock, HandleCase, RegisterCase, RevealPersonal, SignOffRisk, ViewCases};
    let handle = Access::Staff(HandleCase);
    Routes::new()
        .get("/cases", Access::Staff(ViewCases), list)
        .post("/cases", Access::Staff(RegisterCase), register)
        .get("/cases/new", Access::Staff(RegisterCase), new_form)
        .get("/cases/{id}", Access::Staff(ViewCases), view)
        .post("/cases/{id}/edit", handle, edit)
        .post("/cases/{id}/transition", handle, transition)
        .post("/cases/{id}/reply", handle, reply)
        .post("/cases/{id}/risk", handle, assess)
        .post("/cases/{id}/risk/sign-off", Access::Staff(SignOffRisk), sign_off)
        .post("/cases/{id}/risk/plan", handle, plan)
        .post("/cases/{id}/refer", handle, refer)
        .post("/cases/{id}/mediation", handle, mediation)
        .post("/cases/{id}/follow-up", handle, follow_up)
        .post("/cases/{id}/attachments", handle, attach)
        .get(
            "/cases/{id}/attachments/{att}",
            Access::Staff(ViewCases),
            download,
        )
        .post("/cases/{id}/clocks/{clock}", Access::Staff(ApproveClock), clock)
        .post(
            "/cases/{id}/reveal/{party}",
            Access::Staff(RevealPersonal),
            reveal,
        )
        .post("/cases/{id}/reconciliation", handle, reconciliation)
        .post("/referrals/{id}/{action}", handle, answer_referral)
}

pub fn fmt_ms(ms: i64) -> String {
    time::format_local(time::from_millis(ms))
}

pub fn fmt_ts(t: time::Timestamp) -> String {
    time::format_local(t)
}

/// A code and its name, for selects.
pub struct Opt {
    pub code: String,
    pub label: String,
}

fn opts(t: &T, prefix: &str, codes: &[&str]) -> Vec<Opt> {
    codes
        .iter()
        .map(|c| Opt {
            code: (*c).to_owned(),
            label: t.code(prefix, c),
        })
        .collect()
}

pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Closed => "text-bg-secondary",
        Status::Received | Status::Registered | Status::PoliceCaseOpened => "text-bg-info",
        Status::NotAccepted | Status::TransferredOut | Status::Diverted | Status::Failed => "text-bg-warning",
        _ => "text-bg-primary",
    }
}

pub fn clock_class(s: ClockState) -> &'static str {
    match s {
        ClockState::Overdue => "text-bg-danger",
        ClockState::DueSoon => "text-bg-warning",
        ClockState::Met => "text-bg-success",
        ClockState::Exempt | ClockState::Paused => "text-bg-secondary",
        ClockState::Running => "text-bg-primary",
    }
}

pub fn risk_class(level: &str) -> &'static str {
    match level {
        "high" => "text-bg-danger",
        "medium" => "text-bg-warning",
        _ => "text-bg-success",
    }
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    township: Option<String>,
    /// Cases sharing a party's identity number with this case (the case page's "more" link).
    same_party: Option<Id>,
    page: Option<i64>,
    ok: Option<String>,
}

pub struct CaseRow {
    pub id: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub status_class: &'static str,
    pub category: String,
    pub place: String,
    pub received: String,
    pub risk: String,
    pub risk_class: &'static str,
    pub urgent: bool,
    pub handler: String,
}

pub fn case_row(t: &T, c: &Case) -> CaseRow {
    CaseRow {
        id: c.id.to_string(),
        number: c.number.clone(),
        title: c.title.clone(),
        kind: t.code("kind", c.kind.code()),
        status: t.code("status", c.status.code()),
        status_class: status_class(c.status),
        category: c.category_name.clone(),
        place: c.place_name.clone(),
        received: fmt_ts(c.received_at),
        risk: c.risk_level.map(|r| t.code("risk", r.code())).unwrap_or_default(),
        risk_class: risk_class(c.risk_level.map(|r| r.code()).unwrap_or("")),
        urgent: c.urgent,
        handler: c.handler_name.clone(),
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<CaseRow>,
    total: i64,
    page: i64,
    pages: i64,
    filter: FormState,
    kinds: Vec<Opt>,
    townships: Vec<OrgUnit>,
    query: String,
    /// The case whose parties select the list ("" for none).
    same_party: String,
}

const PAGE_SIZE: i64 = 30;

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let pageno = q.page.unwrap_or(1).max(1);
    let townships = page(&req, s.app.portal_places().await)?
        .into_iter()
        .map(|(t, _)| t)
        .collect::<Vec<_>>();
    let place_prefix = q
        .township
        .as_deref()
        .and_then(|id| townships.iter().find(|t| t.id.to_string() == id))
        .map(|t| t.code[..9].to_owned());
    let f = CaseFilter {
        text: q.q.clone(),
        kind: q.kind.as_deref().and_then(CaseKind::parse),
        open: match q.state.as_deref() {
            Some("open") | None => Some(true),
            Some("closed") => Some(false),
            _ => None,
        },
        place_prefix,
        same_party_as: q.same_party,
        limit: PAGE_SIZE,
        offset: (pageno - 1).saturating_mul(PAGE_SIZE),
        ..Default::default()
    };
    let (cases, total) = page(&req, s.app.list_cases(&req.ctx, &f).await)?;
    let c = Chrome::new(&req).with_flash(q.ok.as_deref());
    let rows = cases.iter().map(|x| case_row(&c.t, x)).collect();
    let filter = FormState::default()
        .with("q", q.q.clone().unwrap_or_default())
        .with("kind", q.kind.clone().unwrap_or_default())
        .with("state", q.state.clone().unwrap_or_else(|| "open".into()))
        .with("township", q.township.clone().unwrap_or_default());
    let query = serde_urlencoded::to_string([
        ("q", q.q.unwrap_or_default()),
        ("kind", q.kind.unwrap_or_default()),
        ("state", q.state.unwrap_or_else(|| "open".into())),
        ("township", q.township.unwrap_or_default()),
        (
            "same_party",
            q.same_party.map(|c| c.to_string()).unwrap_or_default(),
        ),
    ])
    .unwrap_or_default();
    let kinds = opts(
        &c.t,
        "kind",
        &CaseKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
    );
    super::ok(
        &req,
        &ListPage {
            c,
            rows,
            total,
            page: pageno,
            pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
            filter,
            kinds,
            townships,
            query,
            same_party: q.same_party.map(|c| c.to_string()).unwrap_or_default(),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Intake

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    kinds: Vec<Opt>,
    channels: Vec<Opt>,
    roles: Vec<Opt>,
    categories: Vec<Category>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    grids: Vec<(OrgUnit, Vec<OrgUnit>)>,
    party_rows: Vec<usize>,
    flags: Vec<&'static str>,
    attach_help: String,
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let places = page(req, s.app.portal_places().await)?;
    let mut grids = Vec::new();
    for (_, villages) in &places {
        for v in villages {
            let children = page(
                req,
                s.app
                    .org_children(&req.ctx, Some(v.id), gongzhi_app::Page::first(500))
                    .await,
            )?
            .items
            .into_iter()
            .filter(|g| g.level == OrgLevel::Grid && g.active)
            .collect::<Vec<_>>();
            if !children.is_empty() {
                grids.push((v.clone(), children));
            }
        }
    }
    let c = Chrome::new(req);
    let p = NewPage {
        kinds: opts(
            &c.t,
            "kind",
            &CaseKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        channels: opts(
            &c.t,
            "channel",
            &Channel::ALL
                .iter()
                .filter(|x| **x != Channel::Portal)
                .map(|k| k.code())
                .collect::<Vec<_>>(),
        ),
        roles: opts(
            &c.t,
            "party-role",
            &PartyRole::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        categories: page(req, s.app.portal_categories().await)?,
        places,
        grids,
        party_rows: vec![0, 1, 2],
        flags: vec!["elderly", "disabled", "impoverished"],
        attach_help: c.t.ta(
            "attachments-help",
            &[(
                "mb",
                (s.app.case_settings().max_attachment_bytes / (1024 * 1024)).to_string(),
            )],
        ),
        c,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn new_form(State(s): State<AppState>, req: Req) -> PageResult {
    page(
        &req,
        s.app
            .authorize(&req.ctx, gongzhi_app::domain::Action::RegisterCase)
            .await,
    )?;
    let now = time::format_local(s.app.now()).replace(' ', "T");
    let f = FormState::default()
        .with("received_at", now)
        .with("parties[0].role", "petitioner")
        .with("parties[1].role", "respondent")
        .with("parties[2].role", "other")
        .with("idem", Id::new());
    new_page(&s, &req, f, StatusCode::OK).await
}

/// A multipart form: its text fields and its files.
pub async fn read_multipart(req: &Req, request: Request) -> Result<(FormData, Vec<Upload>), PageError> {
    let mut mp = Multipart::from_request(request, &())
        .await
        .map_err(|_| PageError(req.clone(), AppError::field("attachments", "upload-unreadable")))?;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(PageError(
                    req.clone(),
                    AppError::field("attachments", "upload-unreadable"),
                ));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(filename) => {
                let data = field.bytes().await.map_err(|_| {
                    PageError(req.clone(), AppError::field("attachments", "upload-unreadable"))
                })?;
                if !filename.is_empty() && !data.is_empty() {
                    files.push(Upload {
                        filename,
                        data: data.to_vec(),
                    });
                }
            }
            None => {
                let text = field.text().await.unwrap_or_default();
                fields.push((name, text));
            }
        }
    }
    Ok((FormData::from_pairs(fields), files))
}

pub fn intake_form(d: &FormData) -> IntakeForm {
    IntakeForm {
        kind: d.get("kind"),
        channel: d.get("channel"),
        category: d.get("category"),
        place_id: d.get("place_id"),
        grid_id: d.get("grid_id"),
        title: d.get("title"),
        narrative: d.get("narrative"),
        received_at: d.get("received_at"),
        urgent: d.flag("urgent"),
        anonymous: d.flag("anonymous"),
        minor_involved: d.flag("minor_involved"),
        parties: (0..3)
            .map(|i| PartyInput {
                role: d.get(&format!("parties[{i}].role")),
                name: d.get(&format!("parties[{i}].name")),
                id_number: d.get(&format!("parties[{i}].id_number")),
                phone: d.get(&format!("parties[{i}].phone")),
                address: d.get(&format!("parties[{i}].address")),
                elderly: d.flag(&format!("parties[{i}].elderly")),
                disabled: d.flag(&format!("parties[{i}].disabled")),
                impoverished: d.flag(&format!("parties[{i}].impoverished")),
            })
            .collect(),
    }
}

async fn register(State(s): State<AppState>, req: Req, request: Request) -> PageResult {
    page(
        &req,
        s.app
            .authorize(&req.ctx, gongzhi_app::domain::Action::RegisterCase)
            .await,
    )?;
    let (d, files) = read_multipart(&req, request).await?;
    let form = intake_form(&d);
    let idem = d.get("idem");
    match s.app.register_case(&req.ctx, &form, &files, Some(&idem)).await {
        Ok(c) => see_other(&format!("/cases/{}?ok=registered", c.id)),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, f, status).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The case page

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
}

pub struct FactorRow {
    pub label: String,
    pub points: String,
}

pub struct AssessmentRow {
    pub level: String,
    pub level_code: String,
    pub class: &'static str,
    pub score: i64,
    pub ruleset: String,
    pub factors: Vec<FactorRow>,
    pub assessor: String,
    pub at: String,
    pub plan: String,
    pub signed: String,
    pub note: String,
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
}

pub struct EventRow {
    pub at: String,
    pub who: String,
    pub agency: String,
    pub what: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    v: CaseView,
    row: CaseRow,
    received: String,
    channel: String,
    level: String,
    clocks: Vec<ClockRow>,
    assessments: Vec<AssessmentRow>,
    referrals: Vec<ReferralRow>,
    events: Vec<EventRow>,
    commands: Vec<Opt>,
    /// The form that failed, and its state.
    failed: String,
    f: FormState,
    alert: String,
    templates: Vec<ReplyTemplate>,
    agencies: Vec<Agency>,
    handlers: Vec<User>,
    reply_kinds: Vec<Opt>,
    reply_channels: Vec<Opt>,
    outcomes: Vec<Opt>,
    satisfactions: Vec<Opt>,
    categories: Vec<Category>,
    revealed: Option<(String, Revealed)>,
    /// The village's roster, offered as mediators: (name, what they are).
    mediators: Vec<(String, String)>,
    now_local: String,
    reconciliation: String,
    /// Who released the case's public text, and when ("" when nothing is released).
    published: String,
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

    fn fmt(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
}

pub(super) fn event_text(t: &T, kind: &str, detail: &str) -> (String, String) {
    if let Some(cmd) = kind.strip_prefix("cmd-") {
        return (t.code("command", cmd), detail.to_owned());
    }
    let what = t.code_or_raw("event", kind);
    let detail = match kind {
        "registered" => detail
            .split_once('｜')
            .map(|(n, ch)| format!("{n}，{}", t.code("channel", ch)))
            .unwrap_or_else(|| detail.to_owned()),
        k if k.starts_with("reply-") => t.code_or_raw("reply-channel", detail),
        "risk-assessed" => detail
            .split_once('|')
            .map(|(l, s)| {
                t.ta(
                    "risk-summary",
                    &[("level", t.code("risk", l)), ("score", s.to_owned())],
                )
            })
            .unwrap_or_default(),
        k if k.starts_with("mediation-") => detail.to_owned(),
        "follow-up" => t.code_or_raw("satisfaction", detail),
        "reconciliation-checked" if detail == "eligible" => t.t("reconciliation-eligible"),
        "reconciliation-checked" => detail
            .split(',')
            .map(|w| t.code("ineligible", w))
            .collect::<Vec<_>>()
            .join("；"),
        "attachment" => t.ta("attachments-added", &[("n", detail.to_owned())]),
        _ => detail.to_owned(),
    };
    (what, detail)
}

async fn case_page(
    s: &AppState,
    req: &Req,
    id: Id,
    failed: &str,
    f: FormState,
    status: StatusCode,
    alert: String,
    draft: Option<String>,
    revealed: Option<(String, Revealed)>,
    ok_key: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.case_view(&req.ctx, id).await)?;
    let actor = req.ctx.actor().map_err(|e| PageError(req.clone(), e))?.clone();
    let c = Chrome::new(req).with_flash(ok_key);
    let t = c.t.clone();
    let clocks = v
        .clocks
        .iter()
        .map(|k| {
            let rule = k
                .rule_text
                .split_once('|')
                .map(|(n, u)| t.ta("rule-amount", &[("n", n.to_owned()), ("unit", t.code("unit", u))]))
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
                open: matches!(
                    k.state,
                    ClockState::Running | ClockState::DueSoon | ClockState::Overdue | ClockState::Paused
                ),
                paused: k.state == ClockState::Paused,
            }
        })
        .collect();
    let assessments = v
        .assessments
        .iter()
        .map(|a| AssessmentRow {
            level: t.code("risk", &a.level),
            level_code: a.level.clone(),
            class: risk_class(&a.level),
            score: a.score,
            ruleset: a.ruleset.clone(),
            factors: a
                .factors
                .split(',')
                .filter(|x| !x.is_empty())
                .map(|x| {
                    let (code, pts) = x.split_once(':').unwrap_or((x, ""));
                    FactorRow {
                        label: t.code("factor", code),
                        points: pts.to_owned(),
                    }
                })
                .collect(),
            assessor: a.assessor_name.clone(),
            at: fmt_ms(a.at),
            plan: a.plan.clone(),
            signed: if a.signed_off_at.is_some() {
                format!(
                    "{} · {}",
                    a.signed_off_by,
                    a.signed_off_at.map(fmt_ms).unwrap_or_default()
                )
            } else {
                String::new()
            },
            note: a.note.clone(),
        })
        .collect();
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
        })
        .collect();
    let events = v
        .events
        .items
        .iter()
        .rev()
        .map(|e| {
            let (what, detail) = event_text(&t, &e.kind, &e.detail);
            EventRow {
                at: fmt_ms(e.at),
                who: e.actor_name.clone(),
                agency: e.agency_name.clone(),
                what,
                detail,
            }
        })
        .collect();
    let commands = v
        .commands
        .iter()
        .filter(|c| {
            !matches!(
                c,
                Command::ReplyProcedural | Command::ReplyResult | Command::Grade
            )
        })
        .map(|cmd| Opt {
            code: cmd.code().to_owned(),
            label: t.code("command", cmd.code()),
        })
        .collect();
    let templates = if v.owner {
        page(req, s.app.templates(&req.ctx).await)?
    } else {
        Vec::new()
    };
    let agencies = if v.owner {
        page(req, s.app.agency_choices(&req.ctx).await)?
    } else {
        Vec::new()
    };
    let handlers = if v.owner {
        page(req, s.app.handlers(&req.ctx, Some(v.case.owner_agency_id)).await)?
    } else {
        Vec::new()
    };
    // A reply drafted from a template opens the reply form with it.
    let (f, failed) = match draft {
        Some(body) => (f.with("body", body), "reply".to_owned()),
        None => (f, failed.to_owned()),
    };
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
    let mediators = match v
        .case
        .place_id
        .filter(|_| v.owner && actor.can(gongzhi_app::domain::Action::ViewRoster))
    {
        Some(village) => page(req, s.app.village_people(&req.ctx, village).await)?
            .into_iter()
            .map(|e| {
                (
                    e.person_name,
                    format!("{}（{}）", t.code("slot", e.slot.code()), e.agency_name),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let p = CasePage {
        mediators,
        received: fmt_ts(v.case.received_at),
        channel: t.code("channel", v.case.channel.code()),
        level: v
            .case
            .level
            .map(|l| t.code("level", l.code()))
            .unwrap_or_default(),
        row,
        clocks,
        assessments,
        referrals,
        events,
        commands,
        failed,
        f,
        alert,
        templates,
        agencies,
        handlers,
        reply_kinds: opts(
            &t,
            "reply-kind",
            &ReplyKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
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
        v,
        c,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
struct ViewQuery {
    ok: Option<String>,
    template: Option<String>,
}

async fn view(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<Id>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    let draft = match q.template.as_deref().filter(|t| !t.is_empty()) {
        Some(code) => Some(page(&req, s.app.draft_reply(&req.ctx, id, code).await)?),
        None => None,
    };
    let f = match (&draft, &q.template) {
        (Some(_), Some(code)) => {
            let kind = code.split('-').next().unwrap_or("").to_owned();
            FormState::default().with("kind", kind).with("template", code)
        }
        _ => FormState::default(),
    };
    case_page(
        &s,
        &req,
        id,
        "",
        f,
        StatusCode::OK,
        String::new(),
        draft,
        None,
        q.ok.as_deref(),
    )
    .await
}

/// The answer to an action on the case page.
pub(super) async fn after(
    s: &AppState,
    req: &Req,
    id: Id,
    form: &str,
    d: &FormData,
    r: Result<(), AppError>,
    ok: &str,
) -> PageResult {
    match r {
        Ok(()) => see_other(&format!("/cases/{id}?ok={ok}#{form}")),
        Err(AppError::Transition(te)) => {
            let alert = transition_message(&req.t, &te);
            case_page(
                s,
                req,
                id,
                form,
                FormState::from_data(d),
                StatusCode::CONFLICT,
                alert,
                None,
                None,
                None,
            )
            .await
        }
        Err(e) => {
            let (f, status) = form_error(req, e, FormState::from_data(d))?;
            let alert = if f.conflict.is_empty() {
                String::new()
            } else {
                req.t.t("case-conflict")
            };
            case_page(s, req, id, form, f, status, alert, None, None, None).await
        }
    }
}

async fn edit(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let e = CaseEdit {
        title: d.get("title"),
        narrative: d.get("narrative"),
        category: d.get("category"),
        urgent: Some(d.flag("urgent")),
        minor_involved: Some(d.flag("minor_involved")),
        version: d.int("version"),
    };
    let r = s.app.edit_case(&req.ctx, id, &e).await;
    after(&s, &req, id, "edit", &d, r, "saved").await
}

async fn transition(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = match Command::parse(&d.get("command")) {
        Some(cmd) => s
            .app
            .transition(
                &req.ctx,
                id,
                cmd,
                &TransitionInput {
                    version: d.int("version"),
                    note: d.get("note"),
                    handler_id: d.get("handler_id"),
                },
            )
            .await
            .map(|_| ()),
        None => Err(AppError::field("command", "command-invalid")),
    };
    after(&s, &req, id, "actions", &d, r, "done").await
}

async fn reply(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .send_reply(
            &req.ctx,
            id,
            &d.get("kind"),
            &d.get("channel"),
            &d.get("body"),
            d.int("version"),
        )
        .await;
    after(&s, &req, id, "reply", &d, r, "replied").await
}

/// The risk form: counts are non-negative whole numbers (blank is 0); every bad one is reported.
fn risk_input(d: &FormData) -> Result<RiskInput, AppError> {
    let mut errs = Vec::new();
    let mut num = |name: &str| -> i64 {
        let raw = d.get(name);
        match raw.trim() {
            "" => 0,
            t => t.parse::<i64>().ok().filter(|n| *n >= 0).unwrap_or_else(|| {
                errs.push(FieldError::new(name, "number-invalid"));
                0
            }),
        }
    };
    let (people, earlier, amount) = (num("people"), num("earlier_petitions"), num("amount_yuan"));
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(RiskInput {
        people: u32::try_from(people).unwrap_or(u32::MAX),
        earlier_petitions: u32::try_from(earlier).unwrap_or(u32::MAX),
        extreme_words: d.flag("extreme_words"),
        vulnerable_party: d.flag("vulnerable_party"),
        amount_yuan: amount,
        media_attention: d.flag("media_attention"),
        earlier_escalation: d.flag("earlier_escalation"),
        long_running: d.flag("long_running"),
    })
}

async fn assess(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = match risk_input(&d) {
        Ok(input) => s
            .app
            .assess_risk(&req.ctx, id, &input, &d.get("note"), &d.get("plan"))
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&s, &req, id, "risk", &d, r, "assessed").await
}

async fn sign_off(State(s): State<AppState>, req: Req, Path(id): Path<Id>) -> PageResult {
    let r = s.app.sign_off_risk(&req.ctx, id).await;
    after(&s, &req, id, "risk", &FormData::default(), r, "signed").await
}

/// Task rows of a form: `tasks[i].title`, `.owner`, `.due`.
pub fn task_rows(d: &FormData, n: usize) -> Vec<(String, String, String)> {
    (0..n)
        .map(|i| {
            (
                d.get(&format!("tasks[{i}].title")),
                d.get(&format!("tasks[{i}].owner")),
                d.get(&format!("tasks[{i}].due")),
            )
        })
        .collect()
}

async fn plan(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .set_mitigation(&req.ctx, id, &d.get("plan"), &task_rows(&d, 3))
        .await;
    after(&s, &req, id, "plan", &d, r, "saved").await
}

async fn refer(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .refer(&req.ctx, id, &d.get("to_agency"), &d.get("note"), &d.get("days"))
        .await;
    after(&s, &req, id, "referrals", &d, r, "referred").await
}

async fn answer_referral(
    State(s): State<AppState>,
    req: Req,
    Path((id, action)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let case: Option<Id> = d.get("case").parse().ok();
    match s.app.answer_referral(&req.ctx, id, &action, &d.get("text")).await {
        Ok(case) => see_other(&format!("/cases/{case}?ok=referral-{action}#referrals")),
        Err(e) => match case {
            Some(case) => after(&s, &req, case, &format!("ref-{id}"), &d, Err(e), "").await,
            None => Err(PageError(req.clone(), e)),
        },
    }
}

async fn mediation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = MediationForm {
        mediator: d.get("mediator"),
        held_at: d.get("held_at"),
        place: d.get("place"),
        attendees: d.get("attendees"),
        outcome: d.get("outcome"),
        notes: d.get("notes"),
        agreement: d.get("agreement"),
        agreement_date: d.get("agreement_date"),
    };
    let r = s.app.record_mediation(&req.ctx, id, &f).await;
    after(&s, &req, id, "mediation", &d, r, "saved").await
}

async fn follow_up(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let r = s
        .app
        .record_follow_up(&req.ctx, id, &d.get("satisfaction"), &d.get("notes"))
        .await;
    after(&s, &req, id, "follow-up", &d, r, "saved").await
}

async fn attach(State(s): State<AppState>, req: Req, Path(id): Path<Id>, request: Request) -> PageResult {
    let (d, files) = read_multipart(&req, request).await?;
    let r = s.app.add_attachments(&req.ctx, id, &files).await;
    after(&s, &req, id, "attachments", &d, r, "saved").await
}

async fn download(
    State(s): State<AppState>,
    req: Req,
    Path((id, att)): Path<(Id, Id)>,
) -> Result<Response, PageError> {
    let (meta, data) = page(&req, s.app.attachment(&req.ctx, id, att).await)?;
    let disposition = format!(
        "attachment; filename=\"attachment\"; filename*=UTF-8''{}",
        crate::error::urlencode(&meta.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        data,
    )
        .into_response())
}

async fn clock(
    State(s): State<AppState>,
    req: Req,
    Path((id, clock)): Path<(Id, Id)>,
    d: FormData,
) -> PageResult {
    let change = match d.get("action").as_str() {
        "pause" => Ok(ClockChange::Pause),
        "resume" => Ok(ClockChange::Resume),
        "extend" => d
            .get("days")
            .trim()
            .parse::<u32>()
            .map(ClockChange::Extend)
            .map_err(|_| AppError::field("days", "extension-days-invalid")),
        _ => Err(AppError::field("action", "clock-not-changeable")),
    };
    let r = match change {
        Ok(ch) => {
            s.app
                .change_clock(&req.ctx, id, clock, ch, &d.get("reason"))
                .await
        }
        Err(e) => Err(e),
    };
    after(&s, &req, id, &format!("clock-{clock}"), &d, r, "saved").await
}

async fn reveal(
    State(s): State<AppState>,
    req: Req,
    Path((id, party)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    match s.app.reveal_party(&req.ctx, id, &party, &d.get("reason")).await {
        Ok(r) => {
            case_page(
                &s,
                &req,
                id,
                "",
                FormState::default(),
                StatusCode::OK,
                String::new(),
                None,
                Some((party, r)),
                None,
            )
            .await
        }
        Err(e) => after(&s, &req, id, &format!("party-{party}"), &d, Err(e), "").await,
    }
}

async fn reconciliation(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let years = d.get("likely_sentence_years").trim().parse::<u32>();
    let r = match years {
        Ok(y) if y <= 30 => s
            .app
            .set_reconciliation(
                &req.ctx,
                id,
                &ReconciliationFacts {
                    civil_dispute: d.flag("civil_dispute"),
                    chapter_4_or_5: d.flag("chapter_4_or_5"),
                    negligent: d.flag("negligent"),
                    likely_sentence_years: y,
                    intentional_crime_within_5_years: d.flag("intentional_crime_within_5_years"),
                },
            )
            .await
            .map(|_| ()),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "likely_sentence_years",
            "number-invalid",
        )])),
    };
    after(&s, &req, id, "reconciliation", &d, r, "saved").await
}
