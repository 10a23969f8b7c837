//! Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/), so that existing clients work
//! unchanged: categories as services, requests posted form-encoded with a partner's `api_key`, and
//! public fields only when reading (the phone masked, no names, no narrative, no internal notes).
//! Errors use the spec's shape: `[{"code": 400, "description": "…"}]`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gongzhi_app::AppError;
use gongzhi_app::cases::{IntakeForm, PartyInput};
use gongzhi_app::domain::time;
use gongzhi_app::portal::PublicCase;
use http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{message, status_of};
use crate::form::FormData;
use crate::i18n::{Lang, T};
use crate::middleware::Req;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/requests.json", get(requests).post(create))
        .route("/open311/v2/requests/{id}", get(request))
}

fn error(status: StatusCode, description: String) -> Response {
    (
        status,
        Json(json!([{ "code": status.as_u16(), "description": description }])),
    )
        .into_response()
}

fn app_error(e: &AppError) -> Response {
    let t = T::new(Lang::Zh);
    let status = status_of(e);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "open311 request failed");
    }
    let mut description = message(&t, e);
    if let AppError::Invalid(fields) = e {
        let parts: Vec<String> = fields
            .iter()
            .map(|f| {
                let args: Vec<(&str, String)> = f.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                format!("{}: {}", f.field, t.ta(&f.key, &args))
            })
            .collect();
        description = format!("{description} {}", parts.join("; "));
    }
    error(status, description)
}

fn iso(t: time::Timestamp) -> String {
    t.with_timezone(&time::china()).to_rfc3339()
}

fn request_json(p: &PublicCase) -> Value {
    let t = T::new(Lang::Zh);
    let notes = p
        .steps
        .last()
        .map(|(k, _)| match k.strip_prefix("cmd-") {
            Some(cmd) => t.code("public-step", cmd),
            None => t.code_or_raw("event", k),
        })
        .unwrap_or_default();
    json!({
        "service_request_id": p.tracking_code,
        "status": if p.closed { "closed" } else { "open" },
        "status_notes": notes,
        "service_name": p.category_name,
        "service_code": p.category_code,
        "description": p.title,
        "agency_responsible": p.agency_name,
        "service_notice": p.number,
        "requested_datetime": iso(p.received_at),
        "updated_datetime": iso(p.updated_at),
        "expected_datetime": p.expected.iter().map(|(_, d)| *d).min().map(|d| format!("{d}T18:00:00+08:00")),
        "address": p.place_name,
        "phone": p.phone_masked,
        "media_url": Value::Null,
    })
}

async fn services(State(s): State<AppState>) -> Response {
    match s.app.portal_categories().await {
        Ok(list) => Json(
            list.into_iter()
                .map(|c| {
                    json!({
                        "service_code": c.code,
                        "service_name": c.name,
                        "description": format!("{}（{}）", c.name, c.name_en),
                        "metadata": false,
                        "type": "realtime",
                        "keywords": "",
                        "group": "矛盾纠纷",
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => app_error(&e),
    }
}

#[derive(serde::Deserialize, Default)]
struct RequestsQuery {
    service_request_id: Option<String>,
    status: Option<String>,
}

async fn requests(State(s): State<AppState>, Query(q): Query<RequestsQuery>) -> Response {
    let ids: Vec<String> = q
        .service_request_id
        .as_deref()
        .map(|x| {
            x.split(',')
                .map(str::to_owned)
                .filter(|x| !x.trim().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let status = match q.status.as_deref() {
        Some("open") => Some(true),
        Some("closed") => Some(false),
        _ => None,
    };
    match s.app.open311_requests(&ids, status, 50).await {
        Ok(list) => Json(list.iter().map(request_json).collect::<Vec<_>>()).into_response(),
        Err(e) => app_error(&e),
    }
}

async fn request(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(id) = id.strip_suffix(".json") else {
        return error(StatusCode::NOT_FOUND, "只支持 JSON 格式（.json）".into());
    };
    match s.app.open311_request(id).await {
        Ok(p) => Json(vec![request_json(&p)]).into_response(),
        Err(AppError::NotFound) => error(StatusCode::NOT_FOUND, format!("没有编号为 {id} 的诉求")),
        Err(e) => app_error(&e),
    }
}

/// `POST requests.json`: `api_key`, `service_code`, `description`, `address_id` (the 12-digit code
/// of the village or community), `first_name`/`last_name`, `phone`; `attribute[kind]` may be
/// `petition` (to the procuratorate) or `dispute` (the default).
async fn create(State(s): State<AppState>, req: Req, body: Bytes) -> Response {
    let d = FormData::parse(&body);
    let partner = match s.app.partner(&d.get("api_key")).await {
        Ok(Some(p)) => gongzhi_app::Ctx::partner(&p, req.ctx.request_id(), req.ctx.ip()),
        Ok(None) => {
            return error(
                StatusCode::FORBIDDEN,
                "api_key 无效或已停用，请联系系统管理员签发".into(),
            );
        }
        Err(e) => return app_error(&e),
    };
    let description = d.get("description");
    let title: String = description.trim().chars().take(30).collect();
    let place_id = match s.app.place_by_code(d.get("address_id").trim()).await {
        Ok(Some(id)) => id.to_string(),
        Ok(None) => String::new(),
        Err(e) => return app_error(&e),
    };
    let kind = match d.get("attribute[kind]").as_str() {
        "" => "dispute".to_owned(),
        k => k.to_owned(),
    };
    let form = IntakeForm {
        kind,
        category: d.get("service_code"),
        place_id,
        title,
        narrative: description,
        parties: vec![PartyInput {
            role: "petitioner".into(),
            name: format!("{}{}", d.get("last_name").trim(), d.get("first_name").trim()),
            phone: d.get("phone"),
            ..Default::default()
        }],
        ..Default::default()
    };
    match s.app.portal_submit(&partner, &form, &[], None).await {
        Ok((c, code)) => (
            StatusCode::CREATED,
            Json(json!([{ "service_request_id": code, "service_notice": c.number, "account_id": Value::Null }])),
        )
            .into_response(),
        Err(e) => app_error(&e),
    }
}
