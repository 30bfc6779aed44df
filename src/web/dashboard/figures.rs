//! The district's dashboard figures, computed per unit by `db::dashboard` and kept until a
//! change to what they count.

use crate::db::changes::Version;
use crate::db::dashboard::TrendPoint;
use crate::db::warnings::Warnings;
use crate::db::{self, Db};
use crate::domain::indicators::{self as ind, Figures, Period};
use crate::web::infra::error::{AppError, AppResult};
use chrono::NaiveDate;
use std::sync::Arc;

/// The district's figures per unit, referrals and trend for one period, as last computed.
pub struct Computed {
    pub figures: std::collections::BTreeMap<i64, Figures>,
    /// Each unit's early warnings at the period's end.
    pub warnings: std::collections::BTreeMap<i64, Warnings>,
    pub offers: Vec<db::dashboard::OfferCount>,
    pub trend: Vec<TrendPoint>,
}

/// One unit's figures, referrals and trend for one period.
struct UnitComputed {
    figures: Figures,
    /// The early warnings at the period's end.
    warnings: Warnings,
    referrals: db::dashboard::UnitReferrals,
    trend: Vec<TrendPoint>,
}

/// (district or unit, from, to).
type CacheKey = (i64, NaiveDate, NaiveDate);

/// What a unit's part was computed from: (its counter, the catalogue's). Accounts are in the
/// catalogue, and a deactivated or moved contact person changes the unit's early warnings.
type UnitVersion = (i64, i64);

/// Entries kept before the oldest are dropped: districts or units times periods asked for.
const CACHE_ENTRIES: usize = 2000;

/// Dashboard figures computed once per change. Every change to patient data counts on the
/// units it touches (`db::changes`): the district's counters tell whether its figures are
/// still current, and each unit's counter whether that unit's part is. After a change only
/// the units it touched are computed again. Shared by every manager; each instance keeps its
/// own, and none serves figures older than the database.
#[derive(Default)]
pub struct Cache {
    districts: std::sync::Mutex<std::collections::HashMap<CacheKey, (Version, Arc<Computed>)>>,
    units: std::sync::Mutex<std::collections::HashMap<CacheKey, (UnitVersion, Arc<UnitComputed>)>>,
    /// One computation at a time: managers opening the dashboard together wait for the
    /// first instead of each running the same aggregates.
    computing: tokio::sync::Mutex<()>,
    /// Each unit's early warnings on a day, for the warnings' trend: (unit, day, day).
    warnings: std::sync::Mutex<std::collections::HashMap<CacheKey, (UnitVersion, Arc<Warnings>)>>,
}

/// The entry under `key` when it was built from `version`.
fn kept<V: PartialEq, T>(
    map: &std::sync::Mutex<std::collections::HashMap<CacheKey, (V, Arc<T>)>>,
    key: &CacheKey,
    version: &V,
) -> Option<Arc<T>> {
    let entries = map.lock().ok()?;
    entries
        .get(key)
        .filter(|(v, _)| v == version)
        .map(|(_, c)| c.clone())
}

fn keep<V, T>(
    map: &std::sync::Mutex<std::collections::HashMap<CacheKey, (V, Arc<T>)>>,
    key: CacheKey,
    version: V,
    value: Arc<T>,
) {
    if let Ok(mut entries) = map.lock() {
        if entries.len() >= CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (version, value));
    }
}

/// One unit's part, its queries side by side on separate connections (SQLite runs each
/// connection on its own thread).
async fn unit_computed(
    db: Db,
    unit: i64,
    period: Period,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> AppResult<UnitComputed> {
    let days = ind::month_ends(period.to);
    let (figures, referrals, trend, warnings) = tokio::join!(
        db::dashboard::figures(&db, unit, period.to),
        db::dashboard::referrals(&db, unit, period.from, period.to),
        db::dashboard::trend(&db, unit, &days),
        db::warnings::counts(&db, unit, period.to, since)
    );
    Ok(UnitComputed {
        figures: figures?,
        warnings: warnings?,
        referrals: referrals?,
        trend: trend?,
    })
}

/// The district's figures for the period: kept ones while no counter moved, else the units
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
    let _turn = cache.computing.lock().await;
    if let Some(c) = kept(&cache.districts, &key, &version) {
        return Ok(c);
    }
    // Each unit's counter is read before its figures: figures kept under a counter are never
    // older than it. The units that changed are computed side by side.
    let seqs = db::changes::of_units(db, district).await?;
    let since = db::warnings::history_since(db).await?;
    let mut parts: std::collections::BTreeMap<i64, Arc<UnitComputed>> = Default::default();
    let mut missing = tokio::task::JoinSet::new();
    for &(unit, seq) in &seqs {
        let seq = (seq, version.1);
        let unit_key = (unit, period.from, period.to);
        match kept(&cache.units, &unit_key, &seq) {
            Some(c) => {
                parts.insert(unit, c);
            }
            None => {
                let db = db.clone();
                missing.spawn(
                    async move { (unit, seq, unit_computed(db, unit, period, since).await) },
                );
            }
        }
    }
    while let Some(done) = missing.join_next().await {
        let (unit, seq, c) = done.map_err(|e| AppError::Internal(e.to_string()))?;
        let c = Arc::new(c?);
        keep(&cache.units, (unit, period.from, period.to), seq, c.clone());
        parts.insert(unit, c);
    }
    let names = db::support::offers(db, true)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
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
    keep(&cache.districts, key, version, c.clone());
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
    let seqs = db::changes::of_units(db, district).await?;
    let since = db::warnings::history_since(db).await?;
    let mut sums: Vec<(NaiveDate, Warnings)> =
        days.iter().map(|d| (*d, Warnings::default())).collect();
    let mut missing = tokio::task::JoinSet::new();
    for &(unit, seq) in seqs.iter().filter(|(u, _)| units.contains(u)) {
        let version = (seq, catalog);
        let mut todo = Vec::new();
        for (i, day) in days.iter().enumerate() {
            match kept(&cache.warnings, &(unit, *day, *day), &version) {
                Some(w) => sums[i].1.add(&w),
                None => todo.push((i, *day)),
            }
        }
        if !todo.is_empty() {
            let db = db.clone();
            missing.spawn(async move {
                let mut out = Vec::with_capacity(todo.len());
                for (i, day) in todo {
                    out.push((i, day, db::warnings::counts(&db, unit, day, since).await));
                }
                (unit, version, out)
            });
        }
    }
    while let Some(done) = missing.join_next().await {
        let (unit, version, out) = done.map_err(|e| AppError::Internal(e.to_string()))?;
        for (i, day, w) in out {
            let w = w?;
            keep(&cache.warnings, (unit, day, day), version, Arc::new(w));
            sums[i].1.add(&w);
        }
    }
    Ok(sums)
}
