//! The access log and the patient's history: one way to record who saw or changed what.
//! Everything here takes an `Actor` (who acted), never a web request's user, so the same
//! records can be written from the command line or a background task.

use crate::db::access_log::{Access, Action, Batcher};
use crate::db::{self, Db, Tx};
use chrono::{DateTime, Utc};

/// Who acted: the account's id, username and name, and the instance's access-log writer when
/// views may be batched.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: i64,
    pub username: &'a str,
    pub name: &'a str,
    pub batcher: Option<&'a Batcher>,
}

/// An access-log entry for what `actor` did.
pub fn access<'a>(
    actor: &Actor<'a>,
    action: Action,
    entity: &'a str,
    entity_id: Option<i64>,
    patient: Option<(i64, i64)>,
    detail: &'a str,
) -> Access<'a> {
    Access {
        user_id: Some(actor.user_id),
        username: actor.username,
        action,
        entity,
        entity_id,
        patient_id: patient.map(|p| p.0),
        unit_id: patient.map(|p| p.1),
        detail,
    }
}

/// Records a change to a patient's data: a timeline event for the patient's page, the change
/// counters of the patient and its units, and a row in the access log, all inside the
/// change's transaction. `patient` is (patient id, unit id).
#[allow(clippy::too_many_arguments)]
pub async fn record_change(
    tx: &mut Tx,
    actor: &Actor<'_>,
    action: Action,
    entity: &str,
    entity_id: i64,
    patient: (i64, i64),
    summary: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let event = db::events::Event {
        patient_id: patient.0,
        author_id: actor.user_id,
        author_name: actor.name,
        kind: entity,
        summary,
    };
    db::events::add(tx, &event, now).await?;
    db::changes::patient(tx, patient.0, patient.1).await?;
    let entry = access(
        actor,
        action,
        entity,
        Some(entity_id),
        Some(patient),
        summary,
    );
    db::access_log::record_tx(tx, &entry, now).await
}

/// Records that `actor` read a patient's data.
pub async fn record_view(
    db: &Db,
    actor: &Actor<'_>,
    entity: &str,
    entity_id: i64,
    patient: (i64, i64),
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let entry = access(
        actor,
        Action::View,
        entity,
        Some(entity_id),
        Some(patient),
        "",
    );
    match actor.batcher {
        Some(batcher) => batcher.record(db, &entry, now).await,
        None => db::access_log::record(db, &entry, now).await,
    }
}

/// Records that `actor` was shown, or exported, a list of patients' data: the patients it
/// contained.
pub async fn record_listing(
    db: &Db,
    actor: &Actor<'_>,
    action: Action,
    entity: &str,
    detail: &str,
    patients: &[i64],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let entry = access(actor, action, entity, None, None, detail);
    match actor.batcher {
        Some(batcher) => batcher.record_listing(db, &entry, patients, now).await,
        None => db::access_log::record_listing(db, &entry, patients, now).await,
    }
}
