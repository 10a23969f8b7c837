//! Reference data and oversight for the administrators: the org tree, agencies, categories, the
//! work calendar, the deadline rules, the risk rule sets, CSV imports, the permission matrix and the audit trail, each in its own file.

use crate::routes::Routes;

mod agency;
mod audit;
mod calendar;
mod category;
mod deadline_rules;
mod import;
mod org;
mod permission;
mod risk_rules;

pub fn router() -> Routes {
    Routes::new()
        .merge(org::router())
        .merge(agency::router())
        .merge(category::router())
        .merge(calendar::router())
        .merge(deadline_rules::router())
        .merge(import::router())
        .merge(risk_rules::router())
        .merge(permission::router())
        .merge(audit::router())
}
