//! What district managers audit: the indicators' definitions, the figures they are computed
//! from, the reporting period and the months of the trend.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// A relative's care tasks are heavy from this many hours a week (about 80 a month, the
/// scale of a municipal home-care service).
pub const HEAVY_HOURS_PER_WEEK: i64 = 20;

/// Long care counts as heavy from this many hours a week.
pub const LONG_CARE_HOURS_PER_WEEK: i64 = 10;

/// What the latest mapping says about a relative's care, as far as "heavy" depends on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CareFacts<'a> {
    pub strain_score: Option<i64>,
    pub hours_per_week: i64,
    /// A key of `choices::CARE_DURATIONS`.
    pub care_duration: &'a str,
    pub lost_income: bool,
    pub legal_duty: bool,
}

/// Especially heavy care tasks (the signs of helse- og omsorgstjenesteloven § 3-6's
/// guidance): high strain, many hours, a legal duty of care, reduced work or lost income, or
/// care that has lasted more than three years at a steady number of hours. `db::mappings::
/// heavy_sql` is the same rule in SQL.
pub fn is_heavy(c: &CareFacts<'_>) -> bool {
    crate::domain::strain::is_high(c.strain_score)
        || c.hours_per_week >= HEAVY_HOURS_PER_WEEK
        || c.legal_duty
        || c.lost_income
        || (c.care_duration == "over_3y" && c.hours_per_week >= LONG_CARE_HOURS_PER_WEEK)
}

/// A child relative should have a recorded follow-up within this many days.
pub const CHILD_FOLLOWUP_DAYS: i64 = 14;

/// The counts behind the indicators, for one unit or summed for the district.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub patients: i64,
    pub identified: i64,
    pub involved: i64,
    pub mapped: i64,
    pub with_agreement: i64,
    pub heavy: i64,
    pub heavy_with_agreement: i64,
    pub with_contact: i64,
    pub agreement_parties: i64,
    pub agreement_parties_with_contact: i64,
    pub overdue_followups: i64,
    /// Days the oldest overdue follow-up is past its due date.
    pub oldest_overdue_days: i64,
    pub overdue_evaluations: i64,
    pub children_without_followup: i64,
    pub meetings_without_next_step: i64,
}

impl Figures {
    pub fn add(&mut self, o: &Figures) {
        self.patients += o.patients;
        self.identified += o.identified;
        self.involved += o.involved;
        self.mapped += o.mapped;
        self.with_agreement += o.with_agreement;
        self.heavy += o.heavy;
        self.heavy_with_agreement += o.heavy_with_agreement;
        self.with_contact += o.with_contact;
        self.agreement_parties += o.agreement_parties;
        self.agreement_parties_with_contact += o.agreement_parties_with_contact;
        self.overdue_followups += o.overdue_followups;
        self.oldest_overdue_days = self.oldest_overdue_days.max(o.oldest_overdue_days);
        self.overdue_evaluations += o.overdue_evaluations;
        self.children_without_followup += o.children_without_followup;
        self.meetings_without_next_step += o.meetings_without_next_step;
    }
}

/// A share in whole per cent, rounded half up; None when there is nothing to divide by.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 200 + whole) / (whole * 2))
}

/// A share as pages show it: "83 % (415 av 500)", or "–" when there is nothing to count.
pub fn share_text(part: i64, whole: i64) -> String {
    match percent(part, whole) {
        Some(p) => format!("{p} % ({part} av {whole})"),
        None => "–".into(),
    }
}

/// Each indicator: key, name, and its definition as the dashboard explains it.
pub const DEFINITIONS: &[(&str, &str, &str)] = &[
    ("patients", "Pasienter", "Pasienter som var registrert og ikke arkivert ved periodens slutt."),
    ("identified", "Identifisering fullført", "Pasienter der minst én pårørende er registrert med svar på om de ønsker å bli involvert, eller der det er registrert at pasienten ikke har pårørende eller ikke ønsker dem involvert; og der det er besvart om pasienten har barn eller søsken under 18 år (nei, eller ja med barna registrert som pårørende) – delt på alle pasienter."),
    ("mapped", "Kartlagte pårørende", "Pårørende som ønsker å bli involvert og har minst én kartlegging – delt på alle pårørende som ønsker å bli involvert."),
    ("agreement_heavy", "Avtale ved tunge omsorgsoppgaver", "Involverte pårørende med en gjeldende (signert, ikke avsluttet) pårørendeavtale – delt på involverte pårørende med høy belastning (7 eller mer av 13) eller tunge omsorgsoppgaver i siste kartlegging: 20 timer i uka eller mer, lovpålagt omsorgsplikt, redusert arbeid eller tapt inntekt, eller omsorg i mer enn tre år med 10 timer i uka eller mer."),
    ("agreement_all", "Avtale, alle involverte", "Involverte pårørende med en gjeldende pårørendeavtale – delt på alle involverte pårørende."),
    ("contact", "Kontaktperson", "Involverte pårørende med navngitt kontaktperson, på den pårørende eller i en gjeldende avtale – delt på alle involverte pårørende."),
    ("agreement_contact", "Kontaktperson i avtalene", "Pårørende som er part i en avtale som ikke er avsluttet, og som har navngitt kontaktperson – delt på alle pårørende som er part i en slik avtale."),
    ("overdue_followups", "Forfalte oppfølginger", "Åpne oppfølginger med frist før periodens slutt, og hvor mange dager den eldste er på overtid."),
    ("overdue_evaluations", "Avtaler på overtid for evaluering", "Gjeldende avtaler med evalueringsdato før periodens slutt."),
    ("children", "Barn uten oppfølging", "Barn som pårørende, registrert for mer enn 14 dager siden, uten registrert oppfølging av barnet."),
    ("meetings", "Møter uten neste steg", "Fullførte møter uten avtalt oppfølging, evaluering eller nytt møte. Skal alltid være 0: tallet er en kontroll av Samspill selv."),
    ("silent", "Ute av syne i 6 måneder", "Involverte pårørende, registrert for minst 6 måneder siden, som ikke har hatt et fullført møte eller en fullført oppfølging (om seg selv eller en avtale de er part i) etter datoen 6 måneder før periodens slutt, og som ikke har en åpen oppfølging eller et planlagt møte. En kontakt på dagen nøyaktig 6 måneder før teller ikke lenger."),
    ("unmet_needs", "Støttebehov uten henvisning", "Involverte pårørende der siste kartlegging nevner et støttebehov (alle unntatt «Annet») som ingen henvisning svarer på: en henvisning til et tilbud for behovet registrert etter kartleggingen (også om den pårørende takket nei), eller en tidligere henvisning som fortsatt pågår."),
    ("consent_due", "Samtykke mangler eller er eldre enn 12 måneder", "Involverte pårørende uten registrert samtykke fra pasienten, eller der siste samtykke ble gitt for 12 måneder siden eller mer."),
    ("contact_gone", "Kontaktperson borte", "Involverte pårørende der kontaktpersonen på den pårørende, eller i en gjeldende avtale de er part i, er deaktivert eller ikke lenger er helsepersonell i pasientens enhet. Historikken for kontaktpersoner finnes fra den ble tatt i bruk; måneder før det har ikke tall."),
    ("behind_rhythm", "Avtaler bak kontaktrytmen", "Gjeldende avtaler der neste kontakt etter rytmen i den signerte versjonen (hver uke, måned, tredje eller sjette måned) skulle vært før periodens slutt, regnet fra siste kontakt: en fullført oppfølging av avtalen eller et fullført møte med en av partene, eller signeringen om det ikke har vært kontakt siden. «Ved behov» kommer aldri bak."),
    ("referrals", "Henvisninger per tilbud", "Henvisninger registrert i perioden, per tilbud, og hvor mange av dem den pårørende takket nei til."),
];

/// The reporting period: indicators of state are taken at its end, counts of events
/// (referrals) over the whole period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The period asked for: one of the presets, or from/to dates; the last 30 days
    /// otherwise. The end is never after today and the start never after the end.
    pub fn parse(
        preset: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, String> {
        let parse = |s: Option<&str>| -> Result<Option<NaiveDate>, String> {
            match s.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => super::dates::parse_date(s)
                    .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .map(Some)
                    .ok_or_else(|| "Skriv datoene som dd.mm.åååå.".to_string()),
            }
        };
        let (from, to) = (parse(from)?, parse(to)?);
        let period = match (preset.unwrap_or(""), from, to) {
            (_, Some(f), Some(t)) => Period { from: f, to: t },
            ("year", _, _) => Period {
                from: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                to: today,
            },
            ("12m", _, _) => Period {
                from: today - Duration::days(365),
                to: today,
            },
            ("quarter", _, _) => Period {
                from: today - Duration::days(91),
                to: today,
            },
            _ => Period {
                from: today - Duration::days(30),
                to: today,
            },
        };
        if period.from > period.to {
            return Err("Fra-datoen må være før til-datoen.".into());
        }
        if period.to > today {
            return Err("Perioden kan ikke slutte etter i dag.".into());
        }
        Ok(period)
    }
}

/// The last day of each of the twelve months up to `to` (the current month ends at `to`).
pub fn month_ends(to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(12);
    let mut end = to;
    for _ in 0..12 {
        out.push(end);
        let first = end.with_day(1).unwrap_or(end);
        end = first - Duration::days(1);
    }
    out.reverse();
    out
}

/// A month as charts label it, e.g. "nov. 26".
pub fn month_label(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
        "des.",
    ];
    format!("{} {:02}", MONTHS[d.month0() as usize], d.year() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heavy_care_has_more_signs_than_hours_and_strain() {
        let light = CareFacts {
            strain_score: Some(3),
            hours_per_week: 6,
            ..Default::default()
        };
        assert!(!is_heavy(&light));
        assert!(is_heavy(&CareFacts {
            strain_score: Some(7),
            ..light
        }));
        assert!(is_heavy(&CareFacts {
            hours_per_week: 20,
            ..light
        }));
        assert!(is_heavy(&CareFacts {
            legal_duty: true,
            ..light
        }));
        assert!(is_heavy(&CareFacts {
            lost_income: true,
            ..light
        }));
        // Long care counts with a steady number of hours, not on its own.
        assert!(!is_heavy(&CareFacts {
            care_duration: "over_3y",
            ..light
        }));
        assert!(is_heavy(&CareFacts {
            care_duration: "over_3y",
            hours_per_week: 10,
            ..light
        }));
        assert!(!is_heavy(&CareFacts {
            care_duration: "1_3y",
            hours_per_week: 10,
            ..light
        }));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 8), Some(13));
        assert_eq!(percent(0, 0), None);
        assert_eq!(share_text(415, 500), "83 % (415 av 500)");
        assert_eq!(share_text(0, 0), "–");
    }

    #[test]
    fn periods() {
        let today = d("2026-11-23");
        assert_eq!(
            Period::parse(None, None, None, today).unwrap(),
            Period {
                from: d("2026-10-24"),
                to: today
            }
        );
        assert_eq!(
            Period::parse(Some("year"), None, None, today).unwrap().from,
            d("2026-01-01")
        );
        assert_eq!(
            Period::parse(None, Some("01.03.2026"), Some("31.03.2026"), today).unwrap(),
            Period {
                from: d("2026-03-01"),
                to: d("2026-03-31")
            }
        );
        assert!(Period::parse(None, Some("01.04.2026"), Some("01.03.2026"), today).is_err());
        assert!(Period::parse(None, Some("01.04.2026"), Some("01.12.2026"), today).is_err());
        assert!(Period::parse(None, Some("x"), Some("01.03.2026"), today).is_err());
    }

    #[test]
    fn twelve_month_ends() {
        let ends = month_ends(d("2026-11-23"));
        assert_eq!(ends.len(), 12);
        assert_eq!(ends[0], d("2025-12-31"));
        assert_eq!(ends[10], d("2026-10-31"));
        assert_eq!(ends[11], d("2026-11-23"));
        assert_eq!(month_label(ends[0]), "des. 25");
    }
}
