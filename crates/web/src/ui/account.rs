//! Logging in and out, the second factor, and one's own account.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongzhi_app::AppError;
use gongzhi_app::auth::LoginInput;
use gongzhi_app::auth::{Kind, Session, Stage};
use gongzhi_app::domain::time;
use http::{HeaderMap, StatusCode, header};

use super::{Chrome, Flash, PageResult, ok, page, see_other};
use crate::AppState;
use crate::error::{message, render};
use crate::form::{FormData, FormState};
use crate::middleware::{Req, SESSION_COOKIE};
use crate::routes::{Access, Routes};

pub fn router() -> Routes {
    Routes::new()
        .get("/login", Access::Public, login_form)
        .post("/login", Access::Public, login)
        .get("/login/totp", Access::Account, totp_form)
        .post("/login/totp", Access::Account, totp)
        .post("/logout", Access::Account, logout)
        .get("/account", Access::Account, account)
        .get("/account/password", Access::Account, password_form)
        .post("/account/password", Access::Account, password)
        .post("/account/logout-everywhere", Access::Account, logout_everywhere)
}

#[derive(Template)]
#[template(path = "account/login.html")]
struct Login {
    c: Chrome,
    f: FormState,
    error: String,
    notice: String,
}

#[derive(serde::Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
}

/// Only local paths are followed after login.
fn safe_next(next: &str) -> String {
    super::local_path(next).unwrap_or("/").to_owned()
}

async fn login_form(req: Req, Query(q): Query<LoginQuery>) -> PageResult {
    if req.ctx.user().is_some() {
        return see_other("/");
    }
    let notice = if req.timed_out {
        req.t.t("login-timed-out")
    } else {
        String::new()
    };
    let f = FormState::default().with("next", q.next.unwrap_or_default());
    ok(
        &req,
        &Login {
            c: Chrome::new(&req),
            f,
            error: String::new(),
            notice,
        },
    )
}

/// Whether the browser reached us over HTTPS through a proxy (which says so in its headers); the
/// cookie then carries `Secure` even when the configuration does not ask for it.
fn behind_https(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .next()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
        });
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"));
    forwarded_proto || forwarded
}

fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

async fn login(State(s): State<AppState>, req: Req, headers: HeaderMap, d: FormData) -> PageResult {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let input = LoginInput {
        username: &d.get("username"),
        password: &d.get("password"),
        totp: None,
        kind: Kind::Web,
        token_name: "",
        user_agent: ua,
    };
    match s.app.login(&req.ctx, input).await {
        Ok(done) => {
            let to = if done.stage == Stage::SecondFactor {
                "/login/totp".to_owned()
            } else {
                safe_next(&d.get("next"))
            };
            let mut res = Redirect::to(&to).into_response();
            if let Ok(v) = session_cookie(&done.token, s.secure_cookies || behind_https(&headers)).parse() {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::LoginFailed | AppError::Locked(_))) => {
            let status = if matches!(e, AppError::Locked(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let p = Login {
                error: message(&req.t, &e),
                c: Chrome::new(&req),
                f: FormState::from_data(&d),
                notice: String::new(),
            };
            Ok(render(status, &p, req.ctx.request_id()))
        }
        Err(e) => Err(crate::error::PageError(req, e)),
    }
}

#[derive(Template)]
#[template(path = "account/totp.html")]
struct Totp {
    c: Chrome,
    f: FormState,
    enrolling: bool,
    secret: String,
    qr_svg: String,
}

fn qr_svg(uri: &str) -> String {
    qrcode::QrCode::new(uri.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

async fn totp_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let Some(session) = &req.session else {
        return see_other("/login");
    };
    let mut p = Totp {
        c: Chrome::new(req),
        f,
        enrolling: !session.totp_enabled(),
        secret: String::new(),
        qr_svg: String::new(),
    };
    if p.enrolling {
        let (secret, uri) = page(req, s.app.totp_begin(&req.ctx).await)?;
        p.qr_svg = qr_svg(&uri);
        p.secret = secret;
    }
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn totp_form(State(s): State<AppState>, req: Req) -> PageResult {
    if req
        .session
        .as_ref()
        .is_some_and(|x| x.stage() == Stage::Full && x.totp_enabled())
    {
        return see_other("/account?ok=totp-already");
    }
    totp_page(&s, &req, FormState::default(), StatusCode::OK).await
}

async fn totp(State(s): State<AppState>, req: Req, headers: HeaderMap, d: FormData) -> PageResult {
    let Some(session) = req.session.clone() else {
        return see_other("/login");
    };
    match s.app.totp_confirm(&req.ctx, &d.get("code")).await {
        Ok(None) => see_other("/account?ok=totp-enabled"),
        // The login is complete under a new token.
        Ok(Some(token)) => {
            let mut res = Redirect::to("/").into_response();
            if let Ok(v) = session_cookie(&token, s.secure_cookies || behind_https(&headers)).parse() {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(AppError::Invalid(errs)) => {
            // Enrolment keeps its secret: show the same one again rather than a new one.
            let f = FormState::default().errors(&req.t, &errs);
            let mut p = Totp {
                c: Chrome::new(&req),
                f,
                enrolling: !session.totp_enabled(),
                secret: String::new(),
                qr_svg: String::new(),
            };
            if p.enrolling {
                p.secret = d.get("secret");
                p.qr_svg = qr_svg(&gongzhi_app::domain::totp::provisioning_uri(
                    &data_encoding::BASE32_NOPAD
                        .decode(p.secret.as_bytes())
                        .unwrap_or_default(),
                    "共治 gongzhi",
                    &session.actor().username,
                ));
            }
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p, req.ctx.request_id()))
        }
        // Too many wrong codes: the half-finished login has ended; start again from the password.
        Err(e @ AppError::Locked(_)) => {
            let p = Login {
                error: message(&req.t, &e),
                c: Chrome::new(&req),
                f: FormState::default(),
                notice: String::new(),
            };
            let mut res = render(StatusCode::TOO_MANY_REQUESTS, &p, req.ctx.request_id());
            clear_cookie(&mut res);
            Ok(res)
        }
        Err(e) => Err(crate::error::PageError(req, e)),
    }
}

fn clear_cookie(res: &mut Response) {
    if let Ok(v) = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0").parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
}

async fn logout(State(s): State<AppState>, req: Req) -> PageResult {
    page(&req, s.app.logout(&req.ctx).await)?;
    let mut res = Redirect::to("/login").into_response();
    clear_cookie(&mut res);
    Ok(res)
}

async fn logout_everywhere(State(s): State<AppState>, req: Req) -> PageResult {
    page(&req, s.app.logout_everywhere(&req.ctx).await)?;
    let mut res = Redirect::to("/login").into_response();
    clear_cookie(&mut res);
    Ok(res)
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct Password {
    c: Chrome,
    f: FormState,
    forced: bool,
}

async fn password_form(req: Req) -> PageResult {
    // Also for the forced change at first login, before the login is complete.
    if !req.session.as_ref().is_some_and(|s| s.stage() == Stage::Full) {
        return see_other("/login");
    }
    let forced = req.session.as_ref().is_some_and(|s| s.must_change_password());
    ok(
        &req,
        &Password {
            c: Chrome::new(&req),
            f: FormState::default(),
            forced,
        },
    )
}

async fn password(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    match s
        .app
        .change_password(&req.ctx, &d.get("current"), &d.get("new"), &d.get("confirm"))
        .await
    {
        Ok(()) => see_other("/account?ok=password-changed"),
        Err(AppError::Invalid(errs)) => {
            let forced = req.session.as_ref().is_some_and(|s| s.must_change_password());
            let p = Password {
                f: FormState::default().errors(&req.t, &errs),
                c: Chrome::new(&req),
                forced,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p, req.ctx.request_id()))
        }
        Err(e) => Err(crate::error::PageError(req, e)),
    }
}

pub struct SessionRow {
    pub kind: String,
    pub created: String,
    pub last_seen: String,
    pub ip: String,
    pub agent: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account/account.html")]
struct Account {
    c: Chrome,
    sessions: Vec<SessionRow>,
    totp_enabled: bool,
}

async fn account(State(s): State<AppState>, req: Req, Query(flash): Query<Flash>) -> PageResult {
    if req.ctx.user().is_none() {
        return see_other("/login");
    }
    let list: Vec<Session> = page(&req, s.app.my_sessions(&req.ctx).await)?;
    let current = req.ctx.session_key().unwrap_or_default().to_owned();
    let sessions = list
        .into_iter()
        .map(|x| SessionRow {
            kind: req.t.t(if x.kind == Kind::Api {
                "session-api"
            } else {
                "session-web"
            }),
            created: time::format_local(x.created_at),
            last_seen: time::format_local(x.last_seen_at),
            ip: x.ip,
            agent: agent_words(&req.t, &x.user_agent),
            current: x.key == current,
        })
        .collect();
    let totp_enabled = req.session.as_ref().is_some_and(|s| s.totp_enabled());
    ok(
        &req,
        &Account {
            c: Chrome::new(&req).with_flash(flash.ok.as_deref()),
            sessions,
            totp_enabled,
        },
    )
}

/// A User-Agent in words a user recognises: the browser (with its major version) and the system,
/// e.g. "Chrome 120 · Windows"; a program calling the API says so.
fn agent_words(t: &crate::i18n::T, ua: &str) -> String {
    let version = |marker: &str| {
        ua.split(marker)
            .nth(1)
            .map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next().unwrap_or(""))
            .filter(|v| !v.is_empty())
            .map(|v| format!(" {v}"))
            .unwrap_or_default()
    };
    // Order matters: each of these also names the engines it is built on.
    let browser = if ua.contains("MicroMessenger") {
        t.t("agent-wechat")
    } else if ua.contains("Edg/") {
        format!("Edge{}", version("Edg/"))
    } else if ua.contains("OPR/") {
        format!("Opera{}", version("OPR/"))
    } else if ua.contains("Firefox/") {
        format!("Firefox{}", version("Firefox/"))
    } else if ua.contains("Chrome/") {
        format!("Chrome{}", version("Chrome/"))
    } else if ua.contains("Safari/") {
        format!("Safari{}", version("Version/"))
    } else if ua.is_empty() {
        return t.t("agent-unknown");
    } else {
        return t.t("agent-program");
    };
    let system = if ua.contains("HarmonyOS") {
        "HarmonyOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        return browser;
    };
    format!("{browser} · {system}")
}

#[cfg(test)]
mod tests {
    use super::agent_words;
    use crate::i18n::{Lang, T};

    #[test]
    fn user_agents_read_as_browser_and_system() {
        let t = T::new(Lang::Zh);
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "Chrome 120 · Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
                "Edge 120 · Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
                "Safari 17 · iOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.44",
                "微信内置浏览器 · Android",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                "Firefox 121 · Linux",
            ),
            ("curl/8.5.0", "程序接口"),
            ("", "未知"),
        ];
        for (ua, want) in cases {
            assert_eq!(agent_words(&t, ua), want, "{ua}");
        }
    }
}
