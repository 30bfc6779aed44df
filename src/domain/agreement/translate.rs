//! The pre-filled texts of an agreement in nynorsk and English. The pre-fill writes bokmål
//! into the form (the worker edits it with the relative); a printed copy in another language
//! carries each line the pre-fill wrote, unchanged by the worker, in that language. A line
//! the worker typed or changed is printed as typed.

use super::prefill::{
    CHILD_FOLLOWUP_MISSING, DEFAULT_FREQUENCY, DEFAULT_INITIATIVE, DEFAULT_REACHABLE,
};
use super::{Content, Language};
use crate::domain::choices::{self, Choices};

/// Per language: (bokmål, nynorsk, English).
type Triple = (&'static str, &'static str, &'static str);

const DEFAULTS: &[Triple] = &[
    (
        DEFAULT_REACHABLE,
        "Kvardagar kl. 08.00–15.30",
        "Weekdays 08:00–15:30",
    ),
    (
        DEFAULT_FREQUENCY,
        "Minst kvar tredje månad, og elles ved behov",
        "At least every third month, and otherwise when needed",
    ),
    (DEFAULT_INITIATIVE, "Kontaktpersonen", "The contact person"),
];

const CARE_TASKS: &[Triple] = &[
    (
        "practical",
        "Praktisk hjelp i heimen",
        "Practical help at home",
    ),
    ("personal", "Personleg stell", "Personal care"),
    ("medicines", "Legemiddel", "Medicines"),
    (
        "finances",
        "Økonomi og papirarbeid",
        "Finances and paperwork",
    ),
    (
        "transport",
        "Transport og følgje til avtalar",
        "Transport and company to appointments",
    ),
    ("supervision", "Tilsyn", "Supervision"),
    ("emotional", "Kjenslemessig støtte", "Emotional support"),
    (
        "coordination",
        "Koordinering av tenester",
        "Coordination of services",
    ),
];

const CHILD_INFORMED: &[Triple] = &[
    (
        "yes",
        "ja, tilpassa alderen til barnet",
        "yes, suited to the child's age",
    ),
    ("partly", "delvis", "partly"),
    ("no", "nei, ikkje enno", "no, not yet"),
];

const CHILD_SERVICES: &[Triple] = &[
    ("helsestasjon", "Helsestasjon", "Child health clinic"),
    ("skole", "Skule eller barnehage", "School or kindergarten"),
    ("bti", "BTI-koordinator", "BTI coordinator"),
    (
        "bup",
        "BUP eller anna spesialisthelseteneste",
        "Child and adolescent mental health services or other specialist health services",
    ),
    ("barnevern", "Barnevernstenesta", "Child welfare services"),
];

const RELATIONS: &[Triple] = &[
    (
        "spouse",
        "ektefelle, registrert partnar eller sambuar",
        "spouse, registered partner or cohabitant",
    ),
    ("child", "barn", "child"),
    ("parent", "forelder", "parent"),
    ("sibling", "sysken", "sibling"),
    ("grandparent", "besteforelder", "grandparent"),
    ("grandchild", "barnebarn", "grandchild"),
    ("family", "anna familie", "other family"),
    ("friend", "ven", "friend"),
    ("neighbour", "nabo", "neighbour"),
    ("colleague", "kollega", "colleague"),
    ("other", "anna", "other"),
];

fn pick(t: &Triple, lang: Language) -> &'static str {
    match lang {
        Language::Bokmal => t.0,
        Language::Nynorsk => t.1,
        Language::English => t.2,
    }
}

/// The translation of a bokmål label of `list` (compared without case), by its key.
fn label(list: Choices, table: &[Triple], nb: &str, lang: Language) -> Option<&'static str> {
    let nb = nb.to_lowercase();
    let key = list.iter().find(|(_, l)| l.to_lowercase() == nb)?.0;
    table.iter().find(|t| t.0 == key).map(|t| pick(t, lang))
}

/// A list of labels joined by ", ", each translated, or None when one is not a label.
fn labels(list: Choices, table: &[Triple], joined: &str, lang: Language) -> Option<String> {
    let mut out = Vec::new();
    let mut rest = joined;
    // Labels may contain ", " themselves (a relation): take the longest label that fits.
    while !rest.is_empty() {
        let (nb, translated) = list
            .iter()
            .filter(|(_, l)| rest.to_lowercase().starts_with(&l.to_lowercase()))
            .max_by_key(|(_, l)| l.len())
            .and_then(|(_, l)| label(list, table, l, lang).map(|t| (*l, t)))?;
        out.push(translated);
        rest = rest[nb.len()..]
            .strip_prefix(", ")
            .unwrap_or(&rest[nb.len()..]);
    }
    Some(out.join(", "))
}

struct Frames {
    hours: &'static str,
    child_missing: &'static str,
    child_recorded: &'static str,
    informed: &'static str,
    followed_by: &'static str,
    cooperation: &'static str,
}

const NN: Frames = Frames {
    hours: "(om lag {n} timar i veka).",
    child_missing: "oppfølging etter helsepersonellova § 10 a er ikkje registrert enno",
    child_recorded: "oppfølging etter helsepersonellova § 10 a er registrert",
    informed: "informert",
    followed_by: "blir følgd opp av",
    cooperation: "samarbeid med",
};

const EN: Frames = Frames {
    hours: "(about {n} hours a week).",
    child_missing: "follow-up under the Health Personnel Act § 10 a is not recorded yet",
    child_recorded: "follow-up under the Health Personnel Act § 10 a is recorded",
    informed: "informed",
    followed_by: "followed up by",
    cooperation: "cooperation with",
};

/// "Name (relation)" with the relation translated.
fn who(text: &str, lang: Language) -> Option<String> {
    let open = text.rfind(" (")?;
    let relation = text[open + 2..].strip_suffix(')')?;
    let translated = label(choices::RELATIONS, RELATIONS, relation, lang)?;
    Some(format!("{} ({translated})", &text[..open]))
}

fn care_tasks_line(line: &str, lang: Language, f: &Frames) -> Option<String> {
    let body = line.strip_suffix(" timer i uka).")?;
    let open = body.rfind(" (om lag ")?;
    let hours = &body[open + " (om lag ".len()..];
    hours.parse::<u32>().ok()?;
    let (prefix, tasks) = match body[..open].split_once(": ") {
        Some((name, tasks)) => (format!("{name}: "), tasks),
        None => (String::new(), &body[..open]),
    };
    let tasks = labels(choices::CARE_TASKS, CARE_TASKS, tasks, lang)?;
    Some(format!("{prefix}{tasks} {}", f.hours.replace("{n}", hours)))
}

fn child_line(line: &str, lang: Language, f: &Frames) -> Option<String> {
    let (person, rest) = line.split_once("): ")?;
    let person = who(&format!("{person})"), lang)?;
    if rest == format!("{CHILD_FOLLOWUP_MISSING}.") {
        return Some(format!("{person}: {}.", f.child_missing));
    }
    let parts = rest
        .strip_prefix("oppfølging etter helsepersonelloven § 10 a er registrert – ")?
        .strip_suffix('.')?;
    let mut out = Vec::new();
    for part in parts.split("; ") {
        if let Some(x) = part.strip_prefix("informert: ") {
            let informed = label(choices::CHILD_INFORMED, CHILD_INFORMED, x, lang)?;
            out.push(format!("{}: {informed}", f.informed));
        } else if let Some(x) = part.strip_prefix("følges opp av ") {
            out.push(format!("{} {x}", f.followed_by));
        } else if let Some(x) = part.strip_prefix("samarbeid med ") {
            let services = labels(choices::CHILD_SERVICES, CHILD_SERVICES, x, lang)?;
            out.push(format!("{} {services}", f.cooperation));
        } else {
            return None;
        }
    }
    Some(format!(
        "{person}: {} – {}.",
        f.child_recorded,
        out.join("; ")
    ))
}

/// One line of an agreement's text in `lang`: the translation when the pre-fill wrote it,
/// else the line as typed.
pub fn line(line: &str, lang: Language) -> String {
    let frames = match lang {
        Language::Bokmal => return line.to_string(),
        Language::Nynorsk => &NN,
        Language::English => &EN,
    };
    if let Some(t) = DEFAULTS.iter().find(|t| t.0 == line.trim()) {
        return pick(t, lang).to_string();
    }
    care_tasks_line(line, lang, frames)
        .or_else(|| child_line(line, lang, frames))
        .unwrap_or_else(|| line.to_string())
}

/// A text of several lines in `lang`, line by line.
pub fn text(value: &str, lang: Language) -> String {
    value
        .lines()
        .map(|l| line(l, lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Opening hours as administrators write them ("hverdager kl. 08.00–15.30", "mandag–fredag
/// kl. 10–15", "døgnet rundt") in `lang`: the day words and "kl." are translated, the times
/// kept.
pub fn hours(text: &str, lang: Language) -> String {
    const WORDS: &[Triple] = &[
        ("hverdager", "kvardagar", "weekdays"),
        ("helger", "helgar", "weekends"),
        ("helg", "helg", "weekend"),
        ("mandag", "måndag", "Monday"),
        ("tirsdag", "tysdag", "Tuesday"),
        ("onsdag", "onsdag", "Wednesday"),
        ("torsdag", "torsdag", "Thursday"),
        ("fredag", "fredag", "Friday"),
        ("lørdag", "laurdag", "Saturday"),
        ("søndag", "sundag", "Sunday"),
        ("døgnet rundt", "døgeret rundt", "around the clock"),
        ("og", "og", "and"),
        ("kl.", "kl.", ""),
    ];
    if lang == Language::Bokmal {
        return text.to_string();
    }
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let lower = rest.to_lowercase();
        let word = WORDS.iter().find(|w| {
            lower.starts_with(w.0) && !lower[w.0.len()..].starts_with(|c: char| c.is_alphabetic())
        });
        let (piece, len) = match word {
            Some(w) => {
                let capital = rest.starts_with(|c: char| c.is_uppercase());
                let t = pick(w, lang);
                let t = if capital {
                    let mut c = t.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                } else {
                    t.to_string()
                };
                (t, w.0.len())
            }
            None => {
                let end = rest
                    .char_indices()
                    .find(|(_, c)| !c.is_alphabetic() && *c != '.')
                    .map(|(i, c)| if i == 0 { c.len_utf8() } else { i })
                    .unwrap_or(rest.len());
                (rest[..end].to_string(), end)
            }
        };
        out.push(piece);
        rest = &rest[len..];
    }
    out.concat()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A version's contents with every pre-filled line in `lang`.
pub fn content(c: &Content, lang: Language) -> Content {
    if lang == Language::Bokmal {
        return c.clone();
    }
    let mut out = c.clone();
    for field in [
        &mut out.reachable,
        &mut out.background,
        &mut out.matters_patient,
        &mut out.matters_relative,
        &mut out.relative_does,
        &mut out.relative_declines,
        &mut out.service_patient,
        &mut out.service_relative,
        &mut out.contact_frequency,
        &mut out.contact_initiative,
        &mut out.support_note,
        &mut out.acute,
        &mut out.children,
    ] {
        *field = text(field, lang);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_the_prefill_uses_has_both_translations() {
        // "Annet" is never pre-filled as a care task.
        for (list, table, never) in [
            (choices::CARE_TASKS, CARE_TASKS, "other"),
            (choices::CHILD_SERVICES, CHILD_SERVICES, ""),
            (choices::CHILD_INFORMED, CHILD_INFORMED, ""),
            (choices::RELATIONS, RELATIONS, ""),
        ] {
            for (key, _) in list.iter().filter(|(k, _)| *k != never) {
                assert!(
                    table.iter().any(|t| t.0 == *key),
                    "{key} has no translation"
                );
            }
        }
    }

    #[test]
    fn prefilled_lines_are_translated_and_typed_ones_kept() {
        let tasks = "Kari: Praktisk hjelp i hjemmet, Transport og følge til avtaler (om lag 10 timer i uka).";
        assert_eq!(
            line(tasks, Language::Nynorsk),
            "Kari: Praktisk hjelp i heimen, Transport og følgje til avtalar (om lag 10 timar i veka)."
        );
        assert_eq!(
            line(tasks, Language::English),
            "Kari: Practical help at home, Transport and company to appointments (about 10 hours a week)."
        );
        let child = "Eva (barnebarn): oppfølging etter helsepersonelloven § 10 a er registrert – informert: delvis; følges opp av helsesykepleier Anne; samarbeid med Helsestasjon, Skole eller barnehage.";
        assert_eq!(
            line(child, Language::English),
            "Eva (grandchild): follow-up under the Health Personnel Act § 10 a is recorded – informed: partly; followed up by helsesykepleier Anne; cooperation with Child health clinic, School or kindergarten."
        );
        let missing = format!("Ola (barn): {CHILD_FOLLOWUP_MISSING}.");
        assert_eq!(
            line(&missing, Language::Nynorsk),
            "Ola (barn): oppfølging etter helsepersonellova § 10 a er ikkje registrert enno."
        );
        assert_eq!(
            line(DEFAULT_FREQUENCY, Language::English),
            "At least every third month, and otherwise when needed"
        );
        let typed = "Handler mat på fredager (om lag 2 timer i uka).";
        assert_eq!(line(typed, Language::English), typed);
        assert_eq!(line(tasks, Language::Bokmal), tasks);
    }

    #[test]
    fn opening_hours_are_translated_and_times_kept() {
        assert_eq!(
            hours("hverdager kl. 08.00–15.30", Language::English),
            "weekdays 08.00–15.30"
        );
        assert_eq!(
            hours("Mandag–fredag kl. 10–15, lørdag 10–14", Language::Nynorsk),
            "Måndag–fredag kl. 10–15, laurdag 10–14"
        );
        assert_eq!(hours("døgnet rundt", Language::English), "around the clock");
        assert_eq!(hours("hverdager", Language::Bokmal), "hverdager");
    }
}
