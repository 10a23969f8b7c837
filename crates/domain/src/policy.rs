//! Who may do what: roles, actions, the permission matrix (written once, here), and data scopes.
//!
//! MLPS level 3 (GB/T 22239-2019, DOMAIN.md §6.2) asks for the separation of the system, security and
//! audit administrators (三权分立): no account holds two of them, none of them holds a business role,
//! and only the audit administrator reads the audit trail.

use thiserror::Error;

use crate::Id;
use crate::org::AgencyKind;

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in the database, the API, CSV files and translation keys.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code.trim() { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        /// In the OpenAPI document as what the API sends: one of the codes.
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use codes;

codes! {
    /// A role held by a user. Users belong to one agency and may hold several business roles.
    Role {
        SystemAdmin => "system_admin",
        SecurityAdmin => "security_admin",
        AuditAdmin => "audit_admin",
        ChiefProsecutor => "chief_prosecutor",
        Prosecutor => "prosecutor",
        ProsecutorAssistant => "prosecutor_assistant",
        ReceptionClerk => "reception_clerk",
        JuvenileTeam => "juvenile_team",
        HearingPoolManager => "hearing_pool_manager",
        PartnerHandler => "partner_handler",
        GridWorker => "grid_worker",
        /// The political-legal committee's leader: district statistics and supervision (督办).
        Leader => "leader",
        /// The head of a partner agency (court president, police chief, director, township
        /// secretary or head, centre director); the procuratorate's head is the chief prosecutor.
        AgencyHead => "agency_head",
    }
}

codes! {
    /// Something a user may attempt. Every UI and API route names exactly one.
    Action {
        ViewReference => "view_reference",
        ManageReference => "manage_reference",
        ViewRoster => "view_roster",
        ManageRoster => "manage_roster",
        ViewUsers => "view_users",
        ManageUsers => "manage_users",
        ManageUserSecurity => "manage_user_security",
        ViewPermissions => "view_permissions",
        ViewAudit => "view_audit",
        ViewStatistics => "view_statistics",
        ViewCases => "view_cases",
        RegisterCase => "register_case",
        HandleCase => "handle_case",
        RevealPersonal => "reveal_personal",
        SignOffRisk => "sign_off_risk",
        ApproveClock => "approve_clock",
        ManageTemplates => "manage_templates",
        SuperviseCase => "supervise_case",
        /// Hearings and the officer pool (without the officers' contacts).
        ViewHearings => "view_hearings",
        /// Propose, prepare, draw officers for, hold and decide a hearing on one's case.
        ConductHearing => "conduct_hearing",
        /// §3.6 Art. 4, Art. 12: the chief prosecutor approves hearings and their venue.
        ApproveHearing => "approve_hearing",
        /// Enter, review and keep the officer pool (听证员库, managed by case management).
        ManageHearingPool => "manage_hearing_pool",
        /// Suggestions: the procuratorate's, and those addressed to one's agency.
        ViewSuggestions => "view_suggestions",
        /// Investigate, draft, serve, follow up and close a suggestion.
        DraftSuggestion => "draft_suggestion",
        /// §3.7: the chief prosecutor (or the committee) decides, and escalates.
        DecideSuggestion => "decide_suggestion",
        /// The recipient agency objects or replies online (or staff enter it for it).
        AnswerSuggestion => "answer_suggestion",
        /// Judicial aid cases (the complaints department's; finance's steps are recorded by it).
        ViewAid => "view_aid",
        HandleAid => "handle_aid",
        /// §3.8: the chief prosecutor (or the committee) decides whether and how much.
        DecideAid => "decide_aid",
        /// The reception-day schedule and its visits (DOMAIN.md §3.10).
        ViewReception => "view_reception",
        /// Schedule and publish leaders' reception days, book visitors (the complaints unit, §2.1).
        ScheduleReception => "schedule_reception",
        /// Record a reception: answered on the spot, or owned (包案) by the leader.
        ReceiveVisitor => "receive_visitor",
        /// Legal-education events and their counts (DOMAIN.md §3.11).
        ViewEducation => "view_education",
        /// Plan, hold and record one's agency's events.
        ManageEducation => "manage_education",
        /// See who is assigned to which village, the visits and the coverage.
        ViewGrid => "view_grid",
        /// Assign one's own agency's people to villages and set their rhythm.
        ManageGrid => "manage_grid",
        /// Log a visit and route its findings.
        LogVisit => "log_visit",
        /// The minors' security class (§3.9): reports, children's records, support plans.
        ManageMinors => "manage_minors",
        /// A head of a political-legal organ who owns a township's patch (§0.1 "4"): its open
        /// high-risk cases, whichever agency handles them (read only).
        WatchPatch => "watch_patch",
        /// The one search box (issue 13 §1): each kind of hit only where the kind's own view
        /// action is granted, in that action's scope.
        Search => "search",
    }
}

use Role::*;

const STAFF: &[Role] = &[
    ChiefProsecutor,
    Prosecutor,
    ProsecutorAssistant,
    ReceptionClerk,
    JuvenileTeam,
    HearingPoolManager,
    PartnerHandler,
    GridWorker,
    AgencyHead,
];

/// The permission matrix. `allows` is the only reader; the admin page shows it as a table.
fn granted(action: Action) -> &'static [Role] {
    match action {
        // Reference data (org tree, agencies, categories, calendar) is needed by everyone who
        // registers or routes work; the leader role is statistics only; the audit admin audits only.
        Action::ViewReference => &[
            SystemAdmin,
            SecurityAdmin,
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            HearingPoolManager,
            PartnerHandler,
            GridWorker,
            AgencyHead,
        ],
        Action::ManageReference | Action::ManageRoster | Action::ManageUsers => &[SystemAdmin],
        Action::ViewRoster => &[
            SystemAdmin,
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            HearingPoolManager,
            PartnerHandler,
            GridWorker,
            Leader,
            AgencyHead,
        ],
        Action::ViewUsers => &[SystemAdmin, SecurityAdmin],
        // Unlocking, credential resets, revoking sessions and granting the admin roles belong to the
        // security administrator, not to the one who creates accounts.
        Action::ManageUserSecurity => &[SecurityAdmin],
        Action::ViewPermissions => &[SystemAdmin, SecurityAdmin, AuditAdmin],
        Action::ViewAudit => &[AuditAdmin],
        Action::ViewStatistics => &[Leader, ChiefProsecutor, AgencyHead, SystemAdmin],
        Action::ViewCases => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            PartnerHandler,
            GridWorker,
            Leader,
            AgencyHead,
        ],
        Action::RegisterCase | Action::HandleCase => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            PartnerHandler,
            GridWorker,
        ],
        // PIPL Art. 28: identity numbers are sensitive; only procuratorate case staff see them whole.
        Action::RevealPersonal => &[ChiefProsecutor, Prosecutor, ReceptionClerk, JuvenileTeam],
        // §3.5: a high risk needs leadership sign-off; §3.3: extensions are approved by the head of
        // the handling organ — each head for the cases the own agency handles (checked on the case).
        Action::SignOffRisk | Action::ApproveClock => &[ChiefProsecutor, AgencyHead],
        // The political-legal committee supervises (督办) and does not handle.
        Action::SuperviseCase => &[Leader],
        Action::ManageTemplates => &[ChiefProsecutor, ReceptionClerk],
        // DOMAIN.md §3.6: hearings are the procuratorate's; the pool manager keeps the pool.
        Action::ViewHearings => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            HearingPoolManager,
        ],
        Action::ConductHearing => &[ChiefProsecutor, Prosecutor, ProsecutorAssistant, JuvenileTeam],
        Action::ApproveHearing => &[ChiefProsecutor],
        Action::ManageHearingPool => &[HearingPoolManager],
        Action::ViewSuggestions => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            PartnerHandler,
            AgencyHead,
        ],
        Action::DraftSuggestion => &[ChiefProsecutor, Prosecutor, ProsecutorAssistant],
        Action::DecideSuggestion => &[ChiefProsecutor],
        Action::AnswerSuggestion => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            PartnerHandler,
            AgencyHead,
        ],
        Action::ViewAid | Action::HandleAid => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
        ],
        Action::DecideAid => &[ChiefProsecutor],
        // §3.10: leaders and department heads receive; the complaints unit schedules and books.
        Action::ViewReception => &[ChiefProsecutor, Prosecutor, ProsecutorAssistant, ReceptionClerk],
        Action::ScheduleReception => &[ChiefProsecutor, ReceptionClerk],
        Action::ReceiveVisitor => &[ChiefProsecutor, Prosecutor, ReceptionClerk],
        // §3.11: the procuratorate and its partners (justice offices, courts …) teach the law.
        // Search (issue 13 §1) is for the same people — whoever sees cases, hearings, suggestions,
        // aid or visits — each kind of hit scoped by that kind's own view action.
        Action::ViewEducation | Action::Search => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            HearingPoolManager,
            PartnerHandler,
            GridWorker,
            AgencyHead,
            Leader,
        ],
        Action::ManageEducation => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            JuvenileTeam,
            PartnerHandler,
        ],
        // §3.10 prosecutors into the grid, with the other roster members; the heads assign their
        // own people; the committee follows the coverage.
        Action::ViewGrid => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            ReceptionClerk,
            JuvenileTeam,
            PartnerHandler,
            GridWorker,
            AgencyHead,
            Leader,
        ],
        Action::ManageGrid | Action::WatchPatch => &[ChiefProsecutor, AgencyHead],
        Action::LogVisit => &[
            ChiefProsecutor,
            Prosecutor,
            ProsecutorAssistant,
            JuvenileTeam,
            PartnerHandler,
            GridWorker,
        ],
        // Issue 12 §3: only the juvenile team; others only by an explicit grant of one record.
        Action::ManageMinors => &[JuvenileTeam],
    }
}

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, SystemAdmin | SecurityAdmin | AuditAdmin)
    }

    pub fn allows(self, action: Action) -> bool {
        granted(action).contains(&self)
    }

    /// Which agencies a holder of this role may belong to.
    pub fn fits_agency(self, kind: AgencyKind) -> bool {
        match self {
            ChiefProsecutor | Prosecutor | ProsecutorAssistant | ReceptionClerk | JuvenileTeam
            | HearingPoolManager => kind == AgencyKind::Procuratorate,
            PartnerHandler => kind != AgencyKind::Procuratorate,
            GridWorker => matches!(
                kind,
                AgencyKind::GovernanceCentre | AgencyKind::TownshipGovernment | AgencyKind::VillageCommittee
            ),
            AgencyHead => kind != AgencyKind::Procuratorate,
            SystemAdmin | SecurityAdmin | AuditAdmin | Leader => true,
        }
    }

    pub fn is_staff(self) -> bool {
        STAFF.contains(&self)
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RoleSetError {
    #[error("a user needs at least one role")]
    Empty,
    #[error("the system, security and audit administrator roles must be held by different accounts")]
    AdminRolesCombined,
    #[error("an administrator account cannot also hold a business role")]
    AdminWithBusinessRole,
    #[error("role {role} does not fit an agency of kind {kind}")]
    WrongAgency { role: Role, kind: AgencyKind },
}

/// Checks a user's complete role set against the separation-of-duties rules and their agency.
pub fn check_role_set(roles: &[Role], agency: AgencyKind) -> Result<(), RoleSetError> {
    if roles.is_empty() {
        return Err(RoleSetError::Empty);
    }
    let admins = roles.iter().filter(|r| r.is_admin()).count();
    if admins > 1 {
        return Err(RoleSetError::AdminRolesCombined);
    }
    if admins == 1 && roles.len() > 1 {
        return Err(RoleSetError::AdminWithBusinessRole);
    }
    if let Some(role) = roles.iter().find(|r| !r.fits_agency(agency)) {
        return Err(RoleSetError::WrongAgency {
            role: *role,
            kind: agency,
        });
    }
    Ok(())
}

/// How far a permitted action reaches over data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every row (administrators, district-wide roles).
    All,
    /// Rows of one agency.
    Agency(Id),
    /// Rows the user owns.
    Own(Id),
}

/// The authenticated user on whose behalf a request runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Id,
    pub username: String,
    pub display_name: String,
    pub agency_id: Id,
    pub agency_name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn can(&self, action: Action) -> bool {
        self.roles.iter().any(|r| r.allows(action))
    }

    pub fn is(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The scope of a permitted action, `None` when the action is not permitted at all.
    pub fn scope(&self, action: Action) -> Option<Scope> {
        if !self.can(action) {
            return None;
        }
        let district_wide = self
            .roles
            .iter()
            .any(|r| r.is_admin() || matches!(r, ChiefProsecutor | Leader));
        Some(match action {
            Action::ViewReference | Action::ViewRoster | Action::ViewPermissions => Scope::All,
            _ if district_wide => Scope::All,
            _ if self.roles.iter().any(|r| r.is_staff()) => Scope::Agency(self.agency_id),
            _ => Scope::Own(self.user_id),
        })
    }
}

/// What a user may do, one flag per action, for the screens: computed by the policy, so that a
/// template asks `can.handle_case` and a misspelt action does not compile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Can {
    pub view_reference: bool,
    pub manage_reference: bool,
    pub view_roster: bool,
    pub manage_roster: bool,
    pub view_users: bool,
    pub manage_users: bool,
    pub manage_user_security: bool,
    pub view_permissions: bool,
    pub view_audit: bool,
    pub view_statistics: bool,
    pub view_cases: bool,
    pub register_case: bool,
    pub handle_case: bool,
    pub reveal_personal: bool,
    pub sign_off_risk: bool,
    pub approve_clock: bool,
    pub manage_templates: bool,
    pub supervise_case: bool,
    pub view_hearings: bool,
    pub conduct_hearing: bool,
    pub approve_hearing: bool,
    pub manage_hearing_pool: bool,
    pub view_suggestions: bool,
    pub draft_suggestion: bool,
    pub decide_suggestion: bool,
    pub answer_suggestion: bool,
    pub view_aid: bool,
    pub handle_aid: bool,
    pub decide_aid: bool,
    pub view_reception: bool,
    pub schedule_reception: bool,
    pub receive_visitor: bool,
    pub view_education: bool,
    pub manage_education: bool,
    pub view_grid: bool,
    pub manage_grid: bool,
    pub log_visit: bool,
    pub manage_minors: bool,
    pub watch_patch: bool,
    pub search: bool,
}

impl Can {
    pub fn of(roles: &[Role]) -> Self {
        let mut can = Can::default();
        for action in Action::ALL {
            let flag = match action {
                Action::ViewReference => &mut can.view_reference,
                Action::ManageReference => &mut can.manage_reference,
                Action::ViewRoster => &mut can.view_roster,
                Action::ManageRoster => &mut can.manage_roster,
                Action::ViewUsers => &mut can.view_users,
                Action::ManageUsers => &mut can.manage_users,
                Action::ManageUserSecurity => &mut can.manage_user_security,
                Action::ViewPermissions => &mut can.view_permissions,
                Action::ViewAudit => &mut can.view_audit,
                Action::ViewStatistics => &mut can.view_statistics,
                Action::ViewCases => &mut can.view_cases,
                Action::RegisterCase => &mut can.register_case,
                Action::HandleCase => &mut can.handle_case,
                Action::RevealPersonal => &mut can.reveal_personal,
                Action::SignOffRisk => &mut can.sign_off_risk,
                Action::ApproveClock => &mut can.approve_clock,
                Action::ManageTemplates => &mut can.manage_templates,
                Action::SuperviseCase => &mut can.supervise_case,
                Action::ViewHearings => &mut can.view_hearings,
                Action::ConductHearing => &mut can.conduct_hearing,
                Action::ApproveHearing => &mut can.approve_hearing,
                Action::ManageHearingPool => &mut can.manage_hearing_pool,
                Action::ViewSuggestions => &mut can.view_suggestions,
                Action::DraftSuggestion => &mut can.draft_suggestion,
                Action::DecideSuggestion => &mut can.decide_suggestion,
                Action::AnswerSuggestion => &mut can.answer_suggestion,
                Action::ViewAid => &mut can.view_aid,
                Action::HandleAid => &mut can.handle_aid,
                Action::DecideAid => &mut can.decide_aid,
                Action::ViewReception => &mut can.view_reception,
                Action::ScheduleReception => &mut can.schedule_reception,
                Action::ReceiveVisitor => &mut can.receive_visitor,
                Action::ViewEducation => &mut can.view_education,
                Action::ManageEducation => &mut can.manage_education,
                Action::ViewGrid => &mut can.view_grid,
                Action::ManageGrid => &mut can.manage_grid,
                Action::LogVisit => &mut can.log_visit,
                Action::ManageMinors => &mut can.manage_minors,
                Action::WatchPatch => &mut can.watch_patch,
                Action::Search => &mut can.search,
            };
            *flag = roles.iter().any(|r| r.allows(*action));
        }
        can
    }
}

#[cfg(test)]
mod tests;
