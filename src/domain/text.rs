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

/// Trims and collapses runs of spaces inside a one-line value.
pub fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
