//! Which cases a list, a count or a dashboard figure takes: one filter, one `WHERE`.

use chrono::NaiveDate;
use gongzhi_domain::Id;
use gongzhi_domain::dashboard::{Period, ReferralOutcome};
use gongzhi_domain::deadline::{ClockKind, ClockState};
use gongzhi_domain::workflow::{CaseKind, Channel, Status};

use crate::rows::{Arg, Filter};

#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    /// Only cases owned by, or referred (and not revoked) to, this agency.
    pub agency: Option<Id>,
    pub handler: Option<Id>,
    pub kind: Option<CaseKind>,
    pub channel: Option<Channel>,
    pub status: Option<Status>,
    /// true: open only; false: closed only.
    pub open: Option<bool>,
    /// The division-code prefix of a township or village.
    pub place_prefix: Option<String>,
    pub category: Option<String>,
    /// Only cases last assessed at this risk level.
    pub risk: Option<gongzhi_domain::risk::RiskLevel>,
    /// Received at or after / before (UTC milliseconds).
    pub received_from: Option<i64>,
    pub received_before: Option<i64>,
    /// Leave out cases with a minor party (what the public may be shown).
    pub without_minor: bool,
    /// Cases sharing a party's identity number with this case (resolved by the use case into
    /// `party_indexes`, after checking the case may be seen).
    pub same_party_as: Option<Id>,
    pub party_indexes: Vec<String>,
    pub text: Option<String>,
    /// Only cases with a duty clock (of this kind) still open after its due day, as of this day.
    pub overdue_on: Option<(NaiveDate, Option<ClockKind>)>,
    /// Only cases with a clock of this kind falling due in these days (a reply rate's cases).
    pub clock_due: Option<(ClockKind, Period)>,
    /// Only cases referred in these milliseconds `[from, to)` with this outcome, by or to
    /// `agency` when that is set.
    pub referred: Option<(ReferralOutcome, i64, i64)>,
    pub limit: i64,
    pub offset: i64,
}

/// Adds a condition whose every `?` stands for one new bind value.
/// The filter's conditions; `counting` names every open state so that a count seeks the status
/// index, while a page walks the queue index in its order (where naming them would sort instead).
pub(crate) fn case_where(f: &CaseFilter, counting: bool) -> Filter {
    let mut w = Filter::default();
    // A merged duplicate is reached from the case it went into, never listed beside it.
    w.and_sql("c.merged_into IS NULL");
    if let Some(a) = f.agency {
        w.and("(c.owner_agency_id = $? OR c.id IN (SELECT case_id FROM referral r WHERE r.to_agency_id = $? AND r.state <> 'revoked'))", a.to_string());
    }
    if let Some(h) = f.handler {
        w.and("c.handler_id = $?", h.to_string());
    }
    if let Some(k) = f.kind {
        w.and("c.kind = $?", k.code());
    }
    if let Some(ch) = f.channel {
        w.and("c.channel = $?", ch.code());
    }
    if let Some(s) = f.status {
        w.and("c.status = $?", s.code());
    }
    match f.open {
        Some(true) if !counting => w.and_sql("c.status <> 'closed'"),
        // Open cases are the few among many closed ones: one seek per open state.
        Some(true) => w.and_sql(format!(
            "c.status IN ({})",
            Status::ALL
                .iter()
                .filter(|s| !s.is_closed())
                .map(|s| format!("'{}'", s.code()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(false) => w.and_sql("c.status = 'closed'"),
        None => {}
    }
    if let Some(p) = f.place_prefix.as_deref().filter(|p| !p.is_empty()) {
        w.and("p.code LIKE $?", format!("{p}%"));
    }
    if let Some(cat) = f.category.as_deref().filter(|c| !c.is_empty()) {
        w.and("c.category_code = $?", cat.to_owned());
    }
    if let Some(r) = f.risk {
        w.and("c.risk_level = $?", r.code());
    }
    if let Some(t) = f.received_from {
        w.and("c.received_at >= $?", t);
    }
    if let Some(t) = f.received_before {
        w.and("c.received_at < $?", t);
    }
    if let Some(case) = f.same_party_as {
        w.and("c.id <> $?", case.to_string());
    }
    if !f.party_indexes.is_empty() {
        w.and_each(f.party_indexes.iter().map(|ix| Arg::from(ix.as_str())), |marks| {
            format!("c.id IN (SELECT cp.case_id FROM case_party cp WHERE cp.id_index IN ({marks}))")
        });
    }
    if f.without_minor {
        w.and_sql(
            "c.minor_involved = 0 AND NOT EXISTS (SELECT 1 FROM case_party mp WHERE mp.case_id = c.id AND mp.minor = 1)",
        );
    }
    if let Some((day, kind)) = f.overdue_on {
        let of_kind = kind
            .map(|k| format!(" AND k.kind = '{}'", k.code()))
            .unwrap_or_default();
        w.and(
            &format!(
                "c.id IN (SELECT k.case_id FROM case_clock k WHERE k.state IN ({}) AND k.due_date < $? AND k.kind NOT IN ({}){of_kind})",
                quoted(COUNTING.iter().map(|s| s.code())),
                not_reported()
            ),
            day.to_string(),
        );
    }
    if let Some((kind, p)) = f.clock_due {
        w.and_any(vec![(
            "c.id IN (SELECT k.case_id FROM case_clock k WHERE k.kind = $? AND k.due_date >= $? AND k.due_date <= $?)".into(),
            vec![kind.code().into(), p.from.to_string().into(), p.to.to_string().into()],
        )]);
    }
    if let Some((outcome, from, to)) = f.referred {
        let states = quoted(outcome.states().iter().map(|s| s.code()));
        let mut values: Vec<Arg> = vec![from.into(), to.into()];
        let mut by = "";
        if let Some(a) = f.agency {
            by = " AND (r.from_agency_id = $? OR r.to_agency_id = $?)";
            values.extend([a.to_string().into(), a.to_string().into()]);
        }
        w.and_any(vec![(
            format!("c.id IN (SELECT r.case_id FROM referral r WHERE r.state IN ({states}) AND r.created_at >= $? AND r.created_at < $?{by})"),
            values,
        )]);
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // Lower-cased on both sides: SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
        let like = format!("%{}%", t.replace(['%', '_'], "").to_lowercase());
        w.and("(LOWER(c.title) LIKE $? OR LOWER(c.number) LIKE $? OR LOWER(c.narrative) LIKE $? OR c.id IN (SELECT case_id FROM case_party cp WHERE LOWER(cp.name) LIKE $?))", like);
    }
    w
}

/// The clock states that count toward a due day (deadline::ClockState::is_counting).
pub(crate) const COUNTING: [ClockState; 3] = [ClockState::Running, ClockState::DueSoon, ClockState::Overdue];

/// Codes as an SQL list of literals (codes are fixed ASCII words, never user text).
pub(crate) fn quoted<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

/// The clocks an overdue count leaves out: the parties' own time, which lapses and is nobody's
/// duty, and the 2007 rule's clocks, tracked but not reported upward (deadline::ClockKind).
pub(crate) fn not_reported() -> String {
    quoted(
        ClockKind::ALL
            .iter()
            .filter(|k| k.is_parties_time() || k.is_tracked_only())
            .map(|k| k.code()),
    )
}
