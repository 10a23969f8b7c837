//! Attempts to reach a petitioner, recorded on the case (DOMAIN.md §3.2 exemptions). When the
//! record shows the petitioner cannot be reached — a wrong number, a returned letter, a phone left
//! unanswered on several days — the replies owed are exempted with that reason, and the reply
//! steps are skipped as for an anonymous petition.

use gongzhi_domain::audit::Changes;
use gongzhi_domain::contact::{self, Attempt, Channels, Means, Outcome};
use gongzhi_domain::deadline::ClockKind;
use gongzhi_domain::policy::Action;
use gongzhi_domain::workflow::Exempt;
use gongzhi_domain::{Id, time};
use gongzhi_store::contact as rows;

pub use gongzhi_store::contact::ContactAttempt;

use crate::case::parse_local;
use crate::deadlines::exempt_open;
use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// A contact attempt, as the case page's form and `POST /api/v1/cases/{id}/contact-attempts` give it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AttemptForm {
    /// Local time (UTC+8), `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// phone, sms, letter, visit
    pub means: String,
    /// reached, unanswered, wrong_number, returned
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

/// The replies a petitioner is owed, which an unreachable petitioner cannot be given.
const REPLIES: &[ClockKind] = &[
    ClockKind::ProceduralReply,
    ClockKind::ResultReply,
    ClockKind::ProgressReply,
];

impl App {
    /// Records an attempt; says the exemption reason if this attempt made the petitioner count as
    /// unreachable.
    pub async fn record_contact(
        &self,
        ctx: &Ctx,
        case: Id,
        f: &AttemptForm,
    ) -> Result<Option<&'static str>, AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let now = self.now();
        let mut checks = Checks::new();
        let at = parse_local(&f.at);
        checks.check(at.is_some_and(|a| a <= now), "at", "date-invalid");
        let means = Means::parse(&f.means);
        checks.check(means.is_some(), "means", "contact-means-invalid");
        let outcome = Outcome::parse(&f.outcome);
        checks.check(outcome.is_some(), "outcome", "contact-outcome-invalid");
        checks.check(f.note.trim().chars().count() <= 200, "note", "too-long");
        checks.finish()?;
        let (Some(at), Some(means), Some(outcome)) = (at, means, outcome) else {
            return Err(AppError::NotFound);
        };
        let mut tx = self.db().begin().await?;
        let mut c = self.case_for_write(tx.conn(), ctx, case).await?;
        if c.status.is_closed() {
            return Err(AppError::field("outcome", "case-closed"));
        }
        if at < c.received_at {
            return Err(AppError::field("at", "contact-before-received"));
        }
        rows::insert_attempt(
            tx.conn(),
            &ContactAttempt {
                id: Id::new().to_string(),
                case_id: case.to_string(),
                at: time::to_millis(at),
                means: means.code().into(),
                outcome: outcome.code().into(),
                note: f.note.trim().to_owned(),
                by_name: actor.display_name.clone(),
                created_at: time::to_millis(now),
            },
        )
        .await?;
        self.event(tx.conn(), ctx, &c, "contact-attempt", outcome.code(), false)
            .await?;
        let all: Vec<Attempt> = rows::attempts(tx.conn(), case)
            .await?
            .iter()
            .filter_map(|a| {
                Some(Attempt {
                    on: time::local_date(time::from_millis(a.at)),
                    outcome: Outcome::parse(&a.outcome)?,
                })
            })
            .collect();
        // The ways on file: a phone or a postal address of any party (§3.2 "no/incorrect contact").
        let parties = gongzhi_store::case::parties(tx.conn(), case).await?;
        let channels = Channels {
            phone: parties.iter().any(|p| p.phone_enc.is_some()),
            address: parties.iter().any(|p| p.address_enc.is_some()),
        };
        let exempted = match contact::unreachable(&all, channels) {
            Some(reason) if c.exempt_reason.is_empty() => {
                c.exempt_reason = reason.to_owned();
                self.save(tx.conn(), &c).await?;
                exempt_open(tx.conn(), case, Exempt::Kinds(REPLIES), reason, self.now()).await?;
                self.event(tx.conn(), ctx, &c, "replies-exempted", reason, false)
                    .await?;
                Some(reason)
            }
            _ => None,
        };
        ctx.audit(
            tx.conn(),
            "case.contact_attempt",
            "case",
            &case.to_string(),
            Changes::new()
                .set("means", means.code())
                .set("outcome", outcome.code())
                .set("exempted", exempted.unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(exempted)
    }

    pub(crate) async fn contact_attempts(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        case: Id,
    ) -> Result<Vec<ContactAttempt>, AppError> {
        Ok(rows::attempts(conn, case).await?)
    }
}
