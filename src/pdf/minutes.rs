//! A meeting's minutes as a letter to a relative who took part, in their language, within
//! the consent the patient gave that relative (`domain::meeting::minutes_may_print`).

use super::layout::Block;
use crate::domain::agreement::Language;
use crate::domain::dates::format_date;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

pub struct Minutes<'a> {
    pub relative: &'a str,
    pub patient: &'a str,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub place: &'a str,
    /// The relatives and staff who took part.
    pub participants: &'a [String],
    /// The minutes, or None when the relative's consent does not cover them.
    pub text: Option<&'a str>,
    /// The next steps agreed, as (what, due date).
    pub next: &'a [(String, NaiveDate)],
    pub unit: &'a str,
    pub lang: Language,
}

struct Words {
    title: &'static str,
    to: &'static str,
    patient: &'static str,
    when: &'static str,
    place: &'static str,
    present: &'static str,
    minutes: &'static str,
    withheld: &'static str,
    next: &'static str,
    none: &'static str,
    due: &'static str,
    footer: &'static str,
    page_label: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Bokmal => Words {
            title: "Referat fra møte",
            to: "Til",
            patient: "Pasient",
            when: "Tid",
            place: "Sted",
            present: "Til stede",
            minutes: "Referat",
            withheld: "Referatet inneholder opplysninger om pasienten. Pasienten har ikke samtykket til at du får slike opplysninger, så de står ikke her. Spør kontaktpersonen om det som gjelder deg.",
            next: "Avtalt videre",
            none: "Ingenting avtalt.",
            due: "innen",
            footer: "Referat skrevet ut {date}",
            page_label: "Side {page} av {pages}",
        },
        Language::Nynorsk => Words {
            title: "Referat frå møte",
            to: "Til",
            patient: "Pasient",
            when: "Tid",
            place: "Stad",
            present: "Til stades",
            minutes: "Referat",
            withheld: "Referatet inneheld opplysningar om pasienten. Pasienten har ikkje samtykt til at du får slike opplysningar, så dei står ikkje her. Spør kontaktpersonen om det som gjeld deg.",
            next: "Avtalt vidare",
            none: "Ingenting avtalt.",
            due: "innan",
            footer: "Referat skrive ut {date}",
            page_label: "Side {page} av {pages}",
        },
        Language::English => Words {
            title: "Minutes of a meeting",
            to: "To",
            patient: "Patient",
            when: "Time",
            place: "Place",
            present: "Present",
            minutes: "Minutes",
            withheld: "The minutes contain information about the patient. The patient has not consented to you receiving such information, so it is left out here. Ask the contact person about what concerns you.",
            next: "Agreed next",
            none: "Nothing agreed.",
            due: "by",
            footer: "Minutes printed {date}",
            page_label: "Page {page} of {pages}",
        },
    }
}

pub fn blocks(m: &Minutes<'_>) -> Vec<Block> {
    let w = words(m.lang);
    let mut out = vec![
        Block::Title(w.title.to_string()),
        Block::Field(w.to.to_string(), m.relative.to_string()),
        Block::Field(w.patient.to_string(), m.patient.to_string()),
        Block::Field(
            w.when.to_string(),
            format!("{} {}", format_date(m.date), m.time.format("%H:%M")),
        ),
    ];
    if !m.place.trim().is_empty() {
        out.push(Block::Field(w.place.to_string(), m.place.to_string()));
    }
    out.push(Block::Field(
        w.present.to_string(),
        m.participants.join(", "),
    ));
    out.push(Block::Heading(w.minutes.to_string()));
    // What was agreed next is about the patient too: it goes with the minutes.
    let Some(text) = m.text else {
        out.push(Block::Paragraph(w.withheld.to_string()));
        return out;
    };
    out.extend(super::agreement::typed(text));
    out.push(Block::Heading(w.next.to_string()));
    if m.next.is_empty() {
        out.push(Block::Paragraph(w.none.to_string()));
    } else {
        out.push(Block::Bullets(
            m.next
                .iter()
                .map(|(what, due)| format!("{what} ({} {})", w.due, format_date(*due)))
                .collect(),
        ));
    }
    out
}

pub fn pdf(
    m: &Minutes<'_>,
    letterhead: &[String],
    logo: Option<&super::LogoImage>,
    now: DateTime<Utc>,
) -> Vec<u8> {
    let w = words(m.lang);
    let footer = w
        .footer
        .replace("{date}", &format_date(crate::domain::dates::oslo_date(now)));
    let title = format!("{} – {}", w.title, m.relative);
    super::letter(
        &blocks(m),
        &super::Letter {
            title: &title,
            subject: w.title,
            footer: &footer,
            page_label: w.page_label,
            lang: m.lang,
            letterhead,
            logo,
            now,
        },
    )
}
