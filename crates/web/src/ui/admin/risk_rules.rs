//! The risk rule sets (DOMAIN.md §3.5): every version with its thresholds and factors, and a new
//! version typed by the administrator, prefilled from the one in force. Versions are never
//! edited: an assessment names the version that scored it.

use askama::Template;
use axum::extract::{Query, State};
use gongzhi_app::domain::policy::Action;
use gongzhi_app::domain::risk::{Factor, FactorRule, RiskRules};
use gongzhi_app::risk::RulesetView;
use gongzhi_app::{AppError, FieldError};
use http::StatusCode;

use crate::AppState;
use crate::error::render;
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::routes::{Access, Routes};
use crate::ui::{Chrome, Flash, PageResult, form_error, page, see_other};

pub fn router() -> Routes {
    Routes::new()
        .get(
            "/admin/risk-rules",
            Access::Staff(Action::ViewReference),
            rules_page,
        )
        .post(
            "/admin/risk-rules",
            Access::Staff(Action::ManageReference),
            create,
        )
}

/// A factor's row in the new-version form.
struct FactorField {
    code: &'static str,
    measured: bool,
    derivable: bool,
}

#[derive(Template)]
#[template(path = "admin/risk_rules.html")]
struct RulesPage {
    c: Chrome,
    sets: Vec<RulesetView>,
    factors: Vec<FactorField>,
    f: FormState,
}

/// The form prefilled from the rule set in force (the newest in force for everywhere).
fn prefill(sets: &[RulesetView]) -> FormState {
    let base = sets
        .iter()
        .find(|s| s.in_force && s.rules.region.is_empty())
        .map_or_else(RiskRules::standard, |s| s.rules.clone());
    let mut d = vec![
        ("region".to_owned(), base.region.clone()),
        ("medium_from".to_owned(), base.medium_from.to_string()),
        ("high_from".to_owned(), base.high_from.to_string()),
    ];
    for r in &base.factors {
        let code = r.factor.code();
        d.push((format!("points.{code}"), r.points.to_string()));
        d.push((format!("from.{code}"), r.from.to_string()));
        if r.derived {
            d.push((format!("derived.{code}"), "on".into()));
        }
    }
    FormState::from_data(&FormData::from_pairs(d))
}

async fn view(
    s: &AppState,
    req: &Req,
    f: Option<FormState>,
    ok: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let sets = page(req, s.app.risk_rulesets(&req.ctx).await)?;
    let p = RulesPage {
        c: Chrome::new(req).with_flash(ok),
        f: f.unwrap_or_else(|| prefill(&sets)),
        sets,
        factors: Factor::ALL
            .iter()
            .map(|f| FactorField {
                code: f.code(),
                measured: f.measured(),
                derivable: f.derivable(),
            })
            .collect(),
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

async fn rules_page(State(s): State<AppState>, req: Req, Query(q): Query<Flash>) -> PageResult {
    view(&s, &req, None, q.ok.as_deref(), StatusCode::OK).await
}

/// The form as a rule set: a factor with empty points is left out; every unreadable number is
/// reported on its own field.
fn read(d: &FormData) -> Result<(RiskRules, Vec<&'static str>), AppError> {
    let mut errs = Vec::new();
    let mut num = |name: &str, blank_ok: bool| -> Option<i64> {
        match d.get(name).trim() {
            "" if blank_ok => None,
            t => t.parse::<i64>().ok().filter(|n| *n >= 0).or_else(|| {
                errs.push(FieldError::new(name, "number-invalid"));
                None
            }),
        }
    };
    let u = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    let (medium, high) = (u(num("medium_from", false)), u(num("high_from", false)));
    let mut factors = Vec::new();
    let mut order = Vec::new();
    for f in Factor::ALL {
        let code = f.code();
        let Some(points) = num(&format!("points.{code}"), true) else {
            continue;
        };
        let from = if f.measured() {
            num(&format!("from.{code}"), false).unwrap_or(0)
        } else {
            1
        };
        factors.push(FactorRule {
            factor: *f,
            points: u(Some(points)),
            from,
            derived: d.flag(&format!("derived.{code}")),
        });
        order.push(code);
    }
    let effective_from = d.get("effective_from").parse().ok();
    if effective_from.is_none() {
        errs.push(FieldError::new("effective_from", "date-invalid"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let rules = RiskRules {
        version: d.get("version"),
        region: d.get("region").trim().to_owned(),
        effective_from: effective_from.unwrap_or_default(),
        medium_from: medium,
        high_from: high,
        factors,
        note: d.get("note"),
    };
    Ok((rules, order))
}

async fn create(State(s): State<AppState>, req: Req, d: FormData) -> PageResult {
    let r = match read(&d) {
        Ok((rules, order)) => s
            .app
            .save_risk_rules(&req.ctx, &rules)
            .await
            .map_err(|e| match e {
                // The rule set's `factors[i].x` is the form's `x.<factor>`.
                AppError::Invalid(errs) => AppError::Invalid(
                    errs.into_iter()
                        .map(|mut fe| {
                            if let Some((i, name)) = fe
                                .field
                                .strip_prefix("factors[")
                                .and_then(|r| r.split_once("]."))
                                .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.to_owned())))
                                && let Some(code) = order.get(i)
                            {
                                fe.field =
                                    format!("{}.{code}", if name == "factor" { "points" } else { &name });
                            }
                            fe
                        })
                        .collect(),
                ),
                other => other,
            }),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => see_other("/admin/risk-rules?ok=saved"),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            view(&s, &req, Some(f), None, status).await
        }
    }
}
