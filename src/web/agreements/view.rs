//! What the agreement pages show: the form page, an agreement in a list, the print of a
//! version and the agreement page with its lifecycle forms.

use super::record::Record;
use crate::audit::record_view;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::agreements::{AgreementRow, VersionRow};
use crate::db::patients::PatientRow;
use crate::db::{self, Db};
use crate::domain::agreement::consent::{
    consent_floor, effective_sharing, held_back, CurrentConsent,
};
use crate::domain::agreement::copy::{self, Recipient, Standing, StandingFacts};
use crate::domain::agreement::{
    self as rules, AgreementInput, Content, Edit, Language, Signatures, Status,
};
use crate::domain::choices::{self, label};
use crate::domain::relative::relation_text;
use crate::domain::unit::UnitContact;
use crate::pdf::agreement::{Letterhead, Print, PrintedEvaluation, PrintedOffer};
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::{choice_list, Choice, Page};
use crate::web::infra::session::CurrentUser;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The contents of a stored version. A version that cannot be read is an error, never an
/// empty agreement.
pub fn content_of(v: &VersionRow) -> AppResult<Content> {
    serde_json::from_str(&v.content).map_err(|e| {
        AppError::Internal(format!(
            "agreement {} version {} cannot be read: {e}",
            v.agreement_id, v.number
        ))
    })
}

pub fn signatures_of(v: &VersionRow) -> Signatures {
    Signatures {
        relative_on: v.relative_signed_on,
        service_on: v.service_signed_on,
        patient_on: v.patient_signed_on,
        patient_reason: v.patient_not_signed_reason.clone(),
    }
}

#[derive(Serialize)]
struct PartyChoice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct NotParty {
    name: String,
    why: String,
}

fn consent_words(scope: &str) -> &'static str {
    match scope {
        "full" => "fullt samtykke",
        "limited" => "begrenset samtykke",
        "none" => "ikke samtykke",
        _ => "samtykke mangler",
    }
}

/// The agreement form with the choices it offers. Only relatives who may be parties are
/// offered; the others are named with the reason (and kept as a choice when a stored
/// version has them, so the refusal shows where it belongs).
pub fn form_page(
    user: &CurrentUser,
    patient: &PatientRow,
    rec: &Record,
    agreement: Option<&AgreementRow>,
    form: &AgreementInput,
) -> Page {
    let mut parties = Vec::new();
    let mut not_parties = Vec::new();
    for r in &rec.context.relatives {
        let why = r.party_problem();
        let chosen = form.relative_ids.contains(&r.relative_id.to_string());
        if why.is_none() || chosen {
            parties.push(PartyChoice {
                value: r.relative_id.to_string(),
                label: format!(
                    "{} ({}), {}",
                    r.name,
                    relation_text(&r.relation, &r.relation_other),
                    consent_words(&r.consent.0)
                ),
            });
        }
        if let Some(why) = why {
            not_parties.push(NotParty {
                name: r.name.clone(),
                why,
            });
        }
    }
    let referrals: Vec<Choice> = rec
        .referrals
        .iter()
        .map(|x| {
            Choice::new(
                x.id,
                format!(
                    "{} for {} ({})",
                    x.offer_name,
                    x.relative_name,
                    label(choices::REFERRAL_STATES, &x.state).to_lowercase()
                ),
            )
        })
        .collect();
    let staff: Vec<Choice> = rec
        .context
        .staff
        .iter()
        .map(|s| Choice::new(s.user_id, &s.name))
        .collect();
    let new_version = agreement
        .and_then(|a| Status::parse(&a.status))
        .is_some_and(|s| s.edit() == Edit::NewVersion);
    let title = if agreement.is_some() {
        "Endre pårørendeavtale"
    } else {
        "Ny pårørendeavtale"
    };
    Page::new(title, Some(user))
        .with("patient", patient)
        .with("agreement", agreement)
        .with("new_version", new_version)
        .with("relative_choices", parties)
        .with("not_parties", not_parties)
        .with("staff", staff)
        .with("referral_choices", referrals)
        .with("capacity_choices", choice_list(rules::CAPACITY))
        .with("contact_means", choice_list(rules::CONTACT_MEANS))
        .with(
            "rhythms",
            choice_list(crate::domain::agreement::rhythm::RHYTHMS),
        )
        .with("patient_sections", choice_list(rules::PATIENT_SECTIONS))
        .with("form", form)
}

/// The print of one version: its blocks, with nothing beyond the consent in force today.
pub struct Printable {
    pub content: Content,
    pub version: VersionRow,
    pub evaluations: Vec<PrintedEvaluation>,
    pub consent: Vec<CurrentConsent>,
    pub standing: Standing,
    pub unit: UnitContact,
    pub offers: Vec<PrintedOffer>,
    pub helpline: Option<PrintedOffer>,
    /// Loaded only for a PDF: the page shows none.
    pub logo: Option<crate::pdf::LogoImage>,
}

/// The catalogue's national relatives' helpline, printed in every copy's rights box.
const HELPLINE: &str = "Pårørendetelefonen";

fn printed_offer(o: db::support::OfferReach) -> PrintedOffer {
    PrintedOffer {
        referral_id: o.referral_id,
        name_nn: o.name_nn,
        name_en: o.name_en,
        phone: o.phone,
        web: o.web,
        hours: o.hours,
    }
}

pub async fn printable(
    db: &Db,
    a: &AgreementRow,
    number: i64,
    today: NaiveDate,
) -> AppResult<Printable> {
    let version = db::agreements::version(db, a.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut content = content_of(&version)?;
    // The current version shows the agreement's evaluation date, the one current value
    // (evaluations move it); earlier versions print the date they were written with.
    if number == a.current_version {
        content.evaluation_on = a.evaluation_on;
    }
    let evaluations = db::agreements::evaluations(db, a.id)
        .await?
        .into_iter()
        .filter(|e| e.version_number <= number)
        .map(|e| PrintedEvaluation {
            on: e.evaluated_on,
            outcome: e.outcome,
            by: e.by_name,
        })
        .collect();
    let consent = db::relatives::current_consents(db, a.patient_id)
        .await?
        .into_iter()
        .map(|c| (c.relative_id, c.scope, c.topics))
        .collect();
    let status = Status::parse(&a.status).ok_or_else(|| {
        AppError::Internal(format!(
            "agreement {} has unknown status {}",
            a.id, a.status
        ))
    })?;
    let sig = signatures_of(&version);
    let standing = copy::standing(
        &StandingFacts {
            status,
            number,
            signed: version.signed(),
            signed_on: sig.signed_on(),
            latest_signed: db::agreements::latest_signed(db, a.id).await?,
            evaluation_on: content.evaluation_on,
            ended_on: a.ended_on,
            end_reason: &a.end_reason,
        },
        today,
    );
    let unit = db::org::unit(db, a.unit_id)
        .await?
        .map(|u| u.contact())
        .unwrap_or_default();
    let offers = db::support::reach_for_patient(db, a.patient_id)
        .await?
        .into_iter()
        .map(printed_offer)
        .collect();
    let helpline = db::support::reach_by_name(db, HELPLINE)
        .await?
        .map(printed_offer);
    Ok(Printable {
        content,
        version,
        evaluations,
        consent,
        standing,
        unit,
        offers,
        helpline,
        logo: None,
    })
}

impl Printable {
    pub fn print<'a>(
        &'a self,
        sig: &'a Signatures,
        s: &'a Settings,
        now: DateTime<Utc>,
        lang: Language,
        recipient: Recipient,
    ) -> Print<'a> {
        Print {
            content: &self.content,
            version: self.version.number,
            document_id: &self.version.document_id,
            standing: self.standing.clone(),
            recipient,
            signatures: sig,
            evaluations: &self.evaluations,
            current_consent: &self.consent,
            offers: &self.offers,
            letterhead: Letterhead {
                municipality: &s.municipality,
                unit: &self.unit,
                ombud: &s.ombud,
                helpline: self.helpline.as_ref(),
                logo: self.logo.as_ref(),
            },
            now,
            lang,
            feedback: None,
        }
    }

    pub fn version_view(&self) -> VersionView {
        VersionView::of(&self.version)
    }
}

#[derive(Serialize)]
pub struct VersionView {
    number: i64,
    document_id: String,
    created_at: DateTime<Utc>,
    created_by_name: String,
    signed: bool,
}

impl VersionView {
    pub fn of(v: &VersionRow) -> VersionView {
        VersionView {
            signed: v.signed(),
            number: v.number,
            document_id: v.document_id.clone(),
            created_at: v.created_at,
            created_by_name: v.created_by_name.clone(),
        }
    }
}

#[derive(Serialize)]
struct EvaluationView {
    #[serde(flatten)]
    row: db::agreements::EvaluationRow,
    outcome_label: &'static str,
}

/// The language to print in: as asked, else the recipient's preferred language (a
/// relative's copy), else the first party's; bokmål when none is known.
pub fn language(
    requested: Option<&str>,
    recipient: Recipient,
    content: &Content,
    preferred: &HashMap<i64, String>,
) -> Language {
    let preference = |id: &i64| preferred.get(id).and_then(|l| Language::from_preference(l));
    requested
        .and_then(Language::parse)
        .or_else(|| match recipient {
            Recipient::Party(id) => preference(&id),
            Recipient::Patient | Recipient::File => None,
        })
        .or_else(|| {
            content
                .parties
                .iter()
                .find_map(|p| preference(&p.relative_id))
        })
        .unwrap_or(Language::Bokmal)
}

pub async fn preferred_languages(db: &Db, patient_id: i64) -> AppResult<HashMap<i64, String>> {
    Ok(db::relatives::for_patient(db, patient_id)
        .await?
        .into_iter()
        .map(|r| (r.id, r.language))
        .collect())
}

/// The agreement page: the current version as it prints, its versions and evaluations, and
/// the lifecycle forms, which start empty except the signature dates. Records the view.
pub async fn show_page(
    db: &Db,
    user: &CurrentUser,
    id: i64,
    clock: &Clock,
    settings: &Settings,
) -> AppResult<Page> {
    let (a, patient, status) = super::load(db, user, id).await?;
    record_view(
        db,
        &user.actor(),
        "agreement",
        id,
        (patient.id, patient.unit_id),
        clock.now(),
    )
    .await?;
    let p = printable(db, &a, a.current_version, clock.today()).await?;
    let sig = signatures_of(&p.version);
    let blocks = crate::pdf::agreement::blocks(&p.print(
        &sig,
        settings,
        clock.now(),
        Language::Bokmal,
        Recipient::File,
    ));
    let recipients: Vec<Choice> = Recipient::choices(&p.content)
        .into_iter()
        .map(|(r, label)| Choice::new(r.key(), label))
        .collect();
    let versions: Vec<VersionView> = db::agreements::versions(db, id)
        .await?
        .iter()
        .map(VersionView::of)
        .collect();
    let evaluations: Vec<EvaluationView> = db::agreements::evaluations(db, id)
        .await?
        .into_iter()
        .map(|row| EvaluationView {
            outcome_label: label(rules::OUTCOMES, &row.outcome),
            row,
        })
        .collect();
    let today = clock.today();
    let worker = user.role == crate::domain::user::Role::Worker;
    let meetings: Vec<Choice> = db::meetings::for_patient(db, patient.id)
        .await?
        .into_iter()
        .filter(|m| m.status == crate::domain::meeting::MeetingStatus::Completed)
        .map(|m| {
            Choice::new(
                m.id,
                format!(
                    "{} {}",
                    label(choices::MEETING_KINDS, &m.kind),
                    crate::domain::dates::format_datetime(m.starts_at)
                ),
            )
        })
        .collect();
    let sharing = effective_sharing(&p.content.sharing, &p.consent);
    let floor = consent_floor(sharing.iter().map(|s| s.1.as_str()));
    let forms = serde_json::json!({
        "relative_signed_on": crate::domain::dates::format_date(today),
        "service_signed_on": crate::domain::dates::format_date(today),
        "lang": "",
    });
    Ok(Page::new("Pårørendeavtale", Some(user))
        .with("patient", &patient)
        .with("agreement", &a)
        .with("status_label", status.label())
        .with("in_force", status.in_force())
        .with("can_delete", status.can_delete() && worker)
        .with("can_edit", status != Status::Ended && worker)
        .with(
            "can_sign",
            worker && !p.version.signed() && status != Status::Ended,
        )
        .with("can_evaluate", worker && status.in_force())
        .with("overdue", rules::is_overdue(status, a.evaluation_on, today))
        .with("version", p.version_view())
        .with(
            "signatures",
            serde_json::json!({
                "relative_on": sig.relative_on, "service_on": sig.service_on,
                "patient_on": sig.patient_on, "patient_reason": sig.patient_reason,
            }),
        )
        .with("blocks", blocks)
        .with("held_back", held_back(&p.content, floor))
        .with("versions", versions)
        .with("evaluations", evaluations)
        .with("outcomes", choice_list(rules::OUTCOMES))
        .with("languages", choice_list(rules::LANGUAGES))
        .with("recipients", recipients)
        .with("meetings", meetings)
        .with("form", forms))
}
