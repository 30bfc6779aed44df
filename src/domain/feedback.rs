//! The relatives' own voice: a short questionnaire on the collaboration, reached through a
//! personal link printed on the relative's copy of the agreement, and counted for the
//! district only where no answer can be told apart (at least five in a unit).

use super::agreement::Language;
use super::validation::FieldErrors;
use chrono::{DateTime, Duration, Utc};

/// A link can be answered for this many weeks after it was issued.
pub const LINK_WEEKS: i64 = 8;

/// A unit's figures are shown from this many answers in the period.
pub const MIN_ANSWERS: i64 = 5;

/// The longest answer to "what can be better".
pub const IMPROVE_MAX: usize = 2000;

/// The questions, in the order the form and the dashboard show them: (key, bokmål,
/// nynorsk, English).
pub const QUESTIONS: [(&str, &str, &str, &str); 8] = [
    (
        "respect",
        "Jeg blir møtt med respekt.",
        "Eg blir møtt med respekt.",
        "I am treated with respect.",
    ),
    (
        "information",
        "Jeg får informasjon jeg forstår.",
        "Eg får informasjon eg forstår.",
        "I get information I understand.",
    ),
    (
        "contact",
        "Jeg vet hvem jeg skal kontakte.",
        "Eg veit kven eg skal kontakte.",
        "I know whom to contact.",
    ),
    (
        "asked",
        "Jeg blir spurt om hva som er viktig for meg.",
        "Eg blir spurd om kva som er viktig for meg.",
        "I am asked what matters to me.",
    ),
    (
        "views",
        "Mine synspunkter blir tatt hensyn til.",
        "Synspunkta mine blir tekne omsyn til.",
        "My views are taken into account.",
    ),
    (
        "relief",
        "Jeg får nok avlastning.",
        "Eg får nok avlasting.",
        "I get enough respite.",
    ),
    (
        "offers",
        "Jeg har fått vite om tilbud til pårørende.",
        "Eg har fått vite om tilbod til pårørande.",
        "I have been told about services for relatives.",
    ),
    (
        "overall",
        "Alt i alt fungerer samarbeidet godt.",
        "Alt i alt fungerer samarbeidet godt.",
        "Overall, the collaboration works well.",
    ),
];

/// The questions as the dashboard's columns name them, in the order of `QUESTIONS`.
pub const SHORT_LABELS: [&str; 8] = [
    "Møtt med respekt",
    "Forståelig informasjon",
    "Vet hvem de skal kontakte",
    "Spurt om hva som er viktig",
    "Synspunkter tatt hensyn til",
    "Nok avlastning",
    "Fått vite om tilbud",
    "Samarbeidet alt i alt",
];

/// The months ("YYYY-MM") from the month of `from` to the month of `to`, both included.
pub fn month_key(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The question's text in a language.
pub fn question(i: usize, lang: Language) -> &'static str {
    let (_, nb, nn, en) = QUESTIONS[i];
    match lang {
        Language::Bokmal => nb,
        Language::Nynorsk => nn,
        Language::English => en,
    }
}

/// The scale's words, 1 to 5, and "would rather not answer", in a language.
pub fn scale(lang: Language) -> ([&'static str; 5], &'static str) {
    match lang {
        Language::Bokmal => (
            [
                "Helt uenig",
                "Litt uenig",
                "Verken eller",
                "Litt enig",
                "Helt enig",
            ],
            "Vil ikke svare",
        ),
        Language::Nynorsk => (
            [
                "Heilt ueinig",
                "Litt ueinig",
                "Verken eller",
                "Litt einig",
                "Heilt einig",
            ],
            "Vil ikkje svare",
        ),
        Language::English => (
            [
                "Strongly disagree",
                "Somewhat disagree",
                "Neither",
                "Somewhat agree",
                "Strongly agree",
            ],
            "Would rather not answer",
        ),
    }
}

/// One relative's answer: each question 1–5, or None for "would rather not answer".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub scores: [Option<i16>; 8],
    pub improve: String,
}

/// The messages of the form, in the link's language.
fn messages(lang: Language) -> (&'static str, &'static str) {
    match lang {
        Language::Bokmal => (
            "Velg et svar, eller «Vil ikke svare».",
            "Skriv kortere (høyst 2000 tegn).",
        ),
        Language::Nynorsk => (
            "Vel eit svar, eller «Vil ikkje svare».",
            "Skriv kortare (høgst 2000 teikn).",
        ),
        Language::English => (
            "Choose an answer, or “Would rather not answer”.",
            "Please write less (2000 characters at most).",
        ),
    }
}

/// Parses the form: `values[i]` is question i's field ("1"–"5" or "skip"). Every question
/// needs a choice, so that a question missed by mistake is not read as "would rather not
/// answer".
pub fn parse(values: &[&str; 8], improve: &str, lang: Language) -> Result<Answer, FieldErrors> {
    let (choose, too_long) = messages(lang);
    let mut errors = FieldErrors::new();
    let mut scores = [None; 8];
    for (i, v) in values.iter().enumerate() {
        match v.trim() {
            "skip" => {}
            s => match s.parse::<i16>() {
                Ok(n) if (1..=5).contains(&n) => scores[i] = Some(n),
                _ => errors.add(QUESTIONS[i].0, choose),
            },
        }
    }
    let improve = improve.trim();
    if improve.chars().count() > IMPROVE_MAX {
        errors.add("improve", too_long);
    }
    if errors.is_empty() {
        Ok(Answer {
            scores,
            improve: improve.to_string(),
        })
    } else {
        Err(errors)
    }
}

/// When a link issued at `issued_at` stops accepting an answer.
pub fn expires_at(issued_at: DateTime<Utc>) -> DateTime<Utc> {
    issued_at + Duration::weeks(LINK_WEEKS)
}

/// The latest link of a relative for an agreement, as the printed copy needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkState {
    pub id: i64,
    pub issued_at: DateTime<Utc>,
    pub used: bool,
}

/// What the relative's copy prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The link already issued for this period.
    Print(i64),
    /// A new link: none was issued since the agreement was signed or last evaluated, or the
    /// last one expired unanswered.
    Issue,
    /// The relative answered in this period; the next evaluation brings a new link.
    Answered,
}

/// A new link is issued at each evaluation (or signing: `period_start`); within a period the
/// same one is printed again until it is answered or expires.
pub fn decide(
    latest: Option<LinkState>,
    period_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Decision {
    match latest {
        Some(l) if l.issued_at >= period_start && l.used => Decision::Answered,
        Some(l) if l.issued_at >= period_start && expires_at(l.issued_at) > now => {
            Decision::Print(l.id)
        }
        _ => Decision::Issue,
    }
}

/// The token's alphabet (Crockford's base 32): no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The token's length in characters: 130 bits.
pub const TOKEN_CHARS: usize = 26;

/// The token for 17 secret bytes, as it is typed: groups of four joined by dashes.
pub fn token_text(bytes: &[u8; 17]) -> String {
    let mut bits: u64 = 0;
    let mut have = 0;
    let mut chars = Vec::with_capacity(TOKEN_CHARS);
    for b in bytes {
        bits = (bits << 8) | u64::from(*b);
        have += 8;
        while have >= 5 && chars.len() < TOKEN_CHARS {
            have -= 5;
            chars.push(ALPHABET[((bits >> have) & 31) as usize] as char);
        }
    }
    let plain: String = chars.into_iter().collect();
    grouped(&plain)
}

fn grouped(plain: &str) -> String {
    plain
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The token a person typed or a link carried, in its one written form; None when it cannot
/// be one. Case, spaces and dashes do not matter, and O, I and L read as 0, 1 and 1.
pub fn normalize(input: &str) -> Option<String> {
    let mut plain = String::with_capacity(TOKEN_CHARS);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        plain.push(c);
    }
    (plain.len() == TOKEN_CHARS).then(|| grouped(&plain))
}

/// A unit's (or district's) answers to one question: how many gave each score 1–5.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Distribution {
    pub counts: [i64; 5],
}

impl Distribution {
    pub fn scored(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// The average score with one decimal, as "4,2"; None without scores.
    pub fn average(&self) -> Option<String> {
        let n = self.scored();
        if n == 0 {
            return None;
        }
        let sum: i64 = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i64 + 1) * c)
            .sum();
        // Tenths, rounded half up.
        let tenths = (sum * 20 + n) / (2 * n);
        Some(format!("{},{}", tenths / 10, tenths % 10))
    }

    pub fn add(&mut self, o: &Distribution) {
        for (a, b) in self.counts.iter_mut().zip(o.counts) {
            *a += b;
        }
    }
}

/// Whether figures may be shown for a number of answers.
pub fn may_show(answers: i64) -> bool {
    answers >= MIN_ANSWERS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_needs_a_choice_in_the_links_language() {
        let all = ["5", "4", "skip", "1", "2", "3", "5", "4"];
        let a = parse(&all, "  Mer tid ", Language::Bokmal).unwrap();
        assert_eq!(
            a.scores,
            [
                Some(5),
                Some(4),
                None,
                Some(1),
                Some(2),
                Some(3),
                Some(5),
                Some(4)
            ]
        );
        assert_eq!(a.improve, "Mer tid");
        let mut missing = all;
        missing[6] = "";
        missing[0] = "6";
        let e = parse(&missing, "", Language::Nynorsk).unwrap_err();
        assert_eq!(
            e.get("offers"),
            Some("Vel eit svar, eller «Vil ikkje svare».")
        );
        assert_eq!(
            e.get("respect"),
            Some("Vel eit svar, eller «Vil ikkje svare».")
        );
        let long = "x".repeat(2001);
        let e = parse(&all, &long, Language::English).unwrap_err();
        assert_eq!(
            e.get("improve"),
            Some("Please write less (2000 characters at most).")
        );
    }

    #[test]
    fn a_link_is_new_each_period_and_printed_again_within_it() {
        let t = |d: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + d * 86_400, 0).unwrap();
        let signed = t(0);
        assert_eq!(decide(None, signed, t(1)), Decision::Issue);
        let link = LinkState {
            id: 7,
            issued_at: t(1),
            used: false,
        };
        assert_eq!(decide(Some(link), signed, t(10)), Decision::Print(7));
        // Eight weeks after it was issued it expires, and a new one is issued.
        assert_eq!(decide(Some(link), signed, t(56)), Decision::Print(7));
        assert_eq!(decide(Some(link), signed, t(57)), Decision::Issue);
        let used = LinkState { used: true, ..link };
        assert_eq!(decide(Some(used), signed, t(10)), Decision::Answered);
        // An evaluation starts a new period.
        assert_eq!(decide(Some(used), t(30), t(31)), Decision::Issue);
    }

    #[test]
    fn tokens_are_typed_in_groups_and_read_forgivingly() {
        let text = token_text(&[0xff; 17]);
        assert_eq!(text, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ");
        let text = token_text(&[0; 17]);
        assert_eq!(text, "0000-0000-0000-0000-0000-0000-00");
        assert_eq!(
            normalize("oooo oooo-llll iiii 0000 0000 00").as_deref(),
            Some("0000-0000-1111-1111-0000-0000-00")
        );
        assert_eq!(normalize("ZZZZ-ZZZZ"), None);
        assert_eq!(normalize("UUUU-0000-0000-0000-0000-0000-00"), None);
        assert_eq!(normalize("ÆØÅ"), None);
    }

    #[test]
    fn averages_have_one_decimal_and_need_five_answers() {
        let d = Distribution {
            counts: [0, 1, 0, 2, 2],
        };
        // (2 + 4 + 4 + 5 + 5) / 5 = 4.0
        assert_eq!(d.average().as_deref(), Some("4,0"));
        let d = Distribution {
            counts: [1, 0, 0, 0, 2],
        };
        // 11 / 3 = 3.67
        assert_eq!(d.average().as_deref(), Some("3,7"));
        assert_eq!(Distribution::default().average(), None);
        assert!(!may_show(4));
        assert!(may_show(5));
    }
}
