//! The audit trail for the audit administrator: filtered, paged, in Chinese.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::audit::{EventFilter, EventRow};
use gongzhi_app::domain::audit::Outcome;
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::time;

use crate::AppState;
use crate::form::FormState;
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, ok, page};

pub fn router() -> Routes {
    Routes::new().get("/admin/audit", Access::Staff(Action::ViewAudit), audit)
}

/// Who acted, as the trail shows it: the user's name; a partner system or the system by kind and
/// name; the public by kind. Events sealed before principals were recorded show the name alone.
fn actor_label(t: &crate::i18n::T, principal: &str, name: &str) -> String {
    match (principal, name) {
        ("" | "user", n) => n.to_owned(),
        (p, "") => t.code("principal", p),
        (p, n) => format!("{}：{n}", t.code("principal", p)),
    }
}

pub struct AuditRow {
    pub seq: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub changes: String,
    pub ip: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<AuditRow>,
    total: i64,
    f: FormState,
    prev: String,
    next: String,
}

#[derive(serde::Deserialize, Default)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    target: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<i64>,
}

const AUDIT_PAGE: i64 = 50;

/// `修改用户（user.update）`: the name for people, the code for searching.
fn action_label(t: &crate::i18n::T, action: &str) -> String {
    match action.strip_prefix("denied.") {
        Some(what) => format!("{}：{}", t.t("act-denied"), t.code("action", what)),
        None => match t.code_or_raw("act", action) {
            name if name == action => name,
            name => format!("{name}（{action}）"),
        },
    }
}

/// `{"name":{"from":"甲","to":"乙"}}` as `name：甲 → 乙`, one field per line.
fn changes_text(json: &str) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_owned();
    };
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    fields
        .iter()
        .map(|(k, v)| {
            let (from, to) = (show(&v["from"]), show(&v["to"]));
            if from.is_empty() {
                format!("{k}：{to}")
            } else {
                format!("{k}：{from} → {to}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn audit(State(s): State<AppState>, req: Req, Query(q): Query<AuditQuery>) -> PageResult {
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let pg = q.page.unwrap_or(0).max(0);
    let filter = EventFilter {
        actor: q.actor.clone(),
        action: q.action.clone(),
        outcome: q.outcome.as_deref().and_then(Outcome::parse),
        target: q.target.clone(),
        from: date(&q.from).map(time::start_of_local_day),
        until: date(&q.until)
            .and_then(|d| d.succ_opt())
            .map(time::start_of_local_day),
        offset: pg * AUDIT_PAGE,
        limit: AUDIT_PAGE,
    };
    let (events, total): (Vec<EventRow>, i64) = page(&req, s.app.audit_events(&req.ctx, &filter).await)?;
    let rows = events
        .into_iter()
        .map(|e| AuditRow {
            seq: e
                .seq
                .map(|s| s.to_string())
                .unwrap_or_else(|| req.t.t("audit-unsealed")),
            at: time::format_local_seconds(time::from_millis(e.occurred_at)),
            actor: actor_label(&req.t, &e.principal, &e.actor_name),
            action: action_label(&req.t, &e.action),
            target: format!("{} {}", req.t.code_or_raw("target", &e.target_type), e.target_id),
            outcome: req.t.code("outcome", &e.outcome),
            outcome_class: match e.outcome.as_str() {
                "success" => "text-bg-success",
                "denied" => "text-bg-danger",
                _ => "text-bg-warning",
            },
            changes: changes_text(&e.changes),
            ip: e.ip.clone(),
            request_id: e.request_id.clone(),
        })
        .collect();
    let f = FormState::default()
        .with("actor", q.actor.clone().unwrap_or_default())
        .with("action", q.action.clone().unwrap_or_default())
        .with("outcome", q.outcome.clone().unwrap_or_default())
        .with("target", q.target.clone().unwrap_or_default())
        .with("from", q.from.clone().unwrap_or_default())
        .with("until", q.until.clone().unwrap_or_default());
    let link = |p: i64| {
        let params = [
            ("actor", q.actor.clone().unwrap_or_default()),
            ("action", q.action.clone().unwrap_or_default()),
            ("outcome", q.outcome.clone().unwrap_or_default()),
            ("target", q.target.clone().unwrap_or_default()),
            ("from", q.from.clone().unwrap_or_default()),
            ("until", q.until.clone().unwrap_or_default()),
            ("page", p.to_string()),
        ];
        format!(
            "/admin/audit?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    };
    let prev = if pg > 0 { link(pg - 1) } else { String::new() };
    let next = if (pg + 1) * AUDIT_PAGE < total {
        link(pg + 1)
    } else {
        String::new()
    };
    ok(
        &req,
        &AuditPage {
            c: Chrome::new(&req),
            rows,
            total,
            f,
            prev,
            next,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, T};

    #[test]
    fn audit_rows_read_as_chinese() {
        let t = T::new(Lang::Zh);
        assert_eq!(action_label(&t, "user.create"), "新增用户（user.create）");
        assert_eq!(action_label(&t, "denied.view_audit"), "越权访问：查看审计日志");
        assert_eq!(action_label(&t, "something.new"), "something.new");
        assert_eq!(
            changes_text(
                r#"{"display_name":{"from":"甲","to":"乙"},"roles":{"from":null,"to":"prosecutor"}}"#
            ),
            "display_name：甲 → 乙\nroles：prosecutor"
        );
        assert_eq!(changes_text("{}"), "");
        assert_eq!(actor_label(&t, "public", ""), "公众");
        assert_eq!(actor_label(&t, "partner", "12345 热线"), "合作系统：12345 热线");
        assert_eq!(actor_label(&t, "user", "张三"), "张三");
    }
}
