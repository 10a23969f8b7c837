//! Registering a case: the checks and everything that needs no lock run in each request; the
//! writes of requests that arrive together are committed together (group commit). SQLite has one
//! writer, and each statement is a round trip to its thread, so a case written alone costs eleven
//! statements under the write lock; written with others, the same statements carry them all.

use std::sync::Mutex;

use gongzhi_domain::audit::{Changes, Outcome};
use gongzhi_domain::case as dcase;
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::Action;
use gongzhi_domain::{Id, time};
use gongzhi_store::case::{self, Case, Clock, Party};
use gongzhi_store::idempotency::{self, Remembered};
use gongzhi_store::{AnyConnection, audit, reference};
use tokio::sync::oneshot;

use super::intake::{Intake, IntakeForm, Source, Upload};
use crate::{App, AppError, Ctx, FieldError};

/// The most cases one transaction writes (a statement binds 31 values per case).
const MAX_BATCH: usize = 64;

/// A checked case ready to be written: its number is given when it is written, in the order the
/// writes reach the database.
pub(crate) struct NewCase {
    pub case: Case,
    /// The year of its number (that of receipt).
    pub year: i32,
    pub agency_short_name: String,
    pub parties: Vec<Party>,
    pub clocks: Vec<Clock>,
    pub ctx: Ctx,
    /// Registered by staff or a partner's API call (audited as `case.register`), with the key that
    /// makes a retry safe; `None` for the portal, which audits its own submission.
    pub registration: Option<Registration>,
    /// The earlier case it repeats, checked visible to the clerk (issue 13 §2).
    pub repeat_of: Option<Id>,
}

pub(crate) struct Registration {
    pub principal: String,
    pub key: Option<String>,
}

type Waiting = (NewCase, oneshot::Sender<Result<Case, AppError>>);

/// Cases waiting to be written, and the lock of the one request writing them.
#[derive(Default)]
pub(crate) struct Committer {
    queue: Mutex<Vec<Waiting>>,
    writer: tokio::sync::Mutex<()>,
}

impl App {
    /// Registers a case from a staff member's form (UI or API). With an idempotency key, a retry
    /// returns the case the first call created.
    pub async fn register_case(
        &self,
        ctx: &Ctx,
        f: &IntakeForm,
        uploads: &[Upload],
        idempotency_key: Option<&str>,
    ) -> Result<Case, AppError> {
        let actor = self.authorize(ctx, Action::RegisterCase).await?;
        let principal = actor.user_id.to_string();
        let key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        // What only reads — a retry's case, the agency, the checks against reference data, the
        // rules of the clocks — runs before the write, so that the write lock is held for the
        // inserts alone. A retry racing this one is caught by the unique key when written.
        let mut conn = self.db().conn().await?;
        if let Some(key) = key
            && let Some(existing) = idempotency::idempotent_case(&mut conn, &principal, key).await?
        {
            return case::get_case(&mut conn, existing)
                .await?
                .ok_or(AppError::NotFound);
        }
        let agency = reference::agency_get(&mut conn, actor.agency_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(earlier) = f.repeat_of {
            self.case_for_read(&mut conn, ctx, earlier)
                .await
                .map_err(|_| AppError::Invalid(vec![FieldError::new("repeat_of", "repeat-of-unknown")]))?;
        }
        let intake = self.check_intake(&mut conn, f, uploads, Source::Desk).await?;
        let registration = Registration {
            principal: principal.clone(),
            key: key.map(str::to_owned),
        };
        let written = if uploads.is_empty() {
            let new = self
                .prepare_case(&mut conn, ctx, &agency, intake, Some(registration))
                .await?;
            drop(conn);
            self.commit_together(new).await
        } else {
            // Files go with their case in one transaction of its own.
            drop(conn);
            self.insert_alone(ctx, &agency, intake, uploads, registration)
                .await
        };
        match written {
            Ok(c) => Ok(c),
            // A concurrent retry got there first: this attempt rolled back (its number too) and
            // answers with the case the first one made.
            Err(e) => match key {
                Some(key) => {
                    let mut conn = self.db().conn().await?;
                    match idempotency::idempotent_case(&mut conn, &principal, key).await? {
                        Some(first) => case::get_case(&mut conn, first).await?.ok_or(AppError::NotFound),
                        None => Err(e),
                    }
                }
                None => Err(e),
            },
        }
    }

    /// Registers a case from a staff member's form in the caller's transaction, with what the
    /// caller writes beside it (a reception record that opens the case, `reception`).
    pub(crate) async fn register_in(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        f: &IntakeForm,
    ) -> Result<Case, AppError> {
        let actor = ctx.actor()?;
        if !actor.can(Action::RegisterCase) {
            return Err(AppError::Forbidden);
        }
        let agency = reference::agency_get(&mut *conn, actor.agency_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let registration = Registration {
            principal: actor.user_id.to_string(),
            key: None,
        };
        let intake = self.check_intake(&mut *conn, f, &[], Source::Desk).await?;
        self.insert_case(conn, ctx, &agency, intake, &[], Some(registration))
            .await
    }

    /// Queues a case and writes what is queued once the write turn comes: whoever holds the turn
    /// writes everything queued so far, so requests arriving while a write runs share the next one.
    async fn commit_together(&self, new: NewCase) -> Result<Case, AppError> {
        let (done, answer) = oneshot::channel();
        let committer = self.committer();
        lock(&committer.queue).push((new, done));
        {
            let _turn = committer.writer.lock().await;
            loop {
                let batch: Vec<Waiting> = {
                    let mut q = lock(&committer.queue);
                    let n = q.len().min(MAX_BATCH);
                    q.drain(..n).collect()
                };
                if batch.is_empty() {
                    break;
                }
                self.write_batch(batch).await;
            }
        }
        answer
            .await
            .map_err(|_| AppError::Internal("registration dropped".into()))?
    }

    /// One transaction for the batch; if it fails, each case in a transaction of its own, so that
    /// one refusal (a duplicate key) refuses that case alone.
    async fn write_batch(&self, batch: Vec<Waiting>) {
        let (cases, answers): (Vec<NewCase>, Vec<_>) = batch.into_iter().unzip();
        tracing::debug!(cases = cases.len(), "registrations written together");
        match self.write_committed(&cases).await {
            Ok(written) => {
                for (c, a) in written.into_iter().zip(answers) {
                    let _ = a.send(Ok(c));
                }
            }
            Err(e) if cases.len() == 1 => {
                if let Some(a) = answers.into_iter().next() {
                    let _ = a.send(Err(e));
                }
            }
            Err(_) => {
                for (new, a) in cases.iter().zip(answers) {
                    let r = self
                        .write_committed(std::slice::from_ref(new))
                        .await
                        .map(|mut v| v.remove(0));
                    let _ = a.send(r);
                }
            }
        }
    }

    async fn write_committed(&self, cases: &[NewCase]) -> Result<Vec<Case>, AppError> {
        let mut tx = self.db().begin().await?;
        let written = self.write_cases(tx.conn(), cases).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Writes prepared cases: numbers in order per agency and year, then each table in one
    /// statement — cases, parties, clocks, first timeline entries, keys and audit events.
    pub(crate) async fn write_cases(
        &self,
        conn: &mut AnyConnection,
        cases: &[NewCase],
    ) -> Result<Vec<Case>, AppError> {
        let mut written: Vec<Case> = cases.iter().map(|n| n.case.clone()).collect();
        let series: Vec<(i32, &str)> = cases
            .iter()
            .map(|n| (n.year, n.agency_short_name.as_str()))
            .collect();
        self.give_numbers(&mut *conn, &mut written, &series).await?;
        case::insert_cases(&mut *conn, &written).await?;
        let parties: Vec<Party> = cases.iter().flat_map(|n| n.parties.iter().cloned()).collect();
        case::insert_parties(&mut *conn, &parties).await?;
        for (n, c) in cases.iter().zip(&written) {
            if let (Some(earlier), Ok(actor)) = (n.repeat_of, n.ctx.actor()) {
                let at = time::to_millis(c.created_at);
                case::put_link(
                    &mut *conn,
                    c.id,
                    earlier,
                    case::LinkKind::Repeat,
                    &actor.display_name,
                    at,
                )
                .await?;
            }
        }
        let clocks: Vec<Clock> = cases.iter().flat_map(|n| n.clocks.iter().cloned()).collect();
        case::insert_clocks(&mut *conn, &clocks).await?;
        let events: Vec<_> = written
            .iter()
            .zip(cases)
            .map(|(c, n)| {
                let detail = EventDetail::Registered {
                    number: c.number.clone(),
                    channel: c.channel,
                }
                .encode();
                self.event_row(&n.ctx, c, "registered", &detail, true)
            })
            .collect();
        case::insert_events(&mut *conn, &events).await?;
        let now = self.now();
        let keys: Vec<Remembered> = written
            .iter()
            .zip(cases)
            .filter_map(|(c, n)| {
                let r = n.registration.as_ref()?;
                Some(Remembered {
                    principal: r.principal.clone(),
                    key: r.key.clone()?,
                    case: c.id,
                    at: now,
                })
            })
            .collect();
        idempotency::remember_idempotent(&mut *conn, &keys).await?;
        let audits: Vec<_> = written
            .iter()
            .zip(cases)
            .filter(|(_, n)| n.registration.is_some())
            .map(|(c, n)| {
                (
                    Id::new(),
                    n.ctx.event(
                        "case.register",
                        "case",
                        &c.id.to_string(),
                        Outcome::Success,
                        &registered(c),
                    ),
                )
            })
            .collect();
        audit::insert_many(&mut *conn, &audits).await?;
        Ok(written)
    }

    /// Numbers the cases that have none, in order per agency, kind (字) and year — `of` gives each
    /// case's year of receipt and its agency's short name — taking each series' numbers at once.
    pub(crate) async fn give_numbers(
        &self,
        conn: &mut AnyConnection,
        cases: &mut [Case],
        of: &[(i32, &str)],
    ) -> Result<(), AppError> {
        let pattern = &self.case_settings().number_pattern;
        let mut counters: Vec<(Id, &'static str, i32, i64)> = Vec::new();
        for (c, (year, _)) in cases.iter().zip(of).filter(|(c, _)| c.number.is_empty()) {
            let series = dcase::number_series(pattern, c.kind);
            match counters
                .iter_mut()
                .find(|(a, s, y, _)| *a == c.owner_agency_id && *s == series && y == year)
            {
                Some(n) => n.3 += 1,
                None => counters.push((c.owner_agency_id, series, *year, 1)),
            }
        }
        for (agency, series, year, count) in &mut counters {
            let last = case::take_seqs(&mut *conn, *agency, series, *year, *count).await?;
            // From now on the first number of the group still to give.
            *count = last - *count + 1;
        }
        for (c, (year, short)) in cases.iter_mut().zip(of).filter(|(c, _)| c.number.is_empty()) {
            let series = dcase::number_series(pattern, c.kind);
            let Some(next) = counters
                .iter_mut()
                .find(|(a, s, y, _)| *a == c.owner_agency_id && *s == series && y == year)
            else {
                return Err(AppError::Internal("case counter missing".into()));
            };
            c.number = dcase::case_number(pattern, short, c.kind, *year, next.3);
            next.3 += 1;
        }
        Ok(())
    }

    async fn insert_alone(
        &self,
        ctx: &Ctx,
        agency: &reference::Agency,
        intake: Intake,
        uploads: &[Upload],
        registration: Registration,
    ) -> Result<Case, AppError> {
        let mut tx = self.db().begin().await?;
        let c = self
            .insert_case(tx.conn(), ctx, agency, intake, uploads, Some(registration))
            .await?;
        tx.commit().await?;
        Ok(c)
    }
}

fn registered(c: &Case) -> Changes {
    Changes::new()
        .set("number", c.number.clone())
        .set("kind", c.kind.code())
        .set("channel", c.channel.code())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
