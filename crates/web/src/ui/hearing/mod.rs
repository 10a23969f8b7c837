//! Procuratorial hearings: the list, the proposal form, and the hearing's page with the form of
//! whatever step comes next (DOMAIN.md §3.6).

use askama::Template;
use axum::extract::{Path, Query, State};
use gongzhi_app::Page;
use gongzhi_app::domain::Id;
use gongzhi_app::domain::hearing::{HearingKind, HearingState, Opinion, STEPS, Venue};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::time;
use gongzhi_app::hearing::{
    DrawForm, Eligible, HEARING_PAGE, HearingForm, HearingItem, HearingView, OfficerOpinion, PrepareForm,
    Step, StepForm,
};
use http::StatusCode;

use super::case::fmt_ms;
use super::{Chrome, Flash, PageResult, form_error, page, see_other};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::i18n::T;
use crate::middleware::Req;
use crate::routes::{Access, Routes};

mod pool;
mod public;

pub fn router() -> Routes {
    let conduct = Access::Staff(Action::ConductHearing);
    Routes::new()
        .get("/hearings", Access::Staff(Action::ViewHearings), list)
        .get("/hearings/new", conduct, new)
        .post("/hearings", conduct, create)
        .get("/hearings/{id}", Access::Staff(Action::ViewHearings), show)
        .post(
            "/hearings/{id}/review",
            Access::Staff(Action::ApproveHearing),
            review,
        )
        .post("/hearings/{id}/steps/{step}", conduct, step)
        .post("/hearings/{id}/draw", conduct, draw)
        .post("/hearings/{id}/seats", conduct, seat)
        .merge(pool::router())
        .merge(public::router())
}

/// The state's badge colour.
pub fn state_class(s: HearingState) -> &'static str {
    match s {
        HearingState::Applied | HearingState::Proposed => "text-bg-warning",
        HearingState::Approved | HearingState::Prepared | HearingState::Noticed => "text-bg-info",
        HearingState::Held | HearingState::OpinionsRecorded | HearingState::Decided => "text-bg-primary",
        HearingState::Announced | HearingState::Archived => "text-bg-success",
        HearingState::Refused | HearingState::Withdrawn => "text-bg-secondary",
    }
}

struct Row {
    id: String,
    number: String,
    title: String,
    kind: String,
    state: String,
    state_class: &'static str,
    when: String,
    venue: String,
    public: bool,
    minor: bool,
    officers: i64,
}

#[derive(Template)]
#[template(path = "hearing/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    total: i64,
    states: Vec<(String, String)>,
    state: String,
    page: i64,
    more: bool,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
    page: Option<i64>,
}

async fn list(State(s): State<AppState>, req: Req, Query(q): Query<ListQuery>) -> PageResult {
    let state = q.state.as_deref().and_then(HearingState::parse);
    let n = q.page.unwrap_or(1).clamp(1, super::MAX_PAGE);
    let found = page(
        &req,
        s.app
            .hearings(&req.ctx, state, None, Page::nth(n, HEARING_PAGE))
            .await,
    )?;
    let t = &req.t;
    let rows = found
        .items
        .iter()
        .map(
            |HearingItem {
                 hearing: h,
                 number,
                 title,
                 officers,
             }| Row {
                id: h.row.id.clone(),
                number: number.clone(),
                title: title.clone(),
                kind: t.code("hearing-kind", h.kind.code()),
                state: t.code("hearing-state", h.state.code()),
                state_class: state_class(h.state),
                when: h.row.scheduled_at.map(fmt_ms).unwrap_or_default(),
                venue: t.code("hearing-venue", h.venue.code()),
                public: h.public,
                minor: h.row.minor != 0,
                officers: *officers,
            },
        )
        .collect();
    let p = ListPage {
        c: Chrome::new(&req),
        rows,
        total: found.total,
        states: HearingState::ALL
            .iter()
            .map(|s| (s.code().to_owned(), t.code("hearing-state", s.code())))
            .collect(),
        state: state.map(|s| s.code().to_owned()).unwrap_or_default(),
        page: n,
        more: n * HEARING_PAGE < found.total,
    };
    Ok(render(StatusCode::OK, &p, req.ctx.request_id()))
}

#[derive(Template)]
#[template(path = "hearing/new.html")]
struct NewPage {
    c: Chrome,
    f: FormState,
    case_label: String,
    kinds: Vec<(String, String, bool)>,
    venues: Vec<(String, String)>,
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    case: Option<String>,
}

fn codes<C: Copy>(t: &T, prefix: &str, all: &[C], code: impl Fn(C) -> &'static str) -> Vec<(String, String)> {
    all.iter()
        .map(|c| (code(*c).to_owned(), t.code(prefix, code(*c))))
        .collect()
}

async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let case_label = match f.v("case_id").parse::<Id>() {
        Ok(id) => match s.app.case_view(&req.ctx, id).await {
            Ok(v) => format!("{} {}", v.case.number, v.case.title),
            Err(e) => return Err(super::PageError(req.clone(), e)),
        },
        Err(_) => String::new(),
    };
    let t = &req.t;
    let p = NewPage {
        c: Chrome::new(req),
        case_label,
        kinds: HearingKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    t.code("hearing-kind", k.code()),
                    k.public_by_default(),
                )
            })
            .collect(),
        venues: codes(t, "hearing-venue", Venue::ALL, Venue::code),
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn new(State(s): State<AppState>, req: Req, Query(q): Query<NewQuery>) -> PageResult {
    page(&req, s.app.authorize(&req.ctx, Action::ConductHearing).await)?;
    let f = FormState::default()
        .with("case_id", q.case.unwrap_or_default())
        .with("origin", "prosecutor")
        .with("venue", "hearing_room")
        .with("public", "on");
    new_page(&s, &req, f, StatusCode::OK).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let form = HearingForm {
        case_id: d.get("case_id"),
        kind: d.get("kind"),
        origin: d.get("origin"),
        applicant: d.get("applicant"),
        topic: d.get("topic"),
        proposed_handling: d.get("proposed_handling"),
        venue: d.get("venue"),
        place: d.get("place"),
        public: d.flag("public"),
    };
    match s.app.propose_hearing(&req.ctx, &form).await {
        Ok(id) => see_other(&format!("/hearings/{id}?ok=hearing-proposed")),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, f, status).await
        }
    }
}

struct SeatRow {
    officer_id: String,
    name: String,
    category: String,
    how: String,
    warning: String,
    opinion: String,
    opinion_text: String,
}

struct DrawRow {
    at: String,
    by: String,
    seed: String,
    wanted: i64,
    expertise: String,
    candidates: usize,
    picked: String,
    verified: bool,
}

#[derive(Template)]
#[template(path = "hearing/page.html")]
struct HearingPage {
    c: Chrome,
    f: FormState,
    v: HearingView,
    kind: String,
    state: String,
    state_class: &'static str,
    venue: String,
    when: String,
    approved_at: String,
    seats: Vec<SeatRow>,
    draws: Vec<DrawRow>,
    eligible: Vec<(String, String)>,
    venues: Vec<(String, String)>,
    opinions: Vec<(String, String)>,
    /// (step code, numbered label, text, field name)
    record: Vec<(String, String, String, String)>,
    /// The states in order, with whether each is reached.
    progress: Vec<(String, bool, bool)>,
    majority: String,
    default_announcement: String,
}

impl HearingPage {
    fn may(&self, command: &str) -> bool {
        self.v.commands.iter().any(|c| c.code() == command)
    }
}

const PATH: [HearingState; 9] = [
    HearingState::Proposed,
    HearingState::Approved,
    HearingState::Prepared,
    HearingState::Noticed,
    HearingState::Held,
    HearingState::OpinionsRecorded,
    HearingState::Decided,
    HearingState::Announced,
    HearingState::Archived,
];

fn eligible_label(t: &T, e: &Eligible) -> String {
    let mut s = format!(
        "{}（{}{}，已参加{}次）",
        e.officer.row.name,
        t.code("officer-category", e.officer.category.code()),
        if e.officer.expertise.is_empty() {
            String::new()
        } else {
            format!("·{}", e.officer.expertise.join("、"))
        },
        e.officer.row.participations
    );
    if !e.warnings.is_empty() {
        s.push_str(&t.t("hearing-warning-surname"));
    }
    s
}

fn warning_of(t: &T, w: &str) -> String {
    w.split(';')
        .filter_map(|x| x.strip_prefix("same_surname_village:"))
        .map(|party| t.ta("hearing-warning-surname-party", &[("party", party.to_owned())]))
        .collect::<Vec<_>>()
        .join("；")
}

async fn hearing_page(
    s: &AppState,
    req: &Req,
    id: Id,
    f: FormState,
    status: StatusCode,
    ok: Option<&str>,
) -> PageResult {
    let v = page(req, s.app.hearing(&req.ctx, id).await)?;
    let t = &req.t;
    let eligible = if v.hearing.state == HearingState::Prepared && v.can.conduct {
        page(req, s.app.eligible_officers(&req.ctx, id).await)?
            .iter()
            .map(|e| (e.officer.row.id.clone(), eligible_label(t, e)))
            .collect()
    } else {
        Vec::new()
    };
    let h = &v.hearing;
    let reached = PATH.iter().position(|p| *p == h.state);
    let names: Vec<String> = v.participants.iter().map(|p| p.name.clone()).collect();
    let p = HearingPage {
        kind: t.code("hearing-kind", h.kind.code()),
        state: t.code("hearing-state", h.state.code()),
        state_class: state_class(h.state),
        venue: t.code("hearing-venue", h.venue.code()),
        when: h.row.scheduled_at.map(fmt_ms).unwrap_or_default(),
        approved_at: h.row.approved_at.map(fmt_ms).unwrap_or_default(),
        seats: v
            .seats
            .iter()
            .map(|s| SeatRow {
                officer_id: s.row.officer_id.clone(),
                name: s.row.officer_name.clone(),
                category: t.code("officer-category", &s.row.category),
                how: t.code("hearing-seat", &s.row.how),
                warning: warning_of(t, &s.row.warning),
                opinion: s
                    .opinion
                    .map(|o| t.code("hearing-opinion", o.code()))
                    .unwrap_or_default(),
                opinion_text: s.row.opinion_text.clone(),
            })
            .collect(),
        draws: v
            .draws
            .iter()
            .map(|d| DrawRow {
                at: fmt_ms(d.row.drawn_at),
                by: d.row.drawn_by_name.clone(),
                seed: d.row.seed.clone(),
                wanted: d.row.wanted,
                expertise: d.row.expertise.clone(),
                candidates: d.candidates,
                picked: d.picked.join("、"),
                verified: d.verified,
            })
            .collect(),
        eligible,
        venues: codes(t, "hearing-venue", Venue::ALL, Venue::code),
        opinions: codes(t, "hearing-opinion", Opinion::ALL, Opinion::code),
        record: v
            .record
            .iter()
            .enumerate()
            .map(|(i, (k, text))| {
                (
                    k.clone(),
                    format!("{}. {}", i + 1, t.code("hearing-step", k)),
                    text.clone(),
                    format!("steps[{i}]"),
                )
            })
            .collect(),
        progress: PATH
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    t.code("hearing-state", p.code()),
                    reached.is_some_and(|r| i <= r),
                    reached == Some(i),
                )
            })
            .collect(),
        majority: v
            .majority
            .map(|m| t.code("hearing-opinion", m.code()))
            .unwrap_or_default(),
        default_announcement: t.ta(
            if h.public {
                "hearing-announcement-public"
            } else {
                "hearing-announcement-served"
            },
            &[
                ("kind", t.code("hearing-kind", h.kind.code())),
                (
                    "topic",
                    gongzhi_app::domain::hearing::masked(&h.row.topic, &names),
                ),
                (
                    "decision",
                    gongzhi_app::domain::hearing::masked(&h.row.decision_text, &names),
                ),
            ],
        ),
        c: Chrome::new(req).with_flash(ok),
        f,
        v,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

/// The forms' starting values: what the hearing holds now.
fn current(v: &HearingView, t: &T) -> FormState {
    let h = &v.hearing.row;
    let participants = if v.participants.is_empty() {
        String::new()
    } else {
        v.participants
            .iter()
            .map(|p| format!("{} {}", p.role, p.name))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut f = FormState::default()
        .with("version", h.version)
        .with("venue", &h.venue)
        .with("place", &h.place)
        .with("chair", &h.chair_name)
        .with("participants", participants)
        .with(
            "scheduled_at",
            h.scheduled_at
                .map(|at| time::format_local(time::from_millis(at)).replace(' ', "T"))
                .unwrap_or_default(),
        )
        .with("wanted", 5)
        .with("method", t.t("hearing-notice-method-default"));
    if v.hearing.public {
        f = f.with("public", "on");
    }
    for (i, (_, text)) in v.record.iter().enumerate() {
        f = f.with(&format!("steps[{i}]"), text);
    }
    for s in &v.seats {
        f = f
            .with(
                &format!("opinion.{}", s.row.officer_id),
                s.opinion.map(|o| o.code()).unwrap_or_default(),
            )
            .with(&format!("opinion_text.{}", s.row.officer_id), &s.row.opinion_text);
    }
    f
}

async fn show(State(s): State<AppState>, req: Req, Path(id): Path<Id>, Query(q): Query<Flash>) -> PageResult {
    let v = page(&req, s.app.hearing(&req.ctx, id).await)?;
    let f = current(&v, &req.t);
    hearing_page(&s, &req, id, f, StatusCode::OK, q.ok.as_deref()).await
}

/// After a step: the page again with a confirmation, or the form back with its errors.
async fn after(
    s: &AppState,
    req: &Req,
    id: Id,
    d: &FormData,
    r: Result<(), gongzhi_app::AppError>,
    ok: &str,
) -> PageResult {
    match r {
        Ok(()) => see_other(&format!("/hearings/{id}?ok={ok}")),
        Err(e) => {
            let (f, status) = form_error(req, e, FormState::from_data(d))?;
            hearing_page(s, req, id, f, status, None).await
        }
    }
}

async fn review(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let approve = d.get("decision") == "approve";
    let r = s
        .app
        .hearing_step(
            &req.ctx,
            id,
            d.int("version"),
            Step::Review {
                approve,
                reason: d.get("reason"),
            },
        )
        .await;
    after(
        &s,
        &req,
        id,
        &d,
        r,
        if approve {
            "hearing-approved"
        } else {
            "hearing-rejected"
        },
    )
    .await
}

fn step_form(d: &FormData, v: &[String]) -> StepForm {
    StepForm {
        version: d.int("version"),
        accept: d.get("decision") == "accept",
        reason: d.get("reason"),
        prepare: Some(PrepareForm {
            scheduled_at: d.get("scheduled_at"),
            venue: d.get("venue"),
            place: d.get("place"),
            chair: d.get("chair"),
            participants: d.get("participants"),
            public: d.flag("public"),
        }),
        method: d.get("method"),
        steps: (0..STEPS.len()).map(|i| d.get(&format!("steps[{i}]"))).collect(),
        opinions: v
            .iter()
            .map(|o| OfficerOpinion {
                officer_id: o.clone(),
                opinion: d.get(&format!("opinion.{o}")),
                text: d.get(&format!("opinion_text.{o}")),
            })
            .collect(),
        decision: d.get("decision"),
        text: d.get("text"),
        report: d.get("report"),
    }
}

async fn step(
    State(s): State<AppState>,
    req: Req,
    Path((id, name)): Path<(Id, String)>,
    d: FormData,
) -> PageResult {
    let officers = d.all("officer");
    let f = step_form(&d, &officers);
    let version = f.version;
    let Some(step) = f.into_step(&name) else {
        return Err(super::PageError(req.clone(), gongzhi_app::AppError::NotFound));
    };
    let ok = match &step {
        Step::Answer { accept: true, .. } => "hearing-accepted".to_owned(),
        Step::Answer { accept: false, .. } => "hearing-refused".to_owned(),
        _ => format!("hearing-{name}"),
    };
    let r = s.app.hearing_step(&req.ctx, id, version, step).await;
    after(&s, &req, id, &d, r, &ok).await
}

async fn draw(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let f = DrawForm {
        wanted: d.int("wanted"),
        expertise: d.get("expertise"),
    };
    let r = s.app.draw_officers(&req.ctx, id, &f).await.map(|_| ());
    after(&s, &req, id, &d, r, "hearing-drawn").await
}

async fn seat(State(s): State<AppState>, req: Req, Path(id): Path<Id>, d: FormData) -> PageResult {
    let add = d.get("do") != "remove";
    let r = s.app.seat_officer(&req.ctx, id, &d.get("officer_id"), add).await;
    after(
        &s,
        &req,
        id,
        &d,
        r,
        if add { "hearing-seated" } else { "hearing-unseated" },
    )
    .await
}
