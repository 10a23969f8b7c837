//! Sessions: logging out (here or everywhere), one's own sessions, and purging dead ones.

use gongzhi_domain::audit::Changes;
use gongzhi_store::sessions;
use gongzhi_store::sessions::Session;
use gongzhi_store::users::{self, User};

use super::actor_of;
use crate::{App, AppError, Ctx};

impl App {
    /// The user of the request's session, complete or not: the second-factor and password-change
    /// steps run before the login is complete, for this user only.
    pub(super) async fn session_user(&self, ctx: &Ctx) -> Result<(Session, User), AppError> {
        let Some(key) = ctx.session_key() else {
            return Err(AppError::Unauthenticated);
        };
        let mut conn = self.db().conn().await?;
        let session = sessions::get(&mut conn, key)
            .await?
            .filter(|s| s.expires_at > self.now())
            .ok_or(AppError::Unauthenticated)?;
        let user = users::get(&mut conn, session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(AppError::Unauthenticated)?;
        Ok((session, user))
    }

    /// Ends the request's own session (complete or not); without one there is nothing to end.
    pub async fn logout(&self, ctx: &Ctx) -> Result<(), AppError> {
        let Ok((session, user)) = self.session_user(ctx).await else {
            return Ok(());
        };
        let mut tx = self.db().begin().await?;
        if sessions::delete(tx.conn(), &session.key).await? {
            ctx.as_user(actor_of(&user))
                .audit(tx.conn(), "logout", "user", &user.id.to_string(), Changes::new())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and API token of the current user, this one included.
    pub async fn logout_everywhere(&self, ctx: &Ctx) -> Result<u64, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut tx = self.db().begin().await?;
        let n = sessions::delete_for_user(tx.conn(), actor.user_id, None).await?;
        ctx.audit(
            tx.conn(),
            "logout.everywhere",
            "user",
            &actor.user_id.to_string(),
            Changes::new().set("ended", n),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn my_sessions(&self, ctx: &Ctx) -> Result<Vec<Session>, AppError> {
        let actor = self.authorize_user(ctx).await?;
        let mut conn = self.db().conn().await?;
        Ok(sessions::list_for_user(&mut conn, actor.user_id).await?)
    }

    /// Removes expired sessions and idle browser sessions (a periodic job).
    pub async fn purge_sessions(&self, ctx: &Ctx) -> Result<u64, AppError> {
        self.authorize_system(ctx, "purge_sessions").await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let ended = sessions::purge(tx.conn(), now, now - self.security().idle_timeout).await?;
        if ended > 0 {
            ctx.audit(
                tx.conn(),
                "session.purge",
                "auth_session",
                "",
                Changes::new().set("ended", ended),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ended)
    }
}
