//! Keys for searching and sorting Norwegian names. SQLite folds only ASCII and orders Å before
//! Æ and Ø, so both the search words and the sort key are computed here and stored.

/// The words of a name as the patient search finds them: lower case, without accents, æ as
/// "ae", ø as "o", å and "aa" as "a" (so Åse, Aase and Ase are one name, as are Håkon and
/// Haakon, Søren and Soren), split at spaces, hyphens and other marks. Each word of a
/// search is looked up as the start of one of these words.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'a'..='z' | '0'..='9' => {
                word.push(c);
                continue;
            }
            'æ' | 'ä' => "ae",
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
            'å' | 'á' | 'à' | 'â' | 'ã' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ç' => "c",
            'ñ' => "n",
            'ß' => "ss",
            'đ' | 'ð' => "d",
            'ŋ' => "n",
            'š' => "s",
            'ž' => "z",
            'č' => "c",
            _ => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                continue;
            }
        };
        word.push_str(folded);
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in &mut words {
        while let Some(at) = w.find("aa") {
            w.replace_range(at..at + 2, "a");
        }
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    words
}

/// The end of the range of words that start with `prefix` (a word of `name_words`): the
/// prefix with its last letter raised by one, so `word >= prefix AND word < end` finds them
/// in an index, in byte order on both engines.
pub fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_string();
    match end.pop() {
        Some(last) => end.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX)),
        None => end.push(char::MAX),
    }
    end
}

/// A key whose byte order is Norwegian alphabetical order (… x y z æ ø å), surname first.
pub fn sort_key(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let reordered = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{last} {}", rest.join(" ")),
        _ => words.join(" "),
    };
    reordered
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'æ' | 'ä' => '{',
            'ø' | 'ö' => '|',
            'å' => '}',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'á' | 'à' | 'â' => 'a',
            'ó' | 'ò' | 'ô' => 'o',
            'ü' => 'y',
            'í' | 'ì' | 'î' => 'i',
            other => other,
        })
        .collect()
}

/// Trims and collapses runs of spaces inside a one-line value, and drops the invisible
/// characters that can make one name display as another: bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) and zero-width spaces, joiners and
/// direction marks (U+200B–U+200F).
pub fn one_line(value: &str) -> String {
    value
        .split_whitespace()
        .map(|word| {
            word.chars()
                .filter(|c| !is_invisible_control(*c))
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_direction_overrides_and_zero_width_characters() {
        assert_eq!(
            one_line("  Kari \u{202E}nnamdroN\u{202C}  "),
            "Kari nnamdroN"
        );
        assert_eq!(
            one_line("O\u{200B}la\u{200D} \u{2066}Hansen\u{2069}"),
            "Ola Hansen"
        );
        assert_eq!(one_line("\u{200E}\u{200F} Per"), "Per");
        assert_eq!(one_line("Åse  Ødegård-Æsøy"), "Åse Ødegård-Æsøy");
    }

    #[test]
    fn norwegian_letters_sort_after_z() {
        let mut names = vec![
            "Åse Ås",
            "Ola Ørn",
            "Kari Zahl",
            "Per Ærø",
            "Anne Aas",
            "Eva Berg",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            vec![
                "Anne Aas",
                "Eva Berg",
                "Kari Zahl",
                "Per Ærø",
                "Ola Ørn",
                "Åse Ås"
            ]
        );
    }

    #[test]
    fn name_words_fold_norwegian_letters_accents_and_case() {
        assert_eq!(name_words("Åse Ødegård-Æsøy"), ["ase", "odegard", "aesoy"]);
        assert_eq!(name_words("AASE  Haakon"), ["ase", "hakon"]);
        assert_eq!(name_words("Håkon Sæther"), ["hakon", "saether"]);
        assert_eq!(
            name_words("José Müller O'Neill"),
            ["jose", "muller", "o", "neill"]
        );
        assert_eq!(
            name_words("Ánne Ámmál Sámi-Ŋuolla"),
            ["anne", "ammal", "sami", "nuolla"]
        );
        assert_eq!(name_words("Ola Nordmann Ola"), ["ola", "nordmann"]);
        assert_eq!(name_words("  "), Vec::<String>::new());
        assert_eq!(name_words("a\u{0}b%_"), ["a", "b"]);
    }

    #[test]
    fn a_prefix_range_holds_exactly_the_words_that_start_with_it() {
        let end = prefix_end("han");
        assert_eq!(end, "hao");
        for word in ["han", "hansen", "hanz"] {
            assert!(word >= "han" && word < end.as_str(), "{word}");
        }
        for word in ["ha", "hao", "haogen", "hb"] {
            assert!(!(word >= "han" && word < end.as_str()), "{word}");
        }
        assert_eq!(prefix_end("z"), "{");
    }
}
