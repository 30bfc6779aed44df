//! The early warnings in SQL: the rules of `domain::warnings`, counted per unit for the
//! dashboard and its trend, and listed for a district or unit. Every query binds the same
//! parameters in the same order (`Params`), whichever of them its text uses.

use super::changes::{bind_shards, in_shards_sql, shard_sql, Shards, SHARDS};
use super::dashboard::{end_of, PerShard};
use super::Db;
use crate::db::on_db;
use crate::domain::agreement::rhythm::Rhythm;
use crate::domain::choices::SUPPORT_NEEDS;
use crate::domain::warnings::{self as rules, CONSENT_REVIEW_MONTHS, SILENT_MONTHS};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The rhythms that can fall behind, in the order their thresholds are bound.
const RHYTHMS: [Rhythm; 4] = [
    Rhythm::Weekly,
    Rhythm::Monthly,
    Rhythm::Quarterly,
    Rhythm::HalfYearly,
];

/// The values every warning query binds, for one day:
/// $1 district (0: the unit alone), $2 unit (0: every unit of the district), $3 the day,
/// $4 the end of the day, $5 its start, $6 the day six months back, $7 the end of that day,
/// $8 the day twelve months back, $9–$16 for each rhythm the first date (and its start) a
/// contact must be on or after not to be behind, $17 limit, $18 offset.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub district: i64,
    pub unit: i64,
    pub day: NaiveDate,
    pub limit: i64,
    pub offset: i64,
}

/// Binds the eighteen parameters of `Params`.
macro_rules! bound {
    ($q:expr, $p:expr) => {{
        let p: &Params = $p;
        let silent = rules::months_before(p.day, SILENT_MONTHS);
        let mut q = $q
            .bind(p.district)
            .bind(p.unit)
            .bind(p.day)
            .bind(end_of(p.day))
            .bind(start_of(p.day))
            .bind(silent)
            .bind(end_of(silent))
            .bind(rules::months_before(p.day, CONSENT_REVIEW_MONTHS));
        for r in RHYTHMS {
            let t = rules::behind_if_before(r, p.day).unwrap_or(p.day);
            q = q.bind(t).bind(start_of(t));
        }
        q.bind(p.limit).bind(p.offset)
    }};
}

/// The first instant of `day` in Oslo.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    end_of(day.pred_opt().unwrap_or(day))
}

/// Mentions every parameter, so that PostgreSQL knows each one's type whichever the query's
/// text uses (`$n = $n` is always true).
const ALL_PARAMS: &str = "$1 = $1 AND $2 = $2 AND $3 = $3 AND $4 = $4 AND $5 = $5 AND $6 = $6
    AND $7 = $7 AND $8 = $8 AND $9 = $9 AND $10 = $10 AND $11 = $11 AND $12 = $12 AND $13 = $13
    AND $14 = $14 AND $15 = $15 AND $16 = $16 AND $17 = $17 AND $18 = $18";

/// Involved relatives r (patient p) counted on the day: registered by its end, the patient
/// not archived by then (`db::dashboard`'s INVOLVED).
const INVOLVED: &str = "r.involvement = 'yes' AND r.created_at < $4 AND p.created_at < $4
    AND (p.archived_at IS NULL OR p.archived_at >= $4)";

/// `domain::warnings::is_silent` for relative r: registered by the day six months back, no
/// meeting with them held after that day and completed by the end of the day, none planned
/// for the day or later, and no follow-up concerning them (or an agreement they are party
/// to) completed after that day or open at the end of the day.
const SILENT: &str = "r.created_at < $7
    AND NOT EXISTS (SELECT 1 FROM meeting_relatives mr JOIN meetings m ON m.id = mr.meeting_id
        WHERE mr.relative_id = r.id AND m.created_at < $4
          AND ((m.status = 'completed' AND m.completed_at < $4 AND m.starts_at >= $7)
            OR (m.starts_at >= $5 AND (m.status = 'draft' OR m.completed_at >= $4))))
    AND NOT EXISTS (SELECT 1 FROM followups f
        WHERE f.patient_id = r.patient_id AND f.created_at < $4
          AND (f.relative_id = r.id OR EXISTS (SELECT 1 FROM agreement_relatives ar
                WHERE ar.agreement_id = f.agreement_id AND ar.relative_id = r.id))
          AND (f.status = 'open' OR (f.status = 'done' AND f.done_on > $6)))";

/// `domain::warnings::consent_due` for relative r: no consent recorded by the end of the day
/// that was given after the day twelve months back.
const CONSENT_DUE: &str = "NOT EXISTS (SELECT 1 FROM consents c
    WHERE c.relative_id = r.id AND c.recorded_at < $4 AND c.given_on > $8)";

/// The latest mapping of relative r made by the day.
const LATEST_MAPPING: &str = "(SELECT m2.id FROM mappings m2
    WHERE m2.relative_id = r.id AND m2.mapped_on <= $3 ORDER BY m2.id DESC LIMIT 1)";

/// `domain::warnings::unmet_needs` for one need of mapping m of relative r: the mapping names
/// it, and no referral to an offer for it answers it by the day.
fn need_unmet(need: &str) -> String {
    format!(
        "((',' || m.support_needs || ',') LIKE '%,{need},%'
          AND NOT EXISTS (SELECT 1 FROM referrals x JOIN offers o ON o.id = x.offer_id
              WHERE x.relative_id = r.id AND o.need = '{need}' AND x.referred_on <= $3
                AND (x.referred_on >= m.mapped_on OR x.state IN ('proposed', 'referred', 'started'))))"
    )
}

/// The referable needs (`domain::warnings::referable`), as SQL literals may hold them.
fn referable_needs() -> impl Iterator<Item = &'static str> {
    SUPPORT_NEEDS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| rules::referable(k) && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

/// Relative r's latest mapping names a need that no referral answers.
fn unmet_sql() -> String {
    let any: Vec<String> = referable_needs().map(need_unmet).collect();
    format!(
        "EXISTS (SELECT 1 FROM mappings m WHERE m.id = {LATEST_MAPPING} AND ({}))",
        any.join(" OR ")
    )
}

/// Relative r's unmet needs, as comma-separated keys.
fn unmet_list_sql() -> String {
    let parts: Vec<String> = referable_needs()
        .map(|n| format!("CASE WHEN {} THEN '{n},' ELSE '' END", need_unmet(n)))
        .collect();
    format!(
        "(SELECT {} FROM mappings m WHERE m.id = {LATEST_MAPPING})",
        parts.join(" || ")
    )
}

/// Staff history row s was, at the end of the day, not a worker of unit `unit`
/// (`domain::warnings::contact_gone`).
fn gone(unit: &str) -> String {
    format!("NOT (s.active AND s.role = 'worker' AND COALESCE(s.unit_id, 0) = COALESCE({unit}, 0))")
}

/// The row of staff history in force for user `who` at the end of the day.
fn staff_at(who: &str) -> String {
    format!(
        "(SELECT s2.id FROM staff_history s2 WHERE s2.user_id = {who} AND s2.valid_from < $4
            ORDER BY s2.valid_from DESC, s2.id DESC LIMIT 1)"
    )
}

/// The row of relative r's history in force at the end of the day: its unit and contact
/// person then.
const RELATIVE_AT: &str = "(SELECT h2.id FROM relative_history h2 WHERE h2.relative_id = r.id
    AND h2.valid_from < $4 ORDER BY h2.valid_from DESC, h2.id DESC LIMIT 1)";

/// The contact person recorded on relative r at the end of the day, when gone from the
/// relative's unit of that day.
fn relative_contact_gone() -> String {
    format!(
        "(SELECT h.contact_person_id FROM relative_history h JOIN staff_history s ON s.id = {}
            WHERE h.id = {RELATIVE_AT} AND {})",
        staff_at("h.contact_person_id"),
        gone("h.unit_id")
    )
}

/// The contact person named by the latest version (by the end of the day) of an agreement
/// in force on the day that relative r is party to, when gone from the relative's unit of
/// that day.
fn agreement_contact_gone() -> String {
    format!(
        "(SELECT MIN(v.contact_person_id) FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
            JOIN agreement_versions v ON v.agreement_id = a.id JOIN staff_history s ON s.id = {}
            JOIN relative_history h ON h.id = {RELATIVE_AT}
            WHERE ar.relative_id = r.id AND a.activated_on <= $3 AND (a.ended_on IS NULL OR a.ended_on > $3)
              AND v.id = (SELECT v2.id FROM agreement_versions v2 WHERE v2.agreement_id = a.id
                  AND v2.created_at < $4 ORDER BY v2.number DESC LIMIT 1)
              AND {})",
        staff_at("v.contact_person_id"),
        gone("h.unit_id")
    )
}

/// The gone contact person of relative r (on the relative first, else in an agreement), or
/// NULL.
fn contact_gone_sql() -> String {
    format!(
        "COALESCE({}, {})",
        relative_contact_gone(),
        agreement_contact_gone()
    )
}

/// Agreement a, in force on the day, is behind the rhythm of its version in force (the
/// latest signed by the day): `domain::warnings::behind_rhythm`, asked as "signed, and no
/// contact since, before the rhythm's threshold". A contact is a completed follow-up of the
/// agreement, or a completed meeting with one of its parties.
fn behind_sql() -> String {
    let arms: Vec<String> = RHYTHMS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (t, ts) = (format!("${}", 9 + 2 * i), format!("${}", 10 + 2 * i));
            format!(
                "(v.contact_rhythm = '{}' AND v.service_signed_on < {t}
                  AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.agreement_id = a.id
                      AND f.status = 'done' AND f.done_on >= {t} AND f.done_on <= $3)
                  AND NOT EXISTS (SELECT 1 FROM agreement_relatives ar
                      JOIN meeting_relatives mr ON mr.relative_id = ar.relative_id
                      JOIN meetings m ON m.id = mr.meeting_id
                      WHERE ar.agreement_id = a.id AND m.status = 'completed'
                        AND m.starts_at >= {ts} AND m.completed_at < $4))",
                r.key()
            )
        })
        .collect();
    format!(
        "EXISTS (SELECT 1 FROM agreement_versions v
            WHERE v.id = (SELECT v2.id FROM agreement_versions v2 WHERE v2.agreement_id = a.id
                AND v2.service_signed_on <= $3 ORDER BY v2.number DESC LIMIT 1)
              AND ({}))",
        arms.join(" OR ")
    )
}

/// Agreements a (patient p) in force on the day.
const IN_FORCE: &str = "a.activated_on <= $3 AND (a.ended_on IS NULL OR a.ended_on > $3)
    AND a.created_at < $4";

/// The warnings' counts for one unit on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Warnings {
    pub silent: i64,
    pub unmet_needs: i64,
    pub consent_due: i64,
    /// None on a day before the history of contact persons began.
    pub contact_gone: Option<i64>,
    pub behind_rhythm: i64,
}

impl Default for Warnings {
    /// Nothing counted yet: the sum every unit is added to.
    fn default() -> Self {
        Warnings {
            silent: 0,
            unmet_needs: 0,
            consent_due: 0,
            contact_gone: Some(0),
            behind_rhythm: 0,
        }
    }
}

impl Warnings {
    pub fn add(&mut self, o: &Warnings) {
        self.silent += o.silent;
        self.unmet_needs += o.unmet_needs;
        self.consent_due += o.consent_due;
        self.contact_gone = match (self.contact_gone, o.contact_gone) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        self.behind_rhythm += o.behind_rhythm;
    }
}

/// When the history of accounts and contact persons begins: days before it have no figure
/// for "contact person gone".
pub async fn history_since(db: &Db) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let sql = "SELECT MIN(valid_from) FROM staff_history";
    on_db!(db, |p| sqlx::query_scalar(sql).fetch_one(p).await)
}

/// The counts of `unit` at the end of `day` per shard of `shards` ($19–$21): one scan of its
/// involved relatives and one of its agreements in force.
pub async fn counts(
    db: &Db,
    unit: i64,
    day: NaiveDate,
    since: Option<DateTime<Utc>>,
    shards: Shards,
) -> Result<PerShard<Warnings>, sqlx::Error> {
    let relatives = format!(
        "SELECT {}, CAST(COALESCE(SUM(CASE WHEN {SILENT} THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN {CONSENT_DUE} THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN {} IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM patients p CROSS JOIN relatives r
         WHERE p.unit_id = $2 AND r.unit_id = $2 AND r.patient_id = p.id AND {INVOLVED} AND {ALL_PARAMS}
           AND {}
         GROUP BY 1",
        shard_sql("p.id"),
        unmet_sql(),
        contact_gone_sql(),
        in_shards_sql("p.id", 19)
    );
    let agreements = format!(
        "SELECT {}, COUNT(*) FROM agreements a JOIN patients p ON p.id = a.patient_id
         WHERE p.unit_id = $2 AND {IN_FORCE} AND {} AND {ALL_PARAMS} AND {}
         GROUP BY 1",
        shard_sql("p.id"),
        behind_sql(),
        in_shards_sql("p.id", 19)
    );
    let p = Params {
        district: 0,
        unit,
        day,
        limit: 0,
        offset: 0,
    };
    let (r, a) = tokio::join!(
        async {
            on_db!(db, |c| bind_shards!(
                bound!(
                    sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(&relatives),
                    &p
                ),
                shards
            )
            .fetch_all(c)
            .await)
        },
        async {
            on_db!(db, |c| bind_shards!(
                bound!(sqlx::query_as::<_, (i64, i64)>(&agreements), &p),
                shards
            )
            .fetch_all(c)
            .await)
        }
    );
    let tracked = since.is_none_or(|s| s < end_of(day));
    let mut out = vec![
        Warnings {
            contact_gone: tracked.then_some(0),
            ..Warnings::default()
        };
        SHARDS
    ];
    let slot = |shard: i64| usize::try_from(shard).ok().filter(|s| *s < SHARDS);
    for (shard, silent, unmet_needs, consent_due, contact_gone) in r? {
        if let Some(s) = slot(shard) {
            out[s].silent = silent;
            out[s].unmet_needs = unmet_needs;
            out[s].consent_due = consent_due;
            out[s].contact_gone = tracked.then_some(contact_gone);
        }
    }
    for (shard, behind) in a? {
        if let Some(s) = slot(shard) {
            out[s].behind_rhythm = behind;
        }
    }
    Ok(out)
}

/// Which relatives a relative warning list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeWarning {
    Silent,
    UnmetNeeds,
    ConsentDue,
    ContactGone,
}

impl RelativeWarning {
    pub fn parse(key: &str) -> Option<RelativeWarning> {
        Some(match key {
            "silent" => RelativeWarning::Silent,
            "unmet_needs" => RelativeWarning::UnmetNeeds,
            "consent_due" => RelativeWarning::ConsentDue,
            "contact_gone" => RelativeWarning::ContactGone,
            _ => return None,
        })
    }

    fn condition(self) -> String {
        match self {
            RelativeWarning::Silent => SILENT.to_string(),
            RelativeWarning::UnmetNeeds => unmet_sql(),
            RelativeWarning::ConsentDue => CONSENT_DUE.to_string(),
            RelativeWarning::ContactGone => format!("{} IS NOT NULL", contact_gone_sql()),
        }
    }
}

/// A relative on a warning list, with what the warning is about.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RelativeRow {
    pub id: i64,
    pub full_name: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub unit_name: String,
    pub created_at: DateTime<Utc>,
    /// The latest completed follow-up concerning them by the day.
    pub last_followup_on: Option<NaiveDate>,
    /// The latest completed meeting with them by the day.
    pub last_meeting_at: Option<DateTime<Utc>>,
    /// The latest consent given, recorded by the day.
    pub consent_on: Option<NaiveDate>,
    /// The unmet needs of the latest mapping, comma-separated keys.
    pub unmet: Option<String>,
    pub mapped_on: Option<NaiveDate>,
    pub gone_id: Option<i64>,
    pub gone_name: Option<String>,
    /// Why the contact person is gone on the day: inactive, role or unit.
    pub gone_reason: Option<String>,
}

/// Sort orders of the relative warning lists.
fn relative_order(sort: &str) -> &'static str {
    match sort {
        "unit" => "u.name, r.full_name, r.id",
        "registered" => "r.created_at, r.id",
        "patient" => "p.sort_key, r.full_name, r.id",
        _ => "r.full_name, r.id",
    }
}

/// One page of a relative warning list for a district (or one of its units), and how many
/// rows the whole list has.
pub async fn relatives(
    db: &Db,
    which: RelativeWarning,
    sort: &str,
    p: &Params,
) -> Result<(i64, Vec<RelativeRow>), sqlx::Error> {
    let from = format!(
        "FROM relatives r JOIN patients p ON p.id = r.patient_id JOIN units u ON u.id = p.unit_id
         WHERE u.district_id = $1 AND ($2 = 0 OR u.id = $2) AND {INVOLVED} AND {} AND {ALL_PARAMS}",
        which.condition()
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let total: i64 = on_db!(db, |c| bound!(sqlx::query_scalar(&count_sql), p)
        .fetch_one(c)
        .await)?;
    let gone = if which == RelativeWarning::ContactGone {
        contact_gone_sql()
    } else {
        "CAST(NULL AS BIGINT)".into()
    };
    let unmet = if which == RelativeWarning::UnmetNeeds {
        unmet_list_sql()
    } else {
        "CAST(NULL AS TEXT)".into()
    };
    let sql = format!(
        "SELECT r.id, r.full_name, p.id AS patient_id, p.full_name AS patient_name,
            u.name AS unit_name, r.created_at,
            (SELECT MAX(f.done_on) FROM followups f WHERE f.patient_id = r.patient_id
                AND f.status = 'done' AND f.done_on <= $3
                AND (f.relative_id = r.id OR EXISTS (SELECT 1 FROM agreement_relatives ar
                    WHERE ar.agreement_id = f.agreement_id AND ar.relative_id = r.id))) AS last_followup_on,
            (SELECT MAX(m.starts_at) FROM meeting_relatives mr JOIN meetings m ON m.id = mr.meeting_id
                WHERE mr.relative_id = r.id AND m.status = 'completed' AND m.completed_at < $4) AS last_meeting_at,
            (SELECT MAX(c.given_on) FROM consents c WHERE c.relative_id = r.id AND c.recorded_at < $4) AS consent_on,
            {unmet} AS unmet,
            (SELECT m.mapped_on FROM mappings m WHERE m.id = {LATEST_MAPPING}) AS mapped_on,
            {gone} AS gone_id,
            (SELECT g.name FROM users g WHERE g.id = {gone}) AS gone_name,
            (SELECT CASE WHEN NOT s.active THEN 'inactive' WHEN s.role <> 'worker' THEN 'role' ELSE 'unit' END
                FROM staff_history s WHERE s.id = {gone_state}) AS gone_reason
         {from} ORDER BY {} LIMIT $17 OFFSET $18",
        relative_order(sort),
        gone_state = staff_at(&gone),
    );
    let rows = on_db!(db, |c| bound!(sqlx::query_as(&sql), p).fetch_all(c).await)?;
    Ok((total, rows))
}

/// An agreement behind its contact rhythm.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgreementRow {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub unit_name: String,
    pub contact_rhythm: String,
    pub signed_on: Option<NaiveDate>,
    pub last_followup_on: Option<NaiveDate>,
    pub last_meeting_at: Option<DateTime<Utc>>,
    pub contact_person_name: Option<String>,
}

/// One page of the agreements behind their rhythm, and how many there are.
pub async fn behind(
    db: &Db,
    sort: &str,
    p: &Params,
) -> Result<(i64, Vec<AgreementRow>), sqlx::Error> {
    let from = format!(
        "FROM agreements a JOIN patients p ON p.id = a.patient_id JOIN units u ON u.id = p.unit_id
         WHERE u.district_id = $1 AND ($2 = 0 OR u.id = $2) AND {IN_FORCE} AND {} AND {ALL_PARAMS}",
        behind_sql()
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let total: i64 = on_db!(db, |c| bound!(sqlx::query_scalar(&count_sql), p)
        .fetch_one(c)
        .await)?;
    let order = match sort {
        "unit" => "u.name, p.sort_key, a.id",
        "contact" => "cp.name, p.sort_key, a.id",
        _ => "p.sort_key, a.id",
    };
    let version = "(SELECT v2.id FROM agreement_versions v2 WHERE v2.agreement_id = a.id
        AND v2.service_signed_on <= $3 ORDER BY v2.number DESC LIMIT 1)";
    let sql = format!(
        "SELECT a.id, p.id AS patient_id, p.full_name AS patient_name, u.name AS unit_name,
            (SELECT v.contact_rhythm FROM agreement_versions v WHERE v.id = {version}) AS contact_rhythm,
            (SELECT v.service_signed_on FROM agreement_versions v WHERE v.id = {version}) AS signed_on,
            (SELECT MAX(f.done_on) FROM followups f WHERE f.agreement_id = a.id AND f.status = 'done'
                AND f.done_on <= $3) AS last_followup_on,
            (SELECT MAX(m.starts_at) FROM agreement_relatives ar JOIN meeting_relatives mr ON mr.relative_id = ar.relative_id
                JOIN meetings m ON m.id = mr.meeting_id
                WHERE ar.agreement_id = a.id AND m.status = 'completed' AND m.completed_at < $4) AS last_meeting_at,
            cp.name AS contact_person_name
         {from_with_contact} ORDER BY {order} LIMIT $17 OFFSET $18",
        from_with_contact = from.replacen(
            "JOIN units u ON u.id = p.unit_id",
            "JOIN units u ON u.id = p.unit_id LEFT JOIN users cp ON cp.id = a.contact_person_id",
            1
        )
    );
    let rows = on_db!(db, |c| bound!(sqlx::query_as(&sql), p).fetch_all(c).await)?;
    Ok((total, rows))
}
