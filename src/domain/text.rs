//! Keys for searching and sorting Norwegian names. SQLite folds only ASCII and orders Å before
//! Æ and Ø, so both keys are computed here and stored beside the name.

/// Lower-cased with whitespace collapsed; what name searches match against.
pub fn search_key(name: &str) -> String {
    name.split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
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
    fn search_key_folds_case_beyond_ascii() {
        assert_eq!(search_key("  ÆRLIG   Øystein  Åsen "), "ærlig øystein åsen");
    }
}
