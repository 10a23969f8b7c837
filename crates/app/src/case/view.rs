//! The case list and the case page as its reader may see it.

use chrono::Datelike;
use gongzhi_domain::deadline::{ClockState, PauseReason, Unit};
use gongzhi_domain::event::EventDetail;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::reconciliation::ReconciliationFacts;
use gongzhi_domain::referral::ReceiverWork;
use gongzhi_domain::risk::Derived;
use gongzhi_domain::workflow::{self, RiskFacts, Steps};
use gongzhi_domain::{Id, time};
use gongzhi_store::case::{self, Clock, Event};
use gongzhi_store::case::{Case, CaseFilter};
use gongzhi_store::referral::Referral;
use gongzhi_store::risk::Assessment;
use gongzhi_store::task::Task;
use gongzhi_store::{Page, Paged};
use gongzhi_store::{attachment, follow_up, mediation, meeting, referral, reply, risk, task};

use crate::case::{RELATED_SHOWN, TIMELINE_SHOWN, district_wide};
use crate::referral::held_referral;
use crate::{App, AppError, Ctx};

/// A party as shown: masked unless revealed.
#[derive(Clone, Debug)]
pub struct PartyView {
    pub id: String,
    pub role: String,
    pub name: String,
    pub sex: String,
    pub age: Option<i64>,
    pub id_masked: String,
    pub phone_masked: String,
    pub has_address: bool,
    /// A minor today (issue 9 §12: recomputed from the identity number as the case runs; marked
    /// by hand where there is none).
    pub minor: bool,
    /// A minor when the case came in, of age now: the case stays one concerning a minor.
    pub was_minor: bool,
    pub elderly: bool,
    pub disabled: bool,
    pub impoverished: bool,
}

#[derive(Clone, Debug)]
pub struct ClockView {
    pub clock: Clock,
    /// Each skipped rest day with the holiday's name (empty for an ordinary weekend).
    pub skipped: Vec<(chrono::NaiveDate, String)>,
    pub state: ClockState,
    pub rule_source: String,
    /// The rule's term: so many days, working days or months.
    pub rule_term: Option<(u32, Unit)>,
    /// The most days an extension may add now; 0 when the rule allows none, or none is left.
    pub extension_left: u32,
    /// The reasons for which the rule lets the clock be paused (none: it is never paused).
    pub pausable: Vec<PauseReason>,
    /// The rule version behind the due date.
    pub rule_version: i64,
    /// The due date falls in a year whose holidays are not loaded yet (it may move).
    pub provisional: bool,
}

/// What the viewer may do on one case: the permission of the roles, on a case of the viewer's own
/// agency (others read, they do not act), and — for the workflow — while it is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseCan {
    /// Add attachments, set the mitigation plan, release what the public sees (also once closed).
    pub handle: bool,
    /// Give commands, reply, assess, refer, mediate, follow up: `handle` on an open case.
    pub act: bool,
    pub approve_clocks: bool,
    pub sign_off: bool,
    pub reveal: bool,
    /// Supervise (督办): the political-legal committee, on any case it may see.
    pub supervise: bool,
    /// Record a mediation, add material, reply: the owner acting, or the receiver of an accepted
    /// referral (issue 10 §5; the reply only when the referral asks for it).
    pub mediate: bool,
    pub attach: bool,
    pub reply: bool,
    /// Take back the merge of this duplicate (issue 13 §2): the owner's handler, on a merged case —
    /// which offers nothing else but revealing, as its work goes on in the case it went into.
    pub unmerge: bool,
}

impl CaseCan {
    fn of(actor: &Actor, c: &Case, owner: bool, referrals: &[Referral], merged: bool) -> Self {
        let handle = owner && actor.can(Action::HandleCase);
        if merged {
            return CaseCan {
                reveal: owner && actor.can(Action::RevealPersonal),
                unmerge: handle,
                ..CaseCan::default()
            };
        }
        let open = !c.status.is_closed();
        let receiver =
            |work| open && actor.can(Action::HandleCase) && held_referral(referrals, actor, work).is_some();
        // Approvals are the head's of the agency that handles the case (§3.3, §3.5).
        let head = c.owner_agency_id == actor.agency_id;
        CaseCan {
            handle,
            act: handle && !c.status.is_closed(),
            approve_clocks: head && actor.can(Action::ApproveClock),
            sign_off: head && actor.can(Action::SignOffRisk),
            reveal: owner && actor.can(Action::RevealPersonal),
            supervise: actor.can(Action::SuperviseCase) && open,
            mediate: (handle && open) || receiver(ReceiverWork::Mediation),
            attach: handle || receiver(ReceiverWork::Attachment),
            reply: (handle && open) || receiver(ReceiverWork::Reply),
            unmerge: false,
        }
    }
}

/// One step on a case's timeline, with what it says typed.
#[derive(Clone, Debug)]
pub struct TimelineEvent {
    pub at: i64,
    pub actor_name: String,
    pub agency_name: String,
    pub kind: String,
    pub detail: EventDetail,
}

impl From<Event> for TimelineEvent {
    fn from(e: Event) -> Self {
        TimelineEvent {
            detail: EventDetail::decode(&e.kind, &e.detail),
            at: e.at,
            actor_name: e.actor_name,
            agency_name: e.agency_name,
            kind: e.kind,
        }
    }
}

#[derive(Clone, Debug)]
pub struct MeetingView {
    pub meeting: meeting::Meeting,
    pub agencies: Vec<String>,
    pub items: Vec<Task>,
}

#[derive(Clone, Debug)]
pub struct CaseView {
    pub case: Case,
    pub parties: Vec<PartyView>,
    pub clocks: Vec<ClockView>,
    pub assessments: Vec<Assessment>,
    pub risk_current: bool,
    /// The mitigation tasks of the latest assessment, or of the high risk it reassesses.
    pub plan_tasks: Vec<Task>,
    /// What the risk gate knows now, and the translation key of what it still needs (None: a
    /// decision may be taken).
    pub risk: RiskFacts,
    pub risk_needs: Option<&'static str>,
    /// A new assessment would be refused: the latest (even stale) is an unmitigated high risk.
    pub risk_assess_blocked: bool,
    /// What the case gives for the derivable factors, and the rule set a new assessment uses.
    pub risk_derived: Derived,
    pub risk_rules: String,
    pub referrals: Vec<referral::Referral>,
    pub meetings: Vec<MeetingView>,
    pub mediations: Vec<mediation::Mediation>,
    pub follow_ups: Vec<follow_up::FollowUp>,
    pub replies: Vec<reply::Reply>,
    /// Requests to change a clock, newest first (the pending ones wait for the head).
    pub clock_requests: Vec<crate::approval::ClockRequestRecord>,
    /// The attempts to reach the petitioner, oldest first (§3.2).
    pub contacts: Vec<crate::contact::ContactAttempt>,
    pub attachments: Vec<attachment::AttachmentMeta>,
    /// Other cases the viewer may see with a party of the same identity number: (id, number,
    /// title), newest first, at most `RELATED_SHOWN`, and how many in all.
    pub related: Paged<(String, String, String)>,
    /// The earlier cases staff found this one repeats (重复信访, issue 13 §2) that the viewer may
    /// open: (id, number, title, who found it).
    pub repeats: Vec<(String, String, String, String)>,
    /// Where this case was merged as a duplicate (its work goes on there), and the duplicates
    /// merged into it that the viewer may open: (id, number, title, who merged it).
    pub merged: Option<super::MergedNote>,
    pub merged_from: Vec<(String, String, String, String)>,
    /// The earlier case in which the same petitioner's matter was re-reviewed to its end (§3.3,
    /// Art. 36: not accepted again): id and number.
    pub rereviewed: Option<(Id, String)>,
    /// The leaders who own (包案) the case from a reception day (§3.10).
    pub owned_by: Vec<crate::reception::Owner>,
    /// The latest `TIMELINE_SHOWN` events, oldest first, and how many there are.
    pub events: Paged<TimelineEvent>,
    /// What the viewer may give next, held back by the gate or not, and what others give.
    pub steps: Steps,
    /// The actor's agency owns the case (or the actor works district-wide).
    pub owner: bool,
    /// What the viewer may do on this case: the page offers exactly these.
    pub can: CaseCan,
    pub reconciliation: Option<ReconciliationFacts>,
}

/// A case in a list, with its most urgent running clock: what is due, by when, and how it stands.
#[derive(Clone, Debug)]
pub struct Listed {
    pub case: Case,
    pub due: Option<(Clock, ClockState)>,
}

impl App {
    pub async fn list_cases(&self, ctx: &Ctx, f: &CaseFilter) -> Result<(Vec<Listed>, i64), AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        self.list_cases_on(&mut conn, ctx, &actor, f).await
    }

    /// The list for an authorized actor, on a connection of the caller's choosing (an export reads
    /// from the replica).
    pub(crate) async fn list_cases_on(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        ctx: &Ctx,
        actor: &gongzhi_domain::policy::Actor,
        f: &CaseFilter,
    ) -> Result<(Vec<Listed>, i64), AppError> {
        let mut f = f.clone();
        if !district_wide(actor) {
            f.agency = Some(actor.agency_id);
        }
        if let Some(case) = f.same_party_as {
            // The case itself must be visible; its parties' identity numbers then select the rest.
            self.case_for_read(&mut *conn, ctx, case).await?;
            f.party_indexes = case::parties(&mut *conn, case)
                .await?
                .into_iter()
                .filter_map(|p| p.id_index)
                .collect();
            if f.party_indexes.is_empty() {
                return Ok((Vec::new(), 0));
            }
        }
        let (cases, total) = case::list_cases(&mut *conn, &f).await?;
        Ok((self.with_dues(conn, cases).await?, total))
    }

    /// Each case with its soonest running clock and that clock's state today.
    /// A page of cases with their next clocks, soonest due first (those without a clock last).
    pub(crate) async fn soonest_due(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        f: &CaseFilter,
    ) -> Result<(Vec<Listed>, i64), AppError> {
        let (cases, total) = case::list_cases(&mut *conn, f).await?;
        let mut cases = self.with_dues(conn, cases).await?;
        cases.sort_by_key(|l| {
            l.due
                .as_ref()
                .map(|(k, _)| k.due_date)
                .unwrap_or(chrono::NaiveDate::MAX)
        });
        Ok((cases, total))
    }

    pub(crate) async fn with_dues(
        &self,
        conn: &mut gongzhi_store::AnyConnection,
        cases: Vec<Case>,
    ) -> Result<Vec<Listed>, AppError> {
        let ids: Vec<Id> = cases.iter().map(|c| c.id).collect();
        let running = case::running_clocks_of(conn, &ids).await?;
        let clocks = self.clocks(conn).await?;
        let today = time::local_date(self.now());
        Ok(cases
            .into_iter()
            .map(|c| Listed {
                due: running
                    .iter()
                    .find(|k| k.case_id == c.id)
                    .map(|k| (k.clone(), clocks.state(k, today))),
                case: c,
            })
            .collect())
    }

    pub async fn case_view(&self, ctx: &Ctx, case: Id) -> Result<CaseView, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, owner) = self.case_for_read(&mut conn, ctx, case).await?;
        let today = time::local_date(self.now());
        let clocks = self.clocks(&mut conn).await?;
        let clock_views = case::clocks(&mut conn, case)
            .await?
            .into_iter()
            .map(|k| {
                let rule = clocks.rule_of(&k);
                ClockView {
                    skipped: k
                        .skipped
                        .iter()
                        .map(|d| (*d, clocks.names.get(d).cloned().unwrap_or_default()))
                        .collect(),
                    state: clocks.state(&k, today),
                    rule_source: rule.map(|r| r.source.clone()).unwrap_or_default(),
                    // A term set by hand (a referral's days) is the one the clock runs on.
                    rule_term: match k.term_days {
                        Some(days) => Some((days, Unit::CalendarDay)),
                        None => rule.map(|r| (r.amount, r.unit)),
                    },
                    extension_left: rule
                        .filter(|r| k.extensions < i64::from(r.extensions))
                        .map_or(0, |r| r.extension_days),
                    pausable: rule.map(|r| r.pausable.clone()).unwrap_or_default(),
                    rule_version: rule.map_or(0, |r| r.version),
                    provisional: k.state.is_open() && clocks.provisional(k.due_date),
                    clock: k,
                }
            })
            .collect();
        let stored = case::parties(&mut conn, case).await?;
        // Only cases the viewer may see themselves: a shared identity number must not reveal
        // another agency's case.
        let indexes: Vec<String> = stored.iter().filter_map(|p| p.id_index.clone()).collect();
        let visible_to = (!district_wide(&actor)).then_some(actor.agency_id);
        let related =
            case::related_cases(&mut conn, &indexes, case, visible_to, Page::first(RELATED_SHOWN)).await?;
        let parties = stored
            .into_iter()
            .map(|p| {
                let minor = self.minor_now(&p, today);
                PartyView {
                    was_minor: p.minor != 0 && !minor,
                    minor,
                    age: p.birth_year.map(|y| i64::from(today.year()) - y),
                    has_address: p.address_enc.is_some(),
                    id: p.id,
                    role: p.role,
                    name: p.name,
                    sex: p.sex,
                    id_masked: p.id_masked,
                    phone_masked: p.phone_masked,
                    elderly: p.elderly != 0,
                    disabled: p.disabled != 0,
                    impoverished: p.impoverished != 0,
                }
            })
            .collect();
        let assessments = risk::assessments(&mut conn, case).await?;
        let risk_current = assessments.first().is_some_and(|a| a.at >= c.risk_stale_after);
        let plan_tasks = match assessments.first() {
            Some(a) if !a.reassesses.is_empty() => task::tasks_of_source(&mut conn, &a.reassesses).await?,
            Some(a) => task::tasks_of_source(&mut conn, &a.id).await?,
            None => Vec::new(),
        };
        let risk = self.risk_facts(&mut conn, &c).await?;
        let risk_assess_blocked = self
            .latest_assessment(&mut conn, &c)
            .await?
            .is_some_and(|(_, f)| f.unmitigated_high());
        let risk_derived = self.derived_risk(&mut conn, &c).await?;
        let risk_rules = self.risk_rules_for(&mut conn, &c).await?.version;
        let mut meetings = Vec::new();
        for m in meeting::meetings_of_case(&mut conn, case).await? {
            meetings.push(MeetingView {
                agencies: meeting::meeting_agency_names(&mut conn, &m.id).await?,
                items: task::tasks_of_source(&mut conn, &m.id).await?,
                meeting: m,
            });
        }
        let (merged, merged_from) = self.merge_notes(&mut conn, ctx, case).await?;
        // A merged duplicate takes no steps: its work goes on in the case it went into.
        let steps = if owner && merged.is_none() {
            workflow::steps(
                c.kind,
                c.status,
                &actor.roles,
                !c.exempt_reason.is_empty(),
                risk,
                c.level,
            )
        } else {
            Steps::default()
        };
        let referrals = referral::referrals(&mut conn, case).await?;
        Ok(CaseView {
            parties,
            clocks: clock_views,
            risk_current,
            plan_tasks,
            risk,
            risk_needs: risk.gate().err().map(|e| e.key()),
            risk_assess_blocked,
            risk_derived,
            risk_rules,
            assessments,
            can: CaseCan::of(&actor, &c, owner, &referrals, merged.is_some()),
            referrals,
            meetings,
            mediations: mediation::mediations(&mut conn, case).await?,
            follow_ups: follow_up::follow_ups(&mut conn, case).await?,
            replies: reply::replies(&mut conn, case).await?,
            contacts: self.contact_attempts(&mut conn, case).await?,
            clock_requests: self.clock_requests_of(&mut conn, case).await?,
            attachments: attachment::attachments(&mut conn, case).await?,
            related,
            repeats: self.visible_repeats(&mut conn, ctx, case).await?,
            merged,
            merged_from,
            rereviewed: match c.related_case_id {
                Some(earlier) => case::get_case(&mut conn, earlier)
                    .await?
                    .map(|e| (e.id, e.number)),
                None => None,
            },
            owned_by: self.case_owners(&mut conn, case).await?,
            events: case::events(&mut conn, case, false, Page::first(TIMELINE_SHOWN))
                .await?
                .map(TimelineEvent::from),
            steps,
            owner,
            reconciliation: serde_json::from_str(&c.reconciliation).ok(),
            case: c,
        })
    }

    /// A page (from 1) of a case's whole timeline, `TIMELINE_SHOWN` events a page, newest page
    /// first.
    pub async fn case_timeline(
        &self,
        ctx: &Ctx,
        case: Id,
        page: i64,
    ) -> Result<(Case, Paged<TimelineEvent>), AppError> {
        self.authorize(ctx, Action::ViewCases).await?;
        let mut conn = self.db().conn().await?;
        let (c, _) = self.case_for_read(&mut conn, ctx, case).await?;
        let events = case::events(&mut conn, case, false, Page::nth(page, TIMELINE_SHOWN))
            .await?
            .map(TimelineEvent::from);
        Ok((c, events))
    }
}
