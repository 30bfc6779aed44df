//! Districts (bydeler) and units (tjenestesteder).

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use crate::domain::unit::UnitContact;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct District {
    pub id: i64,
    pub name: String,
    pub unit_count: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub district_id: i64,
    pub district_name: String,
    pub address: String,
    pub phone: String,
    pub phone_hours: String,
    pub after_hours_phone: String,
}

impl Unit {
    pub fn contact(&self) -> UnitContact {
        UnitContact {
            address: self.address.clone(),
            phone: self.phone.clone(),
            phone_hours: self.phone_hours.clone(),
            after_hours_phone: self.after_hours_phone.clone(),
        }
    }
}

pub async fn districts(db: &Db) -> Result<Vec<District>, sqlx::Error> {
    let sql = "SELECT d.id, d.name, (SELECT COUNT(*) FROM units u WHERE u.district_id = d.id) AS unit_count
               FROM districts d ORDER BY d.name";
    on_db!(db, |p| sqlx::query_as(sql).fetch_all(p).await)
}

pub async fn district(db: &Db, id: i64) -> Result<Option<District>, sqlx::Error> {
    let sql = "SELECT d.id, d.name, (SELECT COUNT(*) FROM units u WHERE u.district_id = d.id) AS unit_count
               FROM districts d WHERE d.id = $1";
    on_db!(db, |p| sqlx::query_as(sql).bind(id).fetch_optional(p).await)
}

const UNIT_SELECT: &str = "SELECT u.id, u.name, u.district_id, d.name AS district_name,
                           u.address, u.phone, u.phone_hours, u.after_hours_phone
                           FROM units u JOIN districts d ON d.id = u.district_id";

pub async fn units(db: &Db) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!("{UNIT_SELECT} ORDER BY d.name, u.name");
    on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await)
}

pub async fn units_in_district(db: &Db, district_id: i64) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!("{UNIT_SELECT} WHERE u.district_id = $1 ORDER BY u.name");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(district_id)
        .fetch_all(p)
        .await)
}

pub async fn unit(db: &Db, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("{UNIT_SELECT} WHERE u.id = $1");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn unit_by_name(db: &Db, name: &str) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("{UNIT_SELECT} WHERE u.name = $1");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(name)
        .fetch_optional(p)
        .await)
}

pub async fn insert_district(
    tx: &mut Tx,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "INSERT INTO districts (name, created_at) VALUES ($1, $2) RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn rename_district(tx: &mut Tx, id: i64, name: &str) -> Result<u64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "UPDATE districts SET name = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(name)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}

pub async fn insert_unit(
    tx: &mut Tx,
    district_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "INSERT INTO units (district_id, name, created_at) VALUES ($1, $2, $3) RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(district_id)
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn update_unit(
    tx: &mut Tx,
    id: i64,
    district_id: i64,
    name: &str,
) -> Result<u64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "UPDATE units SET district_id = $1, name = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(district_id)
        .bind(name)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}

pub async fn set_unit_contact(tx: &mut Tx, id: i64, c: &UnitContact) -> Result<u64, sqlx::Error> {
    let sql = "UPDATE units SET address = $1, phone = $2, phone_hours = $3, after_hours_phone = $4
               WHERE id = $5";
    on_tx!(tx, |x| sqlx::query(sql)
        .bind(&c.address)
        .bind(&c.phone)
        .bind(&c.phone_hours)
        .bind(&c.after_hours_phone)
        .bind(id)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))
}

/// The letterhead's logo, as uploaded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Logo {
    pub image: Vec<u8>,
    pub width: i64,
    pub height: i64,
    pub components: i64,
    pub updated_at: DateTime<Utc>,
}

pub async fn logo(db: &Db) -> Result<Option<Logo>, sqlx::Error> {
    let sql =
        "SELECT image, width, height, components, updated_at FROM letterhead_logo WHERE id = 1";
    on_db!(db, |p| sqlx::query_as(sql).fetch_optional(p).await)
}

pub async fn set_logo(
    tx: &mut Tx,
    image: &[u8],
    (width, height, components): (i64, i64, i64),
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    delete_logo(tx).await?;
    let sql = "INSERT INTO letterhead_logo (id, image, width, height, components, updated_at)
               VALUES (1, $1, $2, $3, $4, $5)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(image)
        .bind(width)
        .bind(height)
        .bind(components)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}

pub async fn delete_logo(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query("DELETE FROM letterhead_logo")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}
