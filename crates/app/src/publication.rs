//! What the public, the submitter and partner systems see of a case — built here and nowhere else,
//! from the rules in `domain::publication` — and releasing a title and a reply for publication.

use chrono::NaiveDate;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::case::ReplyChannel;
use gongzhi_domain::deadline::ClockKind;
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::Action;
use gongzhi_domain::publication::{self, Audience, CaseFacts};
use gongzhi_domain::workflow::{CaseKind, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::case::{self, Case};
use gongzhi_store::{AnyConnection, Page, reply};

/// Public steps shown of a case at most (the latest).
const STEPS_SHOWN: i64 = 50;

use crate::error::Checks;
use crate::{App, AppError, Ctx};

/// A reply sent to the submitter.
#[derive(Clone, Debug)]
pub struct PublicReply {
    pub kind: String,
    pub sent_at: time::Timestamp,
    pub body: String,
}

/// What leaves the building of a case. Always: the service,
/// the status, the village-level place, the agency and the dates. The rest only as
/// `domain::publication::disclose` allows.
#[derive(Clone, Debug)]
pub struct PublicCase {
    /// The id Open311 shows (requests that came in publicly).
    pub public_id: Option<String>,
    pub kind: CaseKind,
    pub status: Status,
    pub closed: bool,
    pub category_code: String,
    pub category_name: String,
    pub place_name: String,
    pub agency_name: String,
    pub received_at: time::Timestamp,
    pub updated_at: time::Timestamp,
    /// The case number (the submitter's receipt; a partner's own requests).
    pub number: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub public_reply: Option<String>,
    /// Replies sent through the portal, when the audience may read them.
    pub replies: Vec<PublicReply>,
    /// Whether replies are shown at all (not for a case concerning a minor).
    pub replies_shown: bool,
    /// (clock kind, due date) of the reply clocks still running.
    pub expected: Vec<(ClockKind, NaiveDate)>,
    /// (event kind, date, what it says) of the public steps; what it says is shown only for an
    /// extension, whose reason the petitioner is told (§3.3).
    pub steps: Vec<(String, time::Timestamp, EventDetail)>,
}

/// A title and a reply staff write for publication.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PublicationForm {
    /// A title written for the public (at most 60 characters; no names, phones or ID numbers).
    pub title: String,
    /// The agency's reply written for the public (at most 1000 characters).
    pub reply: String,
}

fn facts(c: &Case) -> CaseFacts<'_> {
    CaseFacts {
        has_minor: c.has_minor,
        title: &c.title,
        narrative: &c.narrative,
        public_title: &c.public_title,
        public_reply: &c.public_reply,
    }
}

/// Whether `to` may be told the case exists at all.
pub(crate) fn visible(c: &Case, to: Audience) -> bool {
    publication::disclose(&facts(c), to).visible
}

impl App {
    /// The case as `to` may see it; `NotFound` when `to` may not even know it exists.
    pub(crate) async fn public_case(
        &self,
        conn: &mut AnyConnection,
        c: Case,
        to: Audience,
    ) -> Result<PublicCase, AppError> {
        let d = publication::disclose(&facts(&c), to);
        if !d.visible {
            return Err(AppError::NotFound);
        }
        // Only what was answered through the portal: a letter or a call is not read back here.
        let replies = if d.own_replies {
            reply::replies(&mut *conn, c.id)
                .await?
                .into_iter()
                .filter(|r| r.channel == ReplyChannel::Portal.code())
                .map(|r| PublicReply {
                    kind: r.kind,
                    sent_at: time::from_millis(r.sent_at),
                    body: r.body,
                })
                .collect()
        } else {
            Vec::new()
        };
        let clocks = self.clocks(&mut *conn).await?;
        let today = time::local_date(self.now());
        let expected = case::clocks(&mut *conn, c.id)
            .await?
            .into_iter()
            .filter(|k| {
                matches!(
                    k.kind,
                    ClockKind::ProceduralReply
                        | ClockKind::ResultReply
                        | ClockKind::ProgressReply
                        | ClockKind::GridClosure
                        | ClockKind::Handling
                        | ClockKind::Acceptance
                ) && clocks.state(k, today).is_counting()
            })
            .map(|k| (k.kind, k.due_date))
            .collect();
        let steps = case::events(&mut *conn, c.id, true, Page::first(STEPS_SHOWN))
            .await?
            .items
            .into_iter()
            .map(|e| {
                let said = match EventDetail::decode(&e.kind, &e.detail) {
                    d @ EventDetail::ClockChanged { .. } if e.kind == "clock-extended" => d,
                    _ => EventDetail::None,
                };
                (e.kind, time::from_millis(e.at), said)
            })
            .collect();
        Ok(PublicCase {
            public_id: c.public_id.clone(),
            kind: c.kind,
            status: c.status,
            closed: c.status.is_closed(),
            category_code: c.category_code,
            category_name: c.category_name,
            place_name: c.place_name,
            agency_name: c.owner_agency_name,
            received_at: c.received_at,
            updated_at: c.updated_at,
            number: d.number.then_some(c.number),
            title: d.title,
            description: d.description,
            public_reply: d.public_reply,
            replies,
            replies_shown: d.own_replies,
            expected,
            steps,
        })
    }

    /// Releases a title and a reply written for publication (both empty withdraw it). Never for a
    /// case with a minor party (Minor Protection Law Art. 103).
    pub async fn publish(&self, ctx: &Ctx, case: Id, f: &PublicationForm) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::HandleCase).await?;
        let mut tx = self.db().begin().await?;
        let c = self.case_for_write(tx.conn(), ctx, case).await?;
        let (title, reply) = (f.title.trim(), f.reply.trim());
        let mut checks = Checks::new();
        checks.check(
            publication::may_release(c.has_minor),
            "public_title",
            "publication-minor",
        );
        checks.check(
            title.chars().count() <= 60,
            "public_title",
            "public-title-too-long",
        );
        checks.check(
            reply.chars().count() <= 1000,
            "public_reply",
            "public-reply-too-long",
        );
        checks.check(
            !publication::holds_personal_number(title),
            "public_title",
            "publication-number",
        );
        checks.check(
            !publication::holds_personal_number(reply),
            "public_reply",
            "publication-number",
        );
        checks.finish()?;
        let withdrawn = title.is_empty() && reply.is_empty();
        let (by, at) = if withdrawn {
            (String::new(), None)
        } else {
            (actor.display_name.clone(), Some(self.now()))
        };
        case::set_publication(tx.conn(), case, title, reply, &by, at).await?;
        let what = if withdrawn {
            "publication-withdrawn"
        } else {
            "published"
        };
        self.event(tx.conn(), ctx, &c, what, title, false).await?;
        ctx.audit(
            tx.conn(),
            "case.publish",
            "case",
            &case.to_string(),
            Changes::new()
                .field("public_title", c.public_title.as_str(), title)
                .field("public_reply", c.public_reply.as_str(), reply),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
