//! The catalogue of protected routes and the action each one needs, for the exhaustive
//! role × route test. Placeholders in braces are filled with real ids by the test.

use gongzhi_domain::policy::Action;

pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub action: Action,
}

const fn r(method: &'static str, path: &'static str, action: Action) -> RouteSpec {
    RouteSpec { method, path, action }
}

pub const PROTECTED: &[RouteSpec] = &[
    r("GET", "/admin/org", Action::ViewReference),
    r("GET", "/admin/org/{district}", Action::ViewReference),
    r("POST", "/admin/org", Action::ManageReference),
    r("POST", "/admin/org/{district}", Action::ManageReference),
    r("GET", "/admin/agencies", Action::ViewReference),
    r("GET", "/admin/agencies/{agency}", Action::ViewReference),
    r("POST", "/admin/agencies", Action::ManageReference),
    r("POST", "/admin/agencies/{agency}", Action::ManageReference),
    r("GET", "/admin/categories", Action::ViewReference),
    r("POST", "/admin/categories", Action::ManageReference),
    r("GET", "/admin/calendar", Action::ViewReference),
    r("POST", "/admin/calendar", Action::ManageReference),
    r("GET", "/admin/import", Action::ManageReference),
    r("GET", "/admin/roster", Action::ViewRoster),
    r("GET", "/admin/roster/{township}", Action::ViewRoster),
    r("POST", "/admin/roster/{township}", Action::ManageRoster),
    r(
        "POST",
        "/admin/roster/village/{village}/judge",
        Action::ManageRoster,
    ),
    r("GET", "/admin/users", Action::ViewUsers),
    r("GET", "/admin/users/{user}", Action::ViewUsers),
    r("POST", "/admin/users", Action::ManageUsers),
    r("POST", "/admin/users/{user}/unlock", Action::ManageUserSecurity),
    r(
        "POST",
        "/admin/users/{user}/revoke-sessions",
        Action::ManageUserSecurity,
    ),
    r("GET", "/admin/permissions", Action::ViewPermissions),
    r("GET", "/admin/audit", Action::ViewAudit),
    r("GET", "/api/v1/agencies", Action::ViewReference),
    r("GET", "/api/v1/org-units", Action::ViewReference),
    r("GET", "/api/v1/categories", Action::ViewReference),
    r("GET", "/api/v1/users", Action::ViewUsers),
    r("POST", "/api/v1/users", Action::ManageUsers),
    r("POST", "/api/v1/agencies", Action::ManageReference),
    r("GET", "/api/v1/permissions", Action::ViewPermissions),
    r("GET", "/cases", Action::ViewCases),
    r("GET", "/cases/new", Action::RegisterCase),
    r("POST", "/cases", Action::RegisterCase),
    r("GET", "/inbox", Action::ViewCases),
    r("GET", "/meetings/new", Action::HandleCase),
    r("POST", "/meetings", Action::HandleCase),
    r("GET", "/admin/templates", Action::ViewCases),
    r(
        "POST",
        "/admin/templates/procedural-accepted",
        Action::ManageTemplates,
    ),
    r("GET", "/api/v1/cases", Action::ViewCases),
    r("POST", "/api/v1/cases", Action::RegisterCase),
    r("GET", "/api/v1/inbox", Action::ViewCases),
    r("POST", "/api/v1/meetings", Action::HandleCase),
];
