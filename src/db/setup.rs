//! The one-time token that lets a person create the first administrator.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use chrono::{DateTime, Utc};

/// Replaces any earlier token with `token`.
pub async fn issue(db: &Db, token: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query("DELETE FROM setup_tokens")
        .execute(c)
        .await
        .map(|_| ()))?;
    on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO setup_tokens (token, created_at) VALUES ($1, $2)"
    )
    .bind(token)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    tx.commit().await
}

pub async fn is_valid(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM setup_tokens WHERE token = $1";
    let n: i64 = on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(token)
        .fetch_one(p)
        .await)?;
    Ok(n > 0)
}

/// Deletes the token inside the transaction that creates the administrator; true when the
/// token existed (so it can be used once only).
pub async fn consume(tx: &mut Tx, token: &str) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM setup_tokens WHERE token = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(token)
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))
}
