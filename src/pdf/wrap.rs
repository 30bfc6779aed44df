//! Breaking text into lines: words measured on the font's glyph widths, Norwegian (or
//! English) hyphenation from the `hyphenation` crate's patterns, and the lines chosen by
//! textwrap's optimal-fit algorithm over those fragments, so that no line is left much
//! shorter than the rest. Phone numbers (held by no-break spaces) and web addresses are not
//! hyphenated; an address longer than a line breaks after a "/" or ".".

use super::fonts::{Face, Fonts};
use hyphenation::{Hyphenator, Language, Load, Standard};
use std::sync::OnceLock;
use textwrap::core::Fragment;
use textwrap::wrap_algorithms::{wrap_optimal_fit, Penalties};

/// The hyphenation patterns of a document language (BCP 47: "nb-NO", "nn-NO", "en"),
/// loaded once.
pub fn patterns(tag: &str) -> Option<&'static Standard> {
    static NB: OnceLock<Option<Standard>> = OnceLock::new();
    static NN: OnceLock<Option<Standard>> = OnceLock::new();
    static EN: OnceLock<Option<Standard>> = OnceLock::new();
    let (cell, lang) = match tag.split('-').next().unwrap_or_default() {
        "nb" | "no" => (&NB, Language::NorwegianBokmal),
        "nn" => (&NN, Language::NorwegianNynorsk),
        "en" => (&EN, Language::EnglishGB),
        _ => return None,
    };
    cell.get_or_init(|| Standard::from_embedded(lang).ok())
        .as_ref()
}

/// A piece of a word: where a line may end.
#[derive(Debug)]
struct Piece {
    text: String,
    /// Widths in units of about one character, the scale textwrap's penalties are set for.
    width: f64,
    /// The space after the piece when the word ends here; none inside a word.
    space: f64,
    /// The hyphen added when a line ends inside a word at this piece.
    hyphen: f64,
}

impl Fragment for Piece {
    fn width(&self) -> f64 {
        self.width
    }
    fn whitespace_width(&self) -> f64 {
        self.space
    }
    fn penalty_width(&self) -> f64 {
        self.hyphen
    }
}

/// A word of digits (a group of a phone number as people type it: "+47", "23", "48").
fn is_number_group(word: &str) -> bool {
    let core = word
        .trim_end_matches(['.', ',', ';', ':', ')'])
        .trim_start_matches(['(', '+']);
    !core.is_empty() && core.len() <= 4 && core.chars().all(|c| c.is_ascii_digit())
}

/// The paragraph's words, with runs of digit groups ("23 48 00 00", "+47 912 34 567") held
/// together by no-break spaces: a number typed with spaces is never broken across lines.
fn number_groups(paragraph: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut previous_is_group = false;
    for word in paragraph.split([' ', '\t']).filter(|w| !w.is_empty()) {
        let group = is_number_group(word);
        match words.last_mut() {
            Some(last) if group && previous_is_group && !last.ends_with([',', ';', '.']) => {
                last.push('\u{a0}');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
        previous_is_group = group;
    }
    words
}

/// Whether a word is a web or e-mail address (never hyphenated).
pub fn is_address(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ',', ';', ':', ')']);
    w.contains("://")
        || w.starts_with("www.")
        || w.contains('@')
        || (w.contains('.')
            && w.split('/').next().is_some_and(|host| {
                host.rsplit('.')
                    .next()
                    .is_some_and(|tld| ["no", "com", "org", "net"].contains(&tld))
            }))
}

pub struct Typesetter<'a> {
    pub fonts: &'a Fonts,
    pub dict: Option<&'static Standard>,
}

impl Typesetter<'_> {
    /// Splits one word into the pieces a line may end after.
    fn pieces(&self, face: Face, size: f32, word: &str, limit: f32, unit: f64) -> Vec<Piece> {
        let w = |s: &str| f64::from(self.fonts.width(face, size, s)) / unit;
        let hyphen = w("-");
        // Where a line may end inside the word: (byte offset, adds a hyphen).
        let mut cuts: Vec<(usize, bool)> = Vec::new();
        if is_address(word) {
            if self.fonts.width(face, size, word) > limit {
                cuts.extend(word.match_indices(['/', '.']).map(|(i, _)| (i + 1, false)));
            }
        } else if !word.contains('\u{a0}') && !word.chars().any(|c| c.is_ascii_digit()) {
            let mut start = 0;
            for part in word.split_inclusive('-') {
                let core_start = part
                    .find(char::is_alphabetic)
                    .map(|i| start + i)
                    .unwrap_or(start + part.len());
                let core: &str = word[core_start..start + part.len()]
                    .trim_end_matches(|c: char| !c.is_alphabetic());
                if let Some(dict) = self.dict.filter(|_| core.chars().count() >= 5) {
                    let lower = core.to_lowercase();
                    // Patterns work on the lowercase word; map back only when lengths agree.
                    if lower.len() == core.len() {
                        cuts.extend(
                            dict.hyphenate(&lower)
                                .breaks
                                .into_iter()
                                .map(|b| (core_start + b, true)),
                        );
                    }
                }
                start += part.len();
                if part.ends_with('-') && start < word.len() {
                    cuts.push((start, false));
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup_by_key(|c| c.0);
        let mut pieces = Vec::new();
        let mut from = 0;
        for (at, adds) in cuts.into_iter().filter(|c| c.0 > 0 && c.0 < word.len()) {
            let text = &word[from..at];
            pieces.push(Piece {
                width: w(text),
                text: text.to_string(),
                space: 0.0,
                hyphen: if adds { hyphen } else { 0.0 },
            });
            from = at;
        }
        let text = &word[from..];
        pieces.push(Piece {
            width: w(text),
            text: text.to_string(),
            space: w(" "),
            hyphen: 0.0,
        });
        // A piece wider than a whole line is broken between characters.
        let mut out = Vec::new();
        for p in pieces {
            if f64::from(limit) / unit >= p.width {
                out.push(p);
                continue;
            }
            let mut chunk = String::new();
            for c in p.text.chars() {
                let mut candidate = chunk.clone();
                candidate.push(c);
                if self.fonts.width(face, size, &candidate) > limit && !chunk.is_empty() {
                    out.push(Piece {
                        width: w(&chunk),
                        text: std::mem::take(&mut chunk),
                        space: 0.0,
                        hyphen: 0.0,
                    });
                    candidate = c.to_string();
                }
                chunk = candidate;
            }
            out.push(Piece {
                width: w(&chunk),
                text: chunk,
                space: p.space,
                hyphen: p.hyphen,
            });
        }
        out
    }

    /// Splits `text` into lines no wider than `width`; the first line may be narrower (it
    /// follows a label). Line breaks in the text are kept.
    pub fn wrap(&self, face: Face, size: f32, text: &str, first: f32, width: f32) -> Vec<String> {
        let unit = f64::from(size) * 0.5;
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut pieces = Vec::new();
            for word in number_groups(paragraph) {
                let word = word.as_str();
                let limit = if lines.is_empty() && pieces.is_empty() {
                    first.min(width)
                } else {
                    width
                };
                pieces.extend(self.pieces(face, size, word, limit, unit));
            }
            if pieces.is_empty() {
                lines.push(String::new());
                continue;
            }
            let widths = if lines.is_empty() {
                vec![f64::from(first) / unit, f64::from(width) / unit]
            } else {
                vec![f64::from(width) / unit]
            };
            let chosen = wrap_optimal_fit(&pieces, &widths, &Penalties::new())
                .unwrap_or_else(|_| vec![&pieces[..]]);
            for line in chosen {
                let mut s = String::new();
                for (i, p) in line.iter().enumerate() {
                    s.push_str(&p.text);
                    if i + 1 < line.len() && p.space > 0.0 {
                        s.push(' ');
                    }
                }
                if line.last().is_some_and(|p| p.hyphen > 0.0) {
                    s.push('-');
                }
                lines.push(s);
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Typesetter<'static> {
        Typesetter {
            fonts: Fonts::get(),
            dict: None,
        }
    }

    fn norwegian() -> Typesetter<'static> {
        Typesetter {
            fonts: Fonts::get(),
            dict: patterns("nb-NO"),
        }
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let t = plain();
        let text = "Pårørende skal vite hvem de kan kontakte, hva tjenesten gjør og når avtalen evalueres. ".repeat(20);
        let lines = t.wrap(Face::Regular, 10.0, &text, 200.0, 300.0);
        assert!(lines.len() > 10);
        assert!(t.fonts.width(Face::Regular, 10.0, &lines[0]) <= 200.0);
        for l in &lines[1..] {
            assert!(t.fonts.width(Face::Regular, 10.0, l) <= 300.0, "{l}");
        }
        assert_eq!(lines.join(" "), text.trim_end());
    }

    #[test]
    fn norwegian_words_are_hyphenated_and_the_lines_evened_out() {
        let t = norwegian();
        let text = "Omsorgsstønad og avlastningstilbud for pårørende med særlig tyngende omsorgsoppgaver i kommunehelsetjenesten. ".repeat(6);
        let lines = t.wrap(Face::Regular, 11.0, &text, 250.0, 250.0);
        assert!(lines.iter().any(|l| l.ends_with('-')), "{lines:?}");
        for l in &lines {
            assert!(t.fonts.width(Face::Regular, 11.0, l) <= 250.0, "{l}");
        }
        // Every line but the last is well filled: optimal fit leaves no ragged hole.
        for l in &lines[..lines.len() - 1] {
            assert!(t.fonts.width(Face::Regular, 11.0, l) >= 200.0, "{l}");
        }
        let rejoined = lines.join("\n").replace("-\n", "").replace('\n', " ");
        assert_eq!(rejoined, text.trim_end());
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken() {
        let t = plain();
        let word = "æ".repeat(200);
        let lines = t.wrap(Face::Regular, 10.0, &word, 100.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn phone_numbers_and_addresses_are_never_hyphenated() {
        let t = norwegian();
        let text = format!(
            "{} +47\u{a0}23\u{a0}48\u{a0}00\u{a0}00 og www.pasientogbrukerombudet.no",
            "ord ".repeat(12)
        );
        let address = t
            .fonts
            .width(Face::Regular, 10.0, "www.pasientogbrukerombudet.no");
        for width in [120.0, 160.0, 200.0, 240.0] {
            let lines = t.wrap(Face::Regular, 10.0, &text, width, width);
            for line in &lines {
                assert!(!line.ends_with('-'), "{line}");
            }
            // Whole when it fits on a line; else broken after a "." or "/", never hyphenated.
            let whole = lines
                .iter()
                .any(|l| l.contains("www.pasientogbrukerombudet.no"));
            assert_eq!(whole, width >= address, "{width}: {lines:?}");
        }
        assert!(is_address("oslo.kommune.no/avlastning"));
        assert!(is_address("https://example.com/a"));
        assert!(!is_address("f.eks."));
    }

    #[test]
    fn a_no_break_space_holds_a_phone_number_together() {
        let t = plain();
        let text = format!("{} +47\u{a0}23\u{a0}48\u{a0}00\u{a0}00", "ord ".repeat(12));
        let width = t.fonts.width(Face::Regular, 10.0, &text) - 20.0;
        let lines = t.wrap(Face::Regular, 10.0, &text, width, width);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1], "+47\u{a0}23\u{a0}48\u{a0}00\u{a0}00");
    }

    #[test]
    fn a_number_typed_with_spaces_is_held_together() {
        assert_eq!(
            number_groups("ring 23 48 00 00 eller 912 34 567, ellers 113."),
            [
                "ring",
                "23\u{a0}48\u{a0}00\u{a0}00",
                "eller",
                "912\u{a0}34\u{a0}567,",
                "ellers",
                "113."
            ]
        );
        assert_eq!(number_groups("Setning 047 om"), ["Setning", "047", "om"]);
        assert_eq!(
            number_groups("kl. 10, 12 og 14"),
            ["kl.", "10,", "12", "og", "14"]
        );
    }

    #[test]
    fn line_breaks_are_kept() {
        let t = plain();
        let lines = t.wrap(Face::Regular, 10.0, "første\nandre", 300.0, 300.0);
        assert_eq!(lines, vec!["første", "andre"]);
    }
}
