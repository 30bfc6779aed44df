//! Samspill: systematic collaboration with relatives (pårørende) in municipal health and care
//! services. `app` prepares and assembles the application; `main.rs` only parses the command line.

pub mod app;
pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod logging;
pub mod pdf;
pub mod security;
pub mod sso;
pub mod web;

pub use app::{build_rocket, prepare, redact, App};
