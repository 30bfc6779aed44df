//! The invitation to a first conversation (or any planned meeting), as a letter to one
//! relative in their language: when and where, what the conversation is for, that taking
//! part is voluntary, who to call, and what they may want to think about beforehand.

use super::layout::Block;
use crate::domain::agreement::translate::hours;
use crate::domain::agreement::Language;
use crate::domain::dates::format_date;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// What the letter says, from the record.
pub struct Invitation<'a> {
    pub relative: &'a str,
    pub patient: &'a str,
    pub first: bool,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub place: &'a str,
    pub unit: &'a str,
    /// The worker who invites, and their phone (may be empty).
    pub from: &'a str,
    pub from_phone: &'a str,
    pub unit_phone: &'a str,
    pub unit_hours: &'a str,
    pub lang: Language,
    /// The relative's own feedback address, when they are party to an agreement in force.
    pub feedback: Option<String>,
}

struct Words {
    title_first: &'static str,
    title: &'static str,
    to: &'static str,
    intro_first: &'static str,
    intro: &'static str,
    when: &'static str,
    time: &'static str,
    place: &'static str,
    place_unknown: &'static str,
    voluntary: &'static str,
    think: &'static str,
    points: [&'static str; 5],
    call: &'static str,
    unit_phone: &'static str,
    contact: &'static str,
    closing: &'static str,
    footer: &'static str,
    page_label: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Bokmal => Words {
            title_first: "Invitasjon til en første samtale",
            title: "Invitasjon til samtale",
            to: "Til",
            intro_first: "Vi vil gjerne snakke med deg som er pårørende til {patient}. I samtalen blir vi kjent, vi hører hvordan du har det og hva du gjør for {patient}, og vi forteller om dine rettigheter og om tilbudene som finnes for pårørende.",
            intro: "Vi vil gjerne snakke med deg som er pårørende til {patient}, om samarbeidet og om hvordan du har det.",
            when: "Dato",
            time: "Klokkeslett",
            place: "Sted",
            place_unknown: "Vi avtaler stedet med deg.",
            voluntary: "Det er frivillig å delta, og du bestemmer selv hva du vil fortelle. Passer ikke tidspunktet, kan du ringe oss og avtale et annet. Det du forteller oss, blir skrevet i pasientens journal, og pasienten kan normalt lese det.",
            think: "Før samtalen kan du tenke på",
            points: [
                "hva som er viktig for deg",
                "hva du kan og vil gjøre for {patient}, og hva du ikke kan eller ikke vil gjøre",
                "hva du trenger å vite mer om",
                "om du trenger avlastning, opplæring eller noen å snakke med",
                "om det er barn eller unge under 18 år i familien som vi bør vite om",
            ],
            call: "Hvem du kan ringe",
            unit_phone: "Telefon",
            contact: "Kontakt",
            closing: "Vennlig hilsen",
            footer: "Invitasjon skrevet ut {date}",
            page_label: "Side {page} av {pages}",
        },
        Language::Nynorsk => Words {
            title_first: "Invitasjon til ein første samtale",
            title: "Invitasjon til samtale",
            to: "Til",
            intro_first: "Vi vil gjerne snakke med deg som er pårørande til {patient}. I samtalen blir vi kjende, vi høyrer korleis du har det og kva du gjer for {patient}, og vi fortel om rettane dine og om tilboda som finst for pårørande.",
            intro: "Vi vil gjerne snakke med deg som er pårørande til {patient}, om samarbeidet og om korleis du har det.",
            when: "Dato",
            time: "Klokkeslett",
            place: "Stad",
            place_unknown: "Vi avtaler staden med deg.",
            voluntary: "Det er frivillig å delta, og du bestemmer sjølv kva du vil fortelje. Passar ikkje tidspunktet, kan du ringje oss og avtale eit anna. Det du fortel oss, blir skrive i journalen til pasienten, og pasienten kan normalt lese det.",
            think: "Før samtalen kan du tenkje på",
            points: [
                "kva som er viktig for deg",
                "kva du kan og vil gjere for {patient}, og kva du ikkje kan eller ikkje vil gjere",
                "kva du treng å vite meir om",
                "om du treng avlasting, opplæring eller nokon å snakke med",
                "om det er barn eller unge under 18 år i familien som vi bør vite om",
            ],
            call: "Kven du kan ringje",
            unit_phone: "Telefon",
            contact: "Kontakt",
            closing: "Venleg helsing",
            footer: "Invitasjon skriven ut {date}",
            page_label: "Side {page} av {pages}",
        },
        Language::English => Words {
            title_first: "Invitation to a first conversation",
            title: "Invitation to a conversation",
            to: "To",
            intro_first: "We would like to talk with you as a relative of {patient}. In the conversation we get to know each other, we listen to how you are and what you do for {patient}, and we tell you about your rights and the support available to relatives.",
            intro: "We would like to talk with you as a relative of {patient}, about how we work together and how you are.",
            when: "Date",
            time: "Time",
            place: "Place",
            place_unknown: "We will agree on the place with you.",
            voluntary: "Taking part is voluntary, and you decide what you want to tell us. If the time does not suit you, call us to agree on another. What you tell us is written in the patient's record, and the patient can normally read it.",
            think: "Before the conversation you may want to think about",
            points: [
                "what matters to you",
                "what you can and want to do for {patient}, and what you cannot or do not want to do",
                "what you would like to know more about",
                "whether you need respite, training or someone to talk to",
                "whether there are children or young people under 18 in the family we should know about",
            ],
            call: "Who to call",
            unit_phone: "Phone",
            contact: "Contact",
            closing: "Kind regards",
            footer: "Invitation printed {date}",
            page_label: "Page {page} of {pages}",
        },
    }
}

/// The letter's blocks.
pub fn blocks(i: &Invitation<'_>) -> Vec<Block> {
    let w = words(i.lang);
    let name = |s: &str| s.replace("{patient}", i.patient);
    let mut out = vec![
        Block::Title(if i.first { w.title_first } else { w.title }.to_string()),
        Block::Field(w.to.to_string(), i.relative.to_string()),
        Block::Paragraph(name(if i.first { w.intro_first } else { w.intro })),
        Block::Field(w.when.to_string(), format_date(i.date)),
        Block::Field(w.time.to_string(), i.time.format("%H:%M").to_string()),
        Block::Field(
            w.place.to_string(),
            if i.place.trim().is_empty() {
                w.place_unknown.to_string()
            } else {
                i.place.to_string()
            },
        ),
        Block::Paragraph(w.voluntary.to_string()),
        Block::Heading(w.think.to_string()),
        Block::Bullets(w.points.iter().map(|p| name(p)).collect()),
        Block::Heading(w.call.to_string()),
    ];
    let contact = if i.from_phone.is_empty() {
        i.from.to_string()
    } else {
        format!("{}, {}", i.from, i.from_phone)
    };
    out.push(Block::Field(w.contact.to_string(), contact));
    if !i.unit_phone.is_empty() {
        let phone = i.unit_phone;
        let value = if i.unit_hours.is_empty() {
            format!("{} ({phone})", i.unit)
        } else {
            format!("{} ({phone}, {})", i.unit, hours(i.unit_hours, i.lang))
        };
        out.push(Block::Field(w.unit_phone.to_string(), value));
    }
    out.push(Block::Paragraph(format!(
        "{}\n{}\n{}",
        w.closing, i.from, i.unit
    )));
    if let Some(url) = &i.feedback {
        out.extend(super::feedback::blocks(url, i.lang));
    }
    out
}

pub fn pdf(
    i: &Invitation<'_>,
    letterhead: &[String],
    logo: Option<&super::LogoImage>,
    now: DateTime<Utc>,
) -> Vec<u8> {
    let w = words(i.lang);
    let footer = w
        .footer
        .replace("{date}", &format_date(crate::domain::dates::oslo_date(now)));
    let title = format!(
        "{} – {}",
        if i.first { w.title_first } else { w.title },
        i.relative
    );
    super::letter(
        &blocks(i),
        &super::Letter {
            title: &title,
            subject: w.title,
            footer: &footer,
            page_label: w.page_label,
            lang: i.lang,
            letterhead,
            logo,
            now,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(lang: Language) -> Invitation<'static> {
        Invitation {
            relative: "Kari Nordmann",
            patient: "Per Nordmann",
            first: true,
            date: NaiveDate::from_ymd_opt(2027, 3, 4).unwrap(),
            time: NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            place: "",
            unit: "Hjemmetjenesten Frogner nord",
            from: "Anne Hansen",
            from_phone: "+47 91 23 45 67",
            unit_phone: "+47 23 48 00 00",
            unit_hours: "hverdager kl. 08–15",
            lang,
            feedback: None,
        }
    }

    #[test]
    fn the_letter_says_when_where_why_and_who_to_call_in_each_language() {
        let b = blocks(&invitation(Language::Bokmal));
        assert_eq!(
            b[0],
            Block::Title("Invitasjon til en første samtale".into())
        );
        assert!(b.contains(&Block::Field("Dato".into(), "04.03.2027".into())));
        assert!(b.contains(&Block::Field("Klokkeslett".into(), "13:30".into())));
        assert!(b.contains(&Block::Field(
            "Sted".into(),
            "Vi avtaler stedet med deg.".into()
        )));
        assert!(b.iter().any(
            |x| matches!(x, Block::Paragraph(p) if p.starts_with("Det er frivillig å delta"))
        ));
        let nn = blocks(&invitation(Language::Nynorsk));
        assert!(nn.iter().any(|x| matches!(x, Block::Bullets(l) if l[1] == "kva du kan og vil gjere for Per Nordmann, og kva du ikkje kan eller ikkje vil gjere")));
        let en = blocks(&invitation(Language::English));
        assert_eq!(
            en[0],
            Block::Title("Invitation to a first conversation".into())
        );
        assert!(en.iter().any(|x| matches!(x, Block::Field(k, v) if k == "Phone" && v.starts_with("Hjemmetjenesten Frogner nord (+47"))));
    }
}
