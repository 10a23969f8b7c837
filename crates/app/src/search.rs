//! Search (issue 13 §1): one box over cases, parties, replies, meetings, hearings, suggestions,
//! aid cases and grid visits — only what the user may open, the scope written into the query.
//! A case number, an identity number or a phone is looked up exactly through the blind indexes;
//! anything else goes to the full-text index.

use chrono::NaiveDate;
use gongzhi_domain::Id;
use gongzhi_domain::idcard::ResidentId;
use gongzhi_domain::phone::Phone;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::search::{self as rules, Query, Segment};
use gongzhi_domain::time;
use gongzhi_store::search::{self as store, Match, Scope, SearchFilter};

use crate::case::district_wide;
use crate::{App, AppError, Ctx, FieldError};

pub use gongzhi_store::search::{COUNT_CAP, Kind};

/// Hits on one page.
pub const PAGE: i64 = 20;
/// Characters of a snippet.
const SNIPPET: usize = 90;

/// What a search box and its filters ask.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: String,
    pub kind: Option<Kind>,
    pub state: Option<String>,
    pub category: Option<String>,
    /// The division code (or its prefix) of a township or village.
    pub place: Option<String>,
    pub agency: Option<Id>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: i64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SearchItem {
    pub kind: &'static str,
    pub id: String,
    /// The case a hit of a case (its party, reply, meeting, hearing, aid) belongs to.
    pub case_id: Option<String>,
    pub number: String,
    pub title: String,
    pub snippet: Vec<Segment>,
    pub score: f64,
    pub at: i64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SearchResults {
    /// Hits counted up to [`COUNT_CAP`]; `capped` when there are more.
    pub total: i64,
    pub capped: bool,
    /// Found by number, identity number or phone rather than by words.
    pub exact: bool,
    pub items: Vec<SearchItem>,
}

/// What the actor may see, kind by kind (the same rules as each kind's own pages: the case's
/// owner, referral and district-wide roles; a hearing's or an aid case's agency; a suggestion's
/// issuer, or its recipient once served; a visit's agency or district-wide).
fn scope_of(actor: &Actor) -> Scope {
    let all = district_wide(actor);
    let me = actor.agency_id;
    let issuer = actor.can(Action::DraftSuggestion);
    Scope {
        cases: actor.can(Action::ViewCases).then_some((!all).then_some(me)),
        hearings: actor.can(Action::ViewHearings).then_some(me),
        aid: actor.can(Action::ViewAid).then_some(me),
        suggestions_issued: (actor.can(Action::ViewSuggestions) && issuer).then_some(me),
        suggestions_received: (actor.can(Action::ViewSuggestions) && !issuer).then_some(me),
        visits: actor.can(Action::ViewGrid).then_some((!all).then_some(me)),
    }
}

impl App {
    pub async fn search(&self, ctx: &Ctx, q: &SearchQuery) -> Result<SearchResults, AppError> {
        let actor = self.authorize(ctx, Action::Search).await?;
        let text = q.q.trim();
        let today = time::local_date(self.now());
        let mut conn = self.read_conn(ctx).await?;
        let id_index = ResidentId::parse(text, today)
            .ok()
            .map(|id| self.cipher().blind_index(id.as_str()));
        let phone_index = Phone::parse(text)
            .ok()
            .map(|p| self.cipher().blind_index(p.as_str()));
        let f = SearchFilter {
            kind: q.kind,
            state: q.state.clone().filter(|s| !s.is_empty()),
            category: q.category.clone().filter(|s| !s.is_empty()),
            place_prefix: q.place.clone().filter(|s| !s.is_empty()),
            agency: q.agency,
            from: q.from.map(|d| time::to_millis(time::start_of_local_day(d))),
            before: q
                .to
                .and_then(|d| d.succ_opt())
                .map(|d| time::to_millis(time::start_of_local_day(d))),
            limit: PAGE,
            offset: q.page.clamp(0, COUNT_CAP / PAGE) * PAGE,
        };
        let scope = scope_of(&actor);
        // Exact first, within the scope: a number or phone that exists only where the user may
        // not look says nothing, and the words are searched instead.
        let found = store::exact(&mut conn, text, id_index.as_deref(), phone_index.as_deref()).await?;
        let (mut hits, mut total) = store::search(&mut conn, &Match::Exact(found), &scope, &f).await?;
        let exact = total > 0;
        let mut query = None;
        if !exact {
            let parsed =
                Query::parse(text).map_err(|e| AppError::Invalid(vec![FieldError::new("q", e.code())]))?;
            (hits, total) = store::search(&mut conn, &Match::Text(parsed.clone()), &scope, &f).await?;
            query = Some(parsed);
        }
        let needles = query.as_ref().map(Query::needles).unwrap_or_default();
        let mut items = Vec::with_capacity(hits.len());
        let mut texts = std::collections::HashMap::new();
        for kind in Kind::ALL {
            let ids: Vec<String> = hits
                .iter()
                .filter(|h| h.kind == kind.code())
                .map(|h| h.entity_id.clone())
                .collect();
            texts.extend(store::texts(&mut conn, kind, &ids).await?);
        }
        for h in hits {
            let Some(kind) = Kind::parse(&h.kind) else {
                continue;
            };
            let text = texts.get(&h.entity_id).map_or("", String::as_str);
            // A party is found by its name (or the name's pinyin): the name is what is marked.
            let marked = match kind {
                Kind::Party => [std::slice::from_ref(&h.title), &needles].concat(),
                _ => needles.clone(),
            };
            items.push(SearchItem {
                kind: kind.code(),
                snippet: rules::snippet(text, &marked, SNIPPET),
                id: h.entity_id,
                case_id: h.case_id,
                number: h.number,
                title: h.title,
                score: h.score,
                at: h.at,
            });
        }
        Ok(SearchResults {
            capped: total > COUNT_CAP,
            total: total.min(COUNT_CAP),
            exact,
            items,
        })
    }

    /// Builds the search index from what is stored, and the phones' blind indexes missing from
    /// parties stored before there was one: after the migration that adds the index (when it is
    /// empty) or when asked (`gongzhi reindex`, after the dictionary changes). Batch by batch,
    /// each its own transaction. Returns how many batches were written.
    pub async fn reindex(&self, ctx: &Ctx, only_if_empty: bool) -> Result<usize, AppError> {
        self.authorize_system(ctx, "reindex").await?;
        rules::warm_up();
        if only_if_empty && !store::needs_rebuild(&mut *self.db().conn().await?).await? {
            return Ok(0);
        }
        let mut batches = 0;
        let mut after = String::new();
        loop {
            let mut tx = self.db().begin().await?;
            let rows = store::phones_to_index(tx.conn(), &after, 500).await?;
            for (party, enc) in &rows {
                let phone = self.cipher().decrypt(enc)?;
                store::set_phone_index(tx.conn(), party, &self.cipher().blind_index(&phone)).await?;
            }
            tx.commit().await?;
            match rows.last() {
                Some((id, _)) => after = id.clone(),
                None => break,
            }
        }
        for kind in Kind::ALL {
            let mut after = String::new();
            loop {
                let mut tx = self.db().begin().await?;
                let last = store::rebuild(tx.conn(), kind, &after, 1000).await?;
                tx.commit().await?;
                batches += 1;
                match last {
                    Some(id) => after = id,
                    None => break,
                }
            }
        }
        Ok(batches)
    }
}
