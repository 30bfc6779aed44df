//! The district managers' indicators for one unit, computed by aggregate SQL (never by loading
//! patients into memory), its referrals per offer, and its month-by-month trend in one pass per
//! table. A district's figures are the sum of its units': a change recomputes only the units
//! whose counters it moved (`db::changes`).

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

/// Runs a one-row aggregate query with $1 unit, $2 day and $3 its end bound; a SUM over no
/// rows is NULL, read as 0.
macro_rules! one_row {
    ($db:expr, $sql:expr, $unit:expr, $day:expr, $end:expr) => {
        on_db!($db, |p| sqlx::query_as($sql)
            .bind($unit)
            .bind($day)
            .bind($end)
            .fetch_one(p)
            .await)
    };
}

fn n(v: Option<i64>) -> i64 {
    v.unwrap_or(0)
}

/// The figures of `unit` at the end of `day`: the scan of its patients, the scan of its
/// involved relatives and the remaining counts run side by side on separate connections.
pub async fn figures(db: &Db, unit: i64, day: NaiveDate) -> Result<Figures, sqlx::Error> {
    let (patients, involved, rest) = tokio::join!(
        patient_figures(db, unit, day),
        relative_figures(db, unit, day),
        other_figures(db, unit, day)
    );
    let (patients, identified) = patients?;
    let mut f = Figures {
        patients,
        identified,
        ..rest?
    };
    let (involved, mapped, agreement, heavy, heavy_agreement, contact) = involved?;
    f.involved = involved;
    f.mapped = n(mapped);
    f.with_agreement = n(agreement);
    f.heavy = n(heavy);
    f.heavy_with_agreement = n(heavy_agreement);
    f.with_contact = n(contact);
    Ok(f)
}

/// (patients, identified).
async fn patient_figures(db: &Db, unit: i64, day: NaiveDate) -> Result<(i64, i64), sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) {ACTIVE_PATIENTS}",
        super::patients::identified_sql("$2", "$3")
    );
    let (patients, identified): (i64, Option<i64>) = one_row!(db, &sql, unit, day, end_of(day))?;
    Ok((patients, n(identified)))
}

/// (involved, mapped, with agreement, heavy, heavy with agreement, with contact person).
type Involved = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn relative_figures(db: &Db, unit: i64, day: NaiveDate) -> Result<Involved, sqlx::Error> {
    // The latest mapping by the day, read from the index that holds its scores (mappings_relative).
    let heavy = format!(
        "COALESCE((SELECT CASE WHEN {} THEN 1 ELSE 0 END
            FROM mappings m WHERE m.relative_id = r.id AND m.mapped_on <= $2
            ORDER BY m.id DESC LIMIT 1), 0)",
        super::mappings::heavy_sql("m")
    );
    // Each relative's conditions are found once (a materialized CTE), then counted.
    let sql = format!(
        "WITH x AS MATERIALIZED (SELECT
                CASE WHEN EXISTS (SELECT 1 FROM mappings m WHERE m.relative_id = r.id AND m.mapped_on <= $2)
                     THEN 1 ELSE 0 END AS mapped,
                CASE WHEN {IN_FORCE} THEN 1 ELSE 0 END AS in_force,
                {heavy} AS heavy,
                CASE WHEN r.contact_person_id IS NOT NULL THEN 1 ELSE 0 END AS contact
            {INVOLVED})
         SELECT COUNT(*), CAST(SUM(mapped) AS BIGINT), CAST(SUM(in_force) AS BIGINT),
            CAST(SUM(heavy) AS BIGINT), CAST(SUM(heavy * in_force) AS BIGINT),
            CAST(SUM(CASE WHEN contact = 1 OR in_force = 1 THEN 1 ELSE 0 END) AS BIGINT)
         FROM x"
    );
    one_row!(db, &sql, unit, day, end_of(day))
}

/// The agreement, follow-up, child and meeting figures: five counts, side by side on separate
/// connections (with the database file out of the operating system's cache each one waits
/// mostly for the disk, so one after the other they would add up).
async fn other_figures(db: &Db, unit: i64, day: NaiveDate) -> Result<Figures, sqlx::Error> {
    let end = end_of(day);
    let (parties, overdue, evaluations, children, meetings) = tokio::join!(
        agreement_parties(db, unit, day, end),
        overdue_followups(db, unit, day, end),
        overdue_evaluations(db, unit, day, end),
        children_without_followup(db, unit, day, end),
        meetings_without_next_step(db, unit, end)
    );
    let (agreement_parties, agreement_parties_with_contact) = parties?;
    let (overdue_followups, oldest) = overdue?;
    Ok(Figures {
        agreement_parties,
        agreement_parties_with_contact,
        overdue_followups,
        oldest_overdue_days: oldest.map(|o| (day - o).num_days()).unwrap_or(0),
        overdue_evaluations: evaluations?,
        children_without_followup: children?,
        meetings_without_next_step: meetings?,
        ..Figures::default()
    })
}

/// Parties to agreements not ended by the day (drafts included), and how many of them have a
/// named contact person (in the agreement or on the relative).
async fn agreement_parties(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
) -> Result<(i64, i64), sqlx::Error> {
    let sql = "SELECT COUNT(DISTINCT r.id),
            COUNT(DISTINCT CASE WHEN a.contact_person_id IS NOT NULL OR r.contact_person_id IS NOT NULL THEN r.id END)
        FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
        JOIN relatives r ON r.id = ar.relative_id JOIN patients p ON p.id = a.patient_id
        WHERE p.unit_id = $1 AND a.created_at < $3 AND (a.ended_on IS NULL OR a.ended_on > $2)";
    one_row!(db, sql, unit, day, end)
}

/// Follow-ups open at the end of the day with a due date before it (still open, or closed
/// later), and the oldest due date among them.
async fn overdue_followups(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
) -> Result<(i64, Option<NaiveDate>), sqlx::Error> {
    let sql = "SELECT COUNT(*), MIN(f.due_on) FROM followups f
        WHERE f.unit_id = $1 AND f.due_on < $2 AND f.created_at < $3
          AND (f.status = 'open' OR f.done_on > $2)";
    one_row!(db, sql, unit, day, end)
}

/// Agreements in force on the day whose evaluation date has passed.
async fn overdue_evaluations(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM agreements a JOIN patients p ON p.id = a.patient_id
        WHERE p.unit_id = $1 AND a.activated_on <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2)
          AND a.evaluation_on < $2 AND a.created_at < $3";
    let (count,): (i64,) = one_row!(db, sql, unit, day, end)?;
    Ok(count)
}

/// Child relatives without a child follow-up (`CHILDREN_WITHOUT_FOLLOWUP`).
async fn children_without_followup(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    end: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) {CHILDREN_WITHOUT_FOLLOWUP}");
    let (registered_before, born_after) = child_cutoffs(day);
    let (count,): (i64,) = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(unit)
        .bind(end)
        .bind(registered_before)
        .bind(born_after)
        .fetch_one(p)
        .await)?;
    Ok(count)
}

/// Meetings completed by the end of the day with no follow-up set at them.
async fn meetings_without_next_step(
    db: &Db,
    unit: i64,
    end: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM meetings m JOIN patients p ON p.id = m.patient_id
        WHERE p.unit_id = $1 AND m.status = 'completed' AND m.completed_at < $2
          AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.meeting_id = m.id)";
    let (count,): (i64,) = on_db!(db, |p| sqlx::query_as(sql)
        .bind(unit)
        .bind(end)
        .fetch_one(p)
        .await)?;
    Ok(count)
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

/// Referrals of the unit's relatives registered in the period, per offer.
pub async fn referrals(
    db: &Db,
    unit: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<UnitReferrals, sqlx::Error> {
    let sql = "SELECT x.offer_id, COUNT(*),
            CAST(SUM(CASE WHEN x.state = 'declined' THEN 1 ELSE 0 END) AS BIGINT)
        FROM patients p CROSS JOIN relatives r CROSS JOIN referrals x
        WHERE p.unit_id = $1 AND r.unit_id = $1 AND r.patient_id = p.id AND x.relative_id = r.id
          AND x.referred_on >= $2 AND x.referred_on <= $3
        GROUP BY x.offer_id";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(unit)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
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
/// month: twelve points cost two queries. Each scan is a materialized CTE: inlined, its
/// correlated subqueries would run again for every month column that reads them.
pub async fn trend(db: &Db, unit: i64, days: &[NaiveDate]) -> Result<Vec<TrendPoint>, sqlx::Error> {
    // Placeholders: $1 unit, then for month i: $(2+2i) the day, $(3+2i) its end.
    let d = |i: usize| format!("${}", 2 + 2 * i);
    let t = |i: usize| format!("${}", 3 + 2 * i);
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
        "WITH x AS MATERIALIZED (SELECT p.created_at, p.archived_at, {}
            FROM patients p WHERE p.unit_id = $1)
        SELECT {} FROM x",
        super::patients::identified_facts_sql("$1"),
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
        "WITH x AS MATERIALIZED (SELECT r.created_at, p.created_at AS p_created, p.archived_at, r.contact_person_id,
                (SELECT MIN(m.mapped_on) FROM mappings m WHERE m.relative_id = r.id) AS first_mapped,
                (SELECT MIN(a.activated_on) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id) AS first_active,
                (SELECT COUNT(*) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id AND a.activated_on IS NOT NULL AND a.ended_on IS NULL) AS open_agreements,
                (SELECT MAX(a.ended_on) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id) AS last_end
            FROM patients p CROSS JOIN relatives r
            WHERE p.unit_id = $1 AND r.unit_id = $1 AND r.patient_id = p.id AND r.involvement = 'yes')
        SELECT {} FROM x",
        cols.join(", ")
    );
    // The two scans run side by side, each on its own connection.
    let (patients, relatives) = tokio::join!(
        run_row(db, &patients_sql, unit, days),
        run_row(db, &relatives_sql, unit, days)
    );
    let (patients, relatives) = (patients?, relatives?);
    Ok(days
        .iter()
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
        .collect())
}

/// Runs a one-row query of BIGINT (or NULL) columns with the month parameters bound.
async fn run_row(
    db: &Db,
    sql: &str,
    unit: i64,
    days: &[NaiveDate],
) -> Result<Vec<i64>, sqlx::Error> {
    use sqlx::Row;
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q.bind(unit);
            for day in days {
                q = q.bind(*day).bind(end_of(*day));
            }
            q
        }};
    }
    on_db!(db, |p| {
        let row = bind_all!(sqlx::query(sql)).fetch_one(p).await?;
        // A sum over no rows is NULL, which counts 0; a value that cannot be read is an
        // error, never a 0 on the dashboard.
        (0..row.len())
            .map(|i| row.try_get::<Option<i64>, _>(i).map(|v| v.unwrap_or(0)))
            .collect()
    })
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
