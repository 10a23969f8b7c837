//! HTTP: the Chinese web UI (askama + htmx, all assets embedded) and the `/api/v1` JSON API with its
#![allow(
    clippy::result_large_err,
    clippy::too_many_arguments,
    reason = "page errors carry the request to render the error page; view builders take the page state"
)]
//! OpenAPI document. Handlers extract, call one `app` use case, and render.

mod api;
mod assets;
pub mod client;
mod edge;
mod error;
mod form;
pub mod i18n;
mod metrics;
mod middleware;
mod open311;
pub mod routes;
mod ui;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use gongzhi_app::App;
use http::HeaderValue;
use http::header;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use api::openapi_json;
pub use metrics::Metrics;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Metrics,
    /// Set when cookies must carry `Secure` (served over HTTPS behind a proxy).
    pub secure_cookies: bool,
    /// Reverse proxies and load balancers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: client::TrustedProxies,
}

/// Largest request body accepted (CSV imports included); larger ones get 413.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// CSP with no inline script: every script is a file under /assets.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                   font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
                   form-action 'self'; object-src 'none'";

/// Every route of the server and its access (see `routes`).
fn all_routes() -> (Router<AppState>, Vec<routes::RouteSpec>) {
    ui::router()
        .merge(api::router())
        .merge(open311::router())
        .merge(assets::router())
        .into_parts()
}

pub fn router(state: AppState) -> Router {
    let header = |name: header::HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    all_routes()
        .0
        .fallback(ui::not_found)
        .layer(axum::middleware::from_fn(edge::text_rules))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::authenticate,
        ))
        .layer(axum::middleware::from_fn(middleware::csrf))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(edge::error_shape))
        .layer(axum::middleware::from_fn(middleware::htmx_redirect))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        // Case pages, tokens and tracking results stay out of shared computers' caches and the
        // back button after logout; assets set their own long cache.
        .layer(header(header::CACHE_CONTROL, "no-store"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

pub use axum::Router;

/// Serves until Ctrl-C or SIGTERM, with the peer address available to handlers (for the audit).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), String> {
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return,
            };
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    };
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| e.to_string())
}
