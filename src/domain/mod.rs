//! Plain domain types and rules: no I/O, so tests can call them directly.

pub mod access;
pub mod agreement;
pub mod children;
pub mod choices;
pub mod dates;
pub mod feedback;
pub mod fnr;
pub mod followup;
pub mod forms;
pub mod handover;
pub mod indicators;
pub mod logo;
pub mod mapping;
pub mod meeting;
pub mod patient;
pub mod phone;
pub mod referral;
pub mod relative;
pub mod routine;
pub mod session;
pub mod strain;
pub mod text;
pub mod unit;
pub mod user;
pub mod validation;
pub mod warnings;
