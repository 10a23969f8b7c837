//! Risk rule sets as data (DOMAIN.md §0 "thresholds are data", §3.5 "varies by county"): the one
//! that scores an assessment, an administrator's new version from the page, the API or CSV, and
//! the factors the case itself gives.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::PartyRole;
use gongzhi_domain::policy::Action;
use gongzhi_domain::risk::{Derived, Factor, FactorRule, RiskRules};
use gongzhi_domain::time;
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case};
use gongzhi_store::risk::{self as rows, RulesetRow};

use crate::import::{ImportOutcome, RowError};
use crate::{App, AppError, Ctx, FieldError};

/// A saved rule set, as the administrator's page and `GET /api/v1/risk-rules` list it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RulesetView {
    #[serde(flatten)]
    pub rules: RiskRules,
    pub created_by: String,
    pub created_at: i64,
    /// The rule set new assessments in its region are scored by today.
    pub in_force: bool,
}

fn to_row(r: &RiskRules, by: &str, at: i64) -> Result<RulesetRow, AppError> {
    Ok(RulesetRow {
        version: r.version.trim().to_owned(),
        region: r.region.trim().to_owned(),
        effective_from: r.effective_from.to_string(),
        medium_from: i64::from(r.medium_from),
        high_from: i64::from(r.high_from),
        factors: serde_json::to_string(&r.factors).map_err(|e| AppError::Internal(e.to_string()))?,
        note: r.note.trim().to_owned(),
        created_by: by.to_owned(),
        created_at: at,
    })
}

/// A stored row read back. Rows are written only by [`App::save_risk_rules`], which validates
/// them; one that does not read is an error, never silently skipped.
fn from_row(r: &RulesetRow) -> Result<RiskRules, AppError> {
    let bad = || AppError::Internal(format!("risk rule set {} is malformed", r.version));
    Ok(RiskRules {
        version: r.version.clone(),
        region: r.region.clone(),
        effective_from: r.effective_from.parse().map_err(|_| bad())?,
        medium_from: u32::try_from(r.medium_from).map_err(|_| bad())?,
        high_from: u32::try_from(r.high_from).map_err(|_| bad())?,
        factors: serde_json::from_str(&r.factors).map_err(|_| bad())?,
        note: r.note.clone(),
    })
}

/// Of the rule sets, the one in force on `on` for a place: the most specific region that covers
/// the place's division code, then the latest effective date. None saved: the shipped 2026.1.
fn in_force<'a>(all: &'a [RiskRules], on: NaiveDate, place_code: &str) -> Option<&'a RiskRules> {
    all.iter()
        .filter(|r| r.effective_from <= on && place_code.starts_with(r.region.as_str()))
        .max_by_key(|r| (r.region.len(), r.effective_from))
}

impl App {
    async fn all_rulesets(conn: &mut AnyConnection) -> Result<Vec<(RiskRules, RulesetRow)>, AppError> {
        let mut out = Vec::new();
        for row in rows::rulesets(conn).await? {
            out.push((from_row(&row)?, row));
        }
        Ok(out)
    }

    /// The shipped rule set 2026.1, saved once so that the administrator sees and can supersede it.
    pub(crate) async fn seed_risk_rules(&self, conn: &mut AnyConnection) -> Result<(), AppError> {
        if rows::rulesets(&mut *conn).await?.is_empty() {
            let row = to_row(&RiskRules::standard(), "", time::to_millis(self.now()))?;
            // A second server seeding at the same moment finds it saved (ON CONFLICT DO NOTHING).
            match rows::insert_ruleset(conn, &row).await {
                Ok(()) | Err(gongzhi_store::StoreError::Conflict) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// The rule set a new assessment of the case is scored by.
    pub(crate) async fn risk_rules_for(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
    ) -> Result<RiskRules, AppError> {
        let all: Vec<RiskRules> = Self::all_rulesets(conn)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        Ok(in_force(&all, time::local_date(self.now()), &c.place_code)
            .cloned()
            .unwrap_or_else(RiskRules::standard))
    }

    pub async fn risk_rulesets(&self, ctx: &Ctx) -> Result<Vec<RulesetView>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let all = Self::all_rulesets(&mut *self.db().conn().await?).await?;
        let rules: Vec<RiskRules> = all.iter().map(|(r, _)| r.clone()).collect();
        let today = time::local_date(self.now());
        Ok(all
            .into_iter()
            .map(|(r, row)| RulesetView {
                in_force: rules
                    .iter()
                    .filter(|x| x.region == r.region)
                    .filter(|x| x.effective_from <= today)
                    .max_by_key(|x| x.effective_from)
                    .is_some_and(|x| x.version == r.version),
                rules: r,
                created_by: row.created_by,
                created_at: row.created_at,
            })
            .collect())
    }

    /// Saves a new rule-set version. Every problem is reported at once; a version that exists is
    /// refused (assessments name their version, so it is never rewritten).
    pub async fn save_risk_rules(&self, ctx: &Ctx, rules: &RiskRules) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        self.insert_rules(tx.conn(), ctx, rules, &actor.display_name)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_rules(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        rules: &RiskRules,
        by: &str,
    ) -> Result<(), AppError> {
        let problems = rules.problems();
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(f, k)| FieldError::new(&f, k))
                    .collect(),
            ));
        }
        let row = to_row(rules, by, time::to_millis(self.now()))?;
        // One version per region and date: two would leave which one scores to chance.
        let saved = rows::rulesets(&mut *conn).await?;
        if let Some(same) = saved
            .iter()
            .filter(|r| r.version != row.version)
            .find(|r| r.region == row.region && r.effective_from == row.effective_from)
        {
            return Err(AppError::Invalid(vec![
                FieldError::new("effective_from", "risk-rule-date-taken").arg("version", &same.version),
            ]));
        }
        rows::insert_ruleset(&mut *conn, &row).await.map_err(|_| {
            AppError::Invalid(vec![
                FieldError::new("version", "risk-rule-version-taken").arg("version", &row.version),
            ])
        })?;
        ctx.audit(
            conn,
            "risk_rules.create",
            "risk_ruleset",
            &row.version,
            Changes::new()
                .set("effective_from", row.effective_from.clone())
                .set("region", row.region.clone())
                .set("medium_from", row.medium_from)
                .set("high_from", row.high_from)
                .set("factors", row.factors.clone()),
        )
        .await?;
        Ok(())
    }

    /// CSV rows `version,region,effective_from,medium_from,high_from,factor,points,from,derived`, one
    /// per factor; the rows of one version make one rule set. All or nothing: a bad row is refused
    /// with its line and reason, and then no rule set is saved.
    pub(crate) async fn import_risk_rules(
        &self,
        ctx: &Ctx,
        rows: &[(usize, Vec<String>)],
    ) -> Result<ImportOutcome, AppError> {
        let actor = self.authorize(ctx, Action::ManageReference).await?;
        let mut sets: BTreeMap<String, (usize, RiskRules)> = BTreeMap::new();
        let mut failed = Vec::new();
        for (line, r) in rows {
            let mut errors = Vec::new();
            let mut num = |col: usize, name: &str| -> i64 {
                r[col].parse().unwrap_or_else(|_| {
                    errors.push(FieldError::new(name, "number-invalid"));
                    0
                })
            };
            let (medium, high, points, from) = (
                num(3, "medium_from"),
                num(4, "high_from"),
                num(6, "points"),
                num(7, "from"),
            );
            let date = r[2].parse::<NaiveDate>().ok();
            if date.is_none() {
                errors.push(FieldError::new("effective_from", "date-invalid"));
            }
            let factor = Factor::parse(&r[5]);
            if factor.is_none() {
                errors.push(FieldError::new("factor", "risk-rule-factor-unknown").arg("factor", &r[5]));
            }
            let derived = match r[8].as_str() {
                "" | "0" | "no" | "false" => false,
                "1" | "yes" | "true" => true,
                _ => {
                    errors.push(FieldError::new("derived", "risk-rule-derived-invalid"));
                    false
                }
            };
            let (Some(date), Some(factor), true) = (date, factor, errors.is_empty()) else {
                failed.push(RowError { line: *line, errors });
                continue;
            };
            let u = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
            let entry = sets.entry(r[0].clone()).or_insert_with(|| {
                (
                    *line,
                    RiskRules {
                        version: r[0].clone(),
                        region: r[1].clone(),
                        effective_from: date,
                        medium_from: u(medium),
                        high_from: u(high),
                        factors: Vec::new(),
                        note: String::new(),
                    },
                )
            });
            if (
                entry.1.region.as_str(),
                entry.1.effective_from,
                entry.1.medium_from,
                entry.1.high_from,
            ) != (r[1].as_str(), date, u(medium), u(high))
            {
                failed.push(RowError {
                    line: *line,
                    errors: vec![FieldError::new("version", "risk-rule-rows-differ").arg("line", entry.0)],
                });
                continue;
            }
            entry.1.factors.push(FactorRule {
                factor,
                points: u(points),
                from,
                derived,
            });
        }
        if !failed.is_empty() {
            return Ok(ImportOutcome::Rejected(failed));
        }
        let mut tx = self.db().begin().await?;
        for (line, rules) in sets.values() {
            if let Err(e) = self
                .insert_rules(tx.conn(), ctx, rules, &actor.display_name)
                .await
            {
                match e {
                    AppError::Invalid(errors) => failed.push(RowError { line: *line, errors }),
                    other => return Err(other),
                }
            }
        }
        if !failed.is_empty() {
            return Ok(ImportOutcome::Rejected(failed));
        }
        tx.commit().await?;
        Ok(ImportOutcome::Imported {
            created: sets.len(),
            updated: 0,
        })
    }

    /// What the case's parties and the blind index say about the derivable factors (§3.5 factors;
    /// ages from the identity numbers at intake, earlier cases by the petitioners' blind indexes).
    pub(crate) async fn derived_risk(&self, conn: &mut AnyConnection, c: &Case) -> Result<Derived, AppError> {
        let parties = case::parties(&mut *conn, c.id).await?;
        let petitioners: Vec<_> = parties
            .iter()
            .filter(|p| p.role == PartyRole::Petitioner.code())
            .collect();
        let indexes: Vec<String> = petitioners.iter().filter_map(|p| p.id_index.clone()).collect();
        let received = time::to_millis(c.received_at);
        let (earlier, first) = case::earlier_by_identity(conn, &indexes, c.id, received).await?;
        let year_ago = time::to_millis(self.now()) - 365 * 24 * 3600 * 1000;
        Ok(Derived {
            people: u32::try_from(petitioners.len()).unwrap_or(u32::MAX),
            earlier_petitions: u32::try_from(earlier).unwrap_or(u32::MAX),
            vulnerable_party: parties
                .iter()
                .any(|p| p.minor + p.elderly + p.disabled + p.impoverished > 0),
            long_running: first.unwrap_or(received).min(received) < year_ago,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(version: &str, region: &str, from: (i32, u32, u32)) -> RiskRules {
        RiskRules {
            version: version.into(),
            region: region.into(),
            effective_from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap(),
            ..RiskRules::standard()
        }
    }

    #[test]
    fn the_most_specific_region_then_the_latest_date_in_force_wins() {
        let all = vec![
            set("a", "", (2026, 1, 1)),
            set("b", "", (2026, 7, 1)),
            set("c", "620702", (2026, 3, 1)),
            set("d", "", (2027, 1, 1)),
        ];
        let on = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let pick = |date, place: &str| in_force(&all, date, place).map(|r| r.version.as_str());
        assert_eq!(pick(on(2, 1), "620702100201"), Some("a"));
        assert_eq!(pick(on(3, 1), "620702100201"), Some("c"));
        assert_eq!(pick(on(8, 1), "620702100201"), Some("c"));
        assert_eq!(pick(on(8, 1), "620721100201"), Some("b"));
        assert_eq!(pick(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), ""), None);
    }
}
