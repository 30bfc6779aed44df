//! Which feedback address a relative's printed copy or letter carries.

use crate::db::{self, Db};
use crate::domain::agreement::Language;
use crate::domain::feedback::{decide, Decision};
use crate::security::LinkKey;
use crate::web::infra::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};

/// A relative who is party to an agreement in force, and when the agreement's current
/// period began (signing, or the latest evaluation).
pub struct Party {
    pub agreement_id: i64,
    pub unit_id: i64,
    pub relative_id: i64,
    pub since: Option<NaiveDate>,
}

/// The relative's own feedback address: the link of this period printed again, or a new one
/// (`domain::feedback::decide`); None once the relative has answered in this period.
pub async fn address(
    db: &Db,
    key: &LinkKey,
    party: &Party,
    lang: Language,
    now: DateTime<Utc>,
    base: &str,
) -> AppResult<Option<String>> {
    let period_start = party
        .since
        .map(|d| db::dashboard::end_of(d.pred_opt().unwrap_or(d)))
        .unwrap_or(now);
    let mut tx = db.begin().await?;
    let latest = db::feedback::latest(&mut tx, party.agreement_id, party.relative_id).await?;
    let salt = match decide(latest.as_ref().map(|l| l.0), period_start, now) {
        Decision::Answered => return Ok(None),
        Decision::Print(_) => latest.map(|l| l.1).unwrap_or_default(),
        Decision::Issue => {
            let salt = crate::security::random_token();
            let token = key.token(&salt);
            let new = db::feedback::NewLink {
                agreement_id: party.agreement_id,
                relative_id: party.relative_id,
                unit_id: party.unit_id,
                language: lang.code(),
                salt: &salt,
                token_hash: &crate::security::token_hash(&token),
            };
            db::feedback::issue(&mut tx, &new, now).await?;
            salt
        }
    };
    tx.commit().await?;
    Ok(Some(format!("{base}{}{}", super::PATH, key.token(&salt))))
}
