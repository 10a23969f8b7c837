//! The public portal: phone-first pages without an account to submit a petition or a dispute and to
//! follow it with the tracking code and the last four digits of the phone number.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::response::IntoResponse;
use gongzhi_app::AppError;
use gongzhi_app::admin::{Category, OrgUnit};
use gongzhi_app::domain::event::EventDetail;
use gongzhi_app::publication::PublicCase;
use http::{StatusCode, header};

use super::case::{clock_change_text, fmt_ts, intake_form, read_multipart, status_class};
use super::{Chrome, PageResult, form_error, page};
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new()
        .get("/portal", Access::Public, home)
        .get("/portal/submit", Access::Public, submit_form)
        .post("/portal/submit", Access::Public, submit)
        .get("/portal/track", Access::Public, track_form)
        .post("/portal/track", Access::Public, track)
        .post("/portal/feedback", Access::Public, feedback)
        .post("/portal/material", Access::Public, material)
        .get("/portal/captcha-audio", Access::Public, captcha_audio)
}

#[derive(serde::Deserialize)]
struct AudioQuery {
    token: String,
}

/// The spoken captcha for the token the page holds.
async fn captcha_audio(State(s): State<AppState>, req: Req, Query(q): Query<AudioQuery>) -> PageResult {
    let wav = page(&req, s.app.audio_captcha(&req.ctx, &q.token).await)?;
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        wav,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home {
    c: Chrome,
}

async fn home(req: Req) -> PageResult {
    super::ok(&req, &Home { c: Chrome::new(&req) })
}

#[derive(Template)]
#[template(path = "portal/submit.html")]
struct SubmitPage {
    c: Chrome,
    f: FormState,
    categories: Vec<Category>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    captcha_img: String,
    captcha_audio: String,
    captcha_token: String,
}

async fn submit_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let captcha = page(req, s.app.captcha())?;
    let p = SubmitPage {
        c: Chrome::new(req),
        f,
        categories: page(req, s.app.portal_categories().await)?,
        places: page(req, s.app.portal_places().await)?,
        captcha_audio: format!("/portal/captcha-audio?token={}", captcha.token),
        captcha_img: captcha.image,
        captcha_token: captcha.token,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn submit_form(State(s): State<AppState>, req: Req) -> PageResult {
    let f = FormState::default()
        .with("kind", "dispute")
        .with("parties[0].role", "petitioner");
    submit_page(&s, &req, f, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "portal/done.html")]
struct Done {
    c: Chrome,
    code: String,
    number: String,
}

async fn submit(State(s): State<AppState>, req: Req, request: Request) -> PageResult {
    let (d, files) = read_multipart(&req, request).await?;
    let mut form = intake_form(&d);
    form.parties.truncate(1);
    if let Some(p) = form.parties.first_mut() {
        p.role = "petitioner".into();
    }
    let captcha = (d.get("captcha_token"), d.get("captcha"));
    // Files of an earlier refused try are held on the server and come with this one.
    let held = d.get("held");
    let mut uploads = page(&req, s.app.held_uploads(&held).await)?;
    uploads.extend(files.iter().cloned());
    let r = s
        .app
        .portal_submit(&req.ctx, &form, &uploads, Some((&captcha.0, &captcha.1)))
        .await;
    let (f, status) = match r {
        Ok((c, code)) => {
            page(&req, s.app.release_held(&held).await)?;
            return super::ok(
                &req,
                &Done {
                    c: Chrome::new(&req),
                    code,
                    number: c.number,
                },
            );
        }
        // Past the rate limit nothing more is held (what was held stays for the next try).
        Err(AppError::RateLimited) => {
            let f = FormState::from_data(&d).error("captcha", req.t.t("error-rate-limited"));
            return submit_page(&s, &req, f, StatusCode::TOO_MANY_REQUESTS).await;
        }
        Err(e) => form_error(&req, e, FormState::from_data(&d).with("captcha", ""))?,
    };
    // Refused: what was uploaded is kept for the next try, and the messages speak to a citizen.
    let kept = page(&req, s.app.hold_uploads(&held, &files).await)?;
    let f = citizen_words(&req, f)
        .with("held", kept.token)
        .with_all("held_names", kept.names);
    submit_page(&s, &req, f, status).await
}

/// The portal's own wording for what staff forms say in office language (issue 10 §7).
fn citizen_words(req: &Req, mut f: FormState) -> FormState {
    for (field, key) in [
        ("place_id", "portal-error-place"),
        ("category", "portal-error-category"),
        ("title", "portal-error-title"),
        ("narrative", "portal-error-narrative"),
        ("parties[0].name", "portal-error-name"),
        ("parties[0].phone", "portal-error-phone"),
    ] {
        if !f.e(field).is_empty() {
            f = f.error(field, req.t.t(key));
        }
    }
    f
}

pub struct ReplyRow {
    pub kind: String,
    pub at: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "portal/track.html")]
struct TrackPage {
    c: Chrome,
    f: FormState,
    found: Option<PublicCase>,
    status: String,
    status_class: &'static str,
    received: String,
    replies: Vec<ReplyRow>,
    expected: Vec<(String, String)>,
    steps: Vec<(String, String)>,
}

fn track_page(req: &Req, f: FormState, found: Option<PublicCase>, status: StatusCode) -> PageResult {
    let c = Chrome::new(req);
    let t = &c.t;
    let (st, class, received, replies, expected, steps) = match &found {
        Some(p) => (
            t.code("public-status", if p.closed { "closed" } else { "open" }),
            status_class(p.status),
            fmt_ts(p.received_at),
            p.replies
                .iter()
                .map(|r| ReplyRow {
                    kind: t.code("reply-kind", &r.kind),
                    at: fmt_ts(r.sent_at),
                    body: r.body.clone(),
                })
                .collect(),
            p.expected
                .iter()
                .map(|(k, d)| (t.code("clock", k.code()), d.to_string()))
                .collect(),
            p.steps
                .iter()
                .map(|(k, at, said)| {
                    let mut label = match k.strip_prefix("cmd-") {
                        Some(cmd) => t.code("public-step", cmd),
                        None => t.code_or_raw("event", k),
                    };
                    if let EventDetail::ClockChanged { clock, reason, due } = said {
                        label = format!("{label}：{}", clock_change_text(t, *clock, reason, due));
                    }
                    (fmt_ts(*at), label)
                })
                .collect(),
        ),
        None => (
            String::new(),
            "",
            String::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
    };
    let p = TrackPage {
        status: st,
        status_class: class,
        received,
        replies,
        expected,
        steps,
        c,
        f,
        found,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

#[derive(serde::Deserialize, Default)]
struct TrackQuery {
    code: Option<String>,
}

/// The tracking form; the link given after a submission carries the code.
async fn track_form(req: Req, Query(q): Query<TrackQuery>) -> PageResult {
    let f = FormState::default().with("code", q.code.unwrap_or_default());
    track_page(&req, f, None, StatusCode::OK)
}

/// The submitter says whether the closed matter was resolved; the answer comes back on the
/// progress page (which the code and the four digits open again).
async fn feedback(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let (code, last4) = (d.get("code"), d.get("last4"));
    let r = s
        .app
        .portal_feedback(&req.ctx, &code, &last4, &d.get("satisfaction"), &d.get("notes"))
        .await;
    let f = FormState::from_data(&d);
    let (f, status) = match r {
        Ok(()) => (f.with("thanked", "1"), StatusCode::OK),
        Err(AppError::RateLimited) => (
            f.error("code", req.t.t("error-rate-limited")),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => form_error(&req, e, f)?,
    };
    match s.app.portal_track(&req.ctx, &code, &last4).await {
        Ok(found) => track_page(&req, f, Some(found), status),
        Err(e) => {
            let (f, status) = form_error(&req, e, f)?;
            track_page(&req, f, None, status)
        }
    }
}

/// The submitter adds a note and files while the matter is open; a refused try holds its files for
/// the next one, and the progress page stays open either way.
async fn material(State(s): State<AppState>, req: Req, request: Request) -> PageResult {
    let (d, files) = read_multipart(&req, request).await?;
    let (code, last4) = (d.get("code"), d.get("last4"));
    let held = d.get("held");
    let mut uploads = page(&req, s.app.held_uploads(&held).await)?;
    uploads.extend(files.iter().cloned());
    let r = s
        .app
        .portal_add_material(&req.ctx, &code, &last4, &d.get("material_note"), &uploads)
        .await;
    let f = FormState::from_data(&d)
        .with("held", "")
        .with("material_note", "");
    let (f, status) = match r {
        Ok(n) => {
            page(&req, s.app.release_held(&held).await)?;
            (f.with("material_added", n), StatusCode::OK)
        }
        Err(AppError::RateLimited) => (
            FormState::from_data(&d).error("material_note", req.t.t("error-rate-limited")),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            let kept = page(&req, s.app.hold_uploads(&held, &files).await)?;
            (
                f.with("held", kept.token).with_all("held_names", kept.names),
                status,
            )
        }
    };
    match s.app.portal_track(&req.ctx, &code, &last4).await {
        Ok(found) => track_page(&req, f, Some(found), status),
        Err(e) => {
            let (f, status) = form_error(&req, e, f)?;
            track_page(&req, f, None, status)
        }
    }
}

async fn track(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = FormState::from_data(&d);
    match s
        .app
        .portal_track(&req.ctx, &d.get("code"), &d.get("last4"))
        .await
    {
        Ok(found) => track_page(&req, f, Some(found), StatusCode::OK),
        Err(AppError::RateLimited) => {
            let f = f.error("code", req.t.t("error-rate-limited"));
            track_page(&req, f, None, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => {
            let (f, status) = form_error(&req, e, f)?;
            track_page(&req, f, None, status)
        }
    }
}
