//! What may be shown to whom: the patient's consent for each party, narrowed to what holds
//! today, and which of the patient's own sections a copy may carry.

use super::{Content, Sharing, PATIENT_SECTIONS};

/// The consent in force today for one relative: (relative id, scope, topics).
pub type CurrentConsent = (i64, String, String);

/// How much a scope allows: none (or missing) < limited < full.
fn rank(scope: &str) -> u8 {
    match scope {
        "full" => 2,
        "limited" => 1,
        _ => 0,
    }
}

/// What may be shared with each party now, as (name, scope, topics): the narrower of the
/// consent recorded in the version and the consent in force today (consent can be withdrawn
/// at any time, and a wider consent given later needs a new version to count).
pub fn effective_sharing(
    recorded: &[Sharing],
    current: &[CurrentConsent],
) -> Vec<(String, String, String)> {
    recorded
        .iter()
        .map(|s| {
            let now = current
                .iter()
                .find(|c| c.0 == s.relative_id)
                .map(|c| (c.1.as_str(), c.2.as_str()))
                .unwrap_or(("missing", ""));
            let (scope, topics) = if rank(now.0) < rank(&s.scope) {
                now
            } else {
                (s.scope.as_str(), s.topics.as_str())
            };
            (s.name.clone(), scope.to_string(), topics.to_string())
        })
        .collect()
}

/// The consent that holds for the agreement as a whole: the most restrictive among its
/// parties. A missing consent counts as none.
pub fn consent_floor<'a>(scopes: impl IntoIterator<Item = &'a str>) -> &'static str {
    let mut floor = "full";
    let mut any = false;
    for s in scopes {
        any = true;
        match s {
            "full" => {}
            "limited" => {
                if floor == "full" {
                    floor = "limited"
                }
            }
            _ => return "none",
        }
    }
    if any {
        floor
    } else {
        "none"
    }
}

/// Whether a patient-specific section may be printed under `floor`: always with full
/// consent, with limited consent only where the worker confirmed it lies within the topics,
/// never without consent.
pub fn may_print(section: &str, floor: &str, within_consent: &[String]) -> bool {
    match floor {
        "full" => true,
        "limited" => within_consent.iter().any(|s| s == section),
        _ => false,
    }
}

/// The text of one of the patient's own sections.
pub fn section_text<'a>(c: &'a Content, section: &str) -> &'a str {
    match section {
        "background" => &c.background,
        "matters_patient" => &c.matters_patient,
        "service_patient" => &c.service_patient,
        _ => "",
    }
}

/// The labels of the patient's sections that have text but will not print under `floor`.
pub fn held_back(c: &Content, floor: &str) -> Vec<&'static str> {
    PATIENT_SECTIONS
        .iter()
        .filter(|(k, _)| {
            !section_text(c, k).trim().is_empty() && !may_print(k, floor, &c.within_consent)
        })
        .map(|(_, l)| *l)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sharing(id: i64, scope: &str) -> Sharing {
        Sharing {
            relative_id: id,
            name: format!("P{id}"),
            scope: scope.into(),
            topics: String::new(),
        }
    }

    #[test]
    fn the_most_restrictive_consent_decides_what_prints() {
        assert_eq!(consent_floor(["full", "full"]), "full");
        assert_eq!(consent_floor(["full", "limited"]), "limited");
        assert_eq!(consent_floor(["limited", "missing"]), "none");
        assert_eq!(consent_floor([]), "none");
        let confirmed = vec!["background".to_string()];
        assert!(may_print("matters_patient", "full", &[]));
        assert!(may_print("background", "limited", &confirmed));
        assert!(!may_print("matters_patient", "limited", &confirmed));
        assert!(!may_print("background", "none", &confirmed));
    }

    #[test]
    fn a_consent_narrowed_since_the_version_holds_and_a_wider_one_does_not() {
        let recorded = [
            sharing(1, "full"),
            sharing(2, "limited"),
            sharing(3, "full"),
        ];
        let current = [
            (1, "none".to_string(), String::new()),
            (2, "full".to_string(), String::new()),
        ];
        let scopes: Vec<String> = effective_sharing(&recorded, &current)
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(scopes, ["none", "limited", "missing"]);
    }

    #[test]
    fn held_back_names_only_sections_with_text() {
        let c = Content {
            background: "Demens".into(),
            service_patient: "Hjemmesykepleie".into(),
            within_consent: vec!["service_patient".into()],
            ..Default::default()
        };
        assert_eq!(held_back(&c, "limited"), ["Bakgrunn"]);
        assert_eq!(
            held_back(&c, "none"),
            ["Bakgrunn", "Tjenester pasienten får"]
        );
        assert!(held_back(&c, "full").is_empty());
    }
}
