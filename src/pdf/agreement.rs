//! The printed pårørendeavtale: one version of an agreement turned into blocks for one
//! recipient in the chosen language, then into a PDF. What a copy may carry is decided in
//! `domain::agreement::copy`; this module only words and places it.

use super::layout::{Block, Frame};
use super::texts::{pick, Texts};
use super::Meta;
use crate::domain::agreement::copy::{consents_shown, may_carry, Recipient, Standing};
use crate::domain::agreement::translate::hours;
use crate::domain::agreement::{Content, Language, Signatures};
use crate::domain::dates::oslo_date;
use crate::domain::unit::UnitContact;
use chrono::{DateTime, NaiveDate, Utc};

/// An evaluation as the printed history shows it.
pub struct PrintedEvaluation {
    pub on: NaiveDate,
    pub outcome: String,
    pub by: String,
}

/// The consent in force when printing, per relative: (relative id, scope, topics).
pub use crate::domain::agreement::consent::CurrentConsent;

/// What the offer catalogue knows about an offer a measure refers to.
#[derive(Debug, Clone, Default)]
pub struct PrintedOffer {
    pub referral_id: i64,
    pub name_nn: String,
    pub name_en: String,
    pub phone: String,
    pub web: String,
    pub hours: String,
}

/// Who issues the copy: printed in the letterhead of every page.
pub struct Letterhead<'a> {
    pub municipality: &'a str,
    pub unit: &'a UnitContact,
    /// The municipality's Pasient- og brukerombudet contact, printed in the rights box.
    pub ombud: &'a str,
    /// Pårørendetelefonen as the catalogue knows it, if it does.
    pub helpline: Option<&'a PrintedOffer>,
    pub logo: Option<&'a super::LogoImage>,
}

pub struct Print<'a> {
    pub content: &'a Content,
    pub version: i64,
    pub document_id: &'a str,
    pub standing: Standing,
    pub recipient: Recipient,
    pub signatures: &'a Signatures,
    pub evaluations: &'a [PrintedEvaluation],
    pub current_consent: &'a [CurrentConsent],
    pub offers: &'a [PrintedOffer],
    pub letterhead: Letterhead<'a>,
    pub now: DateTime<Utc>,
    pub lang: Language,
}

/// A phone number that never breaks across lines.
fn phone(p: &str) -> String {
    p.trim().replace(' ', "\u{a0}")
}

fn date(t: &Texts, d: NaiveDate) -> String {
    crate::domain::dates::format_date_as(d, t.date_format)
}

fn push_field(blocks: &mut Vec<Block>, label: &str, value: &str) {
    if !value.trim().is_empty() {
        blocks.push(Block::Field(label.to_string(), value.trim().to_string()));
    }
}

/// Typed text as blocks: lines typed as "- ", "* " or "• " become a list, the rest
/// paragraphs (a blank line starts a new paragraph).
pub fn typed(value: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let flush_para = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join("\n")));
            para.clear();
        }
    };
    for line in value.trim().lines().map(str::trim_end) {
        let item = ["- ", "* ", "• ", "– "]
            .iter()
            .find_map(|m| line.trim_start().strip_prefix(m));
        match item {
            Some(text) => {
                flush_para(&mut para, &mut out);
                items.push(text.trim().to_string());
            }
            None => {
                if !items.is_empty() {
                    out.push(Block::Bullets(std::mem::take(&mut items)));
                }
                if line.trim().is_empty() {
                    flush_para(&mut para, &mut out);
                } else {
                    para.push(line.trim());
                }
            }
        }
    }
    flush_para(&mut para, &mut out);
    if !items.is_empty() {
        out.push(Block::Bullets(items));
    }
    out
}

fn push_text(blocks: &mut Vec<Block>, sub: &str, value: &str) {
    if !value.trim().is_empty() {
        blocks.push(Block::Subheading(sub.to_string()));
        blocks.extend(typed(value));
    }
}

/// What one section has for this copy.
struct Section {
    body: Vec<Block>,
    /// The record has content this copy may not carry.
    held_back: bool,
}

impl Section {
    fn new() -> Section {
        Section {
            body: Vec::new(),
            held_back: false,
        }
    }

    /// A patient section's text, when the copy may carry it.
    fn patient_text(&mut self, may: bool, sub: Option<&str>, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        if !may {
            self.held_back = true;
        } else if let Some(sub) = sub {
            push_text(&mut self.body, sub, value);
        } else {
            self.body.extend(typed(value));
        }
    }
}

/// A section under its fixed number (the same as on the form); an empty one says so.
fn section(out: &mut Vec<Block>, t: &Texts, number: u8, heading: &str, s: Section) {
    out.push(Block::Heading(format!("{number}. {heading}")));
    if s.body.is_empty() {
        let empty = if s.held_back {
            t.nothing_in_copy
        } else {
            t.not_agreed
        };
        out.push(Block::Paragraph(empty.to_string()));
    } else {
        out.extend(s.body);
    }
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

/// The standing line every page's header carries.
pub fn standing_line(t: &Texts, s: &Standing) -> String {
    match s {
        Standing::Draft => t.draft.to_string(),
        Standing::InForce {
            overdue_since: Some(d),
            ..
        } => t.overdue.replace("{date}", &date(t, *d)),
        Standing::InForce {
            signed_on: Some(d), ..
        } => t.in_force.replace("{date}", &date(t, *d)),
        Standing::InForce { .. } => t.in_force.replace(" {date}", ""),
        Standing::Ended { on, reason } => t
            .ended
            .replace("{date}", &date(t, *on))
            .replace("{reason}", reason.trim_end_matches('.')),
        Standing::Replaced { by } => t.replaced.replace("{version}", &by.to_string()),
    }
}

/// Whom the copy is for, as every page's header says.
pub fn recipient_line(t: &Texts, p: &Print<'_>) -> String {
    match p.recipient {
        Recipient::Party(id) => {
            let name = p
                .content
                .parties
                .iter()
                .find(|x| x.relative_id == id)
                .map(|x| x.name.as_str())
                .unwrap_or_default();
            t.copy_for.replace("{name}", name)
        }
        Recipient::Patient => t.patient_copy.replace("{name}", &p.content.patient_name),
        Recipient::File => t.file_copy.to_string(),
    }
}

fn offer_name<'a>(lang: Language, bokmal: &'a str, offer: Option<&'a PrintedOffer>) -> &'a str {
    let translated = offer.map(|o| match lang {
        Language::Bokmal => "",
        Language::Nynorsk => o.name_nn.as_str(),
        Language::English => o.name_en.as_str(),
    });
    translated.filter(|n| !n.is_empty()).unwrap_or(bokmal)
}

fn unit_phone_line(unit: &UnitContact, lang: Language) -> String {
    if unit.phone_hours.trim().is_empty() {
        phone(&unit.phone)
    } else {
        format!(
            "{} ({})",
            phone(&unit.phone),
            hours(&unit.phone_hours, lang)
        )
    }
}

pub fn blocks(p: &Print<'_>) -> Vec<Block> {
    let t = Texts::of(p.lang);
    let translated = crate::domain::agreement::translate::content(p.content, p.lang);
    let c = &translated;
    let may = |section: &str| may_carry(p.recipient, section, c, p.current_consent);
    let mut out = vec![Block::Title(t.title.to_string())];
    out.push(Block::Subheading(standing_line(t, &p.standing)));
    out.push(Block::Paragraph(recipient_line(t, p)));
    out.push(Block::Paragraph(t.intro.to_string()));

    let mut s = Section::new();
    push_field(&mut s.body, t.patient, &c.patient_name);
    push_field(&mut s.body, t.capacity, &capacity_text(t, c));
    for party in &c.parties {
        let relation = if party.relation == "other" && !party.relation_other.is_empty() {
            party.relation_other.clone()
        } else {
            pick(t.relations, &party.relation).to_string()
        };
        s.body.push(Block::Subheading(format!(
            "{}: {} ({})",
            t.relative, party.name, relation
        )));
        if p.recipient.shows_contact_details_of(party.relative_id) {
            push_field(&mut s.body, t.phone, &phone(&party.phone));
            push_field(&mut s.body, t.email, &party.email);
            push_field(&mut s.body, t.address, &party.address);
        }
        push_field(
            &mut s.body,
            t.closest,
            if party.closest { t.yes } else { t.no },
        );
    }
    section(&mut out, t, 1, t.parties, s);

    let mut s = Section::new();
    push_field(&mut s.body, t.unit, &c.unit_name);
    for (label, staff) in [(t.contact_person, &c.contact), (t.deputy, &c.deputy)] {
        if let Some(x) = staff {
            let value = if x.phone.trim().is_empty() {
                x.name.clone()
            } else {
                format!("{}, {} {}", x.name, t.phone.to_lowercase(), phone(&x.phone))
            };
            push_field(&mut s.body, label, &value);
        }
    }
    push_field(&mut s.body, t.reachable, &c.reachable);
    let unit = p.letterhead.unit;
    if !unit.phone.trim().is_empty() {
        push_field(&mut s.body, t.unit_phone, &unit_phone_line(unit, p.lang));
    }
    push_field(&mut s.body, t.after_hours, &phone(&unit.after_hours_phone));
    section(&mut out, t, 2, t.service, s);

    let mut s = Section::new();
    s.patient_text(may("background"), Some(t.background), &c.background);
    s.patient_text(
        may("matters_patient"),
        Some(t.for_patient),
        &c.matters_patient,
    );
    push_text(&mut s.body, t.for_relative, &c.matters_relative);
    section(&mut out, t, 3, t.matters, s);

    let mut s = Section::new();
    push_text(&mut s.body, t.wishes, &c.relative_does);
    push_text(&mut s.body, t.declines, &c.relative_declines);
    if !s.body.is_empty() {
        s.body.insert(0, Block::Paragraph(t.voluntary.to_string()));
    }
    section(&mut out, t, 4, t.relative_does, s);

    let mut s = Section::new();
    s.patient_text(
        may("service_patient"),
        Some(t.for_patient),
        &c.service_patient,
    );
    push_text(&mut s.body, t.for_relative, &c.service_relative);
    section(&mut out, t, 5, t.service_does, s);

    let mut s = Section::new();
    let means: Vec<&str> = c
        .contact_means
        .iter()
        .map(|m| pick(t.contact_means, m))
        .collect();
    push_field(&mut s.body, t.how, &means.join(", "));
    push_field(&mut s.body, t.how_often, &c.contact_frequency);
    push_field(&mut s.body, t.initiative, &c.contact_initiative);
    if let Some(d) = c
        .next_meeting_on
        .filter(|_| p.standing.announces_evaluation())
    {
        push_field(&mut s.body, t.next_meeting, &date(t, d));
    }
    section(&mut out, t, 6, t.keeping_in_touch, s);

    let mut s = Section::new();
    for (name, scope, topics) in consents_shown(p.recipient, c, p.current_consent) {
        if !matches!(p.recipient, Recipient::Party(_)) {
            s.body.push(Block::Subheading(name));
        }
        match scope.as_str() {
            "full" => s.body.push(Block::Paragraph(t.consent_full.to_string())),
            "limited" => {
                s.body.push(Block::Paragraph(t.consent_limited.to_string()));
                s.body.extend(typed(&topics));
            }
            _ => s.body.push(Block::Paragraph(t.consent_none.to_string())),
        }
    }
    s.body.push(Block::Paragraph(t.journal.to_string()));
    section(&mut out, t, 7, t.sharing, s);

    let mut s = Section::new();
    let measures: Vec<String> = c
        .measures
        .iter()
        .map(|m| {
            let offer = m
                .referral_id
                .and_then(|id| p.offers.iter().find(|o| o.referral_id == id));
            let mut line = offer_name(p.lang, &m.offer, offer).to_string();
            if !m.state.is_empty() {
                line = format!("{line} – {}", pick(t.referral_states, &m.state));
            }
            if let Some(o) = offer {
                let mut reach = Vec::new();
                if !o.phone.trim().is_empty() {
                    reach.push(format!("{} {}", t.phone.to_lowercase(), phone(&o.phone)));
                }
                if !o.hours.trim().is_empty() {
                    reach.push(format!("{} {}", t.offer_hours, hours(&o.hours, p.lang)));
                }
                if !o.web.trim().is_empty() {
                    reach.push(o.web.trim().to_string());
                }
                if !reach.is_empty() {
                    line = format!("{line}. {}", reach.join(", "));
                }
            }
            line
        })
        .collect();
    if !measures.is_empty() {
        s.body.push(Block::Bullets(measures));
    }
    s.body.extend(typed(&c.support_note));
    if !s.body.is_empty() || c.decision_applied {
        push_field(
            &mut s.body,
            t.decision,
            if c.decision_applied { t.yes } else { t.no },
        );
    }
    section(&mut out, t, 8, t.support, s);

    let mut s = Section::new();
    s.body.extend(typed(&c.acute));
    let mut lines = Vec::new();
    if let Some(x) = &c.contact {
        lines.push(if x.phone.trim().is_empty() {
            format!("{}: {}", t.contact_person, x.name)
        } else {
            format!("{}: {}, {}", t.contact_person, x.name, phone(&x.phone))
        });
    }
    if !unit.phone.trim().is_empty() {
        lines.push(format!(
            "{}: {}",
            t.unit_phone,
            unit_phone_line(unit, p.lang)
        ));
    }
    if !unit.after_hours_phone.trim().is_empty() {
        lines.push(format!(
            "{}: {}",
            t.after_hours,
            phone(&unit.after_hours_phone)
        ));
    }
    lines.extend(t.emergency.iter().map(|x| x.to_string()));
    s.body.push(Block::Bullets(lines));
    section(&mut out, t, 9, t.acute, s);

    let mut s = Section::new();
    s.patient_text(may("children"), None, &c.children);
    section(&mut out, t, 10, t.children, s);

    let mut s = Section::new();
    match &p.standing {
        Standing::Ended { on, reason } => {
            push_field(&mut s.body, t.ended_on, &date(t, *on));
            push_field(&mut s.body, t.end_reason, reason);
        }
        Standing::Replaced { .. } => {
            s.body.push(Block::Paragraph(standing_line(t, &p.standing)));
        }
        Standing::Draft | Standing::InForce { .. } => {
            if let Some(d) = c.evaluation_on {
                push_field(&mut s.body, t.next_evaluation, &date(t, d));
            }
            match c.valid_until {
                Some(d) => push_field(&mut s.body, t.valid_until, &date(t, d)),
                None => s.body.push(Block::Paragraph(t.valid_open.to_string())),
            }
        }
    }
    if !p.evaluations.is_empty() {
        s.body.push(Block::Subheading(t.evaluations.to_string()));
        s.body.push(Block::Bullets(
            p.evaluations
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} ({})",
                        date(t, e.on),
                        pick(t.outcomes, &e.outcome),
                        e.by
                    )
                })
                .collect(),
        ));
    }
    section(&mut out, t, 11, t.evaluation, s);

    let mut s = Section::new();
    s.body.push(Block::Paragraph(t.ending.to_string()));
    let signed = |d: Option<NaiveDate>| {
        format!(
            "{}: {}",
            t.date,
            d.map(|d| date(t, d))
                .unwrap_or_else(|| "____________".into())
        )
    };
    for party in &c.parties {
        s.body.push(Block::Signature {
            role: t.signed_relative.to_string(),
            name: party.name.clone(),
            date: signed(p.signatures.relative_on),
        });
    }
    s.body.push(Block::Signature {
        role: t.signed_service.to_string(),
        name: c
            .contact
            .as_ref()
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        date: signed(p.signatures.service_on),
    });
    if p.signatures.patient_on.is_none() && !p.signatures.patient_reason.trim().is_empty() {
        s.body.push(Block::Field(
            format!("{} ({})", t.patient_did_not_sign, c.patient_name),
            p.signatures.patient_reason.trim().to_string(),
        ));
    } else {
        s.body.push(Block::Signature {
            role: t.signed_patient.to_string(),
            name: c.patient_name.clone(),
            date: signed(p.signatures.patient_on),
        });
    }
    section(&mut out, t, 12, t.signatures, s);

    out.push(Block::Heading(t.rights.to_string()));
    let mut rights: Vec<String> = t.rights_items.iter().map(|x| x.to_string()).collect();
    let ombud = if p.letterhead.ombud.trim().is_empty() {
        "pasientogbrukerombudet.no".to_string()
    } else {
        format!("{}, pasientogbrukerombudet.no", p.letterhead.ombud.trim())
    };
    rights.push(t.ombud.replace("{contact}", &ombud));
    if let Some(h) = p.letterhead.helpline.filter(|h| !h.phone.trim().is_empty()) {
        let line = t.helpline.replace("{phone}", &phone(&h.phone)).replace(
            ", {hours}",
            &if h.hours.trim().is_empty() {
                String::new()
            } else {
                format!(", {} {}", t.offer_hours, hours(&h.hours, p.lang))
            },
        );
        rights.push(line);
    }
    out.push(Block::Bullets(rights));
    out
}

/// The letterhead lines: municipality, unit, address, and how to reach the unit.
fn letterhead_lines(t: &Texts, p: &Print<'_>) -> Vec<String> {
    let unit = p.letterhead.unit;
    let mut lines = vec![
        p.letterhead.municipality.to_string(),
        p.content.unit_name.clone(),
    ];
    if !unit.address.trim().is_empty() {
        lines.push(unit.address.trim().to_string());
    }
    let mut reach = Vec::new();
    if !unit.phone.trim().is_empty() {
        reach.push(format!("{} {}", t.phone, unit_phone_line(unit, p.lang)));
    }
    if !unit.after_hours_phone.trim().is_empty() {
        reach.push(format!(
            "{}: {}",
            t.after_hours,
            phone(&unit.after_hours_phone)
        ));
    }
    if !reach.is_empty() {
        lines.push(reach.join(" · "));
    }
    lines
}

pub fn pdf(p: &Print<'_>) -> Vec<u8> {
    let t = Texts::of(p.lang);
    let blocks = blocks(p);
    let today = oslo_date(p.now);
    let footer = if p.standing.shows_document_id() {
        t.footer.replace("{id}", p.document_id)
    } else {
        t.footer_draft.to_string()
    }
    .replace("{version}", &p.version.to_string())
    .replace("{date}", &date(t, today));
    let header = letterhead_lines(t, p);
    let status = vec![standing_line(t, &p.standing), recipient_line(t, p)];
    let frame = Frame {
        header: &header,
        status: &status,
        footer: &footer,
        page_label: t.page_label,
        language: p.lang.tag(),
        logo: p.letterhead.logo,
    };
    let title = if p.standing.shows_document_id() {
        format!("{} {}", t.title, p.document_id)
    } else {
        format!("{} – {}", t.title, t.draft)
    };
    let names: Vec<&str> = p.content.parties.iter().map(|x| x.name.as_str()).collect();
    let subject = format!(
        "{} {}. {}. {}.",
        t.subject,
        names.join(", "),
        standing_line(t, &p.standing),
        recipient_line(t, p)
    );
    let author = format!("{}, {}", p.letterhead.municipality, p.content.unit_name);
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
            }
        }

        fn text(&self, recipient: Recipient, standing: Standing, lang: Language) -> String {
            // Debug escapes the no-break space; the assertions name it as a character.
            format!("{:?}", blocks(&self.print(recipient, standing, lang)))
                .replace("\\u{a0}", "\u{a0}")
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
}
