//! The catalogue of support offers and referrals of relatives to them.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
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
    pub retired_at: Option<DateTime<Utc>>,
    pub referral_count: i64,
}

const OFFER_SELECT: &str =
    "SELECT o.id, o.name, o.provider, o.kind, o.need, o.contact, o.description, o.retired_at,
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

pub async fn offer(db: &Db, id: i64) -> Result<Option<OfferRow>, sqlx::Error> {
    let sql = format!("{OFFER_SELECT} WHERE o.id = $1");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub struct OfferInput {
    pub name: String,
    pub provider: String,
    pub kind: String,
    pub need: String,
    pub contact: String,
    pub description: String,
}

pub async fn insert_offer(
    tx: &mut Tx,
    o: &OfferInput,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "INSERT INTO offers (name, provider, kind, need, contact, description, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(&o.name)
        .bind(&o.provider)
        .bind(&o.kind)
        .bind(&o.need)
        .bind(&o.contact)
        .bind(&o.description)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn update_offer(tx: &mut Tx, id: i64, o: &OfferInput) -> Result<(), sqlx::Error> {
    super::changes::catalog(tx).await?;
    let sql = "UPDATE offers SET name = $1, provider = $2, kind = $3, need = $4, contact = $5, description = $6 WHERE id = $7";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&o.name)
        .bind(&o.provider)
        .bind(&o.kind)
        .bind(&o.need)
        .bind(&o.contact)
        .bind(&o.description)
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
    let sql =
        format!("{REFERRAL_SELECT} WHERE r.patient_id = $1 ORDER BY x.referred_on DESC, x.id DESC");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(patient_id)
        .fetch_all(p)
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
