//! Change counters: what the dashboard's figures kept per unit and shard were computed from.
//! A change to a patient's data counts on the patient's shard (`shard_of`) in the units whose
//! figures include the patient (the patient's unit and the units the patient's follow-ups
//! were registered in); a change to a whole unit counts on the unit, and a change to
//! accounts, units or offers on the catalogue. Each count is made inside the change's
//! transaction.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};

/// The counters figures depend on: (their own scope, the catalogue). Figures are kept only
/// while both are unchanged.
pub type Version = (i64, i64);

/// How many shards a unit's patients are counted in (the index `patients_unit_shard` and
/// the table `unit_shards` are made for this number).
pub const SHARDS: usize = 64;

/// The shard a patient's figures are counted in.
pub fn shard_of(patient_id: i64) -> usize {
    patient_id.rem_euclid(SHARDS as i64) as usize
}

/// A set of shards, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shards(u64);

impl Shards {
    pub fn all() -> Shards {
        Shards(u64::MAX >> (64 - SHARDS))
    }

    pub fn insert(&mut self, shard: usize) {
        if shard < SHARDS {
            self.0 |= 1 << shard;
        }
    }

    pub fn contains(self, shard: usize) -> bool {
        shard < SHARDS && self.0 & (1 << shard) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..SHARDS).filter(move |s| self.contains(*s))
    }

    /// The set as the number SQL reads it from (`in_shards_sql`): the 64 bits as a BIGINT,
    /// shard 63 its sign bit. Both engines shift a negative BIGINT right arithmetically, so
    /// `(bits >> shard) & 1` is the shard's bit either way.
    pub fn bits(self) -> i64 {
        self.0.cast_signed()
    }

    /// The lowest and the highest shard in the set ((0, -1) when empty): the range an index
    /// on the shard is read in.
    pub fn bounds(self) -> (i64, i64) {
        match (self.iter().next(), self.iter().last()) {
            (Some(lo), Some(hi)) => (lo as i64, hi as i64),
            _ => (0, -1),
        }
    }
}

/// SQL: the shard of the patient whose id is `patient_id` (a column or expression).
pub fn shard_sql(patient_id: &str) -> String {
    format!("CAST({patient_id} % {SHARDS} AS BIGINT)")
}

/// SQL: the patient whose id is `patient_id` is in the set of shards bound at `$first`
/// (`Shards::bits`), whose bounds are bound at the next two (`bind_shards!`). The range reads
/// the index on unit and shard (`patients_unit_shard`) for the shards asked for; PostgreSQL
/// shifts a BIGINT by an INTEGER only.
pub fn in_shards_sql(patient_id: &str, first: usize) -> String {
    let (bits, lo, hi) = (first, first + 1, first + 2);
    format!(
        "{patient_id} % {SHARDS} BETWEEN ${lo} AND ${hi}
         AND ((CAST(${bits} AS BIGINT) >> CAST({patient_id} % {SHARDS} AS INTEGER)) & 1) = 1"
    )
}

/// Binds the three parameters of `in_shards_sql` for a set of shards.
macro_rules! bind_shards {
    ($q:expr, $shards:expr) => {{
        let shards: $crate::db::changes::Shards = $shards;
        let (lo, hi) = shards.bounds();
        $q.bind(shards.bits()).bind(lo).bind(hi)
    }};
}
pub(crate) use bind_shards;

/// Counts a change to `patient_id`'s data, in its unit `unit_id`.
pub async fn patient(tx: &mut Tx, patient_id: i64, unit_id: i64) -> Result<(), sqlx::Error> {
    // The patient's shard in the patient's unit and in the units the follow-ups were
    // registered in (counted there on the dashboard). The shard's row is made at its first
    // change.
    let sql = "INSERT INTO unit_shards (unit_id, shard, change_seq)
               SELECT u.id, $3, 1 FROM units u
               WHERE u.id = $2 OR u.id IN (SELECT f.unit_id FROM followups f WHERE f.patient_id = $1)
               ON CONFLICT (unit_id, shard) DO UPDATE SET change_seq = unit_shards.change_seq + 1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(patient_id)
        .bind(unit_id)
        .bind(shard_of(patient_id) as i64)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Counts a change that touches a unit's lists without a patient of its own: the unit a
/// patient moved away from.
pub async fn unit(tx: &mut Tx, unit_id: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE units SET change_seq = change_seq + 1 WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(unit_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Counts a change to accounts, units, districts or offers: names and choices every page may
/// show. Called by the functions that write them (`users`, `org`, `support`).
pub async fn catalog(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let sql = "UPDATE catalog_version SET change_seq = change_seq + 1 WHERE id = 1";
    on_tx!(tx, |c| sqlx::query(sql).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// The counters behind a district's figures: the sum over its units and their shards only
/// grows, and grows with every change in any of them.
pub async fn of_district(db: &Db, district_id: i64) -> Result<Version, sqlx::Error> {
    // Each unit's shards are summed through the key on unit and shard. Joined instead,
    // PostgreSQL read every unit's shards (2792 rows for the 188 of a district at a million
    // patients, 0.45 ms); asked at every view of a dashboard, that was a twelfth of its time.
    let sql = "SELECT CAST(COALESCE((SELECT SUM(u.change_seq
                        + (SELECT COALESCE(SUM(s.change_seq), 0) FROM unit_shards s WHERE s.unit_id = u.id))
                    FROM units u WHERE u.district_id = $1), 0) AS BIGINT),
                      (SELECT c.change_seq FROM catalog_version c WHERE c.id = 1)";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(district_id)
        .fetch_one(p)
        .await)
}

/// A unit's counters: its own, and each shard's (0 before the shard's first change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCounters {
    pub unit: i64,
    pub seq: i64,
    pub shards: [i64; SHARDS],
}

impl UnitCounters {
    /// The counter of everything the unit's figures are computed from.
    pub fn total(&self) -> i64 {
        self.seq + self.shards.iter().sum::<i64>()
    }
}

/// Each unit of a district with its counters, by id: a shard of a unit's dashboard figures
/// is current while the unit's counter and the shard's are unchanged.
pub async fn of_units(db: &Db, district_id: i64) -> Result<Vec<UnitCounters>, sqlx::Error> {
    let sql = "SELECT u.id, u.change_seq, s.shard, s.change_seq FROM units u
               LEFT JOIN unit_shards s ON s.unit_id = u.id
               WHERE u.district_id = $1 ORDER BY u.id";
    let rows: Vec<(i64, i64, Option<i64>, Option<i64>)> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(district_id)
        .fetch_all(p)
        .await)?;
    let mut out: Vec<UnitCounters> = Vec::new();
    for (unit, seq, shard, shard_seq) in rows {
        if out.last().is_none_or(|u| u.unit != unit) {
            out.push(UnitCounters {
                unit,
                seq,
                shards: [0; SHARDS],
            });
        }
        if let (Some(last), Some(shard), Some(shard_seq)) = (out.last_mut(), shard, shard_seq) {
            if let Some(s) = usize::try_from(shard)
                .ok()
                .and_then(|s| last.shards.get_mut(s))
            {
                *s = shard_seq;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patient_falls_in_one_shard_and_sets_hold_what_was_put_in() {
        assert_eq!(SHARDS, 64);
        assert_eq!(shard_of(0), 0);
        assert_eq!(shard_of(65), 1);
        assert_eq!(shard_of(127), 63);
        let mut set = Shards::default();
        assert!(set.is_empty());
        set.insert(3);
        set.insert(40);
        set.insert(64); // not a shard: ignored
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![3, 40]);
        assert_eq!((set.len(), set.bits()), (2, (1 << 3) + (1 << 40)));
        assert!(set.contains(3) && !set.contains(4) && !set.contains(64));
        assert_eq!(Shards::all().len(), SHARDS);
        // Every bit set: -1 as a BIGINT.
        assert_eq!(Shards::all().bits(), -1);
        let mut last = Shards::default();
        last.insert(63);
        assert_eq!(last.bits(), i64::MIN);
        assert_eq!(
            (
                set.bounds(),
                Shards::all().bounds(),
                Shards::default().bounds()
            ),
            ((3, 40), (0, 63), (0, -1))
        );
    }
}
