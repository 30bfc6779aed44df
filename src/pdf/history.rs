//! The printed access history a patient may ask for: who read or changed what, by name and
//! role, as a table in bokmål, nynorsk or English.

use super::layout::{Block, Frame};
use super::Meta;
use crate::domain::agreement::Language;
use crate::domain::dates::{format_date, format_datetime, oslo_date};
use chrono::{DateTime, Utc};

/// One entry as the history shows it: codes, turned into words per language.
pub struct Entry {
    pub at: DateTime<Utc>,
    /// The person's name, or the username when the account no longer exists.
    pub who: String,
    /// "worker", "manager", "admin", or empty when unknown.
    pub role: String,
    /// "view", "update", … ; "listed" and "exported" for a list or an export that included
    /// the patient.
    pub action: String,
    pub entity: String,
}

struct Words {
    title: &'static str,
    patient: &'static str,
    printed: &'static str,
    intro: &'static str,
    columns: [&'static str; 4],
    empty: &'static str,
    footer: &'static str,
    page_label: &'static str,
    roles: &'static [(&'static str, &'static str)],
    actions: &'static [(&'static str, &'static str)],
    entities: &'static [(&'static str, &'static str)],
    other: &'static str,
}

static NB: Words = Words {
    title: "Hvem har lest journalen din",
    patient: "Pasient",
    printed: "Utskrift",
    intro: "Listen viser hver gang ansatte i kommunen har lest, endret, skrevet ut eller eksportert opplysninger om deg i Samspill, nyeste først. Spør kontaktpersonen din hvis noe ser feil ut.",
    columns: ["Tidspunkt", "Hvem", "Hva ble gjort", "Opplysninger"],
    empty: "Ingen har lest eller endret opplysninger om deg ennå.",
    footer: "Tilgangshistorikk · Utskrift {date}",
    page_label: "Side {page} av {pages}",
    roles: &[
        ("worker", "helsepersonell"),
        ("manager", "leder"),
        ("admin", "administrator"),
    ],
    actions: &[
        ("view", "Lest"),
        ("create", "Registrert"),
        ("update", "Endret"),
        ("archive", "Arkivert"),
        ("print", "Skrevet ut"),
        ("export", "Eksportert"),
        ("delete", "Slettet"),
        ("refused", "Forsøkt lest, avvist"),
        ("listed", "Vist i en liste"),
        ("exported", "Med i en eksport"),
    ],
    entities: &[
        ("patient", "Pasientopplysninger"),
        ("relative", "Pårørende"),
        ("consent", "Samtykke"),
        ("mapping", "Kartlegging av pårørende"),
        ("meeting", "Møte"),
        ("agreement", "Pårørendeavtale"),
        ("followup", "Oppfølging"),
        ("child_followup", "Oppfølging av barn som pårørende"),
        ("referral", "Henvisning til tilbud"),
        ("identify_outcome", "Kartlegging av hvem som er pårørende"),
        ("access_history", "Tilgangshistorikk"),
        ("patient_list", "Pasientliste"),
        ("followup_list", "Oppfølgingsliste"),
        ("dashboard", "Oversikt for ledere"),
        ("oversight", "Oversikt for ledere"),
        ("export", "Eksport"),
    ],
    other: "Andre opplysninger",
};

static NN: Words = Words {
    title: "Kven har lese journalen din",
    patient: "Pasient",
    printed: "Utskrift",
    intro: "Lista viser kvar gong tilsette i kommunen har lese, endra, skrive ut eller eksportert opplysningar om deg i Samspill, nyaste først. Spør kontaktpersonen din dersom noko ser feil ut.",
    columns: ["Tidspunkt", "Kven", "Kva vart gjort", "Opplysningar"],
    empty: "Ingen har lese eller endra opplysningar om deg enno.",
    footer: "Tilgangshistorikk · Utskrift {date}",
    page_label: "Side {page} av {pages}",
    roles: &[
        ("worker", "helsepersonell"),
        ("manager", "leiar"),
        ("admin", "administrator"),
    ],
    actions: &[
        ("view", "Lese"),
        ("create", "Registrert"),
        ("update", "Endra"),
        ("archive", "Arkivert"),
        ("print", "Skrive ut"),
        ("export", "Eksportert"),
        ("delete", "Sletta"),
        ("refused", "Forsøkt lese, avvist"),
        ("listed", "Vist i ei liste"),
        ("exported", "Med i ein eksport"),
    ],
    entities: &[
        ("patient", "Pasientopplysningar"),
        ("relative", "Pårørande"),
        ("consent", "Samtykke"),
        ("mapping", "Kartlegging av pårørande"),
        ("meeting", "Møte"),
        ("agreement", "Pårørandeavtale"),
        ("followup", "Oppfølging"),
        ("child_followup", "Oppfølging av barn som pårørande"),
        ("referral", "Tilvising til tilbod"),
        ("identify_outcome", "Kartlegging av kven som er pårørande"),
        ("access_history", "Tilgangshistorikk"),
        ("patient_list", "Pasientliste"),
        ("followup_list", "Oppfølgingsliste"),
        ("dashboard", "Oversikt for leiarar"),
        ("oversight", "Oversikt for leiarar"),
        ("export", "Eksport"),
    ],
    other: "Andre opplysningar",
};

static EN: Words = Words {
    title: "Who has read your record",
    patient: "Patient",
    printed: "Printed",
    intro: "The list shows every time municipal staff read, changed, printed or exported information about you in Samspill, newest first. Ask your contact person if anything looks wrong.",
    columns: ["Time", "Who", "What was done", "Information"],
    empty: "Nobody has read or changed information about you yet.",
    footer: "Access history · Printed {date}",
    page_label: "Page {page} of {pages}",
    roles: &[
        ("worker", "health worker"),
        ("manager", "manager"),
        ("admin", "administrator"),
    ],
    actions: &[
        ("view", "Read"),
        ("create", "Registered"),
        ("update", "Changed"),
        ("archive", "Archived"),
        ("print", "Printed"),
        ("export", "Exported"),
        ("delete", "Deleted"),
        ("refused", "Attempted to read, refused"),
        ("listed", "Shown in a list"),
        ("exported", "Included in an export"),
    ],
    entities: &[
        ("patient", "Patient information"),
        ("relative", "Relatives"),
        ("consent", "Consent"),
        ("mapping", "Relative's situation"),
        ("meeting", "Meeting"),
        ("agreement", "Relatives' agreement"),
        ("followup", "Follow-up"),
        ("child_followup", "Follow-up of children as relatives"),
        ("referral", "Referral to an offer"),
        ("identify_outcome", "Who the relatives are"),
        ("access_history", "Access history"),
        ("patient_list", "Patient list"),
        ("followup_list", "Follow-up list"),
        ("dashboard", "Managers' overview"),
        ("oversight", "Managers' overview"),
        ("export", "Export"),
    ],
    other: "Other information",
};

fn words(lang: Language) -> &'static Words {
    match lang {
        Language::Bokmal => &NB,
        Language::Nynorsk => &NN,
        Language::English => &EN,
    }
}

fn find(list: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    list.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// An entry's row in words: time, who (with role), what was done, which information.
pub fn row(e: &Entry, lang: Language) -> [String; 4] {
    let w = words(lang);
    let who = match find(w.roles, &e.role) {
        Some(role) => format!("{} ({role})", e.who),
        None => e.who.clone(),
    };
    [
        format_datetime(e.at),
        who,
        find(w.actions, &e.action).unwrap_or(w.other).to_string(),
        find(w.entities, &e.entity).unwrap_or(w.other).to_string(),
    ]
}

/// The print's blocks.
pub fn blocks(patient: &str, entries: &[Entry], now: DateTime<Utc>, lang: Language) -> Vec<Block> {
    let w = words(lang);
    let mut out = vec![
        Block::Title(w.title.to_string()),
        Block::Field(w.patient.to_string(), patient.to_string()),
        Block::Field(w.printed.to_string(), format_datetime(now)),
        Block::Paragraph(w.intro.to_string()),
    ];
    if entries.is_empty() {
        out.push(Block::Paragraph(w.empty.to_string()));
    } else {
        out.push(Block::Table {
            header: w.columns.iter().map(|c| c.to_string()).collect(),
            rows: entries.iter().map(|e| row(e, lang).to_vec()).collect(),
            widths: vec![0.23, 0.33, 0.2, 0.24],
        });
    }
    out
}

/// The printed history, with the municipality and unit on every page.
pub fn pdf(
    patient: &str,
    entries: &[Entry],
    letterhead: &[String],
    logo: Option<&super::LogoImage>,
    now: DateTime<Utc>,
    lang: Language,
) -> Vec<u8> {
    let w = words(lang);
    let footer = w.footer.replace("{date}", &format_date(oslo_date(now)));
    let frame = Frame {
        header: letterhead,
        status: &[],
        footer: &footer,
        page_label: w.page_label,
        language: lang.tag(),
        logo,
    };
    let title = format!("{} – {patient}", w.title);
    let author = letterhead.join(", ");
    super::render(
        &blocks(patient, entries, now, lang),
        &frame,
        &Meta {
            title: &title,
            author: &author,
            subject: w.title,
            language: lang.tag(),
            created: now,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(who: &str, role: &str, action: &str, entity: &str) -> Entry {
        Entry {
            at: DateTime::parse_from_rfc3339("2026-11-23T10:05:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
            who: who.into(),
            role: role.into(),
            action: action.into(),
            entity: entity.into(),
        }
    }

    #[test]
    fn rows_name_people_and_roles_and_never_show_codes() {
        let e = entry("Kari Nordmann", "worker", "print", "agreement");
        assert_eq!(
            row(&e, Language::Bokmal),
            [
                "23.11.2026 11:05".to_string(),
                "Kari Nordmann (helsepersonell)".into(),
                "Skrevet ut".into(),
                "Pårørendeavtale".into()
            ]
        );
        assert_eq!(row(&e, Language::Nynorsk)[3], "Pårørandeavtale");
        assert_eq!(row(&e, Language::English)[2], "Printed");
        let odd = entry("ukjent", "", "something", "whatever");
        assert_eq!(
            row(&odd, Language::Bokmal)[2..],
            ["Andre opplysninger", "Andre opplysninger"]
        );
    }

    #[test]
    fn the_print_says_utskrift_and_is_a_table() {
        let entries = [entry("Kari Nordmann", "manager", "view", "patient")];
        let now = entries[0].at;
        let b = blocks("Per", &entries, now, Language::Bokmal);
        assert!(b.contains(&Block::Field("Utskrift".into(), "23.11.2026 11:05".into())));
        assert!(matches!(b.last(), Some(Block::Table { rows, .. }) if rows.len() == 1));
        let text = format!("{b:?}");
        assert!(!text.contains("Utskrevet") && !text.contains("(patient)"));
    }
}
