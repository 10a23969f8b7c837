//! Pure rules of gongzhi: identifiers, roles and the permission policy, the org tree's division codes,
//! the 1+4+6 roster, the work calendar, password and second-factor rules, and the audit hash chain.
//! Nothing here does IO; every other crate builds on these types.

pub mod aid;
pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod contact;
pub mod dashboard;
pub mod deadline;
pub mod document;
pub mod education;
pub mod event;
pub mod export;
pub mod grid;
pub mod hearing;
pub mod idcard;
pub mod ids;
pub mod locate;
pub mod minor;
pub mod notice;
pub mod org;
pub mod password;
pub mod phone;
pub mod policy;
pub mod principal;
pub mod publication;
pub mod reception;
pub mod reconciliation;
pub mod referral;
pub mod report;
pub mod risk;
pub mod roster;
pub mod search;
pub mod suggestion;
pub mod text;
pub mod time;
pub mod totp;
pub mod workflow;

pub use ids::Id;
pub use policy::{Action, Actor, Role, Scope};
pub use principal::{Partner, Principal, PrincipalKind};
