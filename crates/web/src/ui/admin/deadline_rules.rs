//! The deadline rules (DOMAIN.md §3–§4): every rule with its versions, and a new version typed by
//! the administrator, prefilled from the one in force. A version once saved is never edited.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::calendar::Recomputed;
use gongzhi_app::deadlines::{DeadlineRule, RuleVersionForm};
use gongzhi_app::domain::deadline::PauseReason;
use gongzhi_app::domain::policy::Action;
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, PageResult, form_error, page};

pub fn router() -> Routes {
    Routes::new()
        .get(
            "/admin/deadline-rules",
            Access::Staff(Action::ViewReference),
            rules_page,
        )
        .post(
            "/admin/deadline-rules",
            Access::Staff(Action::ManageReference),
            create,
        )
}

#[derive(Template)]
#[template(path = "admin/deadline_rules.html")]
struct RulesPage {
    c: Chrome,
    rules: Vec<DeadlineRule>,
    /// The rule whose new version the form is for, and the form.
    base: String,
    f: FormState,
    pause_reasons: Vec<&'static str>,
    done: Option<Recomputed>,
}

#[derive(serde::Deserialize, Default)]
struct RuleQuery {
    /// The rule to prefill the form from.
    rule: Option<String>,
}

/// The form prefilled from the latest version of `base`.
fn prefill(rules: &[DeadlineRule], base: &str) -> FormState {
    let Some(r) = rules.iter().rev().find(|r| r.base == base) else {
        return FormState::default();
    };
    let mut d = vec![
        ("base".to_owned(), r.base.clone()),
        ("amount".to_owned(), r.amount.to_string()),
        ("unit".to_owned(), r.unit.clone()),
        ("extension_days".to_owned(), r.extension_days.to_string()),
        ("extensions".to_owned(), r.extensions.to_string()),
        ("region".to_owned(), r.region.clone()),
        ("source".to_owned(), r.source.clone()),
    ];
    for (flag, on) in [("next_day", r.next_day), ("roll_over", r.roll_over)] {
        if on {
            d.push((flag.to_owned(), "on".into()));
        }
    }
    for p in &r.pausable {
        d.push(("pausable".to_owned(), p.clone()));
    }
    FormState::from_data(&FormData::from_pairs(d))
}

async fn view(
    s: &AppState,
    req: &Req,
    base: String,
    f: Option<FormState>,
    done: Option<Recomputed>,
    status: StatusCode,
) -> PageResult {
    let rules = page(req, s.app.deadline_rules(&req.ctx).await)?;
    let p = RulesPage {
        c: Chrome::new(req).with_flash(done.as_ref().map(|_| "saved")),
        f: f.unwrap_or_else(|| prefill(&rules, &base)),
        base,
        rules,
        pause_reasons: PauseReason::ALL.iter().map(|p| p.code()).collect(),
        done,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn rules_page(State(s): State<AppState>, req: Req, Query(q): Query<RuleQuery>) -> PageResult {
    view(&s, &req, q.rule.unwrap_or_default(), None, None, StatusCode::OK).await
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let num = |name: &str| d.get(name).trim().parse::<i64>().unwrap_or(-1);
    let form = RuleVersionForm {
        base: d.get("base"),
        amount: num("amount"),
        unit: d.get("unit"),
        next_day: d.flag("next_day"),
        roll_over: d.flag("roll_over"),
        extension_days: num("extension_days"),
        extensions: num("extensions"),
        pausable: d.all("pausable"),
        effective_from: d.get("effective_from"),
        region: d.get("region"),
        source: d.get("source"),
        apply_to_running: d.flag("apply_to_running"),
    };
    match s.app.save_rule_version(&req.ctx, &form).await {
        Ok(done) => view(&s, &req, form.base, None, Some(done), StatusCode::OK).await,
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            view(&s, &req, form.base, Some(f), None, status).await
        }
    }
}
