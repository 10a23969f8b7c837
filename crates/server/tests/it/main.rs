//! End-to-end tests through a real server on SQLite, or PostgreSQL with TEST_DATABASE_URL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod admin_friction;
mod aid;
mod approvals;
mod audit;
mod auth;
mod bounds;
mod calendar;
mod cases;
mod cli;
mod deadline_rules;
mod document;
mod duplicates;
mod edge;
mod education;
mod grid;
mod grid_visit;
mod hearing;
mod minor;
mod minor_child;
mod minor_criminal;
mod next_steps;
mod panels;
mod public;
mod reception;
mod referral_work;
mod review;
mod risk_rules;
mod roster_work;
mod search;
mod security;
mod statute;
mod store;
mod suggestion;
mod sweep;
mod upgrade;
