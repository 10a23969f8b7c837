//! A finding sent on in the visit's own transaction (DOMAIN.md §3.10 `FindingsLogged → {Dispute |
//! Clue} → Routed`): a dispute registered and referred to the township's governance centre, a
//! petition registered for the procuratorate, or a clue put in the queue of the team that takes it
//! up.

use gongzhi_domain::grid::{self as rules, ClueState, FindingKind, Route};
use gongzhi_domain::org::AgencyKind;
use gongzhi_domain::{Id, time};
use gongzhi_store::grid::FindingRow;
use gongzhi_store::reference::{self, AgencyFilter};
use gongzhi_store::{AnyConnection, case::Case};

use crate::case::{IntakeForm, PartyInput};
use crate::referral::NewReferral;
use crate::{App, AppError, Ctx, FieldError};

/// A finding as the phone sends it.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct FindingInput {
    /// `dispute`, `petition`, `supervision`, `public_interest`, `judicial_aid`, `minor`.
    pub kind: String,
    /// One line: what was found (the case's title).
    pub summary: String,
    #[serde(default)]
    pub details: String,
    /// A dispute's or petition's category code (e.g. LAND_WATER).
    #[serde(default)]
    pub category: String,
    /// Who raised it (a dispute's or petition's petitioner); empty: registered anonymously.
    #[serde(default)]
    pub person_name: String,
    #[serde(default)]
    pub person_phone: String,
    #[serde(default)]
    pub urgent: bool,
}

/// The visit a finding belongs to, as routing needs it.
pub(crate) struct Origin<'a> {
    pub visit_id: &'a str,
    pub village: Id,
    pub township: Id,
    pub grid: Option<&'a str>,
    /// Local 'YYYY-MM-DD HH:MM'.
    pub visited_at: &'a str,
    /// How many findings the visit had before this log (the new ones are numbered after them).
    pub earlier: usize,
}

/// A registration's field errors, named by the finding's own fields.
fn as_finding_errors(i: usize, e: AppError) -> AppError {
    match e {
        AppError::Invalid(errors) => AppError::Invalid(
            errors
                .into_iter()
                .map(|mut fe| {
                    let own = match fe.field.as_str() {
                        "title" => "summary",
                        "narrative" => "details",
                        "category" => "category",
                        "received_at" => "visited_at",
                        f if f.ends_with(".phone") => "person_phone",
                        f if f.starts_with("parties") => "person_name",
                        other => other,
                    };
                    fe.field = format!("findings[{i}].{own}");
                    fe
                })
                .collect(),
        ),
        other => other,
    }
}

impl App {
    /// The agency a case route hands the case to: the township's governance centre for a
    /// dispute, the district procuratorate for a petition.
    async fn route_target(
        &self,
        conn: &mut AnyConnection,
        route: Route,
        township: Id,
    ) -> Result<Option<reference::Agency>, AppError> {
        let kind = match route {
            Route::DisputeCase => AgencyKind::GovernanceCentre,
            Route::PetitionCase => AgencyKind::Procuratorate,
            Route::Clue(_) => return Ok(None),
        };
        let agencies = reference::agency_list(
            &mut *conn,
            &AgencyFilter {
                kind: Some(kind),
                ..AgencyFilter::default()
            },
        )
        .await?;
        // A dispute goes to the township's own centre; a petition to the procuratorate of the
        // township's district (another level's only if the district has none).
        let district = reference::org_get(&mut *conn, township)
            .await?
            .and_then(|t| t.parent_id);
        let active: Vec<_> = agencies.into_iter().filter(|a| a.active).collect();
        Ok(match route {
            Route::DisputeCase => active.into_iter().find(|a| a.org_unit_id == township),
            _ => active
                .iter()
                .find(|a| Some(a.org_unit_id) == district)
                .or(active.first())
                .cloned(),
        })
    }

    /// Registers a dispute or petition from a finding and hands it to the agency that handles
    /// it, or queues a clue; returns the finding's row (and the case registered, if any).
    pub(crate) async fn route_finding(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        origin: &Origin<'_>,
        i: usize,
        kind: FindingKind,
        f: &FindingInput,
    ) -> Result<(FindingRow, Option<Case>), AppError> {
        let actor = ctx.actor()?;
        let now = time::to_millis(self.now());
        let mut row = FindingRow {
            id: Id::new().to_string(),
            visit_id: origin.visit_id.to_owned(),
            seq: i64::try_from(origin.earlier + i + 1).unwrap_or(i64::MAX),
            kind: kind.code().into(),
            summary: f.summary.trim().to_owned(),
            details: f.details.trim().to_owned(),
            version: 1,
            created_at: now,
            ..FindingRow::default()
        };
        let route = kind.route();
        if let Route::Clue(team) = route {
            row.team = team.code().into();
            row.clue_state = Some(ClueState::Open.code().into());
            return Ok((row, None));
        }
        let person = f.person_name.trim();
        let form = IntakeForm {
            repeat_of: None,
            kind: if route == Route::DisputeCase {
                "dispute"
            } else {
                "petition"
            }
            .into(),
            channel: "grid_screening".into(),
            category: f.category.trim().to_owned(),
            place_id: origin.village.to_string(),
            grid_id: origin.grid.unwrap_or_default().to_owned(),
            title: f.summary.trim().to_owned(),
            narrative: if f.details.trim().is_empty() {
                f.summary.trim().to_owned()
            } else {
                f.details.trim().to_owned()
            },
            received_at: origin.visited_at.to_owned(),
            urgent: f.urgent,
            anonymous: person.is_empty() && f.person_phone.trim().is_empty(),
            minor_involved: false,
            parties: vec![PartyInput {
                role: "petitioner".into(),
                name: person.to_owned(),
                phone: f.person_phone.trim().to_owned(),
                ..PartyInput::default()
            }],
        };
        let c = self
            .register_in(&mut *conn, ctx, &form)
            .await
            .map_err(|e| as_finding_errors(i, e))?;
        if let Some(to) = self.route_target(&mut *conn, route, origin.township).await?
            && to.id != actor.agency_id
        {
            let referral = NewReferral {
                to_agency: to.id.to_string(),
                note: format!("网格走访发现：{}", row.summary),
                days: rules::FEEDBACK_DAYS,
                reply_requested: false,
            };
            self.refer_in(&mut *conn, ctx, &c, &referral)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(_) => AppError::Invalid(vec![
                        FieldError::new(&format!("findings[{i}].kind"), "grid-route-failed")
                            .arg("agency", &to.name),
                    ]),
                    other => other,
                })?;
        }
        row.case_id = Some(c.id.to_string());
        Ok((row, Some(c)))
    }
}
