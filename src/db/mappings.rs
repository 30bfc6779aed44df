//! Mappings (kartlegginger) of a relative's situation. New ones never overwrite old ones.

use super::{Db, Tx};
use crate::db::{on_db, on_tx, IdList};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct MappingRow {
    pub id: i64,
    pub relative_id: i64,
    pub mapped_on: NaiveDate,
    pub author_name: Option<String>,
    pub roles: String,
    pub tasks: String,
    pub task_other: String,
    pub hours_per_week: i64,
    pub care_duration: String,
    pub lost_income: bool,
    pub legal_duty: bool,
    pub work_study: String,
    pub own_health: String,
    pub other_care: String,
    pub distance: String,
    pub strain_answers: String,
    pub strain_score: Option<i64>,
    pub what_matters: String,
    pub views: String,
    pub not_wanted: String,
    pub violence: String,
    pub violence_action: String,
    pub support_needs: String,
    pub support_other: String,
}

/// "The care tasks are heavy" for a mapping row `m`, in SQL: `domain::indicators::is_heavy`.
pub fn heavy_sql(m: &str) -> String {
    use crate::domain::indicators::{HEAVY_HOURS_PER_WEEK, LONG_CARE_HOURS_PER_WEEK};
    use crate::domain::strain::HIGH_STRAIN;
    format!(
        "({m}.strain_score >= {HIGH_STRAIN} OR {m}.hours_per_week >= {HEAVY_HOURS_PER_WEEK}
          OR {m}.legal_duty OR {m}.lost_income
          OR ({m}.care_duration = 'over_3y' AND {m}.hours_per_week >= {LONG_CARE_HOURS_PER_WEEK}))"
    )
}

const SELECT: &str = "SELECT m.id, m.relative_id, m.mapped_on, s.name AS author_name, m.roles, m.tasks, m.task_other,
        m.hours_per_week, m.care_duration, m.lost_income, m.legal_duty, m.work_study, m.own_health, m.other_care, m.distance, m.strain_answers, m.strain_score,
        m.what_matters, m.views, m.not_wanted, m.violence, m.violence_action, m.support_needs, m.support_other
    FROM mappings m LEFT JOIN users s ON s.id = m.author_id";

pub async fn insert(
    tx: &mut Tx,
    m: &MappingRow,
    author_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO mappings (relative_id, mapped_on, author_id, roles, tasks, task_other, hours_per_week, work_study,
                   own_health, other_care, distance, strain_answers, strain_score, what_matters, views, not_wanted,
                   violence, violence_action, support_needs, support_other, created_at, care_duration,
                   lost_income, legal_duty)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                   $22, $23, $24)
               RETURNING id";
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(m.relative_id)
        .bind(m.mapped_on)
        .bind(author_id)
        .bind(&m.roles)
        .bind(&m.tasks)
        .bind(&m.task_other)
        .bind(m.hours_per_week)
        .bind(&m.work_study)
        .bind(&m.own_health)
        .bind(&m.other_care)
        .bind(&m.distance)
        .bind(&m.strain_answers)
        .bind(m.strain_score)
        .bind(&m.what_matters)
        .bind(&m.views)
        .bind(&m.not_wanted)
        .bind(&m.violence)
        .bind(&m.violence_action)
        .bind(&m.support_needs)
        .bind(&m.support_other)
        .bind(now)
        .bind(&m.care_duration)
        .bind(m.lost_income)
        .bind(m.legal_duty)
        .fetch_one(c)
        .await)
}

/// A relative's mappings, newest first.
pub async fn for_relative(db: &Db, relative_id: i64) -> Result<Vec<MappingRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE m.relative_id = $1 ORDER BY m.mapped_on DESC, m.id DESC");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(relative_id)
        .fetch_all(p)
        .await)
}

/// The latest mapping of each relative of a patient.
pub async fn latest_for_patient(db: &Db, patient_id: i64) -> Result<Vec<MappingRow>, sqlx::Error> {
    latest_for_patients(db, &[patient_id]).await
}

/// The latest mapping of each relative of several patients.
pub async fn latest_for_patients(
    db: &Db,
    patients: &[i64],
) -> Result<Vec<MappingRow>, sqlx::Error> {
    let Some(ids) = IdList::new(patients) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} WHERE m.id IN (SELECT MAX(m2.id) FROM mappings m2 JOIN relatives r ON r.id = m2.relative_id
                                 WHERE {} GROUP BY m2.relative_id)",
        ids.condition("r.patient_id")
    );
    on_db!(db, |p| ids.bind(sqlx::query_as(&sql)).fetch_all(p).await)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<MappingRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE m.id = $1");
    on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}
