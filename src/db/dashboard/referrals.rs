//! The referrals of a unit's relatives per shard and offer, and their sum over units.

use super::{in_shards_sql, shard_sql, PerShard, Shards, SHARDS};
use crate::db::changes::bind_shards;
use crate::db::{on_db, Db};
use chrono::NaiveDate;
use std::collections::BTreeMap;

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
}
