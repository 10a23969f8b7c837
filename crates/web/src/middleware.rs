//! Request plumbing: request ids, CSRF by origin checks, and resolving who is asking.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use gongzhi_app::Ctx;
use gongzhi_app::auth::{Kind, Stage};
use gongzhi_app::auth::{Resolved, SessionInfo};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::AppState;
use crate::error::json_error;
use crate::i18n::{Lang, T};

pub const SESSION_COOKIE: &str = "gz_session";
pub const LANG_COOKIE: &str = "gz_lang";
/// When the caller last wrote (UTC milliseconds), while a read replica is configured: for
/// `OWN_WRITES_MS` after it, the reads a replica may answer go to the primary (issue 13 §8).
pub const WROTE_COOKIE: &str = "gz_wrote";
/// How long a caller reads its own writes from the primary: well above a streaming replica's
/// usual lag (milliseconds on one network), short enough to keep the reads off the primary.
pub const OWN_WRITES_MS: i64 = 10_000;
/// An API client that must read what it has just written sends this header (any value).
pub const OWN_WRITES_HEADER: &str = "x-gongzhi-own-writes";

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::now_v7().simple().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A redirect answering an htmx request (a session that ended, a form that leaves the page)
/// would be followed inside the request and its page dropped; htmx is told to go there instead.
pub async fn htmx_redirect(req: Request, next: Next) -> Response {
    let htmx = req
        .headers()
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true");
    let mut res = next.run(req).await;
    if htmx
        && res.status().is_redirection()
        && let Some(to) = res.headers_mut().remove(header::LOCATION)
    {
        *res.status_mut() = StatusCode::OK;
        res.headers_mut().insert("hx-redirect", to);
    }
    res
}

/// Stateless CSRF defence for cookie-authenticated writes: the browser's Fetch-Metadata or Origin
/// must say the request comes from this site. Bearer-token calls carry no ambient credentials.
pub async fn csrf(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let h = req.headers();
    // Open311 authenticates by the partner's key in the body and never reads the session cookie;
    // bearer calls and cookie-less API calls carry no ambient credentials either.
    if safe
        || bearer(h).is_some()
        || req.uri().path().starts_with("/open311/")
        || cookie(h, SESSION_COOKIE).is_none() && req.uri().path().starts_with("/api/")
    {
        return next.run(req).await;
    }
    let same_site = match h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => {
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
            let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            match (origin, host) {
                (Some(o), Some(host)) => o.split_once("://").is_some_and(|(_, rest)| rest == host),
                _ => false,
            }
        }
    };
    if same_site {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site write refused");
        if req.uri().path().starts_with("/api/") {
            json_error(StatusCode::FORBIDDEN, "csrf", "跨站请求被拒绝", None)
        } else {
            (
                StatusCode::FORBIDDEN,
                "403 跨站请求被拒绝 / cross-site request refused",
            )
                .into_response()
        }
    }
}

/// What every handler knows about its request.
#[derive(Clone, Debug)]
pub struct Req {
    pub ctx: Ctx,
    pub session: Option<SessionInfo>,
    pub t: T,
    pub path: String,
    pub timed_out: bool,
    /// Sent by htmx (`HX-Request: true`): the case page answers with the panels that changed.
    pub htmx: bool,
    /// Where to come back to after logging in: this page for a GET; for a form post, the page the
    /// form was on (a post's own address would answer 405).
    pub return_to: String,
}

impl Req {
    /// A request that has not been through `authenticate` (an edge refusal before it).
    pub fn anonymous(req: &Request) -> Self {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        Self::for_error(
            req.uri().path(),
            &request_id,
            T::new(Lang::from_cookie(cookie(req.headers(), LANG_COOKIE))),
        )
    }

    /// What an error page needs of a request that is already answered.
    pub fn for_error(path: &str, request_id: &str, t: T) -> Self {
        Self {
            ctx: Ctx::public(request_id, ""),
            session: None,
            t,
            path: path.to_owned(),
            timed_out: false,
            htmx: false,
            return_to: "/".to_owned(),
        }
    }
}

/// The page to come back to after logging in (see `Req::return_to`).
fn return_to(method: &Method, uri: &http::Uri, headers: &HeaderMap) -> String {
    if method == Method::GET {
        return uri
            .path_and_query()
            .map(|p| p.as_str())
            .and_then(crate::ui::local_path)
            .unwrap_or("/")
            .to_owned();
    }
    crate::ui::referer_path(headers).unwrap_or("/").to_owned()
}

impl<S: Send + Sync> FromRequestParts<S> for Req {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Req>()
            .cloned()
            .unwrap_or_else(|| Req::for_error(parts.uri.path(), "", T::new(Lang::Zh))))
    }
}

/// Paths a half-logged-in browser may still reach.
fn allowed_before_full_login(path: &str) -> bool {
    path.starts_with("/login")
        || path == "/logout"
        || path.starts_with("/assets/")
        || path.starts_with("/lang/")
}

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let path = req.uri().path().to_owned();
    let ip = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| state.trusted_proxies.client(c.0.ip(), req.headers()).to_string())
        .unwrap_or_default();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    let (token, kind) = match bearer(&headers) {
        Some(t) => (Some(t.to_owned()), Kind::Api),
        None => (cookie(&headers, SESSION_COOKIE).map(str::to_owned), Kind::Web),
    };
    let mut session = None;
    let mut timed_out = false;
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        match state.app.resolve(&token, kind).await {
            Ok(Resolved::Active(s)) => session = Some(*s),
            Ok(Resolved::TimedOut) => timed_out = true,
            Ok(Resolved::None) => {}
            // The database away answers 503 in the surface's shape, like any use case would.
            Err(e) => {
                let lang = Lang::from_cookie(cookie(&headers, LANG_COOKIE));
                let meta = Req::for_error(&path, &request_id, T::new(lang));
                return match crate::error::Surface::of(&path) {
                    crate::error::Surface::Api | crate::error::Surface::Open311 => {
                        crate::error::ApiError(e, request_id).into_response()
                    }
                    _ => crate::error::PageError(meta, e).into_response(),
                };
            }
        }
    }
    let mut ctx = match &session {
        Some(s) => Ctx::signed_in(s, &request_id, &ip),
        None => Ctx::public(&request_id, &ip),
    };
    let replica = state.app.has_read_replica();
    let now = gongzhi_app::domain::time::to_millis(state.app.now());
    if replica {
        let wrote = cookie(&headers, WROTE_COOKIE)
            .and_then(|v| v.parse::<i64>().ok())
            .is_some_and(|at| (0..OWN_WRITES_MS).contains(&(now - at)));
        if wrote || headers.contains_key(OWN_WRITES_HEADER) {
            ctx = ctx.reading_own_writes();
        }
    }
    // A signed-in caller's write (a login is not one: nothing it reads next could lag).
    let writes = session.is_some()
        && !matches!(
            *req.method(),
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
        );
    let lang = Lang::from_cookie(cookie(&headers, LANG_COOKIE));
    // Pages only: the API and Open311 answer for themselves (Open311 never reads the cookie).
    if !is_api
        && !path.starts_with("/open311/")
        && let Some(s) = &session
    {
        if s.stage() == Stage::SecondFactor && !allowed_before_full_login(&path) {
            return Redirect::to("/login/totp").into_response();
        }
        if s.stage() == Stage::Full
            && s.must_change_password()
            && !(path == "/account/password" || allowed_before_full_login(&path))
        {
            return Redirect::to("/account/password").into_response();
        }
    }
    // The route guards (see `routes`) ask the application for the audited refusal.
    req.extensions_mut().insert(state.app.clone());
    let back = return_to(req.method(), req.uri(), &headers);
    req.extensions_mut().insert(Req {
        ctx,
        session,
        t: T::new(lang),
        path,
        timed_out,
        htmx: headers.get("hx-request").is_some_and(|v| v.as_bytes() == b"true"),
        return_to: back,
    });
    let mut res = next.run(req).await;
    // A write that went through: this caller's next reads come from the primary for a while.
    if replica
        && writes
        && res.status().as_u16() < 400
        && let Ok(v) = format!(
            "{WROTE_COOKIE}={now}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
            OWN_WRITES_MS / 1000,
            if state.secure_cookies { "; Secure" } else { "" }
        )
        .parse()
    {
        res.headers_mut().append(http::header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    /// The web layer makes contexts only from what a request proves (a session, an API key, or
    /// nothing). It is never handed the system capability, and this keeps it from making one.
    #[test]
    fn no_handler_can_act_as_the_system() {
        fn scan(dir: &std::path::Path, hits: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    scan(&path, hits);
                } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("middleware.rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for needle in [
                        "Ctx::system",
                        "gongzhi_app::System",
                        "App::new(",
                        "authorize_system",
                    ] {
                        if text.contains(needle) {
                            hits.push(format!("{}: {needle}", path.display()));
                        }
                    }
                }
            }
        }
        let mut hits = Vec::new();
        scan(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut hits,
        );
        assert!(hits.is_empty(), "{hits:?}");
    }
}
