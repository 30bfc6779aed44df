//! Login sessions and the failed-login throttle. Both live in the database so that several
//! app instances behind a load balancer share them.

use super::Db;
use crate::db::on_db;
use chrono::{DateTime, Utc};

pub async fn create(
    db: &Db,
    id: &str,
    user_id: i64,
    csrf_token: &str,
    user_agent: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, user_agent)
               VALUES ($1, $2, $3, $4, $4, $5)";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(id)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(user_agent)
        .execute(p)
        .await
        .map(|_| ()))
}

/// A session with its user, in one query (every request asks this).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionWithUser {
    pub session_id: String,
    pub csrf_token: String,
    pub session_created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    pub user: super::users::UserRow,
}

pub async fn find_with_user(db: &Db, id: &str) -> Result<Option<SessionWithUser>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT sess.id AS session_id, sess.csrf_token, sess.created_at AS session_created_at,
            sess.last_seen_at, sess.ended_at, ",
        super::users::user_columns!(),
        " FROM sessions sess JOIN users s ON s.id = sess.user_id ",
        super::users::user_joins!(),
        " WHERE sess.id = $1"
    );
    on_db!(db, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await)
}

pub async fn touch(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let sql = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(now)
        .bind(id)
        .execute(p)
        .await
        .map(|_| ()))
}

pub async fn end(db: &Db, id: &str, reason: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let sql =
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(now)
        .bind(reason)
        .bind(id)
        .execute(p)
        .await
        .map(|_| ()))
}

/// Ends every open session of a user (password change, reset, deactivation).
pub async fn end_all_for_user(
    db: &Db,
    user_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(now)
        .bind(reason)
        .bind(user_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
}

/// The time until which logins for `username` are refused, if any.
pub async fn locked_until(db: &Db, username: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let sql = "SELECT locked_until FROM login_throttle WHERE username = $1";
    let row: Option<Option<DateTime<Utc>>> = on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(username)
        .fetch_optional(p)
        .await)?;
    Ok(row.flatten())
}

/// Counts a failed login; the `max_failures`-th consecutive failure locks the username
/// until `lock_until`. Returns whether it is now locked.
pub async fn record_failure(
    db: &Db,
    username: &str,
    max_failures: i64,
    now: DateTime<Utc>,
    lock_until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO login_throttle (username, failures, locked_until, last_failure_at) VALUES ($1, 1, NULL, $2)
               ON CONFLICT (username) DO UPDATE SET failures = login_throttle.failures + 1, last_failure_at = $2
               RETURNING failures";
    let failures: i64 = on_db!(db.base(), |p| sqlx::query_scalar(sql)
        .bind(username)
        .bind(now)
        .fetch_one(p)
        .await)?;
    if failures >= max_failures {
        let lock = "UPDATE login_throttle SET failures = 0, locked_until = $1 WHERE username = $2";
        on_db!(db.base(), |p| sqlx::query(lock)
            .bind(lock_until)
            .bind(username)
            .execute(p)
            .await
            .map(|_| ()))?;
        return Ok(true);
    }
    Ok(false)
}

pub async fn clear_failures(db: &Db, username: &str) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM login_throttle WHERE username = $1";
    on_db!(db.base(), |p| sqlx::query(sql)
        .bind(username)
        .execute(p)
        .await
        .map(|_| ()))
}
