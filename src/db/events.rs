//! Each patient's timeline: what happened, when and by whom.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub author_name: String,
    pub kind: String,
    pub summary: String,
}

pub struct Event<'a> {
    pub patient_id: i64,
    pub author_id: i64,
    pub author_name: &'a str,
    pub kind: &'a str,
    pub summary: &'a str,
}

pub async fn add(tx: &mut Tx, e: &Event<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO events (patient_id, at, author_id, author_name, kind, summary) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(e.patient_id)
        .bind(now)
        .bind(e.author_id)
        .bind(e.author_name)
        .bind(e.kind)
        .bind(e.summary)
        .execute(c)
        .await
        .map(|_| ()))
}

pub async fn for_patient(
    db: &Db,
    patient_id: i64,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let sql = "SELECT id, at, author_name, kind, summary FROM events WHERE patient_id = $1 ORDER BY at DESC, id DESC LIMIT $2";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(patient_id)
        .bind(limit)
        .fetch_all(p)
        .await)
}
