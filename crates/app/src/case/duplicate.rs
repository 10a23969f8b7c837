//! Repeat petitions and duplicates at intake (issue 13 §2): while a case is being registered, the
//! earlier cases it likely repeats — a party's identity number or phone (blind indexes), the same
//! petitioner and respondent within the window, or a narrative within a few bits of SimHash — and
//! the clerk's decision: a repeat petition (重复信访) of one of them, or a new matter.

use gongzhi_domain::idcard::ResidentId;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::search::simhash;
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, DuplicateQuery};

use super::{IntakeForm, district_wide};
use crate::{App, AppError, Ctx};

/// An earlier case the new one likely repeats, and why.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Likely {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    /// UTC milliseconds.
    pub received_at: i64,
    /// same_identity, same_phone, same_parties, similar_text — the strongest first.
    pub reasons: Vec<&'static str>,
    /// Bits of SimHash between the narratives.
    pub distance: u32,
}

/// The window and the distance the check uses (configuration `[cases]`).
#[derive(Clone, Copy, Debug)]
pub struct RepeatSettings {
    /// Days back in which the same petitioner and respondent make a likely repeat.
    pub window_days: i64,
    /// Hamming distance at or under which narratives are alike (at most 3: four 16-bit bands).
    pub max_distance: u32,
}

impl Default for RepeatSettings {
    fn default() -> Self {
        Self {
            window_days: 365,
            max_distance: simhash::MAX_DISTANCE,
        }
    }
}

fn first_named(f: &IntakeForm, role: &str) -> Option<String> {
    f.parties
        .iter()
        .find(|p| p.role == role && !p.name.trim().is_empty())
        .map(|p| p.name.trim().to_owned())
}

impl App {
    fn duplicate_query(&self, actor: &Actor, f: &IntakeForm, except: Option<Id>) -> DuplicateQuery {
        let today = time::local_date(self.now());
        let settings = self.case_settings().repeats;
        // As many parties as a case may have: the form is checked only when it is registered.
        let parties = &f.parties[..f.parties.len().min(gongzhi_domain::case::MAX_PARTIES)];
        DuplicateQuery {
            except,
            id_indexes: parties
                .iter()
                .filter_map(|p| ResidentId::parse(p.id_number.trim(), today).ok())
                .map(|id| self.cipher().blind_index(id.as_str()))
                .collect(),
            phone_indexes: parties
                .iter()
                .filter_map(|p| Phone::parse(p.phone.trim()).ok())
                .map(|p| self.cipher().blind_index(p.as_str()))
                .collect(),
            petitioner: first_named(f, "petitioner"),
            respondent: first_named(f, "respondent"),
            since: time::to_millis(self.now()) - settings.window_days * 24 * 3600 * 1000,
            simhash: simhash::of_case(&f.title, &f.narrative),
            visible_to: (!district_wide(actor)).then_some(actor.agency_id),
        }
    }

    pub(super) async fn likely(
        &self,
        conn: &mut AnyConnection,
        q: &DuplicateQuery,
    ) -> Result<Vec<Likely>, AppError> {
        let max = self.case_settings().repeats.max_distance;
        let found = case::candidates(conn, q, max).await?;
        let mut out: Vec<Likely> = found
            .into_iter()
            .map(|c| {
                let distance = simhash::distance(q.simhash, simhash::from_stored(c.simhash));
                let mut reasons = Vec::new();
                if c.same_identity != 0 {
                    reasons.push("same_identity");
                }
                if c.same_phone != 0 {
                    reasons.push("same_phone");
                }
                if simhash::similar(q.simhash, simhash::from_stored(c.simhash), max) {
                    reasons.push("similar_text");
                }
                if reasons.is_empty() {
                    reasons.push("same_parties");
                }
                Likely {
                    id: c.id,
                    number: c.number,
                    title: c.title,
                    status: c.status,
                    received_at: c.received_at,
                    reasons,
                    distance,
                }
            })
            .collect();
        // The strongest evidence first: an identity, a phone, the parties, then the text.
        out.sort_by_key(|l| (l.reasons.len() == 1 && l.reasons[0] == "similar_text", l.distance));
        Ok(out)
    }

    /// The earlier cases the case was registered as repeating, those the viewer may open.
    pub(crate) async fn visible_repeats(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        case: Id,
    ) -> Result<Vec<(String, String, String, String)>, AppError> {
        let mut out = Vec::new();
        for (id, number, title, by, _) in case::repeats_of(&mut *conn, case).await? {
            let Ok(earlier) = id.parse::<Id>() else { continue };
            if self.case_for_read(&mut *conn, ctx, earlier).await.is_ok() {
                out.push((id, number, title, by));
            }
        }
        Ok(out)
    }

    /// The earlier cases an intake form (as filled so far) likely repeats, among those the clerk
    /// may open.
    pub async fn likely_duplicates(&self, ctx: &Ctx, f: &IntakeForm) -> Result<Vec<Likely>, AppError> {
        let actor = self.authorize(ctx, Action::RegisterCase).await?;
        let q = self.duplicate_query(&actor, f, None);
        let mut conn = self.db().conn().await?;
        self.likely(&mut conn, &q).await
    }
}
