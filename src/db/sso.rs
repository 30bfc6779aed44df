//! Single sign-on's records: provider identities linked to staff accounts, pending accounts
//! waiting for an administrator, and sign-ins on their way through the provider.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use crate::domain::user::Role;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// How long a sign-in may take at the provider before its state is forgotten.
pub const FLOW_MINUTES: i64 = 15;

/// Keeps a started sign-in until the browser comes back; forgets those left unfinished.
pub async fn begin_flow(
    db: &Db,
    state_hash: &str,
    nonce: &str,
    verifier: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let stale = now - Duration::minutes(FLOW_MINUTES);
    on_db!(db.base(), |p| sqlx::query(
        "DELETE FROM sso_flows WHERE created_at < $1"
    )
    .bind(stale)
    .execute(p)
    .await
    .map(|_| ()))?;
    let sql =
        "INSERT INTO sso_flows (state_hash, nonce, verifier, created_at) VALUES ($1, $2, $3, $4)";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(state_hash)
        .bind(nonce)
        .bind(verifier)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))
}

/// Takes a started sign-in by its state, once: (nonce, PKCE verifier), or None for a state
/// never issued, already used or too old.
pub async fn take_flow(
    db: &Db,
    state_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let sql = "DELETE FROM sso_flows WHERE state_hash = $1 AND created_at >= $2 RETURNING nonce, verifier";
    let stale = now - Duration::minutes(FLOW_MINUTES);
    on_db!(db.base(), |p| sqlx::query_as(sql)
        .bind(state_hash)
        .bind(stale)
        .fetch_optional(p)
        .await)
}

/// The account an identity is linked to.
pub async fn linked_user(db: &Db, issuer: &str, subject: &str) -> Result<Option<i64>, sqlx::Error> {
    let sql = "SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2";
    on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(issuer)
        .bind(subject)
        .fetch_optional(p)
        .await)
}

/// Links an identity to an account (replacing the account's earlier identity at this
/// issuer); a pending account for the identity is done with.
pub async fn link(
    tx: &mut Tx,
    issuer: &str,
    subject: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
        "DELETE FROM user_identities WHERE (issuer = $1 AND subject = $2) OR (issuer = $1 AND user_id = $3)"
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO user_identities (issuer, subject, user_id, linked_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM pending_identities WHERE issuer = $1 AND subject = $2"
    )
    .bind(issuer)
    .bind(subject)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Removes an account's link at an issuer; whether there was one.
pub async fn unlink(tx: &mut Tx, issuer: &str, user_id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM user_identities WHERE issuer = $1 AND user_id = $2"
    )
    .bind(issuer)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Records (or refreshes) a pending account for someone the provider knows.
pub async fn note_pending(
    db: &Db,
    issuer: &str,
    subject: &str,
    name: Option<&str>,
    email: Option<&str>,
    role: Option<Role>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO pending_identities (issuer, subject, name, email, proposed_role, first_seen_at, last_seen_at)
               VALUES ($1, $2, $3, $4, $5, $6, $6)
               ON CONFLICT (issuer, subject) DO UPDATE
               SET name = excluded.name, email = excluded.email,
                   proposed_role = excluded.proposed_role, last_seen_at = excluded.last_seen_at";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(issuer)
        .bind(subject)
        .bind(name)
        .bind(email)
        .bind(role.map(Role::as_str))
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PendingRow {
    pub id: i64,
    pub subject: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub proposed_role: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn pending(db: &Db, issuer: &str) -> Result<Vec<PendingRow>, sqlx::Error> {
    let sql = "SELECT id, subject, name, email, proposed_role, first_seen_at, last_seen_at
               FROM pending_identities WHERE issuer = $1 ORDER BY first_seen_at, id";
    on_db!(db, |p| sqlx::query_as(sql).bind(issuer).fetch_all(p).await)
}

pub async fn pending_by_id(
    db: &Db,
    issuer: &str,
    id: i64,
) -> Result<Option<PendingRow>, sqlx::Error> {
    let sql = "SELECT id, subject, name, email, proposed_role, first_seen_at, last_seen_at
               FROM pending_identities WHERE issuer = $1 AND id = $2";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(issuer)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn drop_pending(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM pending_identities WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LinkRow {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub subject: String,
    pub linked_at: DateTime<Utc>,
}

/// The accounts linked to identities at `issuer`.
pub async fn links(db: &Db, issuer: &str) -> Result<Vec<LinkRow>, sqlx::Error> {
    let sql = "SELECT i.user_id, s.username, s.name, i.subject, i.linked_at
               FROM user_identities i JOIN users s ON s.id = i.user_id
               WHERE i.issuer = $1 ORDER BY s.name, s.id";
    on_db!(db, |p| sqlx::query_as(sql).bind(issuer).fetch_all(p).await)
}

/// Marks a session as started through the provider.
pub async fn mark_session(db: &Db, session_id: &str) -> Result<(), sqlx::Error> {
    on_db!(db.base(), |p| sqlx::query(
        "UPDATE sessions SET via_sso = $1 WHERE id = $2"
    )
    .bind(true)
    .bind(session_id)
    .execute(p)
    .await
    .map(|_| ()))
}

pub async fn session_via_sso(db: &Db, session_id: &str) -> Result<bool, sqlx::Error> {
    let v: Option<bool> = on_db!(db, |p| sqlx::query_scalar(
        "SELECT via_sso FROM sessions WHERE id = $1"
    )
    .bind(session_id)
    .fetch_optional(p)
    .await)?;
    Ok(v.unwrap_or(false))
}
