//! The printed pårørendeavtale: one version of an agreement turned into blocks in the chosen
//! language, with nothing beyond the patient's consent, then into a PDF.

use super::layout::{Block, Frame};
use super::texts::{pick, Texts};
use super::Meta;
use crate::domain::agreement::consent::{consent_floor, effective_sharing, may_print};
use crate::domain::agreement::{Content, Language, Signatures};
use crate::domain::dates::format_date;
use chrono::{DateTime, NaiveDate, Utc};

/// An evaluation as the printed history shows it.
pub struct PrintedEvaluation {
    pub on: NaiveDate,
    pub outcome: String,
    pub by: String,
}

/// The consent in force when printing, per relative: (relative id, scope, topics).
pub use crate::domain::agreement::consent::CurrentConsent;

pub struct Print<'a> {
    pub content: &'a Content,
    pub version: i64,
    pub document_id: &'a str,
    pub draft: bool,
    pub signatures: &'a Signatures,
    pub evaluations: &'a [PrintedEvaluation],
    pub current_consent: &'a [CurrentConsent],
    pub municipality: &'a str,
    pub now: DateTime<Utc>,
    pub lang: Language,
}

fn push_field(blocks: &mut Vec<Block>, label: &str, value: &str) {
    if !value.trim().is_empty() {
        blocks.push(Block::Field(label.to_string(), value.trim().to_string()));
    }
}

fn push_text(blocks: &mut Vec<Block>, sub: &str, value: &str) {
    if !value.trim().is_empty() {
        blocks.push(Block::Subheading(sub.to_string()));
        blocks.push(Block::Paragraph(value.trim().to_string()));
    }
}

/// Adds a numbered section when it has content.
fn section(blocks: &mut Vec<Block>, number: &mut usize, heading: &str, body: Vec<Block>) {
    if body.is_empty() {
        return;
    }
    *number += 1;
    blocks.push(Block::Heading(format!("{number}. {heading}")));
    blocks.extend(body);
}

/// The patient's capacity to consent as answered in the version; versions written before it
/// was a choice print their own text. Unanswered prints nothing.
fn capacity_text(t: &Texts, c: &Content) -> String {
    match c.capacity.as_str() {
        "can_consent" => t.can_consent.to_string(),
        "cannot_consent" if c.represented_by.trim().is_empty() => t.cannot_consent.to_string(),
        "cannot_consent" => format!(
            "{} {} {}.",
            t.cannot_consent,
            t.represented_by,
            c.represented_by.trim().trim_end_matches('.')
        ),
        _ => c.patient_capacity.clone(),
    }
}

pub fn blocks(p: &Print<'_>) -> Vec<Block> {
    let t = Texts::of(p.lang);
    let c = p.content;
    let sharing = effective_sharing(&c.sharing, p.current_consent);
    let floor = consent_floor(sharing.iter().map(|s| s.1.as_str()));
    let patient_may = |section: &str| may_print(section, floor, &c.within_consent);
    let mut out = vec![Block::Title(t.title.to_string())];
    if p.draft {
        out.push(Block::Subheading(t.draft.to_string()));
    }
    out.push(Block::Paragraph(t.intro.to_string()));
    let mut n = 0;

    let mut b = Vec::new();
    push_field(&mut b, t.patient, &c.patient_name);
    push_field(&mut b, t.capacity, &capacity_text(t, c));
    for party in &c.parties {
        let relation = if party.relation == "other" && !party.relation_other.is_empty() {
            party.relation_other.clone()
        } else {
            pick(t.relations, &party.relation).to_string()
        };
        b.push(Block::Subheading(format!(
            "{}: {} ({})",
            t.relative, party.name, relation
        )));
        push_field(&mut b, t.phone, &party.phone);
        push_field(&mut b, t.email, &party.email);
        push_field(&mut b, t.address, &party.address);
        push_field(&mut b, t.closest, if party.closest { t.yes } else { t.no });
    }
    section(&mut out, &mut n, t.parties, b);

    let mut b = Vec::new();
    push_field(&mut b, t.unit, &c.unit_name);
    for (label, staff) in [(t.contact_person, &c.contact), (t.deputy, &c.deputy)] {
        if let Some(s) = staff {
            let value = if s.phone.is_empty() {
                s.name.clone()
            } else {
                format!("{}, {} {}", s.name, t.phone.to_lowercase(), s.phone)
            };
            push_field(&mut b, label, &value);
        }
    }
    push_field(&mut b, t.reachable, &c.reachable);
    section(&mut out, &mut n, t.service, b);

    let mut b = Vec::new();
    if patient_may("background") {
        push_text(&mut b, t.background, &c.background);
    }
    if patient_may("matters_patient") {
        push_text(&mut b, t.for_patient, &c.matters_patient);
    }
    push_text(&mut b, t.for_relative, &c.matters_relative);
    section(&mut out, &mut n, t.matters, b);

    let mut b = Vec::new();
    push_text(&mut b, t.wishes, &c.relative_does);
    push_text(&mut b, t.declines, &c.relative_declines);
    if !b.is_empty() {
        b.insert(0, Block::Paragraph(t.voluntary.to_string()));
    }
    section(&mut out, &mut n, t.relative_does, b);

    let mut b = Vec::new();
    if patient_may("service_patient") {
        push_text(&mut b, t.for_patient, &c.service_patient);
    }
    push_text(&mut b, t.for_relative, &c.service_relative);
    section(&mut out, &mut n, t.service_does, b);

    let mut b = Vec::new();
    let means: Vec<&str> = c
        .contact_means
        .iter()
        .map(|m| pick(t.contact_means, m))
        .collect();
    push_field(&mut b, t.how, &means.join(", "));
    push_field(&mut b, t.how_often, &c.contact_frequency);
    push_field(&mut b, t.initiative, &c.contact_initiative);
    if let Some(d) = c.next_meeting_on {
        push_field(&mut b, t.next_meeting, &format_date(d));
    }
    section(&mut out, &mut n, t.keeping_in_touch, b);

    let mut b = Vec::new();
    for (name, scope, topics) in &sharing {
        b.push(Block::Subheading(name.clone()));
        match scope.as_str() {
            "full" => b.push(Block::Paragraph(t.consent_full.to_string())),
            "limited" => {
                b.push(Block::Paragraph(t.consent_limited.to_string()));
                b.push(Block::Paragraph(topics.clone()));
            }
            _ => b.push(Block::Paragraph(t.consent_none.to_string())),
        }
    }
    b.push(Block::Paragraph(t.journal.to_string()));
    section(&mut out, &mut n, t.sharing, b);

    let mut b = Vec::new();
    let measures: Vec<String> = c
        .measures
        .iter()
        .map(|m| {
            if m.state.is_empty() {
                m.offer.clone()
            } else {
                format!("{} – {}", m.offer, pick(t.referral_states, &m.state))
            }
        })
        .collect();
    if !measures.is_empty() {
        b.push(Block::Bullets(measures));
    }
    if !c.support_note.trim().is_empty() {
        b.push(Block::Paragraph(c.support_note.trim().to_string()));
    }
    if !b.is_empty() || c.decision_applied {
        push_field(
            &mut b,
            t.decision,
            if c.decision_applied { t.yes } else { t.no },
        );
    }
    section(&mut out, &mut n, t.support, b);

    let mut b = Vec::new();
    if !c.acute.trim().is_empty() {
        b.push(Block::Paragraph(c.acute.trim().to_string()));
    }
    let mut lines = Vec::new();
    if let Some(s) = &c.contact {
        lines.push(if s.phone.is_empty() {
            format!("{}: {}", t.contact_person, s.name)
        } else {
            format!("{}: {}, {}", t.contact_person, s.name, s.phone)
        });
    }
    lines.extend(t.emergency.iter().map(|s| s.to_string()));
    b.push(Block::Bullets(lines));
    section(&mut out, &mut n, t.acute, b);

    let mut b = Vec::new();
    if !c.children.trim().is_empty() {
        b.push(Block::Paragraph(c.children.trim().to_string()));
    }
    section(&mut out, &mut n, t.children, b);

    let mut b = Vec::new();
    if let Some(d) = c.evaluation_on {
        push_field(&mut b, t.next_evaluation, &format_date(d));
    }
    match c.valid_until {
        Some(d) => push_field(&mut b, t.valid_until, &format_date(d)),
        None => b.push(Block::Paragraph(t.valid_open.to_string())),
    }
    if !p.evaluations.is_empty() {
        b.push(Block::Subheading(t.evaluations.to_string()));
        b.push(Block::Bullets(
            p.evaluations
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} ({})",
                        format_date(e.on),
                        pick(t.outcomes, &e.outcome),
                        e.by
                    )
                })
                .collect(),
        ));
    }
    section(&mut out, &mut n, t.evaluation, b);

    let mut b = vec![Block::Paragraph(t.ending.to_string())];
    let date = |d: Option<NaiveDate>| {
        format!(
            "{}: {}",
            t.date,
            d.map(format_date).unwrap_or_else(|| "____________".into())
        )
    };
    for party in &c.parties {
        b.push(Block::Signature {
            role: t.signed_relative.to_string(),
            name: party.name.clone(),
            date: date(p.signatures.relative_on),
        });
    }
    b.push(Block::Signature {
        role: t.signed_service.to_string(),
        name: c
            .contact
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        date: date(p.signatures.service_on),
    });
    if p.signatures.patient_on.is_none() && !p.signatures.patient_reason.trim().is_empty() {
        b.push(Block::Field(
            format!("{} ({})", t.patient_did_not_sign, c.patient_name),
            p.signatures.patient_reason.trim().to_string(),
        ));
    } else {
        b.push(Block::Signature {
            role: t.signed_patient.to_string(),
            name: c.patient_name.clone(),
            date: date(p.signatures.patient_on),
        });
    }
    section(&mut out, &mut n, t.signatures, b);
    out
}

pub fn pdf(p: &Print<'_>) -> Vec<u8> {
    let t = Texts::of(p.lang);
    let blocks = blocks(p);
    let today = crate::domain::dates::oslo_date(p.now);
    let footer = t
        .footer
        .replace("{id}", p.document_id)
        .replace("{version}", &p.version.to_string())
        .replace("{date}", &format_date(today));
    let header = vec![p.municipality.to_string(), p.content.unit_name.clone()];
    let frame = Frame {
        header: &header,
        footer: &footer,
        page_label: t.page_label,
    };
    let names: Vec<&str> = p.content.parties.iter().map(|x| x.name.as_str()).collect();
    let title = format!("{} {}", t.title, p.document_id);
    let subject = format!("{} {}", t.subject, names.join(", "));
    let author = format!("{}, {}", p.municipality, p.content.unit_name);
    super::render(
        &blocks,
        &frame,
        &Meta {
            title: &title,
            author: &author,
            subject: &subject,
            language: p.lang.tag(),
            created: p.now,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::{Measure, Party, Sharing, Staff};

    pub fn sample() -> Content {
        Content {
            patient_name: "Åse Ødegård".into(),
            capacity: "can_consent".into(),
            parties: vec![Party {
                relative_id: 7,
                name: "Bjørn Ærø".into(),
                relation: "child".into(),
                phone: "912 34 567".into(),
                closest: true,
                ..Default::default()
            }],
            unit_name: "Hjemmetjenesten Frogner".into(),
            contact: Some(Staff {
                user_id: 1,
                name: "Kari Nordmann".into(),
                phone: "22 33 44 55".into(),
            }),
            background: "Diagnose: demens «moderat» – følges av fastlege.".into(),
            matters_patient: "Å bo hjemme.".into(),
            matters_relative: "Å få sove om natten; café på søndager; Müller-øvelser.".into(),
            relative_does: "Handler mat.".into(),
            sharing: vec![Sharing {
                relative_id: 7,
                name: "Bjørn Ærø".into(),
                scope: "full".into(),
                topics: String::new(),
            }],
            measures: vec![Measure {
                referral_id: Some(1),
                offer: "Avlastning".into(),
                state: "referred".into(),
            }],
            evaluation_on: NaiveDate::from_ymd_opt(2027, 1, 15),
            ..Default::default()
        }
    }

    fn print<'a>(
        c: &'a Content,
        s: &'a Signatures,
        consent: &'a [CurrentConsent],
        lang: Language,
    ) -> Print<'a> {
        Print {
            content: c,
            version: 2,
            document_id: "K7QM-2XPA",
            draft: false,
            signatures: s,
            evaluations: &[],
            current_consent: consent,
            municipality: "Oslo kommune",
            now: DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
            lang,
        }
    }

    fn texts(blocks: &[Block]) -> String {
        format!("{blocks:?}")
    }

    #[test]
    fn withdrawn_consent_hides_patient_sections() {
        let c = sample();
        let s = Signatures::default();
        let full = [(7, "full".to_string(), String::new())];
        let all = texts(&blocks(&print(&c, &s, &full, Language::Bokmal)));
        assert!(all.contains("Diagnose: demens"));
        let none = [(7, "none".to_string(), String::new())];
        let printed = texts(&blocks(&print(&c, &s, &none, Language::Bokmal)));
        assert!(!printed.contains("Diagnose: demens"));
        assert!(!printed.contains("Å bo hjemme."));
        assert!(printed.contains("Pasienten har ikke samtykket"));
        assert!(printed.contains("Å få sove om natten"));
    }

    #[test]
    fn empty_optional_sections_are_left_out_and_numbering_follows() {
        let c = sample();
        let s = Signatures::default();
        let full = [(7, "full".to_string(), String::new())];
        let b = blocks(&print(&c, &s, &full, Language::Bokmal));
        let headings: Vec<String> = b
            .iter()
            .filter_map(|x| match x {
                Block::Heading(h) => Some(h.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            vec![
                "1. Partene",
                "2. Tjenesten",
                "3. Det viktigste",
                "4. Hva den pårørende ønsker og kan gjøre",
                "5. Informasjon som kan deles",
                "6. Avlastning og støtte",
                "7. Hvis du blir syk, er borte eller ikke klarer mer",
                "8. Evaluering",
                "9. Signaturer"
            ]
        );
    }

    #[test]
    fn renders_a_pdf() {
        let c = sample();
        let s = Signatures::default();
        let full = [(7, "full".to_string(), String::new())];
        for lang in [Language::Bokmal, Language::Nynorsk, Language::English] {
            let bytes = pdf(&print(&c, &s, &full, lang));
            assert!(bytes.starts_with(b"%PDF-"));
            if lang == Language::Bokmal {
                let _ = std::fs::write("/tmp/samspill-sample.pdf", &bytes);
            }
            let doc = lopdf::Document::load_mem(&bytes).map(|d| d.get_pages().len());
            assert_eq!(doc.ok(), Some(2));
        }
    }
}
