//! Open311 GeoReport v2 as partner systems use it: reading requests (public fields for anyone, a
//! partner's own requests in full), and locating a new request from `address_id`, `address_string`
//! or `lat`/`long`. Submitting goes through `portal_submit` with the partner's context.

use gongzhi_domain::locate::{self, Place};
use gongzhi_domain::org::OrgLevel;
use gongzhi_domain::publication::Audience;
use gongzhi_domain::workflow::Channel;
use gongzhi_domain::{Id, Principal, time};
use gongzhi_store::case::{self, Case, CaseFilter};
use gongzhi_store::reference;

use crate::publication::{PublicCase, visible};
use crate::throttle::Guesses;
use crate::{App, AppError, Ctx};

/// Requests one `GET requests` answers at most (GeoReport lets a server limit it).
pub const MAX_LISTED: i64 = 50;
/// Ids one look-up may ask for.
pub const MAX_IDS: usize = 20;
/// Look-ups by id per client address per hour.
const LOOKUPS_PER_HOUR: i64 = 300;
/// Unknown ids asked for from one address before it is locked: codes are not to be guessed.
const UNKNOWN_IDS: Guesses = Guesses {
    max: 20,
    lockout: chrono::Duration::hours(1),
};
/// A request located by coordinates goes to a place at most this far away.
const NEAREST_KM: f64 = 30.0;

/// The filters of `GET requests`.
#[derive(Clone, Debug, Default)]
pub struct RequestsQuery {
    pub ids: Vec<String>,
    /// true: open only; false: closed only.
    pub open: Option<bool>,
    pub service_code: Option<String>,
    pub start: Option<time::Timestamp>,
    pub end: Option<time::Timestamp>,
}

/// Where a new request is, as the client described it.
#[derive(Clone, Debug, Default)]
pub struct Location {
    pub address_id: String,
    pub address_string: String,
    pub lat: String,
    pub long: String,
}

fn audience(ctx: &Ctx, c: &Case) -> Option<Audience> {
    match ctx.principal() {
        Principal::Public => Some(Audience::Anyone),
        Principal::Partner(p) => Some(Audience::Partner {
            sent_it: c.source_key_id == Some(p.key_id),
        }),
        _ => None,
    }
}

impl App {
    /// `GET requests`: by ids (throttled per address), or the newest requests that came in
    /// publicly, without any case with a minor party, at most `MAX_LISTED`.
    pub async fn open311_requests(&self, ctx: &Ctx, q: &RequestsQuery) -> Result<Vec<PublicCase>, AppError> {
        if !q.ids.is_empty() {
            let mut out = Vec::new();
            for id in q.ids.iter().take(MAX_IDS) {
                match self.open311_request(ctx, id).await {
                    Ok(p) => out.push(p),
                    Err(AppError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            return Ok(out);
        }
        let f = CaseFilter {
            open: q.open,
            channel: Some(Channel::Portal),
            category: q.service_code.clone(),
            received_from: q.start.map(time::to_millis),
            received_before: q.end.map(time::to_millis),
            without_minor: true,
            limit: MAX_LISTED,
            ..Default::default()
        };
        let mut conn = self.db().conn().await?;
        let (list, _) = case::list_cases(&mut conn, &f).await?;
        let mut out = Vec::new();
        for c in list {
            let Some(to) = audience(ctx, &c).filter(|to| visible(&c, *to)) else {
                continue;
            };
            out.push(self.public_case(&mut conn, c, to).await?);
        }
        Ok(out)
    }

    /// `GET requests/{id}`: the publicly received request with this Open311 id, as the caller may
    /// see it. Unknown ids are counted against the caller's address. (Tracking codes are the
    /// submitter's secret and open nothing here.)
    pub async fn open311_request(&self, ctx: &Ctx, id: &str) -> Result<PublicCase, AppError> {
        let id = id.trim().to_ascii_lowercase();
        let bucket = format!("open311-ip:{}", ctx.address_key());
        let mut tx = self.db().begin().await?;
        self.count_hit(tx.conn(), "open311-get", &ctx.address_key(), LOOKUPS_PER_HOUR)
            .await?;
        self.refuse_if_locked(tx.conn(), &[&bucket]).await?;
        let found = case::case_by_public_id(tx.conn(), &id).await?;
        let found = found.and_then(|c| audience(ctx, &c).filter(|to| visible(&c, *to)).map(|to| (c, to)));
        if found.is_none() {
            self.count_failure(tx.conn(), &[(&bucket, UNKNOWN_IDS)]).await?;
        }
        tx.commit().await?;
        let (c, to) = found.ok_or(AppError::NotFound)?;
        let mut conn = self.db().conn().await?;
        self.public_case(&mut conn, c, to).await
    }

    /// The place of a new request: the village, community or township with the 12-digit code
    /// `address_id`; else the most specific one `address_string` names; else the nearest to
    /// `lat`/`long`. `None` when nothing is known.
    pub async fn open311_place(&self, at: &Location) -> Result<Option<Id>, AppError> {
        let mut conn = self.db().conn().await?;
        let code = at.address_id.trim();
        if !code.is_empty() {
            return Ok(reference::org_by_code(&mut conn, code)
                .await?
                .filter(|u| u.active && matches!(u.level, OrgLevel::Village | OrgLevel::Township))
                .map(|u| u.id));
        }
        let mut places = Vec::new();
        for level in [OrgLevel::Township, OrgLevel::Village] {
            for u in reference::org_by_level(&mut conn, level).await? {
                if u.active {
                    places.push(Place {
                        id: u.id,
                        name: u.name,
                        level,
                        township: u.parent_id.filter(|_| level == OrgLevel::Village),
                        coords: u.coords,
                    });
                }
            }
        }
        if let Some(id) = locate::by_address(&at.address_string, &places) {
            return Ok(Some(id));
        }
        Ok(
            match (locate::parse_degrees(&at.lat), locate::parse_degrees(&at.long)) {
                (Some(lat), Some(long)) => locate::nearest(lat, long, &places, NEAREST_KM),
                _ => None,
            },
        )
    }
}
