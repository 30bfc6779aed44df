//! The printed copy's rules, read back from its blocks and its PDF.
use super::*;
use crate::domain::agreement::{Measure, Party, Sharing, Staff};

fn party(id: i64, name: &str, relation: &str, phone: &str, address: &str) -> Party {
    Party {
        relative_id: id,
        name: name.into(),
        relation: relation.into(),
        phone: phone.into(),
        address: address.into(),
        closest: id == 7,
        ..Default::default()
    }
}

fn sharing(id: i64, name: &str, scope: &str, topics: &str) -> Sharing {
    Sharing {
        relative_id: id,
        name: name.into(),
        scope: scope.into(),
        topics: topics.into(),
    }
}

pub fn sample() -> Content {
    Content {
        patient_name: "Åse Ødegård".into(),
        capacity: "can_consent".into(),
        parties: vec![
            party(
                7,
                "Bjørn Ærø",
                "child",
                "+47 91 23 45 67",
                "Storgata 1, 0155 Oslo",
            ),
            party(
                8,
                "Nina Nabo",
                "neighbour",
                "+47 48 00 11 22",
                "Lillegata 2, 0155 Oslo",
            ),
        ],
        unit_name: "Hjemmetjenesten Frogner".into(),
        contact: Some(Staff {
            user_id: 1,
            name: "Kari Nordmann".into(),
            phone: "+47 22 33 44 55".into(),
        }),
        background: "Diagnose: demens «moderat» – følges av fastlege.".into(),
        matters_patient: "Å bo hjemme.".into(),
        matters_relative: "Å få sove om natten; café på søndager; Müller-øvelser.".into(),
        relative_does: "Handler mat.".into(),
        service_patient: "Hjemmesykepleie morgen og kveld.".into(),
        children: "Barnebarnet Eva (12) er informert.".into(),
        sharing: vec![
            sharing(7, "Bjørn Ærø", "full", ""),
            sharing(
                8,
                "Nina Nabo",
                "limited",
                "ikke diagnose, prognose eller psykisk helse",
            ),
        ],
        measures: vec![Measure {
            referral_id: Some(1),
            offer: "Avlastning".into(),
            state: "referred".into(),
        }],
        within_consent: vec!["service_patient".into()],
        ..Default::default()
    }
}

fn day(offset: i64) -> NaiveDate {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    today + chrono::Duration::days(offset)
}

fn current() -> Vec<CurrentConsent> {
    vec![
        (7, "full".to_string(), String::new()),
        (
            8,
            "limited".to_string(),
            "ikke diagnose, prognose eller psykisk helse".to_string(),
        ),
    ]
}

fn unit() -> UnitContact {
    UnitContact {
        address: "Postboks 1, 0101 Oslo".into(),
        phone: "+47 23 48 00 00".into(),
        phone_hours: "hverdager 08–15.30".into(),
        after_hours_phone: "+47 23 48 70 00".into(),
    }
}

fn offers() -> Vec<PrintedOffer> {
    vec![PrintedOffer {
        referral_id: 1,
        name_nn: "Avlasting".into(),
        name_en: "Respite care".into(),
        phone: "+47 21 80 21 80".into(),
        web: "oslo.kommune.no/avlastning".into(),
        hours: "hverdager kl. 09–15".into(),
    }]
}

struct Fixture {
    content: Content,
    signatures: Signatures,
    consent: Vec<CurrentConsent>,
    unit: UnitContact,
    offers: Vec<PrintedOffer>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            content: sample(),
            signatures: Signatures::default(),
            consent: current(),
            unit: unit(),
            offers: offers(),
        }
    }

    fn print(&self, recipient: Recipient, standing: Standing, lang: Language) -> Print<'_> {
        Print {
            content: &self.content,
            version: 2,
            document_id: "K7QM-2XPA",
            standing,
            recipient,
            signatures: &self.signatures,
            evaluations: &[],
            current_consent: &self.consent,
            offers: &self.offers,
            letterhead: Letterhead {
                municipality: "Oslo kommune",
                unit: &self.unit,
                ombud: "",
                helpline: None,
                logo: None,
            },
            now: DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
            lang,
            feedback: None,
        }
    }

    fn text(&self, recipient: Recipient, standing: Standing, lang: Language) -> String {
        // Debug escapes the no-break space; the assertions name it as a character.
        format!("{:?}", blocks(&self.print(recipient, standing, lang))).replace("\\u{a0}", "\u{a0}")
    }
}

fn in_force() -> Standing {
    Standing::InForce {
        signed_on: Some(day(-30)),
        overdue_since: None,
    }
}

#[test]
fn a_relatives_copy_carries_their_own_details_and_consent_only() {
    let f = Fixture::new();
    let daughter = f.text(Recipient::Party(7), in_force(), Language::Bokmal);
    assert!(daughter.contains("Storgata 1, 0155 Oslo"));
    assert!(daughter.contains("+47\u{a0}91\u{a0}23\u{a0}45\u{a0}67"));
    assert!(daughter.contains("Pårørende: Nina Nabo (Nabo)"));
    assert!(!daughter.contains("Lillegata 2"));
    assert!(!daughter.contains("48\u{a0}00\u{a0}11\u{a0}22"));
    assert!(!daughter.contains("ikke diagnose, prognose"));
    assert!(daughter.contains("Diagnose: demens"));
    assert!(daughter.contains("Barnebarnet Eva"));

    let neighbour = f.text(Recipient::Party(8), in_force(), Language::Bokmal);
    assert!(neighbour.contains("Lillegata 2, 0155 Oslo"));
    assert!(!neighbour.contains("Storgata 1"));
    assert!(neighbour.contains("ikke diagnose, prognose eller psykisk helse"));
    assert!(!neighbour.contains("Diagnose: demens"));
    assert!(!neighbour.contains("Å bo hjemme."));
    assert!(!neighbour.contains("Barnebarnet Eva"));
    // Within the limited consent: the worker confirmed the services section.
    assert!(neighbour.contains("Hjemmesykepleie morgen og kveld."));
    assert!(neighbour.contains("Ingen opplysninger i dette eksemplaret."));

    let patient = f.text(Recipient::Patient, in_force(), Language::Bokmal);
    assert!(!patient.contains("Storgata 1") && !patient.contains("Lillegata 2"));
    assert!(patient.contains("Diagnose: demens"));
    assert!(patient.contains("ikke diagnose, prognose"));

    let file = f.text(Recipient::File, in_force(), Language::Bokmal);
    assert!(file.contains("Storgata 1") && file.contains("Lillegata 2"));
    assert!(file.contains("Tjenestens arkiveksemplar"));
}

#[test]
fn withdrawn_consent_hides_patient_sections_from_that_relative() {
    let mut f = Fixture::new();
    f.consent = vec![(7, "none".to_string(), String::new())];
    let printed = f.text(Recipient::Party(7), in_force(), Language::Bokmal);
    assert!(!printed.contains("Diagnose: demens"));
    assert!(!printed.contains("Å bo hjemme."));
    assert!(printed.contains("Pasienten har ikke samtykket"));
    assert!(printed.contains("Å få sove om natten"));
}

#[test]
fn sections_keep_the_forms_numbers_and_an_empty_one_says_so() {
    let mut f = Fixture::new();
    f.content.relative_does.clear();
    f.content.contact_means.clear();
    let b = blocks(&f.print(Recipient::Party(7), in_force(), Language::Bokmal));
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
            "5. Hva tjenesten gjør",
            "6. Kontakt mellom oss",
            "7. Informasjon som kan deles",
            "8. Avlastning og støtte",
            "9. Hvis du blir syk, er borte eller ikke klarer mer",
            "10. Barn i familien",
            "11. Evaluering",
            "12. Signaturer",
            "Dine rettigheter som pårørende",
        ]
    );
    let after = |h: &str| {
        let i = b
            .iter()
            .position(|x| *x == Block::Heading(h.into()))
            .unwrap_or(0);
        b[i + 1].clone()
    };
    assert_eq!(
        after("4. Hva den pårørende ønsker og kan gjøre"),
        Block::Paragraph("Ikke avtalt.".into())
    );
    assert_eq!(
        after("6. Kontakt mellom oss"),
        Block::Paragraph("Ikke avtalt.".into())
    );
}

#[test]
fn every_copy_has_a_number_to_call_and_the_rights_box() {
    let f = Fixture::new();
    let text = f.text(Recipient::Party(8), in_force(), Language::Bokmal);
    assert!(text.contains(
        "Telefon til tjenestestedet\", \"+47\u{a0}23\u{a0}48\u{a0}00\u{a0}00 (hverdager 08–15.30)"
    ));
    assert!(text.contains("Utenom åpningstid: +47\u{a0}23\u{a0}48\u{a0}70\u{a0}00"));
    assert!(text.contains(
        "Avlastning – Henvist. telefon +47\u{a0}21\u{a0}80\u{a0}21\u{a0}80, åpent hverdager kl. 09–15, oslo.kommune.no/avlastning"
    ));
    assert!(text.contains("helse- og omsorgstjenesteloven § 3-6"));
    assert!(text.contains("pasientogbrukerombudet.no"));
    // With no referral at all, the rights are still there.
    let mut f = Fixture::new();
    f.content.measures.clear();
    let text = f.text(Recipient::Party(8), in_force(), Language::Bokmal);
    assert!(text.contains("8. Avlastning og støtte\"), Paragraph(\"Ikke avtalt."));
    assert!(text.contains("Dine rettigheter som pårørende"));
}

#[test]
fn a_copy_says_what_it_is_on_every_page() {
    let f = Fixture::new();
    let t = Texts::of(Language::Bokmal);
    assert_eq!(standing_line(t, &Standing::Draft), "UTKAST – ikke signert");
    assert_eq!(
        standing_line(t, &Standing::Replaced { by: 3 }),
        "ERSTATTET av versjon 3 – gjelder ikke lenger"
    );
    let ended = Standing::Ended {
        on: day(-2),
        reason: "Pasienten flyttet.".into(),
    };
    assert_eq!(
        standing_line(t, &ended),
        format!(
            "AVSLUTTET {}: Pasienten flyttet",
            day(-2).format("%d.%m.%Y")
        )
    );
    let overdue = Standing::InForce {
        signed_on: Some(day(-200)),
        overdue_since: Some(day(-5)),
    };
    assert_eq!(
        standing_line(t, &overdue),
        format!(
            "Evalueringen skulle vært gjort {}",
            day(-5).format("%d.%m.%Y")
        )
    );
    let mut f2 = Fixture::new();
    f2.content.evaluation_on = Some(day(60));
    let text = f2.text(Recipient::File, ended.clone(), Language::Bokmal);
    assert!(!text.contains("Neste evaluering"));
    assert!(text.contains("Begrunnelse\", \"Pasienten flyttet."));
    let text = f2.text(Recipient::File, in_force(), Language::Bokmal);
    assert!(text.contains("Neste evaluering"));
    assert_eq!(
        recipient_line(
            t,
            &f.print(Recipient::Party(8), Standing::Draft, Language::Bokmal)
        ),
        "Eksemplar til Nina Nabo"
    );
}

#[test]
fn english_copies_write_dates_out_and_offers_in_their_language() {
    let mut f = Fixture::new();
    f.content.evaluation_on = Some(NaiveDate::from_ymd_opt(2027, 5, 3).unwrap_or_default());
    let en = f.text(Recipient::Party(7), in_force(), Language::English);
    assert!(en.contains("Next review\", \"3 May 2027"));
    assert!(en.contains("Respite care – Referred"));
    let nn = f.text(Recipient::Party(7), in_force(), Language::Nynorsk);
    assert!(nn.contains("Avlasting – Tilvist"));
    assert!(nn.contains("Rettane dine som pårørande"));
}

/// Bokmål words that never belong in a nynorsk or English copy.
const BOKMAL_ONLY: &[&str] = &[
    "ikke",
    "hverdager",
    "måned",
    "uka",
    "timer",
    "følges",
    "hjemmet",
    "personlig",
    "tjenester",
    "tjenesten",
    "ennå",
    "ellers",
    "henvist",
    "pårørende",
    "hvem",
    "hva",
    "skole",
    "følelsesmessig",
    "helsepersonelloven",
    "avtaler",
    "legemidler",
];
/// And in an English copy, Norwegian words at all (the ombud's Norwegian name is given
/// in brackets on purpose, so "og" is not among them).
const NORWEGIAN: &[&str] = &[
    "eller",
    "avtalen",
    "kontaktpersonen",
    "telefon",
    "samtykke",
    "informert",
    "oppfølging",
    "barnebarn",
    "registrert",
    "stell",
    "hjelp",
    "kl",
    "delvis",
    "samarbeid",
];

fn words_in(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn a_fully_prefilled_agreement_prints_without_bokmal_in_nynorsk_and_english() {
    use crate::domain::agreement::draft::Candidate;
    use crate::domain::agreement::prefill::{
        prefill, ChildFacts, ChildFollowupFacts, MappingFacts, PrefillContext,
    };
    let candidate = Candidate {
        relative_id: 7,
        name: "Bjørn Ærø".into(),
        relation: "child".into(),
        relation_other: String::new(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        closest: true,
        age: crate::domain::relative::Age::Adult,
        involvement: "yes".into(),
        consent: ("full".into(), String::new()),
    };
    let mapping = MappingFacts {
        tasks: vec![
            "practical".into(),
            "personal".into(),
            "medicines".into(),
            "finances".into(),
            "transport".into(),
            "supervision".into(),
            "emotional".into(),
            "coordination".into(),
        ],
        hours_per_week: 12,
        ..Default::default()
    };
    let child = |name: &str, informed: &str| ChildFacts {
        name: name.into(),
        relation: "Barnebarn".into(),
        followup: Some(ChildFollowupFacts {
            informed: informed.into(),
            follower: "Anne Lie".into(),
            services: vec![
                "helsestasjon".into(),
                "skole".into(),
                "bti".into(),
                "bup".into(),
                "barnevern".into(),
            ],
        }),
    };
    let ctx = PrefillContext {
        parties: vec![(candidate, Some(mapping))],
        children: vec![
            child("Eva", "yes"),
            child("Tor", "partly"),
            child("Liv", "no"),
            ChildFacts {
                name: "Ola".into(),
                relation: "Barn".into(),
                followup: None,
            },
        ],
        ..Default::default()
    };
    let input = prefill(&ctx, day(0));
    let mut f = Fixture::new();
    f.content = Content {
        reachable: input.reachable,
        relative_does: input.relative_does,
        contact_frequency: input.contact_frequency,
        contact_initiative: input.contact_initiative,
        contact_means: input.contact_means,
        children: input.children,
        next_meeting_on: Some(day(20)),
        evaluation_on: Some(day(180)),
        decision_applied: true,
        capacity: "can_consent".into(),
        ..f.content
    };
    f.content.background.clear();
    f.content.matters_patient.clear();
    f.content.matters_relative.clear();
    f.content.service_patient.clear();
    f.content.sharing[1].topics.clear();
    f.consent[1].2.clear();
    assert!(f.content.children.contains("helsepersonelloven"));
    for lang in [Language::Nynorsk, Language::English] {
        let text = f.text(Recipient::Party(7), in_force(), lang);
        let words = words_in(&text);
        let mut known: Vec<&str> = BOKMAL_ONLY.to_vec();
        if lang == Language::English {
            known.extend(NORWEGIAN);
        }
        let found: Vec<&&str> = known
            .iter()
            .filter(|w| words.iter().any(|x| x == *w))
            .collect();
        assert!(found.is_empty(), "{lang:?}: {found:?} in {text}");
    }
    // The check can fail: the bokmål copy has them.
    let nb = words_in(&f.text(Recipient::Party(7), in_force(), Language::Bokmal));
    assert!(nb.iter().any(|w| w == "hverdager") && nb.iter().any(|w| w == "ikke"));
}

#[test]
fn typed_dashes_become_a_list() {
    assert_eq!(
        typed("Hun trenger:\n- handling\n• medisiner\n\nNytt avsnitt."),
        vec![
            Block::Paragraph("Hun trenger:".into()),
            Block::Bullets(vec!["handling".into(), "medisiner".into()]),
            Block::Paragraph("Nytt avsnitt.".into()),
        ]
    );
}

#[test]
fn renders_a_pdf_whose_draft_carries_no_document_id() {
    let f = Fixture::new();
    for lang in [Language::Bokmal, Language::Nynorsk, Language::English] {
        let bytes = pdf(&f.print(Recipient::Party(7), in_force(), lang));
        assert!(bytes.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(&bytes).map(|d| d.get_pages().len());
        assert_eq!(doc.ok(), Some(3));
    }
    let draft = pdf(&f.print(Recipient::Party(7), Standing::Draft, Language::Bokmal));
    let signed = pdf(&f.print(Recipient::Party(7), in_force(), Language::Bokmal));
    let has_id = |bytes: &[u8]| {
        let doc = lopdf::Document::load_mem(bytes).ok();
        doc.map(|d| {
            d.get_pages().keys().any(|n| {
                d.extract_text(&[*n])
                    .unwrap_or_default()
                    .contains("K7QM-2XPA")
            })
        })
    };
    assert_eq!(has_id(&signed), Some(true));
    assert_eq!(has_id(&draft), Some(false));
}
