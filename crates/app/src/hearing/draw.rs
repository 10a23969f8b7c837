//! Seating a hearing's officers: the random draw from the pool (weighted to spread participation,
//! narrowed by eligibility on the hearing day and by expertise, reproducible from its recorded
//! seed), and choosing or removing an officer by hand (DOMAIN.md §3.6 "selection").

use gongzhi_domain::audit::Changes;
use gongzhi_domain::hearing::draw::{self as rules, Candidate};
use gongzhi_domain::hearing::officer::{self, Warning};
use gongzhi_domain::hearing::{HearingState, OFFICERS};
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::{Id, time};
use gongzhi_store::hearing::officer as pool;
use gongzhi_store::hearing::{self as store, DrawRow, SeatRow};
use gongzhi_store::{AnyConnection, Tx, case};
use rand::RngCore;

use super::Hearing;
use super::pool::Officer;
use crate::{App, AppError, Ctx, FieldError};

/// `POST /api/v1/hearings/{id}/draw`: how many to draw, from whom.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DrawForm {
    pub wanted: i64,
    /// Only people with this expertise (blank: anyone eligible).
    #[serde(default)]
    pub expertise: String,
}

/// A recorded draw, re-run on its own record to show it was fair.
#[derive(Clone, Debug)]
pub struct DrawView {
    pub row: DrawRow,
    pub candidates: usize,
    pub picked: Vec<String>,
    /// Re-running the draw on the recorded candidates and seed gives the recorded names.
    pub verified: bool,
}

/// An officer who may be seated on the hearing day, with what to look at.
#[derive(Clone, Debug)]
pub struct Eligible {
    pub officer: Officer,
    pub warnings: Vec<Warning>,
}

fn warning_text(w: &[Warning]) -> String {
    w.iter()
        .map(|w| match w {
            Warning::SameSurnameAndVillage { party } => format!("same_surname_village:{party}"),
        })
        .collect::<Vec<_>>()
        .join(";")
}

impl App {
    pub(crate) async fn draw_view(&self, conn: &mut AnyConnection, d: DrawRow) -> Result<DrawView, AppError> {
        let candidates: Vec<Candidate> = serde_json::from_str(&d.candidates).unwrap_or_default();
        let picked: Vec<Id> = serde_json::from_str(&d.picked).unwrap_or_default();
        let rerun = d
            .seed
            .parse::<u64>()
            .ok()
            .and_then(|seed| rules::draw(&candidates, usize::try_from(d.wanted).ok()?, seed).ok());
        let mut names = Vec::new();
        for id in &picked {
            names.push(
                pool::officer(&mut *conn, *id)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default(),
            );
        }
        Ok(DrawView {
            verified: rerun.as_ref() == Some(&picked),
            candidates: candidates.len(),
            picked: names,
            row: d,
        })
    }

    /// A prepared hearing of the actor's agency whose seats may change (before the notices).
    async fn hearing_to_seat(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Id,
    ) -> Result<(Hearing, case::Case), AppError> {
        let h = self.hearing_for(tx.conn(), actor, id).await?;
        if h.state != HearingState::Prepared {
            return Err(AppError::Invalid(vec![
                FieldError::new("officers", "hearing-seats-not-now").arg("state", h.state),
            ]));
        }
        let c = case::get_case(tx.conn(), h.row.case_id.parse().map_err(|_| AppError::NotFound)?)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((h, c))
    }

    /// The pool's people who may sit on the hearing on its day and are not seated yet.
    async fn eligible_in(
        &self,
        conn: &mut AnyConnection,
        h: &Hearing,
        c: &case::Case,
    ) -> Result<Vec<Eligible>, AppError> {
        let day = h
            .row
            .scheduled_at
            .map(|at| time::local_date(time::from_millis(at)))
            .unwrap_or_else(|| time::local_date(self.now()));
        let parties = self.hearing_parties(&mut *conn, c).await?;
        let seated: Vec<String> = store::seats(&mut *conn, h.row.id.parse().map_err(|_| AppError::NotFound)?)
            .await?
            .into_iter()
            .map(|s| s.officer_id)
            .collect();
        let mut out = Vec::new();
        for row in pool::officers(&mut *conn, Some("active")).await? {
            if seated.contains(&row.id) {
                continue;
            }
            let o = self.officer_of(row)?;
            if let Ok(warnings) = officer::eligibility(&o.standing(), day, &parties) {
                out.push(Eligible { officer: o, warnings });
            }
        }
        Ok(out)
    }

    /// Who may still be seated on a prepared hearing, for choosing by hand.
    pub async fn eligible_officers(&self, ctx: &Ctx, id: Id) -> Result<Vec<Eligible>, AppError> {
        let actor = self.authorize(ctx, Action::ConductHearing).await?;
        let mut conn = self.db().conn().await?;
        let h = self.hearing_for(&mut conn, &actor, id).await?;
        let c = case::get_case(&mut conn, h.row.case_id.parse().map_err(|_| AppError::NotFound)?)
            .await?
            .ok_or(AppError::NotFound)?;
        self.eligible_in(&mut conn, &h, &c).await
    }

    /// Draws officers for the free seats; the seed, the candidates as they stood and the names
    /// drawn are recorded with the draw.
    pub async fn draw_officers(&self, ctx: &Ctx, id: Id, f: &DrawForm) -> Result<Vec<Id>, AppError> {
        let actor = self.authorize(ctx, Action::ConductHearing).await?;
        let mut tx = self.db().begin().await?;
        let (h, c) = self.hearing_to_seat(&mut tx, &actor, id).await?;
        let seated = store::seats(tx.conn(), id).await?;
        let free = OFFICERS.end().saturating_sub(seated.len());
        let wanted = usize::try_from(f.wanted).unwrap_or(0);
        if wanted == 0 || wanted > free {
            return Err(AppError::Invalid(vec![
                FieldError::new("wanted", "hearing-draw-wanted-invalid").arg("free", free),
            ]));
        }
        let expertise = f.expertise.trim();
        let eligible: Vec<Eligible> = self
            .eligible_in(tx.conn(), &h, &c)
            .await?
            .into_iter()
            .filter(|e| expertise.is_empty() || e.officer.expertise.iter().any(|x| x.contains(expertise)))
            .collect();
        let candidates: Vec<Candidate> = eligible
            .iter()
            .filter_map(|e| {
                Some(Candidate {
                    id: e.officer.id().parse().ok()?,
                    participations: u32::try_from(e.officer.row.participations).unwrap_or(0),
                })
            })
            .collect();
        let seed = rand::rngs::OsRng.next_u64();
        let picked = rules::draw(&candidates, wanted, seed).map_err(|s| {
            AppError::Invalid(vec![
                FieldError::new("wanted", "hearing-draw-shortfall")
                    .arg("wanted", s.wanted)
                    .arg("eligible", s.eligible)
                    .arg("missing", s.wanted - s.eligible),
            ])
        })?;
        let mut seats = seated.clone();
        for p in &picked {
            let e = eligible.iter().find(|e| e.officer.id() == p.to_string());
            seats.push(SeatRow {
                hearing_id: id.to_string(),
                officer_id: p.to_string(),
                seq: seats.len() as i64 + 1,
                how: "drawn".into(),
                warning: e.map(|e| warning_text(&e.warnings)).unwrap_or_default(),
                opinion: String::new(),
                opinion_text: String::new(),
                officer_name: String::new(),
                category: String::new(),
            });
        }
        store::replace_seats(tx.conn(), id, &seats).await?;
        let draw_id = Id::new();
        store::insert_draw(
            tx.conn(),
            &DrawRow {
                id: draw_id.to_string(),
                hearing_id: id.to_string(),
                seed: seed.to_string(),
                wanted: wanted as i64,
                expertise: expertise.to_owned(),
                candidates: serde_json::to_string(&candidates)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                picked: serde_json::to_string(&picked).map_err(|e| AppError::Internal(e.to_string()))?,
                drawn_by_name: actor.display_name.clone(),
                drawn_at: time::to_millis(self.now()),
            },
        )
        .await?;
        ctx.audit(
            tx.conn(),
            "hearing.draw",
            "hearing",
            &id.to_string(),
            Changes::new()
                .set("seed", seed.to_string())
                .set("candidates", candidates.len())
                .set(
                    "picked",
                    picked.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(","),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(picked)
    }

    /// Seats an officer chosen by hand (for expertise) or, with `seat` false, frees a seat.
    pub async fn seat_officer(
        &self,
        ctx: &Ctx,
        id: Id,
        officer_id: &str,
        seat: bool,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ConductHearing).await?;
        let mut tx = self.db().begin().await?;
        let (h, c) = self.hearing_to_seat(&mut tx, &actor, id).await?;
        let mut seats = store::seats(tx.conn(), id).await?;
        if seat {
            if seats.iter().any(|s| s.officer_id == officer_id) {
                return Err(AppError::field("officer_id", "hearing-officer-seated"));
            }
            if seats.len() >= *OFFICERS.end() {
                return Err(AppError::Invalid(vec![
                    FieldError::new("officer_id", "hearing-officer-count").arg("count", seats.len() + 1),
                ]));
            }
            let oid: Id = officer_id
                .parse()
                .map_err(|_| AppError::field("officer_id", "officer-unknown"))?;
            let row = pool::officer(tx.conn(), oid)
                .await?
                .ok_or_else(|| AppError::field("officer_id", "officer-unknown"))?;
            let o = self.officer_of(row)?;
            let day = h
                .row
                .scheduled_at
                .map(|at| time::local_date(time::from_millis(at)))
                .unwrap_or_else(|| time::local_date(self.now()));
            let parties = self.hearing_parties(tx.conn(), &c).await?;
            // The same rules as the draw: nobody ineligible on the day is seated by hand either.
            let warnings = officer::eligibility(&o.standing(), day, &parties).map_err(|block| {
                AppError::Invalid(vec![
                    FieldError::new("officer_id", block.key())
                        .arg("name", &o.row.name)
                        .arg("day", day),
                ])
            })?;
            seats.push(SeatRow {
                hearing_id: id.to_string(),
                officer_id: o.row.id.clone(),
                seq: seats.iter().map(|s| s.seq).max().unwrap_or(0) + 1,
                how: "chosen".into(),
                warning: warning_text(&warnings),
                opinion: String::new(),
                opinion_text: String::new(),
                officer_name: o.row.name.clone(),
                category: o.row.category.clone(),
            });
        } else {
            let before = seats.len();
            seats.retain(|s| s.officer_id != officer_id);
            if seats.len() == before {
                return Err(AppError::NotFound);
            }
        }
        store::replace_seats(tx.conn(), id, &seats).await?;
        ctx.audit(
            tx.conn(),
            if seat { "hearing.seat" } else { "hearing.unseat" },
            "hearing",
            &id.to_string(),
            Changes::new().set("officer", officer_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
