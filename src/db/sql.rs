//! SQL pieces the queries share: lists of ids to ask for at once, and the day in Oslo of a
//! timestamp.

use super::Engine;

/// The calendar day in Oslo of the timestamp column `column`, as `YYYY-MM-DD`: the day the
/// rest of Samspill means (`domain::dates::oslo_date`). PostgreSQL has the time-zone
/// database. SQLite has none, so there the expression applies the rule Norway keeps with the
/// EU: summer time (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October, UTC+1 otherwise. A test holds it against `oslo_date` hour by
/// hour over three years.
pub fn oslo_day_sql(engine: Engine, column: &str) -> String {
    match engine {
        Engine::Postgres => format!("to_char({column} AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD')"),
        // The last Sunday of a month of 31 days is the first Sunday on or after its 25th.
        Engine::Sqlite => format!(
            "date({column}, CASE WHEN {column} >= date(substr({column}, 1, 4) || '-03-25', 'weekday 0') || 'T01:00:00+00:00'
                AND {column} < date(substr({column}, 1, 4) || '-10-25', 'weekday 0') || 'T01:00:00+00:00'
                THEN '+2 hours' ELSE '+1 hours' END)"
        ),
    }
}

/// A list of ids for `column IN ($1, …)`, padded by repeating its last id to the next power
/// of two: lists of any length are bound through a few statement texts (1, 2, 4 … ids), which
/// stay prepared in each connection's statement cache instead of being prepared per length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdList(Vec<i64>);

impl IdList {
    /// `None` for an empty list: there is nothing to ask for.
    pub fn new(ids: &[i64]) -> Option<Self> {
        let last = *ids.last()?;
        let mut padded = ids.to_vec();
        padded.resize(ids.len().next_power_of_two(), last);
        Some(IdList(padded))
    }

    /// `column IN ($1, …, $n)`, the placeholders numbered from 1.
    pub fn condition(&self, column: &str) -> String {
        let marks: Vec<String> = (1..=self.0.len()).map(|i| format!("${i}")).collect();
        format!("{column} IN ({})", marks.join(", "))
    }

    /// Binds the ids to the placeholders of `condition`, in order.
    pub fn bind<'q, DB, O>(
        &self,
        mut query: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for id in &self.0 {
            query = query.bind(*id);
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    /// SQLite's Oslo day is the day of `oslo_date`, every hour of three years (their summer
    /// time begins and ends on the hour), on the second before and after each change, and with
    /// a fraction of a second.
    #[tokio::test]
    async fn sqlites_oslo_day_is_the_day_in_oslo() {
        use chrono::{DateTime, Duration, TimeZone, Utc};
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let Db::Sqlite(pool) = db else {
            unreachable!("an in-memory SQLite URL")
        };
        let mut instants: Vec<DateTime<Utc>> = Vec::new();
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        for h in 0..(3 * 366 * 24) {
            let t = start + Duration::hours(h);
            instants.extend([t, t - Duration::seconds(1), t + Duration::milliseconds(500)]);
        }
        let mut checked = 0;
        for batch in instants.chunks(1000) {
            let values: Vec<String> = (1..=batch.len()).map(|i| format!("(${i})")).collect();
            let sql = format!(
                "SELECT column1, {} FROM (VALUES {})",
                oslo_day_sql(Engine::Sqlite, "column1"),
                values.join(", ")
            );
            let mut q = sqlx::query_as::<_, (DateTime<Utc>, String)>(&sql);
            for at in batch {
                q = q.bind(*at);
            }
            for (at, day) in q.fetch_all(&pool).await.unwrap() {
                let expected = crate::domain::dates::oslo_date(at).format("%Y-%m-%d");
                assert_eq!(day, expected.to_string(), "{at}");
                checked += 1;
            }
        }
        assert_eq!(checked, instants.len());
    }

    /// A list is padded with its last id to the next power of two; an empty list asks nothing.
    #[test]
    fn id_lists_come_in_a_few_lengths() {
        assert_eq!(IdList::new(&[]), None);
        let one = IdList::new(&[7]).unwrap();
        assert_eq!(one, IdList(vec![7]));
        assert_eq!(one.condition("r.patient_id"), "r.patient_id IN ($1)");
        let three = IdList::new(&[7, 3, 9]).unwrap();
        assert_eq!(three, IdList(vec![7, 3, 9, 9]));
        assert_eq!(three.condition("a.id"), "a.id IN ($1, $2, $3, $4)");
        assert_eq!(IdList::new(&[1, 2, 3, 4]).unwrap().0.len(), 4);
        assert_eq!(IdList::new(&[1; 33]).unwrap().0.len(), 64);
    }
}
