//! `samspill demo-data`: a synthetic municipality, the same for the same seed, written in
//! large batches inside one transaction so that 100 000 patients take seconds.

mod names;

use crate::db::on_db;
use crate::db::{self, Db, Tx};
use crate::domain::fnr::with_control_digits;
use crate::domain::phone::Phone;
use crate::domain::text::{name_words, sort_key};
use crate::domain::unit::UnitContact;
use crate::domain::user::Role;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use names::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{Postgres, QueryBuilder, Sqlite};
use std::collections::HashSet;
use std::fmt::Write;

pub struct Options {
    pub patients: u32,
    pub seed: u64,
    /// The date the data is laid out around (histories reach back from it).
    pub today: NaiveDate,
    /// The demo accounts' password.
    pub password: String,
}

const BATCH: usize = 400;

/// Runs `$fill` for a multi-row INSERT of `$rows` on whichever engine the transaction uses.
macro_rules! insert_rows {
    ($tx:expr, $head:expr, $rows:expr, |$b:ident, $r:ident| $fill:block) => {
        insert_rows!($tx, $head, $rows, |$b, $r| $fill, "")
    };
    // With a `$tail` after the VALUES list: `UPDATE t SET … FROM (VALUES …) AS v WHERE …`
    // updates rows in batches (the list's columns are `column1`, `column2`, … on both engines).
    ($tx:expr, $head:expr, $rows:expr, |$b:ident, $r:ident| $fill:block, $tail:expr) => {
        for chunk in $rows.chunks(BATCH) {
            match $tx {
                Tx::Sqlite(t) => {
                    let mut q = QueryBuilder::<Sqlite>::new($head);
                    q.push_values(chunk, |mut $b, $r| $fill);
                    q.push($tail);
                    q.build().execute(&mut **t).await.map(|_| ())
                }
                Tx::Postgres(t) => {
                    let mut q = QueryBuilder::<Postgres>::new($head);
                    q.push_values(chunk, |mut $b, $r| $fill);
                    q.push($tail);
                    q.build().execute(&mut **t).await.map(|_| ())
                }
            }
            .map_err(|e| format!("demo data: {e}"))?;
        }
    };
}

mod agreements;
mod routine;

struct UnitPlan {
    id: i64,
    name: String,
    district: usize,
}

struct StaffPlan {
    username: String,
    name: String,
    role: Role,
    unit_id: Option<i64>,
    phone: String,
}

struct PatientPlan {
    unit_id: i64,
    full_name: String,
    birth_date: NaiveDate,
    fnr: Option<String>,
    phone: Option<String>,
    address: String,
    services: String,
    created_at: DateTime<Utc>,
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    let first = FIRST_NAMES.choose(rng).copied().unwrap_or("Kari");
    let last = SURNAMES.choose(rng).copied().unwrap_or("Hansen");
    if rng.gen_bool(0.15) {
        let middle = SURNAMES.choose(rng).copied().unwrap_or("Berg");
        format!("{first} {middle} {last}")
    } else {
        format!("{first} {last}")
    }
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    let lead = if rng.gen_bool(0.5) { 4 } else { 9 };
    let digits = format!("{lead}{:07}", rng.gen_range(0..10_000_000));
    Phone::parse(&digits)
        .map(|p| p.as_str().to_string())
        .unwrap_or(digits)
}

/// A synthetic test fødselsnummer (month + 80) for `birth`, unique within `used`.
fn synthetic_fnr(
    rng: &mut ChaCha8Rng,
    birth: NaiveDate,
    used: &mut HashSet<String>,
) -> Option<String> {
    let (low, high) = if birth.year() >= 2000 {
        (500, 999)
    } else {
        (0, 499)
    };
    let start = rng.gen_range(low..=high);
    let span = high - low + 1;
    for step in 0..span {
        let individual = low + (start - low + step) % span;
        let nine = format!(
            "{:02}{:02}{:02}{:03}",
            birth.day(),
            birth.month() + 80,
            birth.year() % 100,
            individual
        );
        if let Some(full) = with_control_digits(&nine) {
            if used.insert(full.clone()) {
                return Some(full);
            }
        }
    }
    None
}

fn at(day: NaiveDate, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
    let seconds = rng.gen_range(7 * 3600..15 * 3600);
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::seconds(seconds)
}

/// Creates the municipality; refuses a database that already has users or patients.
/// The `i`th district: Oslo's fifteen first, then districts of other municipalities
/// ("Bergen område 1", "Trondheim område 1", …, "Bergen område 2", …).
fn district_name(i: usize) -> String {
    match DISTRICTS.get(i) {
        Some(name) => name.to_string(),
        None => {
            let k = i - DISTRICTS.len();
            let town = MUNICIPALITIES[k % MUNICIPALITIES.len()];
            format!("{town} område {}", k / MUNICIPALITIES.len() + 1)
        }
    }
}

/// Drops the secondary indexes (not primary keys or constraints) and returns their
/// definitions, to be made again once the rows are in: building an index over a table
/// already filled is several times faster than keeping it in order row by row.
async fn set_indexes_aside(tx: &mut Tx) -> Result<Vec<(String, String)>, sqlx::Error> {
    let sql = match tx {
        Tx::Sqlite(_) => {
            r"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
              AND tbl_name NOT LIKE '\_sqlx%' ESCAPE '\' ORDER BY name"
        }
        Tx::Postgres(_) => {
            r"SELECT i.indexname::TEXT, i.indexdef FROM pg_indexes i
              WHERE i.schemaname = current_schema() AND i.tablename NOT LIKE '\_sqlx%' ESCAPE '\'
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
              ORDER BY i.indexname"
        }
    };
    let indexes: Vec<(String, String)> =
        crate::db::on_tx!(&mut *tx, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    for (name, _) in &indexes {
        let drop = format!("DROP INDEX {name}");
        crate::db::on_tx!(&mut *tx, |c| sqlx::query(&drop)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    Ok(indexes)
}

/// The accounts' and contact persons' history from before the first record, and in each
/// district one worker who left two and a half months ago without a hand-over (as happened
/// before one was required): their relatives are the dashboard's "contact person gone".
async fn history(tx: &mut Tx, today: NaiveDate) -> Result<(), sqlx::Error> {
    let start = (today - Duration::days(3650))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let left = (today - Duration::days(75))
        .and_hms_opt(15, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let staff = "INSERT INTO staff_history (user_id, role, unit_id, active, valid_from)
                 SELECT id, role, unit_id, active, $1 FROM users";
    crate::db::on_tx!(tx, |c| sqlx::query(staff)
        .bind(start)
        .execute(c)
        .await
        .map(|_| ()))?;
    let contacts =
        "INSERT INTO relative_history (relative_id, unit_id, contact_person_id, valid_from)
                    SELECT id, unit_id, contact_person_id, created_at FROM relatives";
    crate::db::on_tx!(tx, |c| sqlx::query(contacts).execute(c).await.map(|_| ()))?;
    // The last worker of each district's second unit.
    let leavers = "SELECT MAX(w.id) FROM users w WHERE w.role = 'worker' AND w.unit_id IN (
                       SELECT u.id FROM units u WHERE u.id = (SELECT u2.id FROM units u2
                           WHERE u2.district_id = u.district_id ORDER BY u2.id LIMIT 1 OFFSET 1))
                   GROUP BY w.unit_id";
    let ids: Vec<i64> = crate::db::on_tx!(tx, |c| sqlx::query_scalar(leavers).fetch_all(c).await)?;
    for id in ids {
        crate::db::on_tx!(tx, |c| sqlx::query(
            "UPDATE users SET active = $1 WHERE id = $2"
        )
        .bind(false)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
        db::history::staff(tx, id, left).await?;
    }
    Ok(())
}

/// The relatives' feedback of the last twelve months: each unit a few answers a month, most
/// content, relief the weakest point, now and then a question left out and a free text.
async fn feedback(tx: &mut Tx, rng: &mut ChaCha8Rng, today: NaiveDate) -> Result<(), sqlx::Error> {
    const TEXTS: [&str; 6] = [
        "Mer tid til samtaler med kontaktpersonen.",
        "Avlastning i helgene ville hjulpet mye.",
        "Vanskelig å nå tjenesten på telefon om ettermiddagen.",
        "Fint å få en fast person å ringe.",
        "Ønsker bedre informasjon når noe endres i vedtaket.",
        "Savner å bli spurt om hva jeg selv orker.",
    ];
    let units: Vec<i64> = crate::db::on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM units ORDER BY id"
    )
    .fetch_all(c)
    .await)?;
    let sql =
        "INSERT INTO feedback_answers (unit_id, month, respect, information, contact, asked, views,
                   relief, offers, overall, improve)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    for unit in units {
        for back in 0..12u32 {
            let month = today
                .checked_sub_months(chrono::Months::new(back))
                .unwrap_or(today)
                .format("%Y-%m")
                .to_string();
            for _ in 0..rng.gen_range(0..4) {
                let mut scores = [None; 8];
                for (i, s) in scores.iter_mut().enumerate() {
                    if rng.gen_bool(0.06) {
                        continue;
                    }
                    // Relief (question 6) is rated lower than the rest.
                    let base: i16 = if i == 5 { 2 } else { 3 };
                    *s = Some((base + rng.gen_range(0..3)).min(5));
                }
                let improve = if rng.gen_bool(0.3) {
                    TEXTS[rng.gen_range(0..TEXTS.len())]
                } else {
                    ""
                };
                crate::db::on_tx!(tx, |c| {
                    let mut q = sqlx::query(sql).bind(unit).bind(&month);
                    for s in scores {
                        q = q.bind(s);
                    }
                    q.bind(improve).execute(c).await.map(|_| ())
                })?;
            }
        }
    }
    Ok(())
}

pub async fn generate(db: &Db, o: &Options) -> Result<String, String> {
    let err = |e: sqlx::Error| format!("demo data: {e}");
    let users = db::users::count(db).await.map_err(err)?;
    let patients: i64 = on_db!(db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM patients")
        .fetch_one(p)
        .await)
    .map_err(err)?;
    if users > 0 || patients > 0 {
        return Err("the database is not empty; demo data goes into a new database only".into());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    let hash = crate::security::hash_password(o.password.clone()).await?;
    let now = o.today.and_hms_opt(6, 0, 0).unwrap_or_default().and_utc();
    let n = o.patients as usize;

    // About 6000 patients per district, as in an Oslo district: a national demo of a million
    // patients has the fifteen Oslo districts and districts of other municipalities.
    let district_count = (n / 6000 + 2).max(2);
    let district_names: Vec<String> = (0..district_count).map(district_name).collect();
    let mut tx = db.begin().await.map_err(err)?;
    let indexes = set_indexes_aside(&mut tx).await.map_err(err)?;
    let mut districts = Vec::new();
    for name in &district_names {
        districts.push(
            db::org::insert_district(&mut tx, name, now)
                .await
                .map_err(err)?,
        );
    }
    let mut units = Vec::new();
    for (d, district_id) in districts.iter().enumerate() {
        let short = district_names[d].trim_start_matches("Bydel ");
        for kind in [
            "Hjemmetjenesten {} nord",
            "Hjemmetjenesten {} sør",
            "Helsehuset {}",
        ] {
            let name = kind.replace("{}", short);
            let id = db::org::insert_unit(&mut tx, *district_id, &name, now)
                .await
                .map_err(err)?;
            let landline = |rng: &mut ChaCha8Rng| {
                Phone::parse(&format!("2{:07}", rng.gen_range(1_000_000..10_000_000)))
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default()
            };
            let contact = UnitContact {
                address: format!("Postboks {}, {short}", rng.gen_range(1..9000)),
                phone: landline(&mut rng),
                phone_hours: "hverdager kl. 08.00–15.30".into(),
                after_hours_phone: landline(&mut rng),
            };
            db::org::set_unit_contact(&mut tx, id, &contact)
                .await
                .map_err(err)?;
            units.push(UnitPlan {
                id,
                name,
                district: d,
            });
        }
    }

    let mut staff = vec![StaffPlan {
        username: "admin".into(),
        name: "Administrator Demo".into(),
        role: Role::Admin,
        unit_id: None,
        phone: phone(&mut rng),
    }];
    for (d, _) in districts.iter().enumerate() {
        let first_unit = units.iter().find(|u| u.district == d).map(|u| u.id);
        staff.push(StaffPlan {
            username: format!("leder{}", d + 1),
            name: person_name(&mut rng),
            role: Role::Manager,
            unit_id: first_unit,
            phone: phone(&mut rng),
        });
    }
    let per_unit = n / units.len().max(1);
    let workers_per_unit = (per_unit / 30).clamp(3, 60);
    let mut worker_no = 0;
    let mut roster = String::new();
    for unit in &units {
        let first = worker_no + 1;
        for _ in 0..workers_per_unit {
            worker_no += 1;
            staff.push(StaffPlan {
                username: format!("ansatt{worker_no}"),
                name: person_name(&mut rng),
                role: Role::Worker,
                unit_id: Some(unit.id),
                phone: phone(&mut rng),
            });
        }
        let _ = writeln!(
            roster,
            "  ansatt{first}–ansatt{worker_no}: helsepersonell, {}",
            unit.name
        );
    }
    insert_rows!(
        &mut tx,
        "INSERT INTO users (username, name, role, unit_id, phone, password_hash, active, created_at, password_changed_at) ",
        staff,
        |b, s| {
            b.push_bind(s.username.clone())
                .push_bind(s.name.clone())
                .push_bind(s.role.as_str())
                .push_bind(s.unit_id)
                .push_bind(s.phone.clone())
                .push_bind(hash.clone())
                .push_bind(true)
                .push_bind(now)
                .push_bind(now);
        }
    );

    let mut used_fnr = HashSet::new();
    let mut plans = Vec::with_capacity(n);
    for _ in 0..n {
        let unit = &units[rng.gen_range(0..units.len())];
        let age = if rng.gen_bool(0.85) {
            rng.gen_range(65..101)
        } else {
            rng.gen_range(18..65)
        };
        let birth = o.today - Duration::days(age * 365 + rng.gen_range(0..365));
        let fnr = if rng.gen_bool(0.6) {
            synthetic_fnr(&mut rng, birth, &mut used_fnr)
        } else {
            None
        };
        let how_many = rng.gen_range(1..4);
        let mut services: Vec<&str> = SERVICES
            .choose_multiple(&mut rng, how_many)
            .copied()
            .collect();
        services.sort_unstable();
        let created = o.today - Duration::days(rng.gen_range(0..540));
        plans.push(PatientPlan {
            unit_id: unit.id,
            full_name: person_name(&mut rng),
            birth_date: birth,
            fnr,
            phone: rng.gen_bool(0.8).then(|| phone(&mut rng)),
            address: format!(
                "{} {}, {:04} Oslo",
                STREETS.choose(&mut rng).copied().unwrap_or("Storgata"),
                rng.gen_range(1..120),
                rng.gen_range(150..1300)
            ),
            services: services.join(", "),
            created_at: at(created, &mut rng),
        });
    }
    insert_rows!(
        &mut tx,
        "INSERT INTO patients (unit_id, full_name, sort_key, birth_date, fnr, phone, address, services, created_at, updated_at) ",
        plans,
        |b, p| {
            b.push_bind(p.unit_id)
                .push_bind(p.full_name.clone())
                .push_bind(sort_key(&p.full_name))
                .push_bind(p.birth_date)
                .push_bind(p.fnr.clone())
                .push_bind(p.phone.clone())
                .push_bind(p.address.clone())
                .push_bind(p.services.clone())
                .push_bind(p.created_at)
                .push_bind(p.created_at);
        }
    );
    let patient_ids: Vec<i64> = crate::db::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM patients ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    let words: Vec<(i64, i64, String)> = plans
        .iter()
        .zip(&patient_ids)
        .flat_map(|(p, id)| {
            name_words(&p.full_name)
                .into_iter()
                .map(move |w| (*id, p.unit_id, w))
        })
        .collect();
    insert_rows!(
        &mut tx,
        "INSERT INTO patient_name_words (patient_id, unit_id, word) ",
        words,
        |b, w| {
            b.push_bind(w.0).push_bind(w.1).push_bind(w.2.clone());
        }
    );
    // The first patients of each unit's list, so a demo worker meets the whole routine at once.
    let mut by_unit: std::collections::HashMap<i64, Vec<(String, usize)>> = Default::default();
    for (i, p) in plans.iter().enumerate() {
        by_unit
            .entry(p.unit_id)
            .or_default()
            .push((sort_key(&p.full_name), i));
    }
    let mut front = vec![false; plans.len()];
    for list in by_unit.values_mut() {
        list.sort();
        for (_, i) in list.iter().take(25) {
            front[*i] = true;
        }
    }
    let refs: Vec<routine::PatientRef> = plans
        .iter()
        .zip(patient_ids)
        .enumerate()
        .map(|(i, (p, id))| routine::PatientRef {
            front: front[i],
            id,
            unit_id: p.unit_id,
            created: p.created_at,
            name: p.full_name.clone(),
            unit_name: units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            services: p.services.clone(),
        })
        .collect();
    let worker_rows: Vec<(i64, Option<i64>)> = crate::db::on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT id, unit_id FROM users WHERE role = 'worker' ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    let mut workers: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (id, unit) in worker_rows {
        if let Some(unit) = unit {
            workers.entry(unit).or_default().push(id);
        }
    }
    let (counts, candidates) =
        routine::generate(&mut tx, &mut rng, &refs, &workers, o.today).await?;
    let agreement_count =
        agreements::generate(&mut tx, &mut rng, &refs, &candidates, o.today).await?;
    history(&mut tx, o.today).await.map_err(err)?;
    feedback(&mut tx, &mut rng, o.today).await.map_err(err)?;
    for (_, definition) in &indexes {
        crate::db::on_tx!(&mut tx, |c| sqlx::query(definition)
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(err)?;
    }
    tx.commit().await.map_err(err)?;
    if let Db::Postgres(p) = db {
        // The planner has no statistics of tables filled in one transaction until autovacuum
        // comes by; without them it chose plans that made a patient's page take seconds.
        // Vacuumed as well, so the demo starts as a database in use would be: pages marked
        // all-visible (index-only scans) and no autovacuum of every table in the first
        // minutes of use (which took the national demo's dashboard p99 from 285 to 507 ms
        // in the benchmark run straight after `demo-data`). VACUUM runs outside any
        // transaction, hence the simple protocol.
        sqlx::raw_sql("VACUUM (ANALYZE)")
            .execute(p)
            .await
            .map_err(err)?;
    }
    if let Db::Sqlite(p) = db {
        // Statistics from a sample of each index, as `PRAGMA optimize` gathers them.
        sqlx::query("PRAGMA analysis_limit = 2000")
            .execute(p)
            .await
            .map_err(err)?;
        sqlx::query("ANALYZE").execute(p).await.map_err(err)?;
        // The table statistics stay; the value samples go. With samples, SQLite prepares a
        // kept statement anew whenever a parameter it sampled changes value, which is on
        // nearly every request (a tenth of the server's time went to parsing SQL).
        sqlx::query("DELETE FROM sqlite_stat4")
            .execute(p)
            .await
            .map_err(err)?;
    }

    let mut summary = format!(
        "Created {} districts, {} units, {} accounts and {} patients (seed {}),\n\
         {} relatives ({} children), {} mappings, {} meetings, {} referrals, {} follow-ups\n\
         and {} pårørendeavtaler.\n\n\
         Accounts (password from SAMSPILL_PASSWORD):\n  admin: administrator\n",
        districts.len(),
        units.len(),
        staff.len(),
        n,
        o.seed,
        counts.relatives,
        counts.children,
        counts.mappings,
        counts.meetings,
        counts.referrals,
        counts.followups,
        agreement_count
    );
    for (d, _) in districts.iter().enumerate() {
        let _ = writeln!(
            summary,
            "  leder{}: bydelsleder, {}",
            d + 1,
            district_names[d]
        );
    }
    summary.push_str(&roster);
    Ok(summary)
}
