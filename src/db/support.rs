//! The catalogue of support offers and referrals of relatives to them.

use super::{Db, Tx};
use crate::db::{on_db, on_tx, IdList};
use crate::domain::access::Scope;
use crate::domain::referral::{ReferralChange, ReferralDraft};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OfferRow {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub kind: String,
    pub need: String,
    pub contact: String,
    pub description: String,
    pub phone: String,
    pub web: String,
    pub hours: String,
    pub name_nn: String,
    pub name_en: String,
    pub retired_at: Option<DateTime<Utc>>,
    pub referral_count: i64,
}

const OFFER_SELECT: &str =
    "SELECT o.id, o.name, o.provider, o.kind, o.need, o.contact, o.description,
        o.phone, o.web, o.hours, o.name_nn, o.name_en, o.retired_at,
        (SELECT COUNT(*) FROM referrals x WHERE x.offer_id = o.id) AS referral_count
    FROM offers o";

pub async fn offers(db: &Db, include_retired: bool) -> Result<Vec<OfferRow>, sqlx::Error> {
    let sql =
        format!("{OFFER_SELECT} WHERE o.retired_at IS NULL OR $1 ORDER BY o.kind, o.name, o.id");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(include_retired)
        .fetch_all(p)
        .await)
}

/// Every offer's name by id, retired offers too: what the dashboard's referral counts are
/// named by.
pub async fn offer_names(db: &Db) -> Result<std::collections::BTreeMap<i64, String>, sqlx::Error> {
    let sql = "SELECT id, name FROM offers";
    let rows: Vec<(i64, String)> = on_db!(db, |p| sqlx::query_as(sql).fetch_all(p).await)?;
    Ok(rows.into_iter().collect())
}

pub async fn offer(db: &Db, id: i64) -> Result<Option<OfferRow>, sqlx::Error> {
    let sql = format!("{OFFER_SELECT} WHERE o.id = $1");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// An offer as parsed by `domain::offer::Offer::parse`.
pub use crate::domain::offer::Offer as OfferInput;

pub async fn insert_offer(
    tx: &mut Tx,
    o: &OfferInput,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "INSERT INTO offers (name, provider, kind, need, contact, description, phone, web,
                   hours, name_nn, name_en, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(&o.name)
        .bind(&o.provider)
        .bind(&o.kind)
        .bind(&o.need)
        .bind(&o.contact)
        .bind(&o.description)
        .bind(&o.phone)
        .bind(&o.web)
        .bind(&o.hours)
        .bind(&o.name_nn)
        .bind(&o.name_en)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn update_offer(tx: &mut Tx, id: i64, o: &OfferInput) -> Result<(), sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "UPDATE offers SET name = $1, provider = $2, kind = $3, need = $4, contact = $5,
               description = $6, phone = $7, web = $8, hours = $9, name_nn = $10, name_en = $11
               WHERE id = $12";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&o.name)
        .bind(&o.provider)
        .bind(&o.kind)
        .bind(&o.need)
        .bind(&o.contact)
        .bind(&o.description)
        .bind(&o.phone)
        .bind(&o.web)
        .bind(&o.hours)
        .bind(&o.name_nn)
        .bind(&o.name_en)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
}

pub async fn set_retired(
    tx: &mut Tx,
    id: i64,
    at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    super::changes::catalog(tx).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE offers SET retired_at = $1 WHERE id = $2"
    )
    .bind(at)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Deletes an offer nobody was referred to; false when referrals point to it.
pub async fn delete_unused_offer(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "DELETE FROM offers WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM referrals WHERE offer_id = $1)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReferralRow {
    pub id: i64,
    pub relative_id: i64,
    pub relative_name: String,
    pub patient_id: i64,
    pub unit_id: i64,
    pub offer_id: i64,
    pub offer_name: String,
    pub referred_on: NaiveDate,
    pub state: String,
    pub note: String,
}

const REFERRAL_SELECT: &str =
    "SELECT x.id, x.relative_id, r.full_name AS relative_name, r.patient_id, p.unit_id,
        x.offer_id, o.name AS offer_name, x.referred_on, x.state, x.note
    FROM referrals x JOIN relatives r ON r.id = x.relative_id JOIN patients p ON p.id = r.patient_id
    JOIN units u ON u.id = p.unit_id JOIN offers o ON o.id = x.offer_id";

pub async fn referral(db: &Db, scope: Scope, id: i64) -> Result<Option<ReferralRow>, sqlx::Error> {
    let sql = format!(
        "{REFERRAL_SELECT} WHERE x.id = $2 AND {}",
        scope.condition("$1")
    );
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(scope.id())
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn referrals_for_patient(
    db: &Db,
    patient_id: i64,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    referrals_for_patients(db, &[patient_id]).await
}

/// The referrals of several patients' relatives, newest first.
pub async fn referrals_for_patients(
    db: &Db,
    patients: &[i64],
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{REFERRAL_SELECT} WHERE {} ORDER BY x.referred_on DESC, x.id DESC",
        ids.condition("r.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

/// How to reach an offer, as a printed agreement gives it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferReach {
    /// The referral it was reached through; 0 for an offer looked up by name.
    pub referral_id: i64,
    pub name_nn: String,
    pub name_en: String,
    pub phone: String,
    pub web: String,
    pub hours: String,
}

/// The offers the patient's relatives were referred to, by referral.
pub async fn reach_for_patient(db: &Db, patient_id: i64) -> Result<Vec<OfferReach>, sqlx::Error> {
    let sql = "SELECT x.id AS referral_id, o.name_nn, o.name_en, o.phone, o.web, o.hours
               FROM referrals x JOIN relatives r ON r.id = x.relative_id
               JOIN offers o ON o.id = x.offer_id WHERE r.patient_id = $1";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(patient_id)
        .fetch_all(p)
        .await)
}

/// An offer of the catalogue in use, by its bokmål name.
pub async fn reach_by_name(db: &Db, name: &str) -> Result<Option<OfferReach>, sqlx::Error> {
    let sql =
        "SELECT CAST(0 AS BIGINT) AS referral_id, name_nn, name_en, phone, web, hours FROM offers
               WHERE name = $1 AND retired_at IS NULL ORDER BY id LIMIT 1";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(name)
        .fetch_optional(p)
        .await)
}

pub async fn insert_referral(
    tx: &mut Tx,
    relative_id: i64,
    r: &ReferralDraft,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO referrals (relative_id, offer_id, referred_on, state, note, created_by, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(relative_id)
        .bind(r.offer_id)
        .bind(r.referred_on)
        .bind(r.state.as_str())
        .bind(&r.note)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn set_referral_state(
    tx: &mut Tx,
    id: i64,
    change: &ReferralChange,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE referrals SET state = $1, note = $2, updated_at = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(change.state.as_str())
        .bind(&change.note)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
}
