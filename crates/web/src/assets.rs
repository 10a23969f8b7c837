//! Static files embedded in the binary: vendored Bootstrap, htmx, ECharts and Swagger UI, and our own
//! CSS and scripts. Long-cached; no CDN.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

use crate::routes::{Access, Routes};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "bootstrap.min.css",
        "text/css",
        include_bytes!("../assets/vendor/bootstrap.min.css"),
    ),
    (
        "bootstrap.bundle.min.js",
        "text/javascript",
        include_bytes!("../assets/vendor/bootstrap.bundle.min.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript",
        include_bytes!("../assets/vendor/htmx.min.js"),
    ),
    (
        "echarts.min.js",
        "text/javascript",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "swagger-ui-bundle.js",
        "text/javascript",
        include_bytes!("../assets/vendor/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css",
        include_bytes!("../assets/vendor/swagger-ui.css"),
    ),
    ("app.css", "text/css", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript", include_bytes!("../assets/app.js")),
    (
        "grid-log.js",
        "text/javascript",
        include_bytes!("../assets/grid-log.js"),
    ),
    (
        "dashboard.js",
        "text/javascript",
        include_bytes!("../assets/dashboard.js"),
    ),
    (
        "api-docs.js",
        "text/javascript",
        include_bytes!("../assets/api-docs.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../assets/favicon.svg"),
    ),
];

pub fn router() -> Routes {
    Routes::new().get("/assets/{name}", Access::Public, asset)
}

async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
