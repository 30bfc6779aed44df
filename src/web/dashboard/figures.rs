//! The district's dashboard figures, computed per unit and shard of its patients by
//! `db::dashboard` and kept until a change to what they count.

use crate::db::changes::{Shards, UnitCounters, Version, SHARDS};
use crate::db::dashboard::TrendPoint;
use crate::db::warnings::Warnings;
use crate::db::{self, Db};
use crate::domain::indicators::{self as ind, Figures, Period};
use crate::web::infra::error::{AppError, AppResult};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The district's figures per unit, referrals and trend for one period, as last computed.
pub struct Computed {
    pub figures: std::collections::BTreeMap<i64, Figures>,
    /// Each unit's early warnings at the period's end.
    pub warnings: std::collections::BTreeMap<i64, Warnings>,
    pub offers: Vec<db::dashboard::OfferCount>,
    pub trend: Vec<TrendPoint>,
}

/// One shard's (or, added up, one unit's) figures, referrals and trend for one period.
#[derive(Clone, Default)]
struct Part {
    figures: Figures,
    /// The early warnings at the period's end.
    warnings: Warnings,
    referrals: db::dashboard::UnitReferrals,
    trend: Vec<TrendPoint>,
}

impl Part {
    fn add(&mut self, o: &Part) {
        self.figures.add(&o.figures);
        self.warnings.add(&o.warnings);
        self.referrals.extend(o.referrals.iter().copied());
        if self.trend.is_empty() {
            self.trend = o.trend.clone();
        } else {
            for (t, p) in self.trend.iter_mut().zip(&o.trend) {
                t.add(p);
            }
        }
    }
}

/// Values under their keys, each with what it was computed from.
type Kept<K, V, T> = Mutex<HashMap<K, (V, Arc<T>)>>;

/// (district or unit, from, to).
type CacheKey = (i64, NaiveDate, NaiveDate);

/// (unit, shard, from, to).
type ShardKey = (i64, usize, NaiveDate, NaiveDate);

/// What a shard's part was computed from: (its unit's counter, the shard's, the catalogue's).
/// Accounts are in the catalogue, and a deactivated or moved contact person changes the
/// unit's early warnings.
type ShardVersion = (i64, i64, i64);

/// What a unit's warnings on a day were computed from: (the sum of its counters, the
/// catalogue's).
type UnitVersion = (i64, i64);

/// Districts counted at the same time: a district waits only for counts in its own group
/// (its id modulo `TURNS`). One group for all kept the database's cores a fifth idle while
/// managers queued (national demo on PostgreSQL, runs one after the other: 227–238
/// dashboards a second, p99 278–294 ms; with two groups 342, p99 181 ms; three gave no more;
/// BENCHMARKS.md). Each count runs its units' queries side by side, so more groups at once
/// would take the pool from the writes.
const TURNS: usize = 2;

/// Entries kept before the oldest are dropped: districts times periods asked for.
const CACHE_ENTRIES: usize = 2000;

/// Shard entries kept: every shard of 1250 units for one period (each about 1 kB).
const SHARD_ENTRIES: usize = 80_000;

/// Dashboard figures computed once per change. Every change to patient data counts on the
/// patient's shard in the units it touches (`db::changes`): the district's counters tell
/// whether its figures are still current, and each shard's counter whether that part of its
/// unit is. After a change only the shards it touched are computed again. Shared by every
/// manager; each instance keeps its own, and none serves figures older than the database.
#[derive(Default)]
pub struct Cache {
    districts: Kept<CacheKey, Version, Computed>,
    shards: Kept<ShardKey, ShardVersion, Part>,
    /// A few computations at a time, one per group of districts (`TURNS`): managers of a
    /// district opening the dashboard together wait for the first instead of each running
    /// the same aggregates.
    computing: [tokio::sync::Mutex<()>; TURNS],
    /// Each unit's early warnings on a day, for the warnings' trend: (unit, day, day).
    warnings: Kept<CacheKey, UnitVersion, Warnings>,
    /// How many shards have been computed, for the operator's metrics and the tests.
    computed_shards: AtomicUsize,
    /// The relatives' feedback tallies, under what they were counted from.
    feedback: Kept<FeedbackKey, (i64, i64), Tallies>,
}

/// (district, first month, last month).
type FeedbackKey = (i64, String, String);

/// Each (unit, month)'s tally of the relatives' feedback (`db::feedback::tallies`).
pub type Tallies = Vec<(i64, String, db::feedback::Tally)>;

/// The district's feedback tallies for the months `from`–`to`: kept until an answer comes.
pub async fn feedback_tallies(
    db: &Db,
    cache: &Cache,
    district: i64,
    from: &str,
    to: &str,
) -> AppResult<Arc<Tallies>> {
    let version = db::feedback::version(db, district).await?;
    let key = (district, from.to_string(), to.to_string());
    if let Some(t) = kept(&cache.feedback, &key, &version) {
        return Ok(t);
    }
    let t = Arc::new(db::feedback::tallies(db, district, from, to).await?);
    keep(&cache.feedback, CACHE_ENTRIES, key, version, t.clone());
    Ok(t)
}

impl Cache {
    /// How many shards of units' figures this instance has computed since it started.
    pub fn computed_shards(&self) -> usize {
        self.computed_shards.load(Ordering::Relaxed)
    }
}

/// The entry under `key` when it was built from `version`.
fn kept<K: Hash + Eq, V: PartialEq, T>(
    map: &Kept<K, V, T>,
    key: &K,
    version: &V,
) -> Option<Arc<T>> {
    let entries = map.lock().ok()?;
    entries
        .get(key)
        .filter(|(v, _)| v == version)
        .map(|(_, c)| c.clone())
}

fn keep<K: Hash + Eq, V, T>(map: &Kept<K, V, T>, limit: usize, key: K, version: V, value: Arc<T>) {
    if let Ok(mut entries) = map.lock() {
        if entries.len() >= limit {
            entries.clear();
        }
        entries.insert(key, (version, value));
    }
}

/// The parts of the shards `shards` of one unit, their queries side by side on separate
/// connections (SQLite runs each connection on its own thread).
async fn shards_computed(
    db: Db,
    unit: i64,
    shards: Shards,
    period: Period,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> AppResult<Vec<(usize, Part)>> {
    let days = ind::month_ends(period.to);
    let (figures, referrals, trend, warnings) = tokio::join!(
        db::dashboard::figures(&db, unit, period.to, shards),
        db::dashboard::referrals(&db, unit, period.from, period.to, shards),
        db::dashboard::trend(&db, unit, &days, shards),
        db::warnings::counts(&db, unit, period.to, since, shards)
    );
    let (mut figures, mut referrals, mut trend, mut warnings) =
        (figures?, referrals?, trend?, warnings?);
    Ok(shards
        .iter()
        .map(|s| {
            (
                s,
                Part {
                    figures: std::mem::take(&mut figures[s]),
                    warnings: std::mem::take(&mut warnings[s]),
                    referrals: std::mem::take(&mut referrals[s]),
                    trend: std::mem::take(&mut trend[s]),
                },
            )
        })
        .collect())
}

/// The district's figures for the period: kept ones while no counter moved, else the shards
/// that changed computed again.
pub async fn computed(
    db: &Db,
    cache: &Cache,
    district: i64,
    period: Period,
) -> AppResult<Arc<Computed>> {
    let version = db::changes::of_district(db, district).await?;
    let key = (district, period.from, period.to);
    if let Some(c) = kept(&cache.districts, &key, &version) {
        return Ok(c);
    }
    let turn = usize::try_from(district.rem_euclid(TURNS as i64)).unwrap_or(0);
    let _turn = cache.computing[turn].lock().await;
    if let Some(c) = kept(&cache.districts, &key, &version) {
        return Ok(c);
    }
    // The counters are read before the figures: figures kept under a counter are never
    // older than it. The units' changed shards are computed side by side.
    let units = db::changes::of_units(db, district).await?;
    let since = db::warnings::history_since(db).await?;
    let shard_version = |u: &UnitCounters, s: usize| (u.seq, u.shards[s], version.1);
    let mut parts: std::collections::BTreeMap<i64, Part> = Default::default();
    let mut missing = tokio::task::JoinSet::new();
    for u in &units {
        let mut part = Part::default();
        let mut stale = Shards::default();
        for s in 0..SHARDS {
            let shard_key = (u.unit, s, period.from, period.to);
            match kept(&cache.shards, &shard_key, &shard_version(u, s)) {
                Some(c) => part.add(&c),
                None => stale.insert(s),
            }
        }
        parts.insert(u.unit, part);
        if !stale.is_empty() {
            let (db, unit) = (db.clone(), u.unit);
            missing.spawn(
                async move { (unit, shards_computed(db, unit, stale, period, since).await) },
            );
        }
    }
    while let Some(done) = missing.join_next().await {
        let (unit, computed) = done.map_err(|e| AppError::Internal(e.to_string()))?;
        let computed = computed?;
        cache
            .computed_shards
            .fetch_add(computed.len(), Ordering::Relaxed);
        let Some(counters) = units.iter().find(|u| u.unit == unit) else {
            continue;
        };
        for (s, c) in computed {
            let c = Arc::new(c);
            keep(
                &cache.shards,
                SHARD_ENTRIES,
                (unit, s, period.from, period.to),
                shard_version(counters, s),
                c.clone(),
            );
            if let Some(part) = parts.get_mut(&unit) {
                part.add(&c);
            }
        }
    }
    let names = db::support::offer_names(db).await?;
    let mut trend: Vec<TrendPoint> = ind::month_ends(period.to)
        .into_iter()
        .map(|day| TrendPoint {
            day,
            ..TrendPoint::default()
        })
        .collect();
    for part in parts.values() {
        for (t, p) in trend.iter_mut().zip(&part.trend) {
            t.add(p);
        }
    }
    let c = Arc::new(Computed {
        figures: parts.iter().map(|(u, c)| (*u, c.figures)).collect(),
        warnings: parts.iter().map(|(u, c)| (*u, c.warnings)).collect(),
        offers: db::dashboard::referrals_per_offer(parts.values().map(|c| &c.referrals), &names),
        trend,
    });
    keep(&cache.districts, CACHE_ENTRIES, key, version, c.clone());
    Ok(c)
}

/// The early warnings of `units` (ids of one district) summed at each month end up to `to`.
/// Each unit's count on each day is kept until the unit or the catalogue changes; the units
/// are computed side by side, each unit's days one after the other.
pub async fn warning_trend(
    db: &Db,
    cache: &Cache,
    district: i64,
    units: &[i64],
    to: NaiveDate,
) -> AppResult<Vec<(NaiveDate, Warnings)>> {
    let days = ind::month_ends(to);
    let catalog = db::changes::of_district(db, district).await?.1;
    let counters = db::changes::of_units(db, district).await?;
    let since = db::warnings::history_since(db).await?;
    let mut sums: Vec<(NaiveDate, Warnings)> =
        days.iter().map(|d| (*d, Warnings::default())).collect();
    let mut missing = tokio::task::JoinSet::new();
    for u in counters.iter().filter(|u| units.contains(&u.unit)) {
        let version = (u.total(), catalog);
        let mut todo = Vec::new();
        for (i, day) in days.iter().enumerate() {
            match kept(&cache.warnings, &(u.unit, *day, *day), &version) {
                Some(w) => sums[i].1.add(&w),
                None => todo.push((i, *day)),
            }
        }
        if !todo.is_empty() {
            let (db, unit) = (db.clone(), u.unit);
            missing.spawn(async move {
                let mut out = Vec::with_capacity(todo.len());
                for (i, day) in todo {
                    let shards = db::warnings::counts(&db, unit, day, since, Shards::all()).await;
                    let unit_sum = shards.map(|shards| {
                        shards.iter().fold(Warnings::default(), |mut sum, w| {
                            sum.add(w);
                            sum
                        })
                    });
                    out.push((i, day, unit_sum));
                }
                (unit, version, out)
            });
        }
    }
    while let Some(done) = missing.join_next().await {
        let (unit, version, out) = done.map_err(|e| AppError::Internal(e.to_string()))?;
        for (i, day, w) in out {
            let w = w?;
            keep(
                &cache.warnings,
                CACHE_ENTRIES,
                (unit, day, day),
                version,
                Arc::new(w),
            );
            sums[i].1.add(&w);
        }
    }
    Ok(sums)
}
