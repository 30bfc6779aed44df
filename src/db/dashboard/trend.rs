//! The key shares of a unit at each month end, per shard: two scans, a column per month.

use super::{end_of, in_shards_sql, shard_sql, spread, PerShard, Shards, SHARDS};
use crate::db::changes::bind_shards;
use crate::db::{on_db, Db};
use chrono::NaiveDate;

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
            crate::db::patients::identified_from_facts_sql(&d(i), &t(i))
        ));
    }
    let patients_sql = format!(
        "WITH x AS MATERIALIZED (SELECT {} AS shard, p.created_at, p.archived_at, {}
            FROM patients p WHERE p.unit_id = $1 AND {})
        SELECT shard, {} FROM x GROUP BY shard",
        shard_sql("p.id"),
        crate::db::patients::identified_facts_sql("$1"),
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
