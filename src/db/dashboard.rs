//! The district managers' indicators, computed by aggregate SQL per unit (never by loading
//! patients into memory), and their month-by-month trend in one pass per table.

use super::Db;
use crate::domain::indicators::{Figures, CHILD_FOLLOWUP_DAYS, HEAVY_HOURS_PER_WEEK};
use crate::on_db;
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

/// Patients registered and not archived by the end of $3, in district $1.
const ACTIVE_PATIENTS: &str = "FROM patients p JOIN units u ON u.id = p.unit_id
    WHERE u.district_id = $1 AND p.created_at < $3 AND (p.archived_at IS NULL OR p.archived_at >= $3)";

/// Involved relatives of those patients, registered by the end of $3.
const INVOLVED: &str =
    "FROM relatives r JOIN patients p ON p.id = r.patient_id JOIN units u ON u.id = p.unit_id
    WHERE u.district_id = $1 AND r.involvement = 'yes' AND r.created_at < $3
      AND p.created_at < $3 AND (p.archived_at IS NULL OR p.archived_at >= $3)";

/// An agreement with relative r in force on day $2.
const IN_FORCE: &str = "EXISTS (SELECT 1 FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
    WHERE ar.relative_id = r.id AND a.activated_on <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2))";

type Row2 = (i64, i64, i64);

/// The figures per unit of `district` at the end of `day`.
pub async fn figures(
    db: &Db,
    district: i64,
    day: NaiveDate,
) -> Result<BTreeMap<i64, Figures>, sqlx::Error> {
    let end = end_of(day);
    let mut out: BTreeMap<i64, Figures> = BTreeMap::new();

    let sql = format!(
        "SELECT p.unit_id, COUNT(*),
            CAST(SUM(CASE WHEN (p.identify_outcome IS NOT NULL AND p.identify_outcome_on <= $2)
                 OR EXISTS (SELECT 1 FROM relatives r WHERE r.patient_id = p.id AND r.involvement <> 'unclear'
                            AND r.created_at < $3) THEN 1 ELSE 0 END) AS BIGINT)
         {ACTIVE_PATIENTS} GROUP BY p.unit_id"
    );
    let rows: Vec<Row2> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(district)
        .bind(day)
        .bind(end)
        .fetch_all(p)
        .await)?;
    for (unit, patients, identified) in rows {
        let f = out.entry(unit).or_default();
        f.patients = patients;
        f.identified = identified;
    }

    let heavy = format!(
        "EXISTS (SELECT 1 FROM mappings m WHERE m.id = (SELECT MAX(m2.id) FROM mappings m2
            WHERE m2.relative_id = r.id AND m2.mapped_on <= $2)
            AND (m.strain_score >= 7 OR m.hours_per_week >= {HEAVY_HOURS_PER_WEEK}))"
    );
    let sql = format!(
        "SELECT p.unit_id, COUNT(*),
            CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM mappings m WHERE m.relative_id = r.id AND m.mapped_on <= $2)
                 THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN {IN_FORCE} THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN {heavy} THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN {heavy} AND {IN_FORCE} THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN r.contact_person_id IS NOT NULL OR {IN_FORCE} THEN 1 ELSE 0 END) AS BIGINT)
         {INVOLVED} GROUP BY p.unit_id"
    );
    let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(district)
        .bind(day)
        .bind(end)
        .fetch_all(p)
        .await)?;
    for (unit, involved, mapped, agreement, heavy, heavy_agreement, contact) in rows {
        let f = out.entry(unit).or_default();
        f.involved = involved;
        f.mapped = mapped;
        f.with_agreement = agreement;
        f.heavy = heavy;
        f.heavy_with_agreement = heavy_agreement;
        f.with_contact = contact;
    }

    // Parties to agreements not ended by the day (drafts included), and whether they have a
    // named contact person (in the agreement or on the relative).
    let sql = "SELECT p.unit_id, COUNT(DISTINCT r.id),
            COUNT(DISTINCT CASE WHEN a.contact_person_id IS NOT NULL OR r.contact_person_id IS NOT NULL THEN r.id END)
        FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
        JOIN relatives r ON r.id = ar.relative_id JOIN patients p ON p.id = a.patient_id
        JOIN units u ON u.id = p.unit_id
        WHERE u.district_id = $1 AND a.created_at < $3 AND (a.ended_on IS NULL OR a.ended_on > $2)
        GROUP BY p.unit_id";
    let rows: Vec<Row2> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .bind(day)
        .bind(end)
        .fetch_all(p)
        .await)?;
    for (unit, parties, with_contact) in rows {
        let f = out.entry(unit).or_default();
        f.agreement_parties = parties;
        f.agreement_parties_with_contact = with_contact;
    }

    // Open at the end of the day with a due date before it: still open, or closed later.
    let sql = "SELECT f.unit_id, COUNT(*), MIN(f.due_on)
        FROM followups f JOIN units u ON u.id = f.unit_id
        WHERE u.district_id = $1 AND f.due_on < $2 AND f.created_at < $3
          AND (f.status = 'open' OR f.done_on > $2)
        GROUP BY f.unit_id";
    let rows: Vec<(i64, i64, Option<NaiveDate>)> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .bind(day)
        .bind(end)
        .fetch_all(p)
        .await)?;
    for (unit, count, oldest) in rows {
        let f = out.entry(unit).or_default();
        f.overdue_followups = count;
        f.oldest_overdue_days = oldest.map(|o| (day - o).num_days()).unwrap_or(0);
    }

    let sql = "SELECT p.unit_id, COUNT(*)
        FROM agreements a JOIN patients p ON p.id = a.patient_id JOIN units u ON u.id = p.unit_id
        WHERE u.district_id = $1 AND a.activated_on <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2)
          AND a.evaluation_on < $2 AND a.created_at < $3
        GROUP BY p.unit_id";
    let rows: Vec<(i64, i64)> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .bind(day)
        .bind(end)
        .fetch_all(p)
        .await)?;
    for (unit, count) in rows {
        out.entry(unit).or_default().overdue_evaluations = count;
    }

    let sql = format!("SELECT p.unit_id, COUNT(*) {CHILDREN_WITHOUT_FOLLOWUP} GROUP BY p.unit_id");
    let (registered_before, born_after) = child_cutoffs(day);
    let rows: Vec<(i64, i64)> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(district)
        .bind(end)
        .bind(registered_before)
        .bind(born_after)
        .fetch_all(p)
        .await)?;
    for (unit, count) in rows {
        out.entry(unit).or_default().children_without_followup = count;
    }

    let sql = "SELECT p.unit_id, COUNT(*)
        FROM meetings m JOIN patients p ON p.id = m.patient_id JOIN units u ON u.id = p.unit_id
        WHERE u.district_id = $1 AND m.status = 'completed' AND m.completed_at < $2
          AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.meeting_id = m.id)
        GROUP BY p.unit_id";
    let rows: Vec<(i64, i64)> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .bind(end)
        .fetch_all(p)
        .await)?;
    for (unit, count) in rows {
        out.entry(unit).or_default().meetings_without_next_step = count;
    }
    Ok(out)
}

/// Child relatives registered more than 14 days before the day ($3) with no child follow-up
/// recorded by its end ($2); a child is under 18 on the day (born after $4) or registered as
/// a child.
pub const CHILDREN_WITHOUT_FOLLOWUP: &str = "FROM relatives r JOIN patients p ON p.id = r.patient_id
    JOIN units u ON u.id = p.unit_id
    WHERE u.district_id = $1 AND r.created_at < $3
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

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct OfferCount {
    pub offer_id: i64,
    pub offer: String,
    pub referrals: i64,
    pub declined: i64,
}

/// Referrals registered in the period, per offer.
pub async fn referrals_per_offer(
    db: &Db,
    district: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<OfferCount>, sqlx::Error> {
    let sql = "SELECT o.id AS offer_id, o.name AS offer, COUNT(*) AS referrals,
            CAST(SUM(CASE WHEN x.state = 'declined' THEN 1 ELSE 0 END) AS BIGINT) AS declined
        FROM referrals x JOIN relatives r ON r.id = x.relative_id JOIN patients p ON p.id = r.patient_id
        JOIN units u ON u.id = p.unit_id JOIN offers o ON o.id = x.offer_id
        WHERE u.district_id = $1 AND x.referred_on >= $2 AND x.referred_on <= $3
        GROUP BY o.id, o.name ORDER BY COUNT(*) DESC, o.name";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
}

/// The key shares at each month end, for the district: (patients, identified, involved,
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

/// One scan of the district's patients and one of its involved relatives, with a column per
/// month: twelve points cost two queries.
pub async fn trend(
    db: &Db,
    district: i64,
    days: &[NaiveDate],
) -> Result<Vec<TrendPoint>, sqlx::Error> {
    // Placeholders: $1 district, then for month i: $(2+2i) the day, $(3+2i) its end.
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
            "CAST(SUM(CASE WHEN {active} AND ((x.outcome_on IS NOT NULL AND x.outcome_on <= {d})
                  OR x.first_answer < {t}) THEN 1 ELSE 0 END) AS BIGINT)",
            d = d(i),
            t = t(i)
        ));
    }
    let sql = format!(
        "SELECT {} FROM (SELECT p.created_at, p.archived_at,
                CASE WHEN p.identify_outcome IS NOT NULL THEN p.identify_outcome_on END AS outcome_on,
                (SELECT MIN(r.created_at) FROM relatives r WHERE r.patient_id = p.id AND r.involvement <> 'unclear') AS first_answer
            FROM patients p JOIN units u ON u.id = p.unit_id WHERE u.district_id = $1) x",
        cols.join(", ")
    );
    let patients = run_row(db, &sql, district, days).await?;

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
    let sql = format!(
        "SELECT {} FROM (SELECT r.created_at, p.created_at AS p_created, p.archived_at, r.contact_person_id,
                (SELECT MIN(m.mapped_on) FROM mappings m WHERE m.relative_id = r.id) AS first_mapped,
                (SELECT MIN(a.activated_on) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id) AS first_active,
                (SELECT COUNT(*) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id AND a.activated_on IS NOT NULL AND a.ended_on IS NULL) AS open_agreements,
                (SELECT MAX(a.ended_on) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
                    WHERE ar.relative_id = r.id) AS last_end
            FROM relatives r JOIN patients p ON p.id = r.patient_id JOIN units u ON u.id = p.unit_id
            WHERE u.district_id = $1 AND r.involvement = 'yes') x",
        cols.join(", ")
    );
    let relatives = run_row(db, &sql, district, days).await?;
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
    district: i64,
    days: &[NaiveDate],
) -> Result<Vec<i64>, sqlx::Error> {
    use sqlx::Row;
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q.bind(district);
            for day in days {
                q = q.bind(*day).bind(end_of(*day));
            }
            q
        }};
    }
    match db {
        Db::Sqlite(p) => {
            let row = bind_all!(sqlx::query(sql)).fetch_one(p).await?;
            Ok((0..row.len())
                .map(|i| row.try_get::<Option<i64>, _>(i).ok().flatten().unwrap_or(0))
                .collect())
        }
        Db::Postgres(p) => {
            let row = bind_all!(sqlx::query(sql)).fetch_one(p).await?;
            Ok((0..row.len())
                .map(|i| row.try_get::<Option<i64>, _>(i).ok().flatten().unwrap_or(0))
                .collect())
        }
    }
}
