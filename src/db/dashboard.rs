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
use std::collections::BTreeMap;

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
/// later), and the oldest due date among them. The two kinds are read apart: the open ones
/// by unit, status and due date (`followups_unit`), the ones closed after the day by unit and
/// due date (`followups_unit_due`, which holds their status and closing date).
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
            WHERE f.unit_id = $1 AND f.status <> 'open' AND f.done_on > $2 AND f.due_on < $2
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

/// Referrals to one offer in a period, and how many of them the relative declined.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OfferCount {
    pub offer_id: i64,
    pub offer: String,
    pub referrals: i64,
    pub declined: i64,
}

/// (offer, referrals, declined) for the referrals of `unit`'s relatives in the period.
pub type UnitReferrals = Vec<(i64, i64, i64)>;

/// Referrals of the unit's relatives registered in the period, per shard and offer.
pub async fn referrals(
    db: &Db,
    unit: i64,
    from: NaiveDate,
    to: NaiveDate,
    shards: Shards,
) -> Result<PerShard<UnitReferrals>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, x.offer_id, COUNT(*),
            CAST(SUM(CASE WHEN x.state = 'declined' THEN 1 ELSE 0 END) AS BIGINT)
        FROM patients p CROSS JOIN relatives r CROSS JOIN referrals x
        WHERE p.unit_id = $1 AND r.unit_id = $1 AND r.patient_id = p.id AND x.relative_id = r.id
          AND x.referred_on >= $2 AND x.referred_on <= $3 AND {}
        GROUP BY 1, x.offer_id",
        shard_sql("p.id"),
        in_shards_sql("p.id", 4)
    );
    let rows: Vec<(i64, i64, i64, i64)> = on_db!(db, |p| bind_shards!(
        sqlx::query_as(&sql).bind(unit).bind(from).bind(to),
        shards
    )
    .fetch_all(p)
    .await)?;
    let mut out: PerShard<UnitReferrals> = vec![Vec::new(); SHARDS];
    for (shard, offer, referrals, declined) in rows {
        if let Some(slot) = usize::try_from(shard).ok().and_then(|s| out.get_mut(s)) {
            slot.push((offer, referrals, declined));
        }
    }
    Ok(out)
}

/// The units' referrals added up per offer and named, most referrals first (then by name).
/// `names` holds every offer, retired ones too; an offer missing from it is left out.
pub fn referrals_per_offer<'a>(
    units: impl IntoIterator<Item = &'a UnitReferrals>,
    names: &BTreeMap<i64, String>,
) -> Vec<OfferCount> {
    let mut sums: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for rows in units {
        for (offer, referrals, declined) in rows {
            let s = sums.entry(*offer).or_default();
            s.0 += referrals;
            s.1 += declined;
        }
    }
    let mut out: Vec<OfferCount> = sums
        .into_iter()
        .filter_map(|(offer_id, (referrals, declined))| {
            Some(OfferCount {
                offer_id,
                offer: names.get(&offer_id)?.clone(),
                referrals,
                declined,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.referrals
            .cmp(&a.referrals)
            .then_with(|| a.offer.cmp(&b.offer))
    });
    out
}

/// The key shares at each month end, for a unit or a district: (patients, identified, involved,
/// mapped, with agreement, with contact person).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub patients: i64,
    pub identified: i64,
    pub involved: i64,
    pub mapped: i64,
    pub with_agreement: i64,
    pub with_contact: i64,
}

impl TrendPoint {
    /// Adds another unit's point for the same day.
    pub fn add(&mut self, o: &TrendPoint) {
        self.patients += o.patients;
        self.identified += o.identified;
        self.involved += o.involved;
        self.mapped += o.mapped;
        self.with_agreement += o.with_agreement;
        self.with_contact += o.with_contact;
    }
}

/// One scan of the unit's patients and one of its involved relatives, with a column per
/// month and a row per shard: twelve points cost two queries. Each scan is a materialized
/// CTE: inlined, its correlated subqueries would run again for every month column that reads
/// them.
pub async fn trend(
    db: &Db,
    unit: i64,
    days: &[NaiveDate],
    shards: Shards,
) -> Result<PerShard<Vec<TrendPoint>>, sqlx::Error> {
    // Placeholders: $1 unit, $2–$4 the shards, then for month i: $(5+2i) the day, $(6+2i) its
    // end.
    let d = |i: usize| format!("${}", 5 + 2 * i);
    let t = |i: usize| format!("${}", 6 + 2 * i);
    let mut cols = Vec::new();
    for i in 0..days.len() {
        let active = format!(
            "x.created_at < {t} AND (x.archived_at IS NULL OR x.archived_at >= {t})",
            t = t(i)
        );
        cols.push(format!(
            "CAST(SUM(CASE WHEN {active} THEN 1 ELSE 0 END) AS BIGINT)"
        ));
        cols.push(format!(
            "CAST(SUM(CASE WHEN {active} AND {} THEN 1 ELSE 0 END) AS BIGINT)",
            super::patients::identified_from_facts_sql(&d(i), &t(i))
        ));
    }
    let patients_sql = format!(
        "WITH x AS MATERIALIZED (SELECT {} AS shard, p.created_at, p.archived_at, {}
            FROM patients p WHERE p.unit_id = $1 AND {})
        SELECT shard, {} FROM x GROUP BY shard",
        shard_sql("p.id"),
        super::patients::identified_facts_sql("$1"),
        in_shards_sql("p.id", 2),
        cols.join(", ")
    );

    let mut cols = Vec::new();
    for i in 0..days.len() {
        let counted = format!(
            "x.created_at < {t} AND x.p_created < {t} AND (x.archived_at IS NULL OR x.archived_at >= {t})",
            t = t(i)
        );
        let in_force = format!(
            "(x.first_active <= {d} AND (x.open_agreements > 0 OR x.last_end > {d}))",
            d = d(i)
        );
        cols.push(format!(
            "CAST(SUM(CASE WHEN {counted} THEN 1 ELSE 0 END) AS BIGINT)"
        ));
        cols.push(format!(
            "CAST(SUM(CASE WHEN {counted} AND x.first_mapped <= {d} THEN 1 ELSE 0 END) AS BIGINT)",
            d = d(i)
        ));
        cols.push(format!(
            "CAST(SUM(CASE WHEN {counted} AND {in_force} THEN 1 ELSE 0 END) AS BIGINT)"
        ));
        cols.push(format!(
            "CAST(SUM(CASE WHEN {counted} AND (x.contact_person_id IS NOT NULL OR {in_force}) THEN 1 ELSE 0 END) AS BIGINT)"
        ));
    }
    let relatives_sql = format!(
        "WITH x AS MATERIALIZED (SELECT {} AS shard, r.created_at, p.created_at AS p_created, p.archived_at, r.contact_person_id,
                (SELECT MIN(m.mapped_on) FROM mappings m WHERE m.relative_id = r.id) AS first_mapped,
                (SELECT MIN(a.activated_on) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id) AS first_active,
                (SELECT COUNT(*) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id AND a.activated_on IS NOT NULL AND a.ended_on IS NULL) AS open_agreements,
                (SELECT MAX(a.ended_on) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id) AS last_end
            FROM patients p CROSS JOIN relatives r
            WHERE p.unit_id = $1 AND r.unit_id = $1 AND r.patient_id = p.id AND r.involvement = 'yes' AND {})
        SELECT shard, {} FROM x GROUP BY shard",
        shard_sql("p.id"),
        in_shards_sql("p.id", 2),
        cols.join(", ")
    );
    // The two scans run side by side, each on its own connection.
    let (patients, relatives) = tokio::join!(
        run_rows(db, &patients_sql, unit, shards, days),
        run_rows(db, &relatives_sql, unit, shards, days)
    );
    let (patients, relatives) = (patients?, relatives?);
    Ok((0..SHARDS)
        .map(|s| {
            let (patients, relatives) = (&patients[s], &relatives[s]);
            days.iter()
                .enumerate()
                .map(|(i, day)| TrendPoint {
                    day: *day,
                    patients: patients.get(2 * i).copied().unwrap_or(0),
                    identified: patients.get(2 * i + 1).copied().unwrap_or(0),
                    involved: relatives.get(4 * i).copied().unwrap_or(0),
                    mapped: relatives.get(4 * i + 1).copied().unwrap_or(0),
                    with_agreement: relatives.get(4 * i + 2).copied().unwrap_or(0),
                    with_contact: relatives.get(4 * i + 3).copied().unwrap_or(0),
                })
                .collect()
        })
        .collect())
}

/// Runs a query of a shard and BIGINT (or NULL) columns per row with the shards and the month
/// parameters bound: each shard's columns, placed by shard.
async fn run_rows(
    db: &Db,
    sql: &str,
    unit: i64,
    shards: Shards,
    days: &[NaiveDate],
) -> Result<PerShard<Vec<i64>>, sqlx::Error> {
    use sqlx::Row;
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = bind_shards!($q.bind(unit), shards);
            for day in days {
                q = q.bind(*day).bind(end_of(*day));
            }
            q
        }};
    }
    let rows: Vec<(i64, Vec<i64>)> = on_db!(db, |p| {
        let rows = bind_all!(sqlx::query(sql)).fetch_all(p).await?;
        // A sum over no rows is NULL, which counts 0; a value that cannot be read is an
        // error, never a 0 on the dashboard.
        rows.iter()
            .map(|row| {
                let shard: i64 = row.try_get(0)?;
                let values = (1..row.len())
                    .map(|i| row.try_get::<Option<i64>, _>(i).map(|v| v.unwrap_or(0)))
                    .collect::<Result<Vec<i64>, sqlx::Error>>()?;
                Ok((shard, values))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
    })?;
    Ok(spread(rows, |r| r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrals_add_up_per_offer_most_first_then_by_name() {
        let names: BTreeMap<i64, String> = [(1, "Kurs"), (2, "Avlastning"), (3, "Samtale")]
            .into_iter()
            .map(|(id, n)| (id, n.to_string()))
            .collect();
        let unit_a: UnitReferrals = vec![(1, 2, 1), (2, 1, 0)];
        let unit_b: UnitReferrals = vec![(2, 1, 1), (3, 2, 0), (9, 5, 5)];
        let got = referrals_per_offer([&unit_a, &unit_b], &names);
        let rows: Vec<(&str, i64, i64)> = got
            .iter()
            .map(|o| (o.offer.as_str(), o.referrals, o.declined))
            .collect();
        // Offer 9 has no name (deleted): left out.
        assert_eq!(
            rows,
            vec![("Avlastning", 2, 1), ("Kurs", 2, 1), ("Samtale", 2, 0)]
        );
        assert_eq!(got[0].offer_id, 2);
    }

    #[test]
    fn trend_points_add_every_share() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let mut a = TrendPoint {
            day,
            patients: 10,
            identified: 5,
            involved: 4,
            mapped: 3,
            with_agreement: 2,
            with_contact: 1,
        };
        a.add(&TrendPoint {
            day,
            patients: 1,
            identified: 2,
            involved: 3,
            mapped: 4,
            with_agreement: 5,
            with_contact: 6,
        });
        assert_eq!(
            (
                a.patients,
                a.identified,
                a.involved,
                a.mapped,
                a.with_agreement,
                a.with_contact
            ),
            (11, 7, 7, 7, 7, 7)
        );
    }
}
