//! Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/), so that existing clients work
//! unchanged: categories as services; requests posted form-encoded, server to server, with a
//! partner's `api_key` (no browser headers, no cookies); reading with public fields only, a
//! partner's own requests in full. These routes never look at a session cookie: every call is
//! the public's or a partner's. Errors use the spec's shape: `[{"code": 400, "description": "…"}]`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use gongzhi_app::case::{IntakeForm, PartyInput};
use gongzhi_app::domain::time;
use gongzhi_app::open311::{Location, RequestsQuery};
use gongzhi_app::publication::PublicCase;
use gongzhi_app::{AppError, Ctx};
use http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{message, status_of};
use crate::form::FormData;
use crate::i18n::{Lang, T};
use crate::middleware::Req;
use crate::routes::{Access, Routes};

/// Anyone may call; what a caller sees or may do depends on its `api_key` (see `caller`).
pub fn router() -> Routes {
    Routes::new()
        .get("/open311/v2/services.json", Access::Public, services)
        .get("/open311/v2/requests.json", Access::Public, requests)
        .post("/open311/v2/requests.json", Access::Public, create)
        .get("/open311/v2/requests/{id}", Access::Public, request)
}

pub fn error(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(json!([{ "code": status.as_u16(), "description": description }])),
    )
        .into_response()
}

/// The GeoReport v2 parameter a field of the intake came from, to name it as the client sent it.
fn georeport_param(field: &str) -> &str {
    match field {
        "category" => "service_code",
        "place_id" => "address_id",
        "narrative" | "title" => "description",
        "parties[0].name" => "first_name/last_name",
        "parties[0].phone" => "phone",
        "kind" => "attribute[kind]",
        other => other,
    }
}

fn app_error(e: &AppError, request_id: &str) -> Response {
    let t = T::new(Lang::Zh);
    let status = status_of(e);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, request_id, "open311 request failed");
        return error(status, &t.ta("error-internal", &[("id", request_id.to_owned())]));
    }
    let mut description = message(&t, e);
    if let AppError::Invalid(fields) = e {
        let parts: Vec<String> = fields
            .iter()
            .map(|f| {
                let args: Vec<(&str, String)> = f.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                format!("{}: {}", georeport_param(&f.field), t.ta(&f.key, &args))
            })
            .collect();
        description = format!("{description} {}", parts.join("; "));
    }
    error(status, &description)
}

fn iso(t: time::Timestamp) -> String {
    t.with_timezone(&time::china())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn request_json(p: &PublicCase) -> Value {
    let t = T::new(Lang::Zh);
    let step = p
        .steps
        .last()
        .map(|(k, _, _)| match k.strip_prefix("cmd-") {
            Some(cmd) => t.code("public-step", cmd),
            None => t.code_or_raw("event", k),
        })
        .unwrap_or_default();
    json!({
        "service_request_id": p.public_id,
        "status": if p.closed { "closed" } else { "open" },
        "status_notes": p.public_reply.clone().unwrap_or(step),
        "service_name": p.category_name,
        "service_code": p.category_code,
        "description": p.description.clone().or_else(|| p.title.clone()),
        "agency_responsible": p.agency_name,
        "service_notice": p.number,
        "requested_datetime": iso(p.received_at),
        "updated_datetime": iso(p.updated_at),
        "expected_datetime": p.expected.iter().map(|(_, d)| *d).min().map(|d| format!("{d}T18:00:00+08:00")),
        "address": p.place_name,
        "media_url": Value::Null,
    })
}

/// The caller as Open311 sees it: a partner when its `api_key` is right, else the public. A wrong
/// key is refused (and counted), not quietly treated as none.
async fn caller(s: &AppState, req: &Req, key: &str) -> Result<Ctx, Response> {
    let public = Ctx::public(req.ctx.request_id(), req.ctx.ip());
    if key.trim().is_empty() {
        return Ok(public);
    }
    match s.app.partner(&public, key).await {
        Ok(Some(p)) => Ok(Ctx::partner(&p, req.ctx.request_id(), req.ctx.ip())),
        Ok(None) => Err(error(
            StatusCode::FORBIDDEN,
            "api_key 无效或已停用，请联系系统管理员签发",
        )),
        Err(e) => Err(app_error(&e, req.ctx.request_id())),
    }
}

async fn services(State(s): State<AppState>, req: Req) -> Response {
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
        Err(e) => app_error(&e, req.ctx.request_id()),
    }
}

fn datetime(s: &str) -> Option<time::Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

async fn requests(State(s): State<AppState>, req: Req, RawQuery(q): RawQuery) -> Response {
    let d = FormData::parse(q.unwrap_or_default().as_bytes());
    let ctx = match caller(&s, &req, &d.get("api_key")).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let mut q = RequestsQuery {
        ids: d
            .get("service_request_id")
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        open: match d.get("status").as_str() {
            "open" => Some(true),
            "closed" => Some(false),
            _ => None,
        },
        service_code: Some(d.get("service_code")).filter(|c| !c.is_empty()),
        ..Default::default()
    };
    for (name, slot) in [("start_date", &mut q.start), ("end_date", &mut q.end)] {
        let v = d.get(name);
        if v.is_empty() {
            continue;
        }
        match datetime(&v) {
            Some(t) => *slot = Some(t),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("{name} 须为 W3C 日期时间，例如 2026-12-01T00:00:00+08:00"),
                );
            }
        }
    }
    match s.app.open311_requests(&ctx, &q).await {
        Ok(list) => Json(list.iter().map(request_json).collect::<Vec<_>>()).into_response(),
        Err(e) => app_error(&e, req.ctx.request_id()),
    }
}

async fn request(
    State(s): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let Some(id) = id.strip_suffix(".json") else {
        return error(StatusCode::NOT_FOUND, "只支持 JSON 格式（.json）");
    };
    let d = FormData::parse(q.unwrap_or_default().as_bytes());
    let ctx = match caller(&s, &req, &d.get("api_key")).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    match s.app.open311_request(&ctx, id).await {
        Ok(p) => Json(vec![request_json(&p)]).into_response(),
        Err(AppError::NotFound) => error(StatusCode::NOT_FOUND, "没有这个编号的诉求"),
        Err(e) => app_error(&e, req.ctx.request_id()),
    }
}

/// `POST requests.json`, form-encoded: `api_key`, `service_code`, `description`, a place as
/// `address_id` (the 12-digit code of a village, community or township), `address_string` or
/// `lat`/`long`; `first_name`/`last_name`, `phone`; `attribute[kind]` may be `petition` (to the
/// procuratorate) or `dispute` (the default).
async fn create(State(s): State<AppState>, req: Req, d: FormData) -> Response {
    if d.get("api_key").trim().is_empty() {
        return error(
            StatusCode::FORBIDDEN,
            "提交诉求须提供 api_key（请联系系统管理员签发）",
        );
    }
    let partner = match caller(&s, &req, &d.get("api_key")).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let at = Location {
        address_id: d.get("address_id"),
        address_string: d.get("address_string"),
        lat: d.get("lat"),
        long: d.get("long"),
    };
    let place_id = match s.app.open311_place(&at).await {
        Ok(Some(id)) => id.to_string(),
        Ok(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "无法确定诉求所在地：请提供 address_id（村、社区或乡镇的 12 位区划代码）、包含村或乡镇名称的 address_string，或 lat/long 坐标",
            );
        }
        Err(e) => return app_error(&e, req.ctx.request_id()),
    };
    let description = d.get("description");
    let kind = match d.get("attribute[kind]").as_str() {
        "" => "dispute".to_owned(),
        k => k.to_owned(),
    };
    let form = IntakeForm {
        repeat_of: None,
        kind,
        category: d.get("service_code"),
        place_id,
        title: description.trim().chars().take(30).collect(),
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
        // The Open311 id is for the partner; the tracking code is for the person, who follows the
        // case on the portal with it and the phone's last four digits.
        Ok((c, code)) => (
            StatusCode::CREATED,
            Json(json!([{
                "service_request_id": c.public_id,
                "service_notice": c.number,
                "account_id": Value::Null,
                "tracking_code": code,
            }])),
        )
            .into_response(),
        Err(e) => app_error(&e, req.ctx.request_id()),
    }
}
