//! Demo data for the routine: relatives (some of them children), consent, mappings,
//! meetings, referrals and follow-ups spread over the last 18 months, with some overdue.

use super::{person_name, phone, BATCH};
use crate::db::on_tx;
use crate::db::Tx;
use crate::domain::choices::{CARE_TASKS, ROLES, SUPPORT_NEEDS};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sqlx::{Postgres, QueryBuilder, Sqlite};
use std::collections::HashMap;

pub struct PatientRef {
    pub id: i64,
    pub unit_id: i64,
    pub created: DateTime<Utc>,
    pub name: String,
    pub unit_name: String,
    pub services: String,
    /// Among the first patients of its unit's list (sorted by name).
    pub front: bool,
}

/// A relative with heavy care tasks or high strain: who an agreement may be made with.
pub struct Candidate {
    pub patient: usize,
    pub relative_id: i64,
    pub name: String,
    pub relation: &'static str,
    pub phone: String,
    pub closest: bool,
    pub contact: Option<i64>,
    pub consent: &'static str,
    pub mapped_on: NaiveDate,
    pub hours: i64,
}

#[derive(Default)]
pub struct Counts {
    pub relatives: usize,
    pub children: usize,
    pub mappings: usize,
    pub meetings: usize,
    pub referrals: usize,
    pub followups: usize,
}

struct Relative {
    patient: usize,
    name: String,
    relation: &'static str,
    birth: Option<NaiveDate>,
    child: bool,
    involvement: &'static str,
    closest: bool,
    contact: Option<i64>,
    phone: String,
    created: DateTime<Utc>,
}

struct Followup {
    patient: usize,
    relative: Option<i64>,
    meeting: Option<i64>,
    kind: &'static str,
    concerns: &'static str,
    due: NaiveDate,
    owner: i64,
    status: &'static str,
    done_on: Option<NaiveDate>,
    note: &'static str,
    created: DateTime<Utc>,
}

fn subset(rng: &mut ChaCha8Rng, list: &[(&'static str, &'static str)], p: f64) -> String {
    list.iter()
        .filter(|_| rng.gen_bool(p))
        .map(|c| c.0)
        .collect::<Vec<_>>()
        .join(",")
}

async fn ids(tx: &mut Tx, table: &str) -> Result<Vec<i64>, String> {
    let sql = format!("SELECT id FROM {table} ORDER BY id");
    on_tx!(&mut *tx, |c| sqlx::query_scalar(&sql).fetch_all(c).await)
        .map_err(|e| format!("demo data: {e}"))
}

pub async fn generate(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    patients: &[PatientRef],
    workers: &HashMap<i64, Vec<i64>>,
    today: NaiveDate,
) -> Result<(Counts, Vec<Candidate>), String> {
    let mut counts = Counts::default();
    let mut candidates = Vec::new();
    let owner_of = |rng: &mut ChaCha8Rng, unit: i64| {
        workers
            .get(&unit)
            .and_then(|w| w.choose(rng).copied())
            .unwrap_or(1)
    };
    let day_at = |d: NaiveDate, rng: &mut ChaCha8Rng| super::at(d, rng);

    // Relatives.
    let mut relatives = Vec::new();
    let mut outcomes = Vec::new();
    for (pi, p) in patients.iter().enumerate() {
        let created = p.created.date_naive();
        let n = match rng.gen_range(0..100) {
            0..=7 => 0,
            8..=25 => 1,
            26..=55 => 2,
            56..=80 => 3,
            81..=94 => 4,
            _ => 5,
        };
        if n == 0 {
            if rng.gen_bool(0.7) {
                outcomes.push((
                    p.id,
                    if rng.gen_bool(0.6) {
                        "no_relatives"
                    } else {
                        "declines"
                    },
                    created,
                ));
            }
            continue;
        }
        for k in 0..n {
            let child = rng.gen_bool(0.08);
            let relation = if child {
                ["grandchild", "child", "sibling"][rng.gen_range(0..3)]
            } else if k == 0 {
                "spouse"
            } else {
                [
                    "child",
                    "sibling",
                    "friend",
                    "neighbour",
                    "family",
                    "grandchild",
                ][rng.gen_range(0..6)]
            };
            let birth = if child {
                Some(today - Duration::days(rng.gen_range(4..17) * 365 + rng.gen_range(0..365)))
            } else if rng.gen_bool(0.4) {
                Some(today - Duration::days(rng.gen_range(25..90) * 365 + rng.gen_range(0..365)))
            } else {
                None
            };
            let involvement = if child {
                "no"
            } else {
                match rng.gen_range(0..100) {
                    0..=69 => "yes",
                    70..=84 => "no",
                    _ => "unclear",
                }
            };
            let added = created + Duration::days(rng.gen_range(0..30));
            let added = if added > today { today } else { added };
            relatives.push(Relative {
                patient: pi,
                name: person_name(rng),
                relation,
                birth,
                child,
                involvement,
                closest: k == 0 && !child,
                contact: (involvement == "yes" && rng.gen_bool(0.75))
                    .then(|| owner_of(rng, p.unit_id)),
                phone: phone(rng),
                created: day_at(added, rng),
            });
        }
    }
    counts.relatives = relatives.len();
    counts.children = relatives.iter().filter(|r| r.child).count();
    insert_rows!(
        &mut *tx,
        "INSERT INTO relatives (patient_id, full_name, relation, phone, birth_date, age_group, interpreter, closest,
             closest_basis, guardian, involvement, contact_person_id, created_at, updated_at, unit_id) ",
        relatives,
        |b, r| {
            b.push_bind(patients[r.patient].id)
                .push_bind(r.name.clone())
                .push_bind(r.relation)
                .push_bind(r.phone.clone())
                .push_bind(r.birth)
                .push_bind(if r.child { "child" } else { "adult" })
                .push_bind(false)
                .push_bind(r.closest)
                .push_bind(if r.closest { "patient_choice" } else { "" })
                .push_bind(false)
                .push_bind(r.involvement)
                .push_bind(r.contact)
                .push_bind(r.created)
                .push_bind(r.created)
                .push_bind(patients[r.patient].unit_id);
        }
    );
    insert_rows!(
        &mut *tx,
        "UPDATE patients SET identify_outcome = v.column2, identify_outcome_on = v.column3,
            identify_outcome_reason = 'Avklart med pasienten ved oppstart av tjenesten.' FROM (",
        outcomes,
        |b, o| {
            b.push_bind(o.0).push_bind(o.1).push_bind(o.2);
        },
        ") AS v WHERE patients.id = v.column1"
    );
    // Whether each patient has minor children or siblings: answered yes where a child is
    // registered, mostly no elsewhere, now and then not known yet or not asked.
    let mut answers = Vec::new();
    // Each patient's first registered child, in one pass over the relatives (a search per
    // patient made this step quadratic: minutes at 100 000 patients).
    let mut first_children: HashMap<usize, NaiveDate> = HashMap::new();
    for r in relatives.iter().filter(|r| r.child) {
        let on = r.created.date_naive();
        first_children
            .entry(r.patient)
            .and_modify(|d| *d = (*d).min(on))
            .or_insert(on);
    }
    for (pi, p) in patients.iter().enumerate() {
        let first_child = first_children.get(&pi).copied();
        let asked = (p.created.date_naive() + Duration::days(rng.gen_range(0..20))).min(today);
        let answer = match (first_child, rng.gen_range(0..100)) {
            (Some(on), _) => Some(("yes", on)),
            (None, 0..=86) => Some(("no", asked)),
            (None, 87..=92) => Some(("unknown", asked)),
            _ => None,
        };
        if let Some((answer, on)) = answer {
            answers.push((p.id, answer, on));
        }
    }
    insert_rows!(
        &mut *tx,
        "UPDATE patients SET minor_children = v.column2, minor_children_on = v.column3 FROM (",
        answers,
        |b, a| {
            b.push_bind(a.0).push_bind(a.1).push_bind(a.2);
        },
        ") AS v WHERE patients.id = v.column1"
    );
    let relative_ids = ids(tx, "relatives").await?;

    // Consent, child follow-ups and mappings.
    let mut consents = Vec::new();
    let mut child_followups = Vec::new();
    let mut mappings = Vec::new();
    for (i, r) in relatives.iter().enumerate() {
        let id = relative_ids[i];
        let mut consent = "missing";
        if rng.gen_bool(0.9) {
            let scope = ["full", "full", "full", "limited", "none"][rng.gen_range(0..5)];
            consents.push((id, scope, r.created));
            consent = scope;
            // Most consents older than a year have been reviewed with the patient since.
            let age = (today - r.created.date_naive()).num_days();
            if age > 330 && rng.gen_bool(0.8) {
                let reviewed = today - Duration::days(rng.gen_range(0..330));
                let at = reviewed.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc();
                consents.push((id, scope, at));
            }
        }
        if r.child && rng.gen_bool(0.75) {
            child_followups.push((id, r.created));
        }
        if r.involvement == "yes" && rng.gen_bool(0.65) {
            let mapped = r.created.date_naive() + Duration::days(rng.gen_range(0..45));
            let mapped = mapped.min(today);
            let answers: String = (0..13)
                .map(|_| if rng.gen_bool(0.45) { '1' } else { '0' })
                .collect();
            let score = answers.chars().filter(|c| *c == '1').count() as i64;
            let hours = rng.gen_range(2..40);
            if score >= crate::domain::strain::HIGH_STRAIN || hours >= 20 {
                candidates.push(Candidate {
                    patient: r.patient,
                    relative_id: id,
                    name: r.name.clone(),
                    relation: r.relation,
                    phone: r.phone.clone(),
                    closest: r.closest,
                    contact: r.contact,
                    consent,
                    mapped_on: mapped,
                    hours,
                });
            }
            mappings.push((
                id,
                mapped,
                answers,
                score,
                subset(rng, ROLES, 0.4),
                subset(rng, CARE_TASKS, 0.3),
                hours,
                subset(rng, SUPPORT_NEEDS, 0.2),
                [
                    "", "under_6m", "6_12m", "1_3y", "1_3y", "over_3y", "over_3y",
                ][rng.gen_range(0..7)],
                rng.gen_bool(0.12),
                r.relation == "parent" && rng.gen_bool(0.5),
            ));
        }
    }
    insert_rows!(
        &mut *tx,
        "INSERT INTO consents (relative_id, scope, topics, given_on, how, recorded_at) ",
        consents,
        |b, c| {
            b.push_bind(c.0)
                .push_bind(c.1)
                .push_bind(if c.1 == "limited" {
                    "Timeavtaler og praktiske forhold"
                } else {
                    ""
                })
                .push_bind(c.2.date_naive())
                .push_bind("Muntlig til primærkontakt")
                .push_bind(c.2);
        }
    );
    insert_rows!(
        &mut *tx,
        "INSERT INTO child_followups (relative_id, informed, follower, services, concern, recorded_at) ",
        child_followups,
        |b, c| {
            b.push_bind(c.0).push_bind("yes").push_bind("Foresatte og helsesykepleier").push_bind("helsestasjon,skole").push_bind("no").push_bind(c.1);
        }
    );
    counts.mappings = mappings.len();
    insert_rows!(
        &mut *tx,
        "INSERT INTO mappings (relative_id, mapped_on, roles, tasks, hours_per_week, strain_answers, strain_score, what_matters,
             violence, support_needs, created_at, care_duration, lost_income, legal_duty) ",
        mappings,
        |b, m| {
            b.push_bind(m.0)
                .push_bind(m.1)
                .push_bind(m.4.clone())
                .push_bind(m.5.clone())
                .push_bind(m.6)
                .push_bind(m.2.clone())
                .push_bind(m.3)
                .push_bind("Å kunne fortsette i jobben og få hvile i helgene.")
                .push_bind("no")
                .push_bind(m.7.clone())
                .push_bind(m.1.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc())
                .push_bind(m.8)
                .push_bind(m.9)
                .push_bind(m.10);
        }
    );

    // Meetings: a first meeting for most patients with involved relatives.
    let mut involved_by_patient: HashMap<usize, i64> = HashMap::new();
    let mut all_involved: HashMap<usize, Vec<(i64, DateTime<Utc>)>> = HashMap::new();
    for (i, r) in relatives.iter().enumerate() {
        if r.involvement == "yes" {
            involved_by_patient
                .entry(r.patient)
                .or_insert(relative_ids[i]);
            all_involved
                .entry(r.patient)
                .or_default()
                .push((relative_ids[i], r.created));
        }
    }
    let mut meetings = Vec::new();
    for (pi, p) in patients.iter().enumerate() {
        let Some(&rel) = involved_by_patient.get(&pi) else {
            continue;
        };
        let roll = rng.gen_range(0..100);
        if roll < 70 {
            let day = (p.created.date_naive() + Duration::days(rng.gen_range(7..60))).min(today);
            let completed = roll < 62 && day <= today;
            meetings.push((pi, rel, day_at(day, rng), completed));
        }
    }
    counts.meetings = meetings.len();
    insert_rows!(
        &mut *tx,
        "INSERT INTO meetings (patient_id, kind, starts_at, patient_present, staff, minutes, informed_rights, status,
             completed_at, created_at, updated_at) ",
        meetings,
        |b, m| {
            b.push_bind(patients[m.0].id)
                .push_bind("first")
                .push_bind(m.2)
                .push_bind(true)
                .push_bind("Primærkontakt")
                .push_bind(if m.3 { "Gjennomgått situasjonen, rettigheter og tilbud. Avtalt oppfølging." } else { "" })
                .push_bind(m.3)
                .push_bind(if m.3 { "completed" } else { "draft" })
                .push_bind(m.3.then_some(m.2))
                .push_bind(m.2)
                .push_bind(m.2);
        }
    );
    let meeting_ids = ids(tx, "meetings").await?;
    let links: Vec<(i64, i64)> = meetings
        .iter()
        .enumerate()
        .map(|(i, m)| (meeting_ids[i], m.1))
        .collect();
    insert_rows!(
        &mut *tx,
        "INSERT INTO meeting_relatives (meeting_id, relative_id) ",
        links,
        |b, l| {
            b.push_bind(l.0).push_bind(l.1);
        }
    );

    // Referrals for mapped relatives with support needs.
    let offers: Vec<(i64, String)> = on_tx!(&mut *tx, |c| sqlx::query_as(
        "SELECT id, need FROM offers ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .map_err(|e| format!("demo data: {e}"))?;
    let mut referrals = Vec::new();
    // Most needs a mapping records get a referral to an offer for them within weeks; the
    // rest are the dashboard's "support needs without referral".
    for m in &mappings {
        for need in m.7.split(',').filter(|n| !n.is_empty() && *n != "other") {
            if !rng.gen_bool(0.88) {
                continue;
            }
            let Some(offer) = offers.iter().find(|o| o.1 == need).map(|o| o.0) else {
                continue;
            };
            let state = [
                "proposed", "referred", "referred", "started", "ended", "declined",
            ][rng.gen_range(0..6)];
            referrals.push((
                m.0,
                offer,
                (m.1 + Duration::days(rng.gen_range(0..20))).min(today),
                state,
            ));
        }
    }
    counts.referrals = referrals.len();
    insert_rows!(
        &mut *tx,
        "INSERT INTO referrals (relative_id, offer_id, referred_on, state, created_at, updated_at) ",
        referrals,
        |b, x| {
            let at = x.2.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
            b.push_bind(x.0).push_bind(x.1).push_bind(x.2).push_bind(x.3).push_bind(at).push_bind(at);
        }
    );

    // Follow-ups: about ten per patient over its history, most done, some open and overdue.
    let mut followups = Vec::new();
    for (i, m) in meetings.iter().enumerate() {
        if m.3 {
            let due = m.2.date_naive() + Duration::days(rng.gen_range(7..60));
            let open = due > today - Duration::days(10) && rng.gen_bool(0.5);
            followups.push(Followup {
                patient: m.0,
                relative: Some(m.1),
                meeting: Some(meeting_ids[i]),
                kind: "call",
                concerns: "Oppfølging etter første samtale",
                due,
                owner: owner_of(rng, patients[m.0].unit_id),
                status: if open { "open" } else { "done" },
                done_on: (!open).then_some(due.min(today)),
                note: if open { "" } else { "Gjennomført" },
                created: m.2,
            });
        }
    }
    let concerns = [
        "Ring pårørende om avlastning",
        "Evaluere samarbeidet",
        "Følge opp søknad om omsorgsstønad",
        "Samtale med pårørende",
        "Avklare behov for opplæring",
    ];
    for (pi, p) in patients.iter().enumerate() {
        let span = (today - p.created.date_naive()).num_days().max(1);
        for _ in 0..rng.gen_range(6..12) {
            let due = p.created.date_naive() + Duration::days(rng.gen_range(0..span + 60));
            let past = due < today - Duration::days(3);
            let status = if past {
                if rng.gen_bool(0.94) {
                    "done"
                } else if rng.gen_bool(0.5) {
                    "cancelled"
                } else {
                    "open"
                }
            } else if rng.gen_bool(0.1) {
                "done"
            } else {
                "open"
            };
            // Most concern one of the patient's involved relatives registered by then, and
            // are made once the relative is registered.
            let known: Vec<(i64, DateTime<Utc>)> = all_involved
                .get(&pi)
                .map(|rs| {
                    rs.iter()
                        .copied()
                        .filter(|(_, created)| created.date_naive() <= due)
                        .collect()
                })
                .unwrap_or_default();
            let relative = known.choose(rng).copied().filter(|_| rng.gen_bool(0.85));
            let created = relative.map_or(p.created, |(_, c)| c.max(p.created));
            followups.push(Followup {
                patient: pi,
                relative: relative.map(|(id, _)| id),
                meeting: None,
                kind: ["call", "call", "meeting", "evaluation", "other"][rng.gen_range(0..5)],
                concerns: concerns[rng.gen_range(0..concerns.len())],
                due,
                owner: owner_of(rng, p.unit_id),
                status,
                done_on: (status != "open").then_some(due.min(today)),
                note: match status {
                    "done" => "Gjennomført",
                    "cancelled" => "Ikke lenger aktuelt",
                    _ => "",
                },
                created,
            });
        }
    }
    counts.followups = followups.len();
    insert_rows!(
        &mut *tx,
        "INSERT INTO followups (patient_id, unit_id, relative_id, meeting_id, kind, concerns, due_on, owner_id, status,
             done_on, note, created_at, updated_at) ",
        followups,
        |b, f| {
            let p = &patients[f.patient];
            b.push_bind(p.id)
                .push_bind(p.unit_id)
                .push_bind(f.relative)
                .push_bind(f.meeting)
                .push_bind(f.kind)
                .push_bind(f.concerns)
                .push_bind(f.due)
                .push_bind(f.owner)
                .push_bind(f.status)
                .push_bind(f.done_on)
                .push_bind(f.note)
                .push_bind(f.created)
                .push_bind(f.created);
        }
    );

    // The timeline's main events.
    let mut events: Vec<(i64, DateTime<Utc>, String)> = Vec::new();
    for r in &relatives {
        events.push((
            patients[r.patient].id,
            r.created,
            format!("Pårørende registrert: {}", r.name),
        ));
    }
    for m in &meetings {
        let what = if m.3 {
            "Første samtale fullført med referat"
        } else {
            "Første samtale lagret som utkast"
        };
        events.push((patients[m.0].id, m.2, what.to_string()));
    }
    insert_rows!(
        &mut *tx,
        "INSERT INTO events (patient_id, at, author_name, kind, summary) ",
        events,
        |b, e| {
            b.push_bind(e.0)
                .push_bind(e.1)
                .push_bind("Demo")
                .push_bind("demo")
                .push_bind(e.2.clone());
        }
    );
    Ok((counts, candidates))
}
