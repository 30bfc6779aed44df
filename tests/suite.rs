//! Integration tests through Rocket's local client, run on SQLite and (with
//! SAMSPILL_TEST_DATABASE_URL) on PostgreSQL.

#[path = "common/mod.rs"]
mod common;

mod suite {
    pub mod access_log;
    pub mod admin;
    pub mod agreement_rules;
    pub mod agreements;
    pub mod auth;
    pub mod children;
    pub mod cli;
    pub mod copies;
    pub mod dashboard;
    pub mod feedback;
    pub mod followups;
    pub mod handover;
    pub mod hardening;
    pub mod heavy;
    pub mod invitation;
    pub mod kept_pages;
    pub mod patients;
    pub mod processes;
    pub mod rhythm;
    pub mod robustness;
    pub mod routes;
    pub mod routine;
    pub mod sso;
    pub mod today;
    pub mod warnings;
}
