//! The district managers' indicators for one unit, computed by aggregate SQL (never by loading
//! patients into memory), its referrals per offer, and its month-by-month trend in one pass per
//! table. Each is computed per shard of the unit's patients (`db::changes::shard_of`), for the
//! shards asked for: a district's figures are the sum of its units' shards, and a change
//! recomputes only the shards whose counters it moved (`db::changes`).

use super::changes::{bind_shards, in_shards_sql, shard_sql, Shards, SHARDS};
use super::Db;
use crate::db::on_db;
use crate::domain::indicators::{Figures, CHILD_FOLLOWUP_DAYS};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Oslo;

mod referrals;
mod trend;

pub use referrals::{referrals, referrals_per_offer, OfferCount, UnitReferrals};
pub use trend::{trend, TrendPoint};

/// The first instant after `day` in Oslo: "created by the end of the day" is `< end_of(day)`.
pub fn end_of(day: NaiveDate) -> DateTime<Utc> {
    let next = (day + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    Oslo.from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| next.and_utc())
}

/// Patients registered and not archived by the end of $3, in unit $1.
const ACTIVE_PATIENTS: &str = "FROM patients p
    WHERE p.unit_id = $1 AND p.created_at < $3 AND (p.archived_at IS NULL OR p.archived_at >= $3)";

/// Involved relatives of those patients, registered by the end of $3. The unit's patients are
/// read first and each one's relatives through the relatives' own unit (`relatives.unit_id`,
/// always the patient's), where a unit's relatives lie together in the index
/// `relatives_unit_patient`. `CROSS JOIN` keeps that order on SQLite, whose planner would
/// otherwise fetch each relative's patient from all over the table.
const INVOLVED: &str = "FROM patients p CROSS JOIN relatives r
    WHERE p.unit_id = $1 AND r.unit_id = $1 AND r.patient_id = p.id AND r.involvement = 'yes' AND r.created_at < $3
      AND p.created_at < $3 AND (p.archived_at IS NULL OR p.archived_at >= $3)";

/// An agreement with relative r in force on day $2.
const IN_FORCE: &str = "EXISTS (SELECT 1 FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
    WHERE ar.relative_id = r.id AND a.activated_on <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2))";

/// Values per shard of a unit's patients, indexed by shard: a shard not asked for, or with
/// nothing to count, holds the default (zero).
pub type PerShard<T> = Vec<T>;

/// The rows of a query grouped by shard, each made into `(shard, value)` by `f`, placed by
/// shard.
fn spread<R, T: Default + Clone>(rows: Vec<R>, f: impl Fn(R) -> (i64, T)) -> PerShard<T> {
    let mut out = vec![T::default(); SHARDS];
    for row in rows {
        let (shard, value) = f(row);
        if let Some(slot) = usize::try_from(shard).ok().and_then(|s| out.get_mut(s)) {
            *slot = value;
        }
    }
    out
}

/// Runs an aggregate query grouped by shard with $1 unit, $2 day, $3 its end bound and $4–$6
/// the shards asked for; a SUM over no rows is NULL, read as 0.
macro_rules! by_shard {
    ($db:expr, $sql:expr, $unit:expr, $day:expr, $end:expr, $shards:expr) => {
        on_db!($db, |p| bind_shards!(
            sqlx::query_as($sql).bind($unit).bind($day).bind($end),
            $shards
        )
        .fetch_all(p)
        .await)
    };
}

fn n(v: Option<i64>) -> i64 {
    v.unwrap_or(0)
}

/// The figures of `unit` at the end of `day`, per shard of `shards`: the scan of its
/// patients, the scan of its involved relatives and the remaining counts run side by side on
/// separate connections.
pub async fn figures(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    shards: Shards,
) -> Result<PerShard<Figures>, sqlx::Error> {
    let (patients, involved, rest) = tokio::join!(
        patient_figures(db, unit, day, shards),
        relative_figures(db, unit, day, shards),
        other_figures(db, unit, day, shards)
    );
    let (patients, involved, mut out) = (patients?, involved?, rest?);
    for (shard, f) in out.iter_mut().enumerate() {
        (f.patients, f.identified) = patients[shard];
        let (involved, mapped, agreement, heavy, heavy_agreement, contact) = involved[shard];
        f.involved = involved;
        f.mapped = mapped;
        f.with_agreement = agreement;
        f.heavy = heavy;
        f.heavy_with_agreement = heavy_agreement;
        f.with_contact = contact;
    }
    Ok(out)
}

/// (patients, identified) per shard.
async fn patient_figures(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    shards: Shards,
) -> Result<PerShard<(i64, i64)>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, COUNT(*), CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) {ACTIVE_PATIENTS}
           AND {} GROUP BY 1",
        shard_sql("p.id"),
        super::patients::identified_sql("$2", "$3"),
        in_shards_sql("p.id", 4)
    );
    let rows: Vec<(i64, i64, Option<i64>)> = by_shard!(db, &sql, unit, day, end_of(day), shards)?;
    Ok(spread(rows, |(s, patients, identified)| {
        (s, (patients, n(identified)))
    }))
}

/// (involved, mapped, with agreement, heavy, heavy with agreement, with contact person).
type Involved = (i64, i64, i64, i64, i64, i64);

/// `Involved` per shard.
async fn relative_figures(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    shards: Shards,
) -> Result<PerShard<Involved>, sqlx::Error> {
    // The latest mapping by the day, read from the index that holds its scores (mappings_relative).
    let heavy = format!(
        "COALESCE((SELECT CASE WHEN {} THEN 1 ELSE 0 END
            FROM mappings m WHERE m.relative_id = r.id AND m.mapped_on <= $2
            ORDER BY m.id DESC LIMIT 1), 0)",
        super::mappings::heavy_sql("m")
    );
    // Each relative's conditions are found once (a materialized CTE), then counted.
    let sql = format!(
        "WITH x AS MATERIALIZED (SELECT {} AS shard,
                CASE WHEN EXISTS (SELECT 1 FROM mappings m WHERE m.relative_id = r.id AND m.mapped_on <= $2)
                     THEN 1 ELSE 0 END AS mapped,
                CASE WHEN {IN_FORCE} THEN 1 ELSE 0 END AS in_force,
                {heavy} AS heavy,
                CASE WHEN r.contact_person_id IS NOT NULL THEN 1 ELSE 0 END AS contact
            {INVOLVED} AND {})
         SELECT shard, COUNT(*), CAST(SUM(mapped) AS BIGINT), CAST(SUM(in_force) AS BIGINT),
            CAST(SUM(heavy) AS BIGINT), CAST(SUM(heavy * in_force) AS BIGINT),
            CAST(SUM(CASE WHEN contact = 1 OR in_force = 1 THEN 1 ELSE 0 END) AS BIGINT)
         FROM x GROUP BY shard",
        shard_sql("p.id"),
        in_shards_sql("p.id", 4)
    );
    type Row = (
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Row> = by_shard!(db, &sql, unit, day, end_of(day), shards)?;
    Ok(spread(
        rows,
        |(s, involved, mapped, agreement, heavy, both, contact)| {
            (
                s,
                (
                    involved,
                    n(mapped),
                    n(agreement),
                    n(heavy),
                    n(both),
                    n(contact),
                ),
            )
        },
    ))
}

/// The agreement, follow-up, child and meeting figures: five counts, side by side on separate
/// connections (with the database file out of the operating system's cache each one waits
/// mostly for the disk, so one after the other they would add up).
async fn other_figures(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    shards: Shards,
) -> Result<PerShard<Figures>, sqlx::Error> {
    let end = end_of(day);
    let (parties, overdue, evaluations, children, meetings) = tokio::join!(
        agreement_parties(db, unit, day, end, shards),
        overdue_followups(db, unit, day, end, shards),
        overdue_evaluations(db, unit, day, end, shards),
        children_without_followup(db, unit, day, end, shards),
        meetings_without_next_step(db, unit, end, shards)
    );
    let (parties, overdue, evaluations, children, meetings) =
        (parties?, overdue?, evaluations?, children?, meetings?);
    Ok((0..SHARDS)
        .map(|s| {
            let (agreement_parties, agreement_parties_with_contact) = parties[s];
            let (overdue_followups, oldest) = overdue[s];
            Figures {
                agreement_parties,
                agreement_parties_with_contact,
                overdue_followups,
                oldest_overdue_days: oldest.map(|o| (day - o).num_days()).unwrap_or(0),
                overdue_evaluations: evaluations[s],
                children_without_followup: children[s],
                meetings_without_next_step: meetings[s],
                ..Figures::default()
            }
        })
        .collect())
}

/// Parties to agreements not ended by the day (drafts included), and how many of them have a
/// named contact person (in the agreement or on the relative).
/// A relative is party only to agreements of their own patient, so a relative is counted in
/// one shard.
async fn agreement_parties(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
    shards: Shards,
) -> Result<PerShard<(i64, i64)>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, COUNT(DISTINCT r.id),
            COUNT(DISTINCT CASE WHEN a.contact_person_id IS NOT NULL OR r.contact_person_id IS NOT NULL THEN r.id END)
        FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
        JOIN relatives r ON r.id = ar.relative_id JOIN patients p ON p.id = a.patient_id
        WHERE p.unit_id = $1 AND a.created_at < $3 AND (a.ended_on IS NULL OR a.ended_on > $2)
          AND {} GROUP BY 1",
        shard_sql("p.id"),
        in_shards_sql("p.id", 4)
    );
    let rows: Vec<(i64, i64, i64)> = by_shard!(db, &sql, unit, day, end, shards)?;
    Ok(spread(rows, |(s, all, contact)| (s, (all, contact))))
}

/// Follow-ups open at the end of the day with a due date before it (still open, or closed
/// later), and the oldest due date among them. Both kinds are read by unit, status, shard
/// and due date (`followups_unit_shard`, which holds the closing date): the open ones, and
/// the ones closed after the day (each closed status named, so that the index is read for
/// each).
async fn overdue_followups(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
    shards: Shards,
) -> Result<PerShard<(i64, Option<NaiveDate>)>, sqlx::Error> {
    let in_shards = in_shards_sql("f.patient_id", 4);
    let sql = format!(
        "SELECT {}, COUNT(*), MIN(f.due_on) FROM (
            SELECT f.patient_id, f.due_on FROM followups f
            WHERE f.unit_id = $1 AND f.status = 'open' AND f.due_on < $2 AND f.created_at < $3
              AND {in_shards}
            UNION ALL
            SELECT f.patient_id, f.due_on FROM followups f
            WHERE f.unit_id = $1 AND f.status IN ('done', 'cancelled') AND f.done_on > $2 AND f.due_on < $2
              AND f.created_at < $3 AND {in_shards}) f
        GROUP BY 1",
        shard_sql("f.patient_id")
    );
    let rows: Vec<(i64, i64, Option<NaiveDate>)> = by_shard!(db, &sql, unit, day, end, shards)?;
    Ok(spread(rows, |(s, count, oldest)| (s, (count, oldest))))
}

/// Agreements in force on the day whose evaluation date has passed.
async fn overdue_evaluations(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
    shards: Shards,
) -> Result<PerShard<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, COUNT(*) FROM agreements a JOIN patients p ON p.id = a.patient_id
        WHERE p.unit_id = $1 AND a.activated_on <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2)
          AND a.evaluation_on < $2 AND a.created_at < $3 AND {} GROUP BY 1",
        shard_sql("p.id"),
        in_shards_sql("p.id", 4)
    );
    let rows: Vec<(i64, i64)> = by_shard!(db, &sql, unit, day, end, shards)?;
    Ok(spread(rows, |r| r))
}

/// Child relatives without a child follow-up (`CHILDREN_WITHOUT_FOLLOWUP`).
async fn children_without_followup(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
    shards: Shards,
) -> Result<PerShard<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, COUNT(*) {CHILDREN_WITHOUT_FOLLOWUP} AND {} GROUP BY 1",
        shard_sql("r.patient_id"),
        in_shards_sql("r.patient_id", 5)
    );
    let (registered_before, born_after) = child_cutoffs(day);
    let rows: Vec<(i64, i64)> = on_db!(db, |p| bind_shards!(
        sqlx::query_as(&sql)
            .bind(unit)
            .bind(end)
            .bind(registered_before)
            .bind(born_after),
        shards
    )
    .fetch_all(p)
    .await)?;
    Ok(spread(rows, |r| r))
}

/// Meetings completed by the end of the day with no follow-up set at them.
async fn meetings_without_next_step(
    db: &Db,
    unit: i64,
    end: DateTime<Utc>,
    shards: Shards,
) -> Result<PerShard<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, COUNT(*) FROM meetings m JOIN patients p ON p.id = m.patient_id
        WHERE p.unit_id = $1 AND m.status = 'completed' AND m.completed_at < $2
          AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.meeting_id = m.id) AND {} GROUP BY 1",
        shard_sql("p.id"),
        in_shards_sql("p.id", 3)
    );
    let rows: Vec<(i64, i64)> = on_db!(db, |p| bind_shards!(
        sqlx::query_as(&sql).bind(unit).bind(end),
        shards
    )
    .fetch_all(p)
    .await)?;
    Ok(spread(rows, |r| r))
}

/// Child relatives of unit $1 registered more than 14 days before the day ($3) with no child
/// follow-up recorded by its end ($2); a child is under 18 on the day (born after $4) or
/// registered as a child. Read through the unit kept on each relative (`relatives.unit_id`).
const CHILDREN_WITHOUT_FOLLOWUP: &str = "FROM relatives r
    WHERE r.unit_id = $1 AND r.created_at < $3
      AND (r.age_group = 'child' OR (r.birth_date IS NOT NULL AND r.birth_date > $4))
      AND NOT EXISTS (SELECT 1 FROM child_followups c WHERE c.relative_id = r.id AND c.recorded_at < $2)";

/// (registered before, born after) for the child relatives of `day`.
pub fn child_cutoffs(day: NaiveDate) -> (DateTime<Utc>, NaiveDate) {
    let registered_before = end_of(day - Duration::days(CHILD_FOLLOWUP_DAYS));
    let born_after = day
        .checked_sub_months(chrono::Months::new(18 * 12))
        .unwrap_or(day);
    (registered_before, born_after)
}
