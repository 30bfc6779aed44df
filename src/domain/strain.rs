//! The caregiver strain screening (Caregiver Strain Index): 13 yes/no items, one point each.

pub const ITEMS: [&str; 13] = [
    "Søvnen blir forstyrret",
    "Det er upraktisk (tar mye tid, reising)",
    "Det er fysisk belastende (løft, bøying)",
    "Jeg føler meg bundet eller innestengt",
    "Det har ført til endringer i familien (mindre privatliv, endrede rutiner)",
    "Jeg har måttet endre egne planer (sluttet i jobb, ferier)",
    "Andre krever også tiden min (familie, arbeid)",
    "Det krever følelsesmessige tilpasninger (sterke følelser, bekymring)",
    "Noe av pasientens atferd er opprivende",
    "Det er vondt at pasienten har forandret seg fra den hen var",
    "Jeg har måttet tilpasse arbeidet (fri, redusert stilling)",
    "Det er en økonomisk belastning",
    "Jeg føler meg helt overveldet",
];

/// A score of 7 or more is high strain.
pub const HIGH_STRAIN: i64 = 7;

/// The answers as stored: one character per item, '1' yes, '0' no, '-' not answered.
pub fn encode(answers: &[Option<bool>; 13]) -> String {
    answers
        .iter()
        .map(|a| match a {
            Some(true) => '1',
            Some(false) => '0',
            None => '-',
        })
        .collect()
}

pub fn decode(stored: &str) -> [Option<bool>; 13] {
    let mut out = [None; 13];
    for (i, c) in stored.chars().take(13).enumerate() {
        out[i] = match c {
            '1' => Some(true),
            '0' => Some(false),
            _ => None,
        };
    }
    out
}

/// The score when every item is answered; None when the screening is incomplete or skipped.
pub fn score(answers: &[Option<bool>; 13]) -> Option<i64> {
    answers
        .iter()
        .try_fold(0, |sum, a| a.map(|yes| sum + i64::from(yes)))
}

pub fn is_high(score: Option<i64>) -> bool {
    score.is_some_and(|s| s >= HIGH_STRAIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_counts_yes_answers() {
        let mut a = [Some(false); 13];
        assert_eq!(score(&a), Some(0));
        for item in a.iter_mut().take(7) {
            *item = Some(true);
        }
        assert_eq!(score(&a), Some(7));
        assert!(is_high(score(&a)));
        a[0] = Some(false);
        assert_eq!(score(&a), Some(6));
        assert!(!is_high(score(&a)));
        assert_eq!(score(&[Some(true); 13]), Some(13));
    }

    #[test]
    fn an_incomplete_screening_has_no_score() {
        let mut a = [Some(true); 13];
        a[12] = None;
        assert_eq!(score(&a), None);
        assert_eq!(score(&[None; 13]), None);
    }

    #[test]
    fn answers_round_trip() {
        let mut a = [Some(false); 13];
        a[3] = Some(true);
        a[5] = None;
        let s = encode(&a);
        assert_eq!(s, "00010-0000000");
        assert_eq!(decode(&s), a);
    }
}
