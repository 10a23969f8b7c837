//! Account administration: the system administrator creates accounts with business roles; the
//! security administrator grants the administrator roles, unlocks, resets credentials and ends
//! sessions (三权分立, DOMAIN.md §6.2).

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::{self, Action, Role, RoleSetError};
use gongzhi_domain::{Id, password};
use gongzhi_store::users::{self, NewUser};
pub use gongzhi_store::users::{User, UserFilter};
use gongzhi_store::{StoreError, reference, sessions, throttle};

use crate::auth::{account_bucket, hash_password, normalize_username, temporary_password};
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError, Operator};

#[derive(Clone, Debug, Default)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub agency_id: String,
    pub roles: Vec<String>,
    /// Initial password; empty means "generate one".
    pub password: String,
    pub active: bool,
    pub version: i64,
}

pub fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        && u.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// 三权分立 (DOMAIN.md §6.2): the security administrator manages others' credentials, but an
/// administrator's password or second factor is reset only on the command line — otherwise one
/// person could take over the system or the audit administrator's account and act as both.
fn refuse_admin_takeover(by: &Operator, target: &User) -> Result<(), AppError> {
    if matches!(by, Operator::User(_)) && target.roles.iter().any(|r| r.is_admin()) {
        return Err(AppError::field("password", "admin-reset-on-cli"));
    }
    Ok(())
}

fn role_error(e: RoleSetError) -> FieldError {
    match e {
        RoleSetError::Empty => FieldError::new("roles", "roles-empty"),
        RoleSetError::AdminRolesCombined => FieldError::new("roles", "roles-admin-combined"),
        RoleSetError::AdminWithBusinessRole => FieldError::new("roles", "roles-admin-with-business"),
        RoleSetError::WrongAgency { role, .. } => {
            FieldError::new("roles", "roles-wrong-agency").arg("role", role)
        }
    }
}

impl App {
    async fn check_user_form(
        &self,
        by: &Operator,
        f: &UserForm,
        creating: bool,
    ) -> Result<(Id, Vec<Role>), AppError> {
        let mut checks = Checks::new();
        if creating {
            checks.check(
                valid_username(&normalize_username(&f.username)),
                "username",
                "username-invalid",
            );
        }
        let name_len = f.display_name.trim().chars().count();
        checks.check(
            (1..=50).contains(&name_len),
            "display_name",
            "display-name-invalid",
        );
        let mut roles = Vec::new();
        for r in &f.roles {
            match Role::parse(r) {
                Some(role) => roles.push(role),
                None => checks.fail(FieldError::new("roles", "roles-unknown")),
            }
        }
        roles.sort();
        roles.dedup();
        // Only the security administrator hands out administrator roles; the command line, run by
        // whoever operates the server, bootstraps the first ones.
        if roles.iter().any(|r| r.is_admin()) && !by.can(Action::ManageUserSecurity) {
            checks.fail(FieldError::new("roles", "roles-admin-needs-security-admin"));
        }
        let agency = match f.agency_id.parse::<Id>() {
            Ok(id) => {
                let mut conn = self.db().conn().await?;
                reference::agency_get(&mut conn, id).await?
            }
            Err(_) => None,
        };
        match &agency {
            None => checks.fail(FieldError::new("agency_id", "agency-unknown")),
            Some(a) => {
                if let Err(e) = policy::check_role_set(&roles, a.kind) {
                    checks.fail(role_error(e));
                }
            }
        }
        if creating
            && !f.password.is_empty()
            && let Err(e) = password::check(&f.password, &f.username)
        {
            checks.fail(FieldError::new("password", e.message_key()));
        }
        checks.finish()?;
        let agency_id = agency.map(|a| a.id).ok_or(AppError::NotFound)?;
        Ok((agency_id, roles))
    }

    /// Creates an account that must change its password at first login; returns it and the
    /// initial password to hand over.
    pub async fn create_user(&self, ctx: &Ctx, f: &UserForm) -> Result<(User, String), AppError> {
        let by = self.authorize_operator(ctx, Action::ManageUsers).await?;
        let (agency_id, roles) = self.check_user_form(&by, f, true).await?;
        let password = if f.password.is_empty() {
            temporary_password()
        } else {
            f.password.clone()
        };
        let username = normalize_username(&f.username);
        let new = NewUser {
            id: Id::new(),
            username: username.clone(),
            display_name: f.display_name.trim().to_owned(),
            agency_id,
            roles: roles.clone(),
            password_hash: hash_password(&password).await?,
            must_change_password: true,
            demo: false,
        };
        let mut tx = self.db().begin().await?;
        match users::insert(tx.conn(), &new, self.now()).await {
            Err(StoreError::Duplicate(_)) => return Err(AppError::field("username", "username-taken")),
            other => other?,
        }
        let roles_text: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        let changes = Changes::new()
            .set("username", username.as_str())
            .set("display_name", new.display_name.as_str())
            .set("agency_id", agency_id.to_string())
            .set("roles", roles_text.join(","));
        ctx.audit(tx.conn(), "user.create", "user", &new.id.to_string(), changes)
            .await?;
        let user = users::get(tx.conn(), new.id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok((user, password))
    }

    pub async fn update_user(&self, ctx: &Ctx, user_id: Id, f: &UserForm) -> Result<User, AppError> {
        // Either half of account administration may edit; each keeps to its half below.
        let actor = self
            .authorize_any(ctx, &[Action::ManageUsers, Action::ManageUserSecurity])
            .await?;
        let mut conn = self.db().conn().await?;
        let before = users::get(&mut conn, user_id).await?.ok_or(AppError::NotFound)?;
        drop(conn);
        // The system administrator may not touch an administrator's account, nor the security
        // administrator a business profile beyond the administrator roles: each keeps to their half.
        if before.roles.iter().any(|r| r.is_admin()) && !actor.can(Action::ManageUserSecurity) {
            return Err(AppError::Forbidden);
        }
        let (agency_id, roles) = self
            .check_user_form(&Operator::User(actor.clone()), f, false)
            .await?;
        let business = |rs: &[Role]| rs.iter().filter(|r| !r.is_admin()).copied().collect::<Vec<_>>();
        if !actor.can(Action::ManageUsers)
            && (f.display_name.trim() != before.display_name
                || agency_id != before.agency_id
                || business(&roles) != business(&before.roles))
        {
            return Err(AppError::field("roles", "user-security-admin-roles-only"));
        }
        if user_id == actor.user_id && roles != before.roles {
            return Err(AppError::field("roles", "roles-not-own"));
        }
        let mut tx = self.db().begin().await?;
        users::update_profile(
            tx.conn(),
            user_id,
            f.display_name.trim(),
            agency_id,
            f.active,
            f.version,
            self.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict => AppError::Conflict(vec![
                ("display_name".into(), before.display_name.clone()),
                ("agency".into(), before.agency_name.clone()),
                ("active".into(), before.active.to_string()),
            ]),
            other => other.into(),
        })?;
        users::set_roles(tx.conn(), user_id, &roles).await?;
        if !f.active {
            sessions::delete_for_user(tx.conn(), user_id, None).await?;
        }
        let codes = |rs: &[Role]| rs.iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
        let changes = Changes::new()
            .field(
                "display_name",
                before.display_name.as_str(),
                f.display_name.trim(),
            )
            .field("agency_id", before.agency_id.to_string(), agency_id.to_string())
            .field("active", before.active, f.active)
            .field("roles", codes(&before.roles), codes(&roles));
        ctx.audit(tx.conn(), "user.update", "user", &user_id.to_string(), changes)
            .await?;
        let user = users::get(tx.conn(), user_id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user(&self, ctx: &Ctx, user_id: Id) -> Result<User, AppError> {
        self.authorize(ctx, Action::ViewUsers).await?;
        let mut conn = self.db().conn().await?;
        users::get(&mut conn, user_id).await?.ok_or(AppError::NotFound)
    }

    pub async fn users(&self, ctx: &Ctx, f: &UserFilter) -> Result<(Vec<User>, i64), AppError> {
        let actor = self.authorize(ctx, Action::ViewUsers).await?;
        let scope = actor.scope(Action::ViewUsers).ok_or(AppError::Forbidden)?;
        let mut conn = self.db().conn().await?;
        Ok(users::list(&mut conn, &scope, f).await?)
    }

    /// Lifts a lockout early.
    pub async fn unlock_user(&self, ctx: &Ctx, user_id: Id) -> Result<(), AppError> {
        self.authorize(ctx, Action::ManageUserSecurity).await?;
        let mut tx = self.db().begin().await?;
        let user = users::get(tx.conn(), user_id).await?.ok_or(AppError::NotFound)?;
        throttle::clear(tx.conn(), &account_bucket(&user.username)).await?;
        ctx.audit(
            tx.conn(),
            "user.unlock",
            "user",
            &user_id.to_string(),
            Changes::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a temporary password that must be changed at next login and ends the user's sessions.
    pub async fn reset_password(
        &self,
        ctx: &Ctx,
        user_id: Id,
        password: Option<&str>,
    ) -> Result<String, AppError> {
        let by = self.authorize_operator(ctx, Action::ManageUserSecurity).await?;
        let mut conn = self.db().conn().await?;
        let user = users::get(&mut conn, user_id).await?.ok_or(AppError::NotFound)?;
        drop(conn);
        refuse_admin_takeover(&by, &user)?;
        let password = match password {
            Some(p) => {
                password::check(p, &user.username)
                    .map_err(|e| AppError::Invalid(vec![FieldError::new("password", e.message_key())]))?;
                p.to_owned()
            }
            None => temporary_password(),
        };
        let hash = hash_password(&password).await?;
        let mut tx = self.db().begin().await?;
        users::set_password(tx.conn(), user_id, &hash, true, self.now()).await?;
        throttle::clear(tx.conn(), &account_bucket(&user.username)).await?;
        sessions::delete_for_user(tx.conn(), user_id, None).await?;
        ctx.audit(
            tx.conn(),
            "user.reset_password",
            "user",
            &user_id.to_string(),
            Changes::new().field("password_hash", "old", "new"),
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// Removes a user's second factor (a lost phone); they enrol again at next login if required.
    pub async fn reset_totp(&self, ctx: &Ctx, user_id: Id) -> Result<(), AppError> {
        let by = self.authorize_operator(ctx, Action::ManageUserSecurity).await?;
        let mut tx = self.db().begin().await?;
        let user = users::get(tx.conn(), user_id).await?.ok_or(AppError::NotFound)?;
        refuse_admin_takeover(&by, &user)?;
        users::set_totp(tx.conn(), user_id, None, false, self.now()).await?;
        sessions::delete_for_user(tx.conn(), user_id, None).await?;
        ctx.audit(
            tx.conn(),
            "user.reset_totp",
            "user",
            &user_id.to_string(),
            Changes::new().field("totp_secret", "old", "none"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_sessions(&self, ctx: &Ctx, user_id: Id) -> Result<u64, AppError> {
        self.authorize(ctx, Action::ManageUserSecurity).await?;
        let mut tx = self.db().begin().await?;
        let n = sessions::delete_for_user(tx.conn(), user_id, None).await?;
        ctx.audit(
            tx.conn(),
            "user.revoke_sessions",
            "user",
            &user_id.to_string(),
            Changes::new().set("ended", n),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Whether an account is locked out now (for the user page).
    pub async fn locked_until(
        &self,
        ctx: &Ctx,
        username: &str,
    ) -> Result<Option<gongzhi_domain::time::Timestamp>, AppError> {
        self.authorize(ctx, Action::ViewUsers).await?;
        let mut conn = self.db().conn().await?;
        let t = throttle::get(&mut conn, &account_bucket(username)).await?;
        Ok(t.locked_until.filter(|u| *u > self.now()))
    }

    /// An account by its user name (the command line names users that way).
    pub async fn user_by_username(&self, ctx: &Ctx, username: &str) -> Result<User, AppError> {
        self.authorize_operator(ctx, Action::ViewUsers).await?;
        let mut conn = self.db().conn().await?;
        users::by_username(&mut conn, &normalize_username(username))
            .await?
            .ok_or(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_lower_case_ascii() {
        assert!(valid_username("zhang.san"));
        assert!(valid_username("grid_07"));
        assert!(!valid_username("张三"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("7up"));
        assert!(!valid_username("Zhang"));
    }
}
