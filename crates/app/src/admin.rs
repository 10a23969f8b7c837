//! Reference data maintenance: the org tree, agencies and dispute categories (the calendar is in
//! `calendar`).

use gongzhi_domain::Id;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::org::{AgencyKind, DivisionCode, OrgLevel};
use gongzhi_domain::policy::Action;
use gongzhi_store::AnyConnection;
use gongzhi_store::StoreError;
use gongzhi_store::reference;
pub use gongzhi_store::reference::{Agency, AgencyFilter, Category, OrgUnit};
use gongzhi_store::{Page, Paged};

use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

pub(crate) fn text_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n >= 1 && n <= max
}

#[derive(Clone, Debug, Default)]
pub struct AgencyForm {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub org_unit_code: String,
    pub phone: String,
    pub address: String,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug, Default)]
pub struct CategoryForm {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub sort_order: String,
    pub active: bool,
    pub version: i64,
}

fn conflict<T>(r: Result<T, StoreError>, now: Vec<(String, String)>) -> Result<T, AppError> {
    r.map_err(|e| match e {
        StoreError::Conflict => AppError::Conflict(now),
        other => other.into(),
    })
}

/// Checks a new org unit and returns its parsed code and parent.
pub(crate) async fn check_org_unit(
    conn: &mut AnyConnection,
    code: &str,
    name: &str,
) -> Result<(DivisionCode, Option<Id>), Vec<FieldError>> {
    let mut errs = Vec::new();
    if !text_ok(name, 60) {
        errs.push(FieldError::new("name", "name-invalid"));
    }
    let parsed = match DivisionCode::parse(code) {
        Ok(c) => Some(c),
        Err(_) => {
            errs.push(FieldError::new("code", "division-code-invalid"));
            None
        }
    };
    let mut parent_id = None;
    if let Some(c) = &parsed
        && let Some(parent) = c.parent()
    {
        match reference::org_by_code(conn, parent.as_str()).await {
            Ok(Some(p)) => parent_id = Some(p.id),
            Ok(None) => errs.push(FieldError::new("code", "division-parent-missing").arg("parent", parent)),
            Err(_) => errs.push(FieldError::new("code", "division-parent-missing").arg("parent", parent)),
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    match parsed {
        Some(c) => Ok((c, parent_id)),
        None => Err(vec![FieldError::new("code", "division-code-invalid")]),
    }
}

impl App {
    /// A page of a unit's children (the roots without a parent).
    pub async fn org_children(
        &self,
        ctx: &Ctx,
        parent: Option<Id>,
        page: Page,
    ) -> Result<Paged<OrgUnit>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        Ok(reference::org_children_page(&mut conn, parent, page).await?)
    }

    pub async fn org_unit(&self, ctx: &Ctx, unit: Id) -> Result<(OrgUnit, Vec<OrgUnit>), AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        let u = reference::org_get(&mut conn, unit)
            .await?
            .ok_or(AppError::NotFound)?;
        let path = reference::org_path(&mut conn, unit).await?;
        Ok((u, path))
    }

    pub async fn org_level(&self, ctx: &Ctx, level: OrgLevel) -> Result<Vec<OrgUnit>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        Ok(reference::org_by_level(&mut conn, level).await?)
    }

    pub async fn create_org_unit(&self, ctx: &Ctx, code: &str, name: &str) -> Result<OrgUnit, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        let (code, parent_id) = check_org_unit(tx.conn(), code, name)
            .await
            .map_err(AppError::Invalid)?;
        let unit = OrgUnit {
            id: Id::new(),
            level: code.level(),
            code: code.to_string(),
            name: name.trim().to_owned(),
            parent_id,
            active: true,
            version: 1,
            coords: None,
        };
        match reference::org_insert(tx.conn(), &unit, self.now()).await {
            Err(StoreError::Duplicate(_)) => return Err(AppError::field("code", "code-taken")),
            other => other?,
        }
        let changes = Changes::new()
            .set("code", unit.code.as_str())
            .set("name", unit.name.as_str());
        ctx.audit(
            tx.conn(),
            "org_unit.create",
            "org_unit",
            &unit.id.to_string(),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn update_org_unit(
        &self,
        ctx: &Ctx,
        unit: Id,
        name: &str,
        active: bool,
        version: i64,
    ) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        if !text_ok(name, 60) {
            return Err(AppError::field("name", "name-invalid"));
        }
        let mut tx = self.db().begin().await?;
        let before = reference::org_get(tx.conn(), unit)
            .await?
            .ok_or(AppError::NotFound)?;
        let now_values = vec![
            ("name".to_owned(), before.name.clone()),
            ("active".to_owned(), before.active.to_string()),
        ];
        conflict(
            reference::org_update(tx.conn(), unit, name.trim(), active, version, self.now()).await,
            now_values,
        )?;
        let changes = Changes::new()
            .field("name", before.name.as_str(), name.trim())
            .field("active", before.active, active);
        ctx.audit(
            tx.conn(),
            "org_unit.update",
            "org_unit",
            &unit.to_string(),
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the agencies the filter selects.
    pub async fn agencies(&self, ctx: &Ctx, f: &AgencyFilter, page: Page) -> Result<Paged<Agency>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        Ok(reference::agency_page(&mut conn, f, page).await?)
    }

    /// All agencies, for pickers in forms of any signed-in user.
    pub async fn agency_choices(&self, ctx: &Ctx) -> Result<Vec<Agency>, AppError> {
        self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        Ok(reference::agency_list(&mut conn, &AgencyFilter::default()).await?)
    }

    /// An agency by its code (the command line names agencies that way).
    pub async fn agency_by_code(&self, ctx: &Ctx, code: &str) -> Result<Agency, AppError> {
        self.authorize_operator(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        reference::agency_by_code(&mut conn, code.trim())
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn agency(&self, ctx: &Ctx, agency: Id) -> Result<(Agency, Option<OrgUnit>), AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        let a = reference::agency_get(&mut conn, agency)
            .await?
            .ok_or(AppError::NotFound)?;
        let unit = reference::org_get(&mut conn, a.org_unit_id).await?;
        Ok((a, unit))
    }

    pub(crate) async fn check_agency(
        conn: &mut AnyConnection,
        f: &AgencyForm,
        creating: bool,
    ) -> Result<(AgencyKind, Id), AppError> {
        let mut checks = Checks::new();
        if creating {
            let c = f.code.trim();
            checks.check(
                (2..=20).contains(&c.len())
                    && c.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'),
                "code",
                "agency-code-invalid",
            );
        }
        checks.check(text_ok(&f.name, 60), "name", "name-invalid");
        checks.check(text_ok(&f.short_name, 20), "short_name", "short-name-invalid");
        checks.check(f.phone.trim().chars().count() <= 30, "phone", "too-long");
        checks.check(f.address.trim().chars().count() <= 120, "address", "too-long");
        let kind = AgencyKind::parse(&f.kind);
        if kind.is_none() {
            checks.fail(FieldError::new("kind", "agency-kind-invalid"));
        }
        let unit = reference::org_by_code(conn, f.org_unit_code.trim()).await?;
        if unit.is_none() {
            checks.fail(FieldError::new("org_unit_code", "org-unit-unknown"));
        }
        checks.finish()?;
        match (kind, unit) {
            (Some(k), Some(u)) => Ok((k, u.id)),
            _ => Err(AppError::NotFound),
        }
    }

    pub async fn create_agency(&self, ctx: &Ctx, f: &AgencyForm) -> Result<Agency, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        let (kind, org_unit_id) = Self::check_agency(tx.conn(), f, true).await?;
        let a = Agency {
            id: Id::new(),
            code: f.code.trim().to_uppercase(),
            name: f.name.trim().into(),
            short_name: f.short_name.trim().into(),
            kind,
            org_unit_id,
            phone: f.phone.trim().into(),
            address: f.address.trim().into(),
            active: true,
            version: 1,
        };
        match reference::agency_insert(tx.conn(), &a, self.now()).await {
            Err(StoreError::Duplicate(_)) => return Err(AppError::field("code", "code-taken")),
            other => other?,
        }
        let changes = Changes::new()
            .set("code", a.code.as_str())
            .set("name", a.name.as_str())
            .set("kind", kind.code());
        ctx.audit(tx.conn(), "agency.create", "agency", &a.id.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn update_agency(&self, ctx: &Ctx, agency: Id, f: &AgencyForm) -> Result<Agency, AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let mut tx = self.db().begin().await?;
        let before = reference::agency_get(tx.conn(), agency)
            .await?
            .ok_or(AppError::NotFound)?;
        let (kind, org_unit_id) = Self::check_agency(tx.conn(), f, false).await?;
        let after = Agency {
            name: f.name.trim().into(),
            short_name: f.short_name.trim().into(),
            kind,
            org_unit_id,
            phone: f.phone.trim().into(),
            address: f.address.trim().into(),
            active: f.active,
            version: f.version,
            ..before.clone()
        };
        let now_values = vec![
            ("name".to_owned(), before.name.clone()),
            ("short_name".to_owned(), before.short_name.clone()),
            ("phone".to_owned(), before.phone.clone()),
            ("address".to_owned(), before.address.clone()),
        ];
        conflict(
            reference::agency_update(tx.conn(), &after, self.now()).await,
            now_values,
        )?;
        let changes = Changes::new()
            .field("name", before.name.as_str(), after.name.as_str())
            .field(
                "short_name",
                before.short_name.as_str(),
                after.short_name.as_str(),
            )
            .field("kind", before.kind.code(), after.kind.code())
            .field(
                "org_unit_id",
                before.org_unit_id.to_string(),
                after.org_unit_id.to_string(),
            )
            .field("phone", before.phone.as_str(), after.phone.as_str())
            .field("address", before.address.as_str(), after.address.as_str())
            .field("active", before.active, after.active);
        ctx.audit(tx.conn(), "agency.update", "agency", &agency.to_string(), changes)
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn categories(&self, ctx: &Ctx) -> Result<Vec<Category>, AppError> {
        self.authorize(ctx, Action::ViewReference).await?;
        let mut conn = self.db().conn().await?;
        Ok(reference::category_list(&mut conn).await?)
    }

    pub(crate) fn check_category(f: &CategoryForm) -> Result<i64, AppError> {
        let mut checks = Checks::new();
        let c = f.code.trim();
        checks.check(
            (2..=40).contains(&c.len())
                && c.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch == '_' || ch.is_ascii_digit()),
            "code",
            "category-code-invalid",
        );
        checks.check(text_ok(&f.name, 40), "name", "name-invalid");
        checks.check(f.name_en.trim().chars().count() <= 80, "name_en", "too-long");
        let sort = if f.sort_order.trim().is_empty() {
            Some(0)
        } else {
            f.sort_order.trim().parse::<i64>().ok()
        };
        checks.check(sort.is_some(), "sort_order", "number-invalid");
        checks.finish()?;
        Ok(sort.unwrap_or_default())
    }

    pub async fn save_category(&self, ctx: &Ctx, f: &CategoryForm, creating: bool) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageReference).await?;
        let sort_order = Self::check_category(f)?;
        let c = Category {
            code: f.code.trim().into(),
            name: f.name.trim().into(),
            name_en: f.name_en.trim().into(),
            sort_order,
            active: i64::from(f.active || creating),
            version: f.version,
        };
        let mut tx = self.db().begin().await?;
        let before = reference::category_get(tx.conn(), &c.code).await?;
        match (&before, creating) {
            (Some(_), true) => return Err(AppError::field("code", "code-taken")),
            (None, false) => return Err(AppError::NotFound),
            (None, true) => {
                if reference::category_list(tx.conn()).await?.len() >= crate::import::MAX_CATEGORIES {
                    return Err(AppError::Invalid(vec![
                        FieldError::new("code", "categories-full").arg("max", crate::import::MAX_CATEGORIES),
                    ]));
                }
                reference::category_upsert(tx.conn(), &c, self.now()).await?
            }
            (Some(b), false) => conflict(
                reference::category_update(tx.conn(), &c, self.now()).await,
                vec![
                    ("name".into(), b.name.clone()),
                    ("sort_order".into(), b.sort_order.to_string()),
                ],
            )?,
        }
        let (bn, ba) = before
            .as_ref()
            .map(|b| (b.name.clone(), b.active))
            .unwrap_or_default();
        let changes = Changes::new()
            .field("name", bn, c.name.as_str())
            .field("active", ba, c.active);
        ctx.audit(
            tx.conn(),
            if creating {
                "category.create"
            } else {
                "category.update"
            },
            "category",
            &c.code,
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
