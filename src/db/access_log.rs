//! The append-only access log: every view, creation, change, print and export of a
//! patient's data, and administrators' changes to accounts. Nothing updates or deletes its
//! rows (the schema refuses it too).

use super::{Db, Tx};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    View,
    Create,
    Update,
    Archive,
    Print,
    Export,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Update => "update",
            Action::Archive => "archive",
            Action::Print => "print",
            Action::Export => "export",
            Action::Delete => "delete",
        }
    }
}

/// One access: who did what to which record of which patient.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    pub user_id: i64,
    pub username: &'a str,
    pub action: Action,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub detail: &'a str,
}

const INSERT: &str = "INSERT INTO access_log (at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub async fn record(db: &Db, a: &Access<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, |p| sqlx::query(INSERT)
        .bind(now)
        .bind(a.user_id)
        .bind(a.username)
        .bind(a.action.as_str())
        .bind(a.entity)
        .bind(a.entity_id)
        .bind(a.patient_id)
        .bind(a.unit_id)
        .bind(a.detail)
        .execute(p)
        .await
        .map(|_| ()))
}

/// Records inside the transaction of the change itself, so a change is never without its
/// log row.
pub async fn record_tx(tx: &mut Tx, a: &Access<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(INSERT)
        .bind(now)
        .bind(a.user_id)
        .bind(a.username)
        .bind(a.action.as_str())
        .bind(a.entity)
        .bind(a.entity_id)
        .bind(a.patient_id)
        .bind(a.unit_id)
        .bind(a.detail)
        .execute(c)
        .await
        .map(|_| ()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccessRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub detail: String,
}

/// A patient's access history, newest first.
pub async fn for_patient(
    db: &Db,
    patient_id: i64,
    limit: i64,
) -> Result<Vec<AccessRow>, sqlx::Error> {
    let sql =
        "SELECT id, at, user_id, username, action, entity, entity_id, patient_id, unit_id, detail
               FROM access_log WHERE patient_id = $1 ORDER BY at DESC, id DESC LIMIT $2";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(patient_id)
        .bind(limit)
        .fetch_all(p)
        .await)
}
