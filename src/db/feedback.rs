//! The relatives' feedback: the links printed on their copies, and the answers, which keep
//! only their unit and month.

use super::{Db, Tx};
use crate::db::{on_db, on_tx};
use crate::domain::feedback::{Answer, Distribution, LinkState, QUESTIONS};
use chrono::{DateTime, Utc};

/// The latest link issued to a relative for an agreement.
pub async fn latest(
    tx: &mut Tx,
    agreement_id: i64,
    relative_id: i64,
) -> Result<Option<(LinkState, String)>, sqlx::Error> {
    let sql = "SELECT id, issued_at, used, salt FROM feedback_links
               WHERE agreement_id = $1 AND relative_id = $2 ORDER BY issued_at DESC, id DESC LIMIT 1";
    let row: Option<(i64, DateTime<Utc>, bool, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(agreement_id)
        .bind(relative_id)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(|(id, issued_at, used, salt)| {
        (
            LinkState {
                id,
                issued_at,
                used,
            },
            salt,
        )
    }))
}

/// A new link.
pub struct NewLink<'a> {
    pub agreement_id: i64,
    pub relative_id: i64,
    pub unit_id: i64,
    pub language: &'a str,
    pub salt: &'a str,
    pub token_hash: &'a str,
}

pub async fn issue(tx: &mut Tx, l: &NewLink<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO feedback_links (agreement_id, relative_id, unit_id, language, salt, token_hash,
                   issued_at, expires_at, used)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(l.agreement_id)
        .bind(l.relative_id)
        .bind(l.unit_id)
        .bind(l.language)
        .bind(l.salt)
        .bind(l.token_hash)
        .bind(now)
        .bind(crate::domain::feedback::expires_at(now))
        .bind(false)
        .execute(c)
        .await
        .map(|_| ()))
}

/// A link as its form needs it: no relative, patient or agreement, only where it leads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicLink {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub language: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

pub async fn by_hash(db: &Db, hash: &str) -> Result<Option<PublicLink>, sqlx::Error> {
    let sql = "SELECT l.id, l.unit_id, u.name AS unit_name, l.language, l.expires_at, l.used
               FROM feedback_links l JOIN units u ON u.id = l.unit_id WHERE l.token_hash = $1";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(hash)
        .fetch_optional(p)
        .await)
}

/// Records an answer through link `link_id` in one step: the link is marked used (only if it
/// was not, and has not expired) and the answer stored with its unit and month. False, and
/// nothing written, when the link was used or expired meanwhile.
pub async fn answer(
    tx: &mut Tx,
    link: &PublicLink,
    month: &str,
    a: &Answer,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mark =
        "UPDATE feedback_links SET used = $1 WHERE id = $2 AND used = $3 AND expires_at > $4";
    let marked = on_tx!(tx, |c| sqlx::query(mark)
        .bind(true)
        .bind(link.id)
        .bind(false)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if marked != 1 {
        return Ok(false);
    }
    let columns: Vec<&str> = QUESTIONS.iter().map(|q| q.0).collect();
    let sql = format!(
        "INSERT INTO feedback_answers (unit_id, month, {}, improve)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        columns.join(", ")
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query(&sql).bind(link.unit_id).bind(month);
        for s in a.scores {
            q = q.bind(s);
        }
        q.bind(&a.improve).execute(c).await.map(|_| ())
    })?;
    Ok(true)
}

/// The answers of some units in months `from`–`to` ("YYYY-MM"): per unit and month, how
/// many answered, and each question's distribution.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub answers: i64,
    pub questions: [Distribution; 8],
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.answers += o.answers;
        for (a, b) in self.questions.iter_mut().zip(&o.questions) {
            a.add(b);
        }
    }
}

/// What a district's tallies are counted from: how many answers its units have, and the
/// newest answer's id. An answer is never changed, so a new or removed answer moves the pair.
pub async fn version(db: &Db, district: i64) -> Result<(i64, i64), sqlx::Error> {
    let sql = "SELECT COUNT(*), COALESCE(MAX(a.id), 0)
               FROM feedback_answers a JOIN units u ON u.id = a.unit_id WHERE u.district_id = $1";
    on_db!(db, |p| sqlx::query_as(sql)
        .bind(district)
        .fetch_one(p)
        .await)
}

/// Each (unit, month)'s tally in the months `from`–`to` for the units of a district.
pub async fn tallies(
    db: &Db,
    district: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, Tally)>, sqlx::Error> {
    // One row per unit, month, question and score: counted in SQL, no answer read whole.
    let arms: Vec<String> = QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, (q, ..))| {
            format!(
                "SELECT a.unit_id, a.month, {i} AS question, a.{q} AS score, COUNT(*) AS n
                 FROM feedback_answers a JOIN units u ON u.id = a.unit_id
                 WHERE u.district_id = $1 AND a.month >= $2 AND a.month <= $3
                 GROUP BY a.unit_id, a.month, a.{q}"
            )
        })
        .collect();
    let sql = arms.join(" UNION ALL ");
    let rows: Vec<(i64, String, i32, Option<i16>, i64)> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)?;
    let mut out: std::collections::BTreeMap<(i64, String), Tally> = Default::default();
    for (unit, month, question, score, n) in rows {
        let t = out.entry((unit, month)).or_default();
        // Question 0 counts every answer once (a NULL score included).
        if question == 0 {
            t.answers += n;
        }
        if let (Some(s), Some(d)) = (score, t.questions.get_mut(question as usize)) {
            if (1..=5).contains(&s) {
                d.counts[(s - 1) as usize] += n;
            }
        }
    }
    Ok(out.into_iter().map(|((u, m), t)| (u, m, t)).collect())
}

/// The free texts of some units in months `from`–`to`, in alphabetical order (never in the
/// order they came, which could tell who wrote them).
pub async fn texts(
    db: &Db,
    units: &[i64],
    from: &str,
    to: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let mut out = Vec::new();
    for unit in units {
        let sql = "SELECT improve FROM feedback_answers
                   WHERE unit_id = $1 AND month >= $2 AND month <= $3 AND improve <> ''";
        let rows: Vec<String> = on_db!(db, |p| sqlx::query_scalar(sql)
            .bind(unit)
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await)?;
        out.extend(rows);
    }
    out.sort();
    Ok(out)
}

/// The agreement in force on `day` that `relative_id` is party to (the latest signed, if
/// several), with when its current period began: the signing or the latest evaluation.
pub async fn party_in_force(
    db: &Db,
    relative_id: i64,
    day: chrono::NaiveDate,
) -> Result<Option<crate::web::feedback::Party>, sqlx::Error> {
    let sql = "SELECT a.id, p.unit_id, a.activated_on,
                   (SELECT MAX(e.evaluated_on) FROM agreement_evaluations e WHERE e.agreement_id = a.id)
               FROM agreement_relatives ar JOIN agreements a ON a.id = ar.agreement_id
               JOIN patients p ON p.id = a.patient_id
               WHERE ar.relative_id = $1 AND a.activated_on <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2)
               ORDER BY a.activated_on DESC, a.id DESC LIMIT 1";
    type Row = (
        i64,
        i64,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    );
    let row: Option<Row> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(relative_id)
        .bind(day)
        .fetch_optional(p)
        .await)?;
    Ok(row.map(
        |(agreement_id, unit_id, activated, evaluated)| crate::web::feedback::Party {
            agreement_id,
            unit_id,
            relative_id,
            since: activated.max(evaluated),
        },
    ))
}
