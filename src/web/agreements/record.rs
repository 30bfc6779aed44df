//! What the agreement is built from, read from the store and turned into the aggregate's
//! context types: the relatives as candidates, the unit's staff, the referrals, the
//! children and their follow-ups, and the latest mappings.

use crate::db::patients::PatientRow;
use crate::db::{self, Db};
use crate::domain::agreement::draft::{Candidate, DraftContext, Referral};
use crate::domain::agreement::prefill::{
    ChildFacts, ChildFollowupFacts, MappingFacts, PrefillContext,
};
use crate::domain::agreement::Staff;
use crate::domain::choices;
use crate::domain::relative::{age, relation_text, Age};
use crate::web::infra::error::AppResult;
use chrono::NaiveDate;

/// Everything about a patient an agreement is checked against.
pub struct Record {
    pub relatives: Vec<db::relatives::RelativeRow>,
    pub referrals: Vec<db::support::ReferralRow>,
    pub context: DraftContext,
}

pub async fn load(db: &Db, patient: &PatientRow, today: NaiveDate) -> AppResult<Record> {
    let relatives = db::relatives::for_patient(db, patient.id).await?;
    let consents = db::relatives::current_consents(db, patient.id).await?;
    let referrals = db::support::referrals_for_patient(db, patient.id).await?;
    let staff = db::users::in_unit(db, patient.unit_id)
        .await?
        .into_iter()
        .filter(|u| u.role() == crate::domain::user::Role::Worker)
        .map(|u| Staff {
            user_id: u.id,
            name: u.name,
            phone: u.phone.unwrap_or_default(),
        })
        .collect();
    let context = DraftContext {
        patient_name: patient.full_name.clone(),
        unit_name: patient.unit_name.clone(),
        relatives: relatives
            .iter()
            .map(|r| Candidate {
                relative_id: r.id,
                name: r.full_name.clone(),
                relation: r.relation.clone(),
                relation_other: r.relation_other.clone(),
                phone: r.phone.clone().unwrap_or_default(),
                email: r.email.clone().unwrap_or_default(),
                address: r.address.clone(),
                closest: r.closest,
                age: age(r.birth_date, &r.age_group, today),
                involvement: r.involvement.clone(),
                consent: consents
                    .iter()
                    .find(|c| c.relative_id == r.id)
                    .map(|c| (c.scope.clone(), c.topics.clone()))
                    .unwrap_or_else(|| ("missing".into(), String::new())),
            })
            .collect(),
        staff,
        referrals: referrals
            .iter()
            .map(|x| Referral {
                id: x.id,
                relative_id: x.relative_id,
                offer: x.offer_name.clone(),
                state: x.state.clone(),
            })
            .collect(),
    };
    Ok(Record {
        relatives,
        referrals,
        context,
    })
}

impl Record {
    /// The child relatives, each with their latest recorded follow-up.
    pub async fn children(&self, db: &Db) -> AppResult<Vec<ChildFacts>> {
        let mut out = Vec::new();
        for c in self
            .context
            .relatives
            .iter()
            .filter(|c| c.age == Age::Child)
        {
            let latest = db::relatives::child_followups(db, c.relative_id)
                .await?
                .into_iter()
                .next();
            out.push(ChildFacts {
                name: c.name.clone(),
                relation: relation_text(&c.relation, &c.relation_other),
                followup: latest.map(|f| ChildFollowupFacts {
                    informed: f.informed,
                    follower: f.follower,
                    services: choices::split(&f.services)
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                }),
            });
        }
        Ok(out)
    }

    /// Names of the child relatives with no recorded follow-up.
    pub async fn children_without_followup(&self, db: &Db) -> AppResult<Vec<String>> {
        Ok(self
            .children(db)
            .await?
            .into_iter()
            .filter(|c| c.followup.is_none())
            .map(|c| c.name)
            .collect())
    }

    /// What a new agreement with `chosen` is pre-filled from.
    pub async fn prefill_context(
        &self,
        db: &Db,
        patient: &PatientRow,
        chosen: &[i64],
        suggested_contact: i64,
    ) -> AppResult<PrefillContext> {
        let mappings = db::mappings::latest_for_patient(db, patient.id).await?;
        let parties = self
            .context
            .relatives
            .iter()
            .filter(|r| chosen.contains(&r.relative_id))
            .map(|r| {
                let m = mappings
                    .iter()
                    .find(|m| m.relative_id == r.relative_id)
                    .map(|m| MappingFacts {
                        tasks: choices::split(&m.tasks)
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                        task_other: m.task_other.clone(),
                        hours_per_week: m.hours_per_week,
                        what_matters: m.what_matters.clone(),
                        not_wanted: m.not_wanted.clone(),
                    });
                (r.clone(), m)
            })
            .collect();
        let on_staff = |id: i64| self.context.staff.iter().any(|s| s.user_id == id);
        let contact = self
            .relatives
            .iter()
            .filter(|r| chosen.contains(&r.id))
            .find_map(|r| r.contact_person_id)
            .filter(|id| on_staff(*id))
            .or(Some(suggested_contact).filter(|id| on_staff(*id)));
        Ok(PrefillContext {
            parties,
            children: self.children(db).await?,
            patient_services: patient.services.clone(),
            contact_id: contact,
            referral_ids: self
                .referrals
                .iter()
                .filter(|x| {
                    chosen.contains(&x.relative_id) && x.state != "declined" && x.state != "ended"
                })
                .map(|x| x.id)
                .collect(),
        })
    }
}
