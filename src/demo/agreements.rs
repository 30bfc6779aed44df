//! Demo agreements for about a third of the relatives with heavy care tasks or high strain,
//! in every lifecycle state: drafts, active ones (some past their evaluation date), evaluated
//! ones (some revised into several versions) and ended ones.

use super::routine::{Candidate, PatientRef};
use super::BATCH;
use crate::db::on_tx;
use crate::db::Tx;
use crate::domain::agreement::rhythm::Rhythm;
use crate::domain::agreement::{default_evaluation, Content, Party, Sharing, Staff};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sqlx::{Postgres, QueryBuilder, Sqlite};
use std::collections::HashMap;

struct Agreement {
    patient: usize,
    relative_id: i64,
    status: &'static str,
    contact: i64,
    evaluation_on: NaiveDate,
    activated_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    end_reason: &'static str,
    created: NaiveDate,
    versions: Vec<(NaiveDate, bool)>,
    /// (date, outcome, next evaluation, version number)
    evaluations: Vec<(NaiveDate, &'static str, Option<NaiveDate>, i64)>,
    content: Content,
}

fn document_id(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    s
}

fn months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(n)).unwrap_or(d)
}

pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    patients: &[PatientRef],
    candidates: &[Candidate],
    today: NaiveDate,
) -> Result<usize, String> {
    let err = |e: sqlx::Error| format!("demo data: {e}");
    let staff: HashMap<i64, (String, String)> = on_tx!(&mut *tx, |c| sqlx::query_as::<
        _,
        (i64, String, Option<String>),
    >(
        "SELECT id, name, phone FROM users WHERE role = 'worker'"
    )
    .fetch_all(c)
    .await)
    .map_err(err)?
    .into_iter()
    .map(|(id, name, phone)| (id, (name, phone.unwrap_or_default())))
    .collect();
    let mut list = Vec::new();
    let mut seen_patients = std::collections::HashSet::new();
    for c in candidates {
        // One agreement per patient, for about a third of the candidates with consent recorded.
        let share = if patients[c.patient].front { 0.9 } else { 0.35 };
        if c.consent == "missing" || seen_patients.contains(&c.patient) || !rng.gen_bool(share) {
            continue;
        }
        let Some(contact) = c.contact.filter(|id| staff.contains_key(id)) else {
            continue;
        };
        seen_patients.insert(c.patient);
        let p = &patients[c.patient];
        let created = (c.mapped_on + Duration::days(rng.gen_range(3..30))).min(today);
        let (name, phone) = staff.get(&contact).cloned().unwrap_or_default();
        let mut content = Content {
            patient_name: p.name.clone(),
            capacity: "can_consent".into(),
            parties: vec![Party {
                relative_id: c.relative_id,
                name: c.name.clone(),
                relation: c.relation.into(),
                relation_other: String::new(),
                phone: c.phone.clone(),
                email: String::new(),
                address: String::new(),
                closest: c.closest,
            }],
            unit_name: p.unit_name.clone(),
            contact: Some(Staff {
                user_id: contact,
                name,
                phone,
            }),
            reachable: "Hverdager kl. 08.00–15.30".into(),
            matters_patient: "Å bo hjemme så lenge som mulig.".into(),
            matters_relative: "Å kunne fortsette i jobben og få hvile i helgene.".into(),
            relative_does: format!(
                "Handler, følger til lege og har tilsyn om kvelden (om lag {} timer i uka).",
                c.hours
            ),
            relative_declines: "Personlig stell.".into(),
            service_patient: p.services.clone(),
            service_relative: "Faste samtaler med kontaktpersonen og informasjon om avlastning."
                .into(),
            contact_means: vec!["meeting".into(), "phone".into()],
            contact_rhythm: Some(
                [
                    Rhythm::Weekly,
                    Rhythm::Monthly,
                    Rhythm::Monthly,
                    Rhythm::Quarterly,
                    Rhythm::Quarterly,
                    Rhythm::Quarterly,
                    Rhythm::HalfYearly,
                    Rhythm::AsNeeded,
                ][rng.gen_range(0..8)],
            ),
            contact_initiative: "Kontaktpersonen".into(),
            sharing: vec![Sharing {
                relative_id: c.relative_id,
                name: c.name.clone(),
                scope: c.consent.into(),
                topics: if c.consent == "limited" {
                    "Timeavtaler og praktiske forhold".into()
                } else {
                    String::new()
                },
            }],
            acute: "Ring kontaktpersonen. Tjenesten øker tilsynet mens du er borte.".into(),
            evaluation_on: Some(default_evaluation(created)),
            ..Default::default()
        };
        let mut a = Agreement {
            patient: c.patient,
            relative_id: c.relative_id,
            status: "draft",
            contact,
            evaluation_on: default_evaluation(created),
            activated_on: None,
            ended_on: None,
            end_reason: "",
            created,
            versions: vec![(created, false)],
            evaluations: Vec::new(),
            content: content.clone(),
        };
        if rng.gen_bool(0.12) || created + Duration::days(3) > today {
            list.push(a);
            continue;
        }
        // Signed within a few weeks, then evaluated every six months while anyone remembers.
        let signed = (created + Duration::days(rng.gen_range(1..21))).min(today);
        a.status = "active";
        a.activated_on = Some(signed);
        a.versions = vec![(signed, true)];
        let mut due = default_evaluation(signed);
        while due < today {
            let roll = rng.gen_range(0..100);
            if roll < 20 {
                break; // forgotten: the agreement is overdue for evaluation
            }
            let on = (due + Duration::days(rng.gen_range(0..14))).min(today);
            let version = a.versions.len() as i64;
            if roll < 30 {
                a.evaluations.push((on, "end", None, version));
                a.status = "ended";
                a.ended_on = Some(on);
                a.end_reason = "Behovet er endret; pasienten har fått plass på sykehjem.";
                break;
            }
            let next = months(on, 6);
            if roll < 50 {
                a.evaluations.push((on, "revise", Some(next), version));
                a.versions.push((on, rng.gen_bool(0.85)));
            } else {
                a.evaluations.push((on, "continue", Some(next), version));
            }
            a.status = "evaluated";
            due = next;
        }
        a.evaluation_on = due;
        content.evaluation_on = Some(due);
        a.content = content;
        if a.status != "ended" && rng.gen_bool(0.04) {
            a.status = "ended";
            a.ended_on = Some(today.min(signed + Duration::days(rng.gen_range(30..200))));
            a.end_reason = "Den pårørende ønsket å avslutte avtalen.";
        }
        list.push(a);
    }

    insert_rows!(
        &mut *tx,
        "INSERT INTO agreements (patient_id, status, current_version, lock_version, contact_person_id, evaluation_on,
             activated_on, ended_on, end_reason, created_by, created_at, updated_by, updated_at) ",
        list,
        |b, a| {
            let at = a.created.and_hms_opt(11, 0, 0).unwrap_or_default().and_utc();
            b.push_bind(patients[a.patient].id)
                .push_bind(a.status)
                .push_bind(a.versions.len() as i64)
                .push_bind(1 + a.versions.len() as i64 + a.evaluations.len() as i64)
                .push_bind(a.contact)
                .push_bind(a.evaluation_on)
                .push_bind(a.activated_on)
                .push_bind(a.ended_on)
                .push_bind(a.end_reason)
                .push_bind(a.contact)
                .push_bind(at)
                .push_bind(a.contact)
                .push_bind(at);
        }
    );
    let ids: Vec<i64> = on_tx!(&mut *tx, |c| sqlx::query_scalar(
        "SELECT id FROM agreements ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;

    let mut parties = Vec::new();
    let mut versions = Vec::new();
    let mut evaluations = Vec::new();
    let mut followups = Vec::new();
    let mut events = Vec::new();
    for (a, id) in list.iter().zip(&ids) {
        parties.push((*id, a.relative_id));
        let last = a.versions.len();
        for (n, (on, signed)) in a.versions.iter().enumerate() {
            let mut content = a.content.clone();
            if n + 1 < last {
                // Earlier versions differ where the revision changed them.
                content.relative_does = "Handler og følger til lege.".into();
                content.evaluation_on = Some(default_evaluation(*on));
            }
            let json = serde_json::to_string(&content).map_err(|e| e.to_string())?;
            versions.push((
                *id,
                n as i64 + 1,
                document_id(rng),
                json,
                *on,
                *signed,
                a.contact,
                content.contact_rhythm.map_or("", |r| r.key()),
            ));
        }
        for e in &a.evaluations {
            evaluations.push((*id, *e, a.contact));
        }
        let concerns = "Evaluering av pårørendeavtalen".to_string();
        if a.status == "active" || a.status == "evaluated" {
            followups.push((
                a,
                *id,
                a.evaluation_on,
                "open",
                concerns.clone(),
                "evaluation",
            ));
            // The next contact of the rhythm, counted from the last one made; now and
            // then the last one lies so far back that the agreement is behind its rhythm.
            if let Some(r) = a.content.contact_rhythm {
                // Most contacts are kept within the rhythm; about one in eight lies up to two
                // months beyond it.
                let interval = r
                    .next_after(today)
                    .map_or(90, |next| (next - today).num_days());
                let back = if rng.gen_bool(0.875) {
                    rng.gen_range(0..interval)
                } else {
                    rng.gen_range(interval + 1..interval + 60)
                };
                let last = today - Duration::days(back);
                let signed = a.activated_on.unwrap_or(last);
                if last > signed && r != Rhythm::AsNeeded {
                    followups.push((a, *id, last, "done", r.concerns(&a.content), "call"));
                }
                if let Some(due) = r.next_after(last.max(signed)) {
                    followups.push((a, *id, due, "open", r.concerns(&a.content), "call"));
                }
            }
        }
        for e in &a.evaluations {
            followups.push((a, *id, e.0, "done", concerns.clone(), "evaluation"));
        }
        let p = patients[a.patient].id;
        let at = |d: NaiveDate| d.and_hms_opt(11, 0, 0).unwrap_or_default().and_utc();
        events.push((
            p,
            at(a.created),
            "Pårørendeavtale opprettet som utkast".to_string(),
        ));
        if let Some(on) = a.activated_on {
            events.push((p, at(on), "Pårørendeavtale signert og aktiv".to_string()));
        }
        if let Some(on) = a.ended_on {
            events.push((p, at(on), "Pårørendeavtale avsluttet".to_string()));
        }
    }
    insert_rows!(
        &mut *tx,
        "INSERT INTO agreement_relatives (agreement_id, relative_id) ",
        parties,
        |b, x| {
            b.push_bind(x.0).push_bind(x.1);
        }
    );
    insert_rows!(
        &mut *tx,
        "INSERT INTO agreement_versions (agreement_id, number, document_id, content, relative_signed_on,
             service_signed_on, patient_signed_on, patient_not_signed_reason, created_by, created_by_name, created_at,
             contact_rhythm, contact_person_id) ",
        versions,
        |b, v| {
            let signed = v.5.then_some(v.4);
            b.push_bind(v.0)
                .push_bind(v.1)
                .push_bind(v.2.clone())
                .push_bind(v.3.clone())
                .push_bind(signed)
                .push_bind(signed)
                .push_bind(signed)
                .push_bind("")
                .push_bind(v.6)
                .push_bind("Demo")
                .push_bind(v.4.and_hms_opt(11, 0, 0).unwrap_or_default().and_utc())
                .push_bind(v.7)
                .push_bind(v.6);
        }
    );
    insert_rows!(
        &mut *tx,
        "INSERT INTO agreement_evaluations (agreement_id, version_number, evaluated_on, outcome, participants, note,
             next_evaluation_on, by_user, by_name, created_at) ",
        evaluations,
        |b, e| {
            let (on, outcome, next, version) = e.1;
            b.push_bind(e.0)
                .push_bind(version)
                .push_bind(on)
                .push_bind(outcome)
                .push_bind("Pårørende og kontaktperson")
                .push_bind(if outcome == "end" { "Avtalen avsluttes etter felles vurdering." } else { "Avtalen fungerer godt." })
                .push_bind(next)
                .push_bind(e.2)
                .push_bind("Demo")
                .push_bind(on.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc());
        }
    );
    insert_rows!(
        &mut *tx,
        "INSERT INTO followups (patient_id, unit_id, relative_id, agreement_id, kind, concerns, due_on, owner_id, status,
             done_on, note, created_at, updated_at) ",
        followups,
        |b, f| {
            let (a, id, due, status, concerns, kind) = f;
            let p = &patients[a.patient];
            let at = a.created.and_hms_opt(11, 0, 0).unwrap_or_default().and_utc();
            b.push_bind(p.id)
                .push_bind(p.unit_id)
                .push_bind(a.relative_id)
                .push_bind(*id)
                .push_bind(*kind)
                .push_bind(concerns.clone())
                .push_bind(*due)
                .push_bind(a.contact)
                .push_bind(*status)
                .push_bind((*status == "done").then_some(*due))
                .push_bind(match (*status, *kind) {
                    ("done", "call") => "Samtale gjennomført",
                    ("done", _) => "Evaluert",
                    _ => "",
                })
                .push_bind(at)
                .push_bind(at);
        }
    );
    insert_rows!(
        &mut *tx,
        "INSERT INTO events (patient_id, at, author_name, kind, summary) ",
        events,
        |b, e| {
            b.push_bind(e.0)
                .push_bind(e.1)
                .push_bind("Demo")
                .push_bind("agreement")
                .push_bind(e.2.clone());
        }
    );
    Ok(list.len())
}
