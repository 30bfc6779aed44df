//! Plain domain types and rules: no I/O, so tests can call them directly.

pub mod access;
pub mod dates;
pub mod fnr;
pub mod patient;
pub mod phone;
pub mod text;
pub mod user;
pub mod validation;
