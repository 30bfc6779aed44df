//! Staff accounts.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use crate::domain::user::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub district_id: Option<i64>,
    pub district_name: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Worker)
    }
}

/// The columns of a `UserRow`, from `users s` joined with `user_joins!()`.
macro_rules! user_columns {
    () => {
        "s.id, s.username, s.name, s.role, s.unit_id, u.name AS unit_name,
        u.district_id, d.name AS district_name, s.phone, s.active, s.created_at, s.password_changed_at"
    };
}
macro_rules! user_joins {
    () => {
        "LEFT JOIN units u ON u.id = s.unit_id LEFT JOIN districts d ON d.id = u.district_id"
    };
}
pub(super) use {user_columns, user_joins};

const SELECT: &str = concat!("SELECT ", user_columns!(), " FROM users s ", user_joins!());

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(p)
        .await)
}

pub async fn all(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("{SELECT} ORDER BY s.active DESC, s.name, s.id");
    on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.id = $1");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn in_unit(db: &Db, unit_id: i64) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.unit_id = $1 AND s.active = $2 ORDER BY s.name, s.id");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(unit_id)
        .bind(true)
        .fetch_all(p)
        .await)
}

/// The active health workers of a unit, by name: who may own its follow-ups.
pub async fn workers_of(db: &Db, unit_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = "SELECT id, name FROM users WHERE unit_id = $1 AND active = $2 AND role = $3
               ORDER BY name, id";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(unit_id)
        .bind(true)
        .bind(Role::Worker.as_str())
        .fetch_all(p)
        .await)
}

/// The account and its password hash, for login.
pub async fn credentials(
    db: &Db,
    username: &str,
) -> Result<Option<(UserRow, String)>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.username = $1");
    let user: Option<UserRow> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(username)
        .fetch_optional(p)
        .await)?;
    let Some(user) = user else { return Ok(None) };
    let hash: String = on_db!(db, |p| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1"
    )
    .bind(user.id)
    .fetch_one(p)
    .await)?;
    Ok(Some((user, hash)))
}

pub async fn password_hash(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT password_hash FROM users WHERE id = $1";
    on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
}

pub async fn insert(
    tx: &mut Tx,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "INSERT INTO users (username, name, role, unit_id, phone, password_hash, active, created_at, password_changed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(user.username)
        .bind(user.name)
        .bind(user.role.as_str())
        .bind(user.unit_id)
        .bind(user.phone)
        .bind(user.password_hash)
        .bind(true)
        .bind(now)
        .fetch_one(c)
        .await)?;
    super::history::staff(tx, id, now).await?;
    Ok(id)
}

pub async fn update_profile(
    tx: &mut Tx,
    id: i64,
    name: &str,
    role: Role,
    unit_id: Option<i64>,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "UPDATE users SET name = $1, role = $2, unit_id = $3, phone = $4 WHERE id = $5";
    let changed = on_tx!(tx, |c| sqlx::query(sql)
        .bind(name)
        .bind(role.as_str())
        .bind(unit_id)
        .bind(phone)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    super::history::staff(tx, id, now).await?;
    Ok(changed)
}

pub async fn set_active(
    tx: &mut Tx,
    id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "UPDATE users SET active = $1 WHERE id = $2";
    let changed = on_tx!(tx, |c| sqlx::query(sql)
        .bind(active)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    super::history::staff(tx, id, now).await?;
    Ok(changed)
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}
