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
    /// The relative's own feedback address (a party's copy of an agreement in force).
    pub feedback: Option<String>,
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
    let how_often = match c.contact_rhythm {
        Some(r) if c.contact_frequency.is_empty() => r.label(p.lang).to_string(),
        Some(r) => format!("{}. {}", r.label(p.lang), c.contact_frequency),
        None => c.contact_frequency.clone(),
    };
    push_field(&mut s.body, t.how_often, &how_often);
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
    if let Some(url) = &p.feedback {
        out.extend(super::feedback::blocks(url, p.lang));
    }
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
mod tests;
