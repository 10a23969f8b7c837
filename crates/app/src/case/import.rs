//! Bulk import of cases (issue 13 §7): a legacy system's cases, or the benchmark's generated ones,
//! one JSON object a line (docs/import.md). Each line is checked as an intake form is — the same
//! party checks, reference data looked up from tables read once — and written in batches, each
//! its own transaction, through the same store writes as registration (so the search index, the
//! SimHash bands and the blind indexes come with every case). A bad line is refused with its
//! number, field and reason, and the rest go in (a batch is checked while the one before it is
//! written); a legacy number is kept, and a number already
//! taken refuses its line, so that importing a file twice adds nothing the second time.

use std::collections::{HashMap, HashSet};

use chrono::Datelike;
use gongzhi_domain::audit::Changes;
use gongzhi_domain::deadline::ClockState;
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::workflow::{CaseKind, Channel, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::case::{self, Case, Clock, Party};
use gongzhi_store::reference::{self, Agency, OrgUnit};

use super::intake::{PartyInput, check_parties, start_clocks};
use super::parse_local;
use crate::deadlines::Clocks;
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// One line of an import file.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportLine {
    /// The legacy system's case number, kept; a new one is given when empty.
    #[serde(default)]
    pub number: String,
    pub kind: String,
    pub channel: String,
    pub category: String,
    /// The division code of the village (or the township, when the village is not known).
    pub place: String,
    /// The code of the agency that owns it; by default the procuratorate for petitions and minors'
    /// criminal cases, the petition bureau for government petitions, the place's township
    /// governance centre for disputes.
    #[serde(default)]
    pub agency: String,
    pub title: String,
    pub narrative: String,
    /// Local time, `YYYY-MM-DD HH:MM[:SS]`.
    pub received_at: String,
    /// The state it is in (a state of its kind's workflow); its first state when empty.
    #[serde(default)]
    pub status: String,
    /// When a closed case was closed.
    #[serde(default)]
    pub closed_at: String,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub minor_involved: bool,
    #[serde(default)]
    pub parties: Vec<PartyInput>,
}

/// A refused line: its number (from 1), the field and the reason's code.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub line: usize,
    pub field: String,
    pub code: String,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ImportReport {
    pub read: usize,
    pub imported: usize,
    /// The first [`REFUSALS_KEPT`] refusals; `refused` counts them all.
    pub refusals: Vec<Refusal>,
    pub refused: usize,
}

/// Refusals listed in the report (all are counted).
pub const REFUSALS_KEPT: usize = 200;
/// Cases a transaction writes, and the most parties among them (every statement stays inside the
/// databases' limits on bound values).
const BATCH_CASES: usize = 500;
const BATCH_PARTIES: usize = 1500;

/// The reference data every line is checked against, read once.
struct Lookup {
    categories: HashSet<String>,
    places: HashMap<String, OrgUnit>,
    agencies: Vec<Agency>,
    clocks: std::sync::Arc<Clocks>,
    numbers: HashSet<String>,
}

struct Ready {
    line: usize,
    case: Case,
    year: i32,
    short_name: String,
    parties: Vec<Party>,
    clocks: Vec<Clock>,
}

impl Lookup {
    fn place(&self, code: &str) -> Option<&OrgUnit> {
        self.places
            .get(code.trim())
            .filter(|u| u.active && matches!(u.level, OrgLevel::Village | OrgLevel::Township))
    }

    fn owner(&self, kind: CaseKind, code: &str, place: &OrgUnit) -> Option<&Agency> {
        if !code.trim().is_empty() {
            return self.agencies.iter().find(|a| a.code == code.trim() && a.active);
        }
        let of = |k: AgencyKind| self.agencies.iter().find(|a| a.kind == k && a.active);
        match kind {
            CaseKind::Petition | CaseKind::MinorCriminal => of(AgencyKind::Procuratorate),
            CaseKind::GovPetition => of(AgencyKind::PetitionBureau),
            CaseKind::Dispute => {
                let township = if place.level == OrgLevel::Township {
                    Some(place.id)
                } else {
                    place.parent_id
                };
                self.agencies
                    .iter()
                    .find(|a| a.kind == AgencyKind::GovernanceCentre && Some(a.org_unit_id) == township)
                    .or_else(|| of(AgencyKind::Procuratorate))
            }
        }
    }
}

impl App {
    /// Imports the cases of an import file, batch by batch; the operator's command line only.
    pub async fn import_cases(
        &self,
        ctx: &Ctx,
        input: impl std::io::BufRead,
        source: &str,
    ) -> Result<ImportReport, AppError> {
        self.authorize_system(ctx, "import_cases").await?;
        let mut conn = self.db().conn().await?;
        let units = [OrgLevel::Village, OrgLevel::Township];
        let mut places = HashMap::new();
        for level in units {
            for u in reference::org_by_level(&mut conn, level).await? {
                places.insert(u.code.clone(), u);
            }
        }
        let mut lookup = Lookup {
            categories: reference::category_list(&mut conn)
                .await?
                .into_iter()
                .filter(|c| c.active != 0)
                .map(|c| c.code)
                .collect(),
            places,
            agencies: reference::agency_list(&mut conn, &Default::default()).await?,
            clocks: self.clocks(&mut conn).await?,
            numbers: HashSet::new(),
        };
        drop(conn);
        let mut lines = input.lines().enumerate();
        let mut report = ImportReport::default();
        let mut batch = self.next_batch(&mut lookup, &mut lines, &mut report)?;
        // Each batch is checked while the one before it is written: the database works on one
        // while this thread parses, checks and encrypts the next.
        while !batch.is_empty() {
            let mut read = ImportReport::default();
            let (written, next) = tokio::join!(
                self.write_imported(ctx, std::mem::take(&mut batch), source),
                async { self.next_batch(&mut lookup, &mut lines, &mut read) }
            );
            let (imported, taken) = written?;
            report.imported += imported;
            report.refused += taken.len();
            report.refuse_all(taken.into_iter().map(|line| Refusal {
                line,
                field: "number".into(),
                code: "import-number-taken".into(),
            }));
            report.read += read.read;
            report.refused += read.refused;
            report.refuse_all(read.refusals);
            batch = next?;
        }
        // The planner's statistics for the tables just filled: without them PostgreSQL plans the
        // next reads for the empty tables it last saw (a 100,000-case import: name search 64 ms
        // before, 12 ms after).
        if report.imported > 0 {
            self.db().analyze().await?;
        }
        Ok(report)
    }

    /// The next batch of checked lines, the refused ones counted in `report`.
    fn next_batch(
        &self,
        lookup: &mut Lookup,
        lines: &mut impl Iterator<Item = (usize, std::io::Result<String>)>,
        report: &mut ImportReport,
    ) -> Result<Vec<Ready>, AppError> {
        let (mut batch, mut parties) = (Vec::new(), 0);
        while batch.len() < BATCH_CASES && parties < BATCH_PARTIES {
            let Some((n, line)) = lines.next() else { break };
            let line = line.map_err(|e| AppError::Internal(format!("line {}: {e}", n + 1)))?;
            if line.trim().is_empty() {
                continue;
            }
            report.read += 1;
            match serde_json::from_str::<ImportLine>(&line)
                .map_err(|e| vec![FieldError::new("line", "import-json").arg("detail", e.to_string())])
                .and_then(|l| self.ready(lookup, &l, n + 1))
            {
                Ok(r) => {
                    parties += r.parties.len();
                    batch.push(r);
                }
                Err(errors) => {
                    report.refused += 1;
                    report.refuse_all(errors.into_iter().map(|e| Refusal {
                        line: n + 1,
                        field: e.field,
                        code: e.key,
                    }));
                }
            }
        }
        Ok(batch)
    }

    /// A checked line as the rows to write, or every problem it has.
    fn ready(&self, lookup: &mut Lookup, l: &ImportLine, line: usize) -> Result<Ready, Vec<FieldError>> {
        let now = self.now();
        let today = time::local_date(now);
        let mut checks = Checks::new();
        let kind = CaseKind::parse(&l.kind);
        checks.check(kind.is_some(), "kind", "case-kind-invalid");
        let channel = Channel::parse(&l.channel);
        checks.check(channel.is_some(), "channel", "channel-invalid");
        checks.check(
            lookup.categories.contains(l.category.trim()),
            "category",
            "category-unknown",
        );
        let place = lookup.place(&l.place).cloned();
        checks.check(place.is_some(), "place", "place-unknown");
        let title = l.title.trim();
        checks.check(
            (1..=100).contains(&title.chars().count()),
            "title",
            "title-invalid",
        );
        let narrative = l.narrative.trim();
        checks.check(!narrative.is_empty(), "narrative", "narrative-required");
        checks.check(
            narrative.chars().count() <= 10_000,
            "narrative",
            "narrative-too-long",
        );
        let received = parse_local(&l.received_at);
        checks.check(received.is_some(), "received_at", "datetime-invalid");
        checks.check(
            received.is_none_or(|t| t <= now),
            "received_at",
            "received-in-future",
        );
        let number = l.number.trim();
        checks.check(number.chars().count() <= 60, "number", "import-number-too-long");
        checks.check(
            number.is_empty() || !lookup.numbers.contains(number),
            "number",
            "import-number-taken",
        );
        let parties = check_parties(&mut checks, &l.parties, today);
        let status = match (kind, l.status.trim()) {
            (Some(k), "") => channel.map(|c| k.initial(c)),
            (Some(k), s) => Status::parse(s).filter(|s| k.states().contains(s)),
            (None, _) => None,
        };
        checks.check(
            status.is_some() || kind.is_none(),
            "status",
            "import-status-invalid",
        );
        let closed_at = match l.closed_at.trim() {
            "" => None,
            s => {
                let t = parse_local(s);
                checks.check(
                    t.is_some_and(|t| t <= now && received.is_none_or(|r| t >= r)),
                    "closed_at",
                    "import-closed-invalid",
                );
                t
            }
        };
        checks.check(
            status.is_none_or(|s| s.is_closed() == closed_at.is_some()),
            "closed_at",
            "import-closed-needed",
        );
        let owner = match (kind, &place) {
            (Some(k), Some(p)) => lookup.owner(k, &l.agency, p).cloned(),
            _ => None,
        };
        checks.check(
            owner.is_some() || kind.is_none() || place.is_none(),
            "agency",
            "import-agency-unknown",
        );
        if let Err(AppError::Invalid(errors)) = checks.finish() {
            return Err(errors);
        }
        let (Some(kind), Some(channel), Some(place), Some(received), Some(status), Some(owner)) =
            (kind, channel, place, received, status, owner)
        else {
            return Err(vec![FieldError::new("line", "import-json")]);
        };
        if !number.is_empty() {
            lookup.numbers.insert(number.to_owned());
        }
        let contactable = parties.iter().any(|p| p.phone.is_some() || !p.address.is_empty());
        let c = Case {
            id: Id::new(),
            number: number.to_owned(),
            kind,
            status,
            level: None,
            channel,
            category_code: l.category.trim().to_owned(),
            category_name: String::new(),
            place_id: Some(place.id),
            place_name: String::new(),
            place_code: String::new(),
            grid_id: None,
            grid_name: String::new(),
            title: title.to_owned(),
            narrative: narrative.to_owned(),
            received_at: received,
            urgent: l.urgent,
            anonymous: false,
            exempt_reason: gongzhi_domain::case::reply_exemption(false, contactable, kind).to_owned(),
            owner_agency_id: owner.id,
            owner_agency_name: owner.name.clone(),
            handler_id: None,
            handler_name: String::new(),
            created_by: None,
            related_case_id: None,
            tracking_code: None,
            tracking_phone: None,
            reconciliation: String::new(),
            risk_level: None,
            risk_stale_after: 0,
            closed_at,
            version: 1,
            created_at: received,
            updated_at: closed_at.unwrap_or(received),
            public_title: String::new(),
            public_reply: String::new(),
            published_by_name: String::new(),
            published_at: None,
            source_key_id: None,
            public_id: None,
            minor_involved: l.minor_involved,
            has_minor: l.minor_involved,
        };
        let rows = self
            .party_rows(&c, &parties, today)
            .map_err(|_| vec![FieldError::new("parties", "import-json")])?;
        let mut clocks = start_clocks(&lookup.clocks, &c, time::local_date(received));
        // A closed case answered everything it had to; an open one's clocks run from receipt, and
        // the deadline sweep marks those past due as it does every day.
        if let Some(closed) = closed_at {
            for k in clocks.iter_mut().filter(|k| k.state.is_open()) {
                k.state = ClockState::Met;
                k.met_at = Some(closed);
            }
        }
        Ok(Ready {
            line,
            year: time::local_date(received).year(),
            short_name: owner.short_name.clone(),
            case: c,
            parties: rows,
            clocks,
        })
    }

    /// Writes a batch in one transaction, numbers taken first: the imported count, and the lines
    /// refused as their number is stored already.
    async fn write_imported(
        &self,
        ctx: &Ctx,
        mut batch: Vec<Ready>,
        source: &str,
    ) -> Result<(usize, Vec<usize>), AppError> {
        if batch.is_empty() {
            return Ok((0, Vec::new()));
        }
        let mut tx = self.db().begin().await?;
        let taken = taken_numbers(tx.conn(), &batch).await?;
        let refused: Vec<usize> = batch
            .iter()
            .filter(|r| taken.contains(&r.case.number))
            .map(|r| r.line)
            .collect();
        batch.retain(|r| !taken.contains(&r.case.number));
        if batch.is_empty() {
            return Ok((0, refused));
        }
        let of: Vec<(i32, &str)> = batch.iter().map(|r| (r.year, r.short_name.as_str())).collect();
        let mut cases: Vec<Case> = batch.iter().map(|r| r.case.clone()).collect();
        self.give_numbers(tx.conn(), &mut cases, &of).await?;
        case::insert_cases(tx.conn(), &cases).await?;
        let parties: Vec<Party> = batch.iter().flat_map(|r| r.parties.iter().cloned()).collect();
        case::insert_parties(tx.conn(), &parties).await?;
        let clocks: Vec<Clock> = batch.iter().flat_map(|r| r.clocks.iter().cloned()).collect();
        case::insert_clocks(tx.conn(), &clocks).await?;
        let events: Vec<_> = cases
            .iter()
            .map(|c| self.event_row(ctx, c, "imported", source, false))
            .collect();
        case::insert_events(tx.conn(), &events).await?;
        ctx.audit(
            tx.conn(),
            "case.import",
            "case",
            cases.first().map_or("", |c| c.number.as_str()),
            Changes::new().set("source", source).set("cases", cases.len()),
        )
        .await?;
        tx.commit().await?;
        Ok((batch.len(), refused))
    }
}

impl ImportReport {
    fn refuse_all(&mut self, refusals: impl IntoIterator<Item = Refusal>) {
        let room = REFUSALS_KEPT.saturating_sub(self.refusals.len());
        self.refusals.extend(refusals.into_iter().take(room));
    }
}

async fn taken_numbers(conn: &mut AnyConnection, batch: &[Ready]) -> Result<HashSet<String>, AppError> {
    let numbers: Vec<&str> = batch
        .iter()
        .map(|r| r.case.number.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    Ok(case::numbers_taken(conn, &numbers).await?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_only_the_fields_the_format_has() {
        let ok: ImportLine = serde_json::from_str(
            r#"{"kind":"petition","channel":"visit","category":"LABOUR","place":"620702104201",
                "title":"t","narrative":"n","received_at":"2025-01-02 09:00"}"#,
        )
        .unwrap();
        assert!(ok.number.is_empty() && ok.parties.is_empty());
        let unknown = serde_json::from_str::<ImportLine>(
            r#"{"kind":"petition","channel":"visit","category":"LABOUR","place":"1","title":"t",
                "narrative":"n","received_at":"2025-01-02 09:00","colour":"red"}"#,
        );
        assert!(unknown.is_err());
    }
}
