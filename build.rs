//! Builds the crate again when a migration is added or changed: `sqlx::migrate!` embeds the
//! migrations at compile time, and without this a new migration file (with no Rust change
//! beside it) would leave a binary that never applies it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
