//! CSV import of reference data, all or nothing: either every row is valid and written in one
//! transaction, or nothing is written and every bad row is reported with its line number.

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::policy::Action;
use gongzhi_store::reference::{self, Agency, OrgUnit};

use crate::admin::{AgencyForm, CategoryForm};
use crate::{App, AppError, Ctx, FieldError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    OrgUnits,
    Agencies,
    Categories,
    Calendar,
    /// Risk rule sets, one row per factor (DOMAIN.md §3.5).
    RiskRules,
    /// A State Council holiday notice, one row per holiday (a rest period and its make-up days).
    HolidayNotice,
    /// New versions of deadline rules, one per row.
    DeadlineRules,
}

impl ImportKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "org_units" => Self::OrgUnits,
            "agencies" => Self::Agencies,
            "categories" => Self::Categories,
            "calendar" => Self::Calendar,
            "risk_rules" => Self::RiskRules,
            "holiday_notice" => Self::HolidayNotice,
            "deadline_rules" => Self::DeadlineRules,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::OrgUnits => "org_units",
            Self::Agencies => "agencies",
            Self::Categories => "categories",
            Self::Calendar => "calendar",
            Self::RiskRules => "risk_rules",
            Self::HolidayNotice => "holiday_notice",
            Self::DeadlineRules => "deadline_rules",
        }
    }

    /// The header line a file must start with (the org tree may also give coordinates).
    pub fn header(self) -> &'static [&'static str] {
        match self {
            Self::OrgUnits => &["code", "name", "lat", "lng"],
            Self::Agencies => &[
                "code",
                "name",
                "short_name",
                "kind",
                "org_unit_code",
                "phone",
                "address",
            ],
            Self::Categories => &["code", "name", "name_en", "sort_order"],
            Self::Calendar => &["date", "kind", "name"],
            Self::HolidayNotice => &["name", "from", "to", "workdays"],
            Self::DeadlineRules => &[
                "base",
                "amount",
                "unit",
                "next_day",
                "roll_over",
                "extension_days",
                "extensions",
                "pausable",
                "effective_from",
                "region",
                "source",
            ],
            Self::RiskRules => &[
                "version",
                "region",
                "effective_from",
                "medium_from",
                "high_from",
                "factor",
                "points",
                "from",
                "derived",
            ],
        }
    }

    /// Columns a file may leave out at the end.
    fn optional(self) -> usize {
        match self {
            Self::OrgUnits => 2,
            _ => 0,
        }
    }

    /// Rows one file may hold: a province's villages and grids, a county's agencies; every
    /// category is listed to every Open311 client, so their number stays small.
    pub fn max_rows(self) -> usize {
        match self {
            Self::OrgUnits => 50_000,
            Self::Agencies => 5_000,
            Self::Categories => MAX_CATEGORIES,
            Self::Calendar => 2_000,
            Self::RiskRules => 500,
            Self::HolidayNotice => 20,
            Self::DeadlineRules => 200,
        }
    }
}

/// Dispute categories in all (DOMAIN.md §4.10 has 18; every one is offered on the portal and to
/// Open311 clients).
pub const MAX_CATEGORIES: usize = 200;

/// A coordinate column in decimal degrees, as millionths; empty is none.
fn degrees(s: &str, limit: f64, field: &str) -> Result<Option<i64>, AppError> {
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some((v * 1e6).round() as i64)),
        _ => Err(AppError::field(field, "coordinate-invalid")),
    }
}

/// A row that failed, with its line number in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub errors: Vec<FieldError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported { created: usize, updated: usize },
    Rejected(Vec<RowError>),
}

fn fields_of(e: AppError) -> Vec<FieldError> {
    match e {
        AppError::Invalid(f) => f,
        other => vec![FieldError::new("row", "import-row-failed").arg("error", other)],
    }
}

impl App {
    pub async fn import_csv(
        &self,
        ctx: &Ctx,
        kind: ImportKind,
        data: &[u8],
    ) -> Result<ImportOutcome, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        // Excel on Windows writes a byte-order mark; accept it.
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(data);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_owned).collect(),
            Err(_) => {
                return Ok(ImportOutcome::Rejected(vec![RowError {
                    line: 1,
                    errors: vec![FieldError::new("file", "import-not-csv")],
                }]));
            }
        };
        let full = kind.header();
        let given: Vec<&str> = header.iter().map(String::as_str).collect();
        if given.len() < full.len() - kind.optional() || !full.starts_with(&given) {
            return Ok(ImportOutcome::Rejected(vec![RowError {
                line: 1,
                errors: vec![FieldError::new("file", "import-header").arg("expected", full.join(","))],
            }]));
        }
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line = i + 2;
            if rows.len() == kind.max_rows() {
                return Ok(ImportOutcome::Rejected(vec![RowError {
                    line,
                    errors: vec![FieldError::new("file", "import-too-many").arg("max", kind.max_rows())],
                }]));
            }
            match rec {
                Ok(r) => rows.push((
                    line,
                    (0..kind.header().len())
                        .map(|k| r.get(k).unwrap_or("").to_owned())
                        .collect::<Vec<_>>(),
                )),
                Err(_) => {
                    return Ok(ImportOutcome::Rejected(vec![RowError {
                        line,
                        errors: vec![FieldError::new("file", "import-not-csv")],
                    }]));
                }
            }
        }
        if rows.is_empty() {
            return Ok(ImportOutcome::Rejected(vec![RowError {
                line: 2,
                errors: vec![FieldError::new("file", "import-empty")],
            }]));
        }
        match kind {
            ImportKind::RiskRules => return self.import_risk_rules(ctx, &rows).await,
            ImportKind::HolidayNotice => return self.import_holiday_notice(ctx, &rows).await,
            ImportKind::DeadlineRules => return self.import_rule_versions(ctx, &rows).await,
            _ => {}
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let (mut created, mut updated, mut failed) = (0, 0, Vec::new());
        for (line, r) in rows {
            // The same rule as at the web's edge: no NUL, control characters or direction overrides
            // (a file's content does not pass that edge).
            let bad: Vec<FieldError> = r
                .iter()
                .zip(kind.header())
                .filter_map(|(v, col)| {
                    gongzhi_domain::text::first_forbidden(v).map(|c| {
                        FieldError::new(col, "text-forbidden").arg("char", format!("U+{:04X}", u32::from(c)))
                    })
                })
                .collect();
            if !bad.is_empty() {
                failed.push(RowError { line, errors: bad });
                continue;
            }
            let result: Result<bool, AppError> = async {
                match kind {
                    ImportKind::OrgUnits => {
                        let lat = degrees(&r[2], 90.0, "lat")?;
                        let lng = degrees(&r[3], 180.0, "lng")?;
                        let coords = match (lat, lng) {
                            (Some(a), Some(b)) => Some((a, b)),
                            (None, None) => None,
                            _ => return Err(AppError::field("lat", "coordinate-pair")),
                        };
                        if let Some(existing) = reference::org_by_code(tx.conn(), &r[0]).await? {
                            // The same rule as a new unit's and the page's edit.
                            if !crate::admin::text_ok(&r[1], 60) {
                                return Err(AppError::field("name", "name-invalid"));
                            }
                            if coords.is_some() {
                                reference::org_set_coords(tx.conn(), existing.id, coords).await?;
                            }
                            reference::org_update(
                                tx.conn(),
                                existing.id,
                                &r[1],
                                existing.active,
                                existing.version,
                                now,
                            )
                            .await?;
                            return Ok(false);
                        }
                        let (code, parent_id) = crate::admin::check_org_unit(tx.conn(), &r[0], &r[1])
                            .await
                            .map_err(AppError::Invalid)?;
                        let unit = OrgUnit {
                            id: Id::new(),
                            level: code.level(),
                            code: code.to_string(),
                            name: r[1].clone(),
                            parent_id,
                            active: true,
                            version: 1,
                            coords,
                        };
                        reference::org_insert(tx.conn(), &unit, now).await?;
                        Ok(true)
                    }
                    ImportKind::Agencies => {
                        let form = AgencyForm {
                            code: r[0].clone(),
                            name: r[1].clone(),
                            short_name: r[2].clone(),
                            kind: r[3].clone(),
                            org_unit_code: r[4].clone(),
                            phone: r[5].clone(),
                            address: r[6].clone(),
                            active: true,
                            version: 0,
                        };
                        let existing =
                            reference::agency_by_code(tx.conn(), &form.code.to_uppercase()).await?;
                        let (kind, org_unit_id) =
                            App::check_agency(tx.conn(), &form, existing.is_none()).await?;
                        let a = Agency {
                            id: existing.as_ref().map_or_else(Id::new, |e| e.id),
                            code: form.code.to_uppercase(),
                            name: form.name,
                            short_name: form.short_name,
                            kind,
                            org_unit_id,
                            phone: form.phone,
                            address: form.address,
                            active: true,
                            version: existing.as_ref().map_or(1, |e| e.version),
                        };
                        if existing.is_some() {
                            reference::agency_update(tx.conn(), &a, now).await?;
                            Ok(false)
                        } else {
                            reference::agency_insert(tx.conn(), &a, now).await?;
                            Ok(true)
                        }
                    }
                    ImportKind::Categories => {
                        let form = CategoryForm {
                            code: r[0].clone(),
                            name: r[1].clone(),
                            name_en: r[2].clone(),
                            sort_order: r[3].clone(),
                            active: true,
                            version: 0,
                        };
                        let sort_order = App::check_category(&form)?;
                        let existed = reference::category_get(tx.conn(), &form.code).await?.is_some();
                        let c = reference::Category {
                            code: form.code,
                            name: form.name,
                            name_en: form.name_en,
                            sort_order,
                            active: 1,
                            version: 1,
                        };
                        reference::category_upsert(tx.conn(), &c, now).await?;
                        Ok(!existed)
                    }
                    // Whole rule sets and notices, imported above before any row is written.
                    ImportKind::RiskRules | ImportKind::HolidayNotice | ImportKind::DeadlineRules => {
                        Err(AppError::Internal("imported as a whole".into()))
                    }
                    ImportKind::Calendar => {
                        let date = chrono::NaiveDate::parse_from_str(&r[0], "%Y-%m-%d")
                            .map_err(|_| AppError::field("date", "date-invalid"))?;
                        let kind = gongzhi_domain::calendar::DayKind::parse(&r[1])
                            .ok_or_else(|| AppError::field("kind", "day-kind-invalid"))?;
                        if r[2].is_empty() || r[2].chars().count() > 30 {
                            return Err(AppError::field("name", "name-invalid"));
                        }
                        let existed = reference::calendar_get(tx.conn(), date).await?.is_some();
                        reference::calendar_upsert(
                            tx.conn(),
                            &reference::CalendarDay {
                                day: date,
                                kind,
                                name: r[2].clone(),
                            },
                            now,
                        )
                        .await?;
                        Ok(!existed)
                    }
                }
            }
            .await;
            match result {
                Ok(true) => created += 1,
                Ok(false) => updated += 1,
                Err(AppError::Store(e)) => return Err(AppError::Store(e)),
                Err(e) => failed.push(RowError {
                    line,
                    errors: fields_of(e),
                }),
            }
        }
        if kind == ImportKind::Categories {
            let total = reference::category_list(tx.conn()).await?.len();
            if total > MAX_CATEGORIES {
                failed.push(RowError {
                    line: 1,
                    errors: vec![FieldError::new("file", "import-too-many-total").arg("max", MAX_CATEGORIES)],
                });
            }
        }
        if !failed.is_empty() {
            return Ok(ImportOutcome::Rejected(failed));
        }
        let changes = Changes::new()
            .set("created", created as i64)
            .set("updated", updated as i64);
        ctx.audit(
            tx.conn(),
            &format!("import.{}", kind.code()),
            "import",
            kind.code(),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome::Imported { created, updated })
    }
}

/// The agency kinds as a CSV help text lists them.
pub fn agency_kind_codes() -> Vec<&'static str> {
    AgencyKind::ALL.iter().map(|k| k.code()).collect()
}
