//! Booking a reception day on the public portal, without an account: the published half days of
//! the next two months and a short form, behind the portal's captcha and rate limit.

use askama::Template;
use axum::extract::State;
use gongzhi_app::AppError;
use gongzhi_app::domain::Id;
use gongzhi_app::reception::{Booked, BookingForm, PublicSlot};
use http::StatusCode;

use super::when;
use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, form_error, page};

pub fn router() -> Routes {
    Routes::new().get("/portal/reception", Access::Public, form).post(
        "/portal/reception",
        Access::Public,
        book,
    )
}

struct Choice {
    id: String,
    when: String,
    leader: String,
    place: String,
    topic: String,
    remaining: i64,
}

#[derive(Template)]
#[template(path = "portal/reception.html")]
struct BookPage {
    c: Chrome,
    f: FormState,
    slots: Vec<Choice>,
    captcha_img: String,
    captcha_audio: String,
    captcha_token: String,
}

fn choice(req: &Req, s: &PublicSlot) -> Choice {
    Choice {
        id: s.id.clone(),
        when: when(&req.t, &s.day.to_string(), s.half),
        leader: s.leader.clone(),
        place: s.place.clone(),
        topic: s.topic.clone(),
        remaining: s.remaining,
    }
}

async fn book_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let captcha = page(req, s.app.captcha())?;
    let slots = page(req, s.app.public_reception_days().await)?;
    let p = BookPage {
        c: Chrome::new(req),
        f,
        slots: slots.iter().map(|x| choice(req, x)).collect(),
        captcha_audio: format!("/portal/captcha-audio?token={}", captcha.token),
        captcha_img: captcha.image,
        captcha_token: captcha.token,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn form(State(s): State<AppState>, req: Req) -> PageResult {
    book_page(&s, &req, FormState::default(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "portal/reception_done.html")]
struct DonePage {
    c: Chrome,
    code: String,
    slot: Choice,
}

async fn book(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let f = BookingForm {
        name: d.get("name"),
        phone: d.get("phone"),
        matter: d.get("matter"),
    };
    let keep = FormState::from_data(&d).with("captcha", "");
    let r = match d.get("slot").parse::<Id>() {
        Ok(slot) => {
            let captcha = (d.get("captcha_token"), d.get("captcha"));
            s.app
                .book_reception(&req.ctx, slot, &f, Some((&captcha.0, &captcha.1)))
                .await
        }
        Err(_) => Err(AppError::field("slot", "reception-slot-choose")),
    };
    let (fs, status) = match r {
        Ok(Booked { code, slot, .. }) => {
            let p = DonePage {
                c: Chrome::new(&req),
                code,
                slot: choice(&req, &slot),
            };
            return Ok(render(StatusCode::OK, &p, req.ctx.request_id()));
        }
        Err(AppError::RateLimited) => (
            keep.error("captcha", req.t.t("error-rate-limited")),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        // A slot that vanished (cancelled, or never published) is a slot to choose again.
        Err(AppError::NotFound) => (
            keep.error("slot", req.t.t("reception-slot-gone")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => form_error(&req, e, keep)?,
    };
    book_page(&s, &req, fs, status).await
}
