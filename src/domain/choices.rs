//! The fixed lists users choose from: stored keys in English, labels in Norwegian.

pub type Choices = &'static [(&'static str, &'static str)];

/// The Norwegian label of `key`, or the key itself when unknown.
pub fn label(list: Choices, key: &str) -> &'static str {
    list.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

pub fn is_valid(list: Choices, key: &str) -> bool {
    list.iter().any(|(k, _)| *k == key)
}

/// Keeps the valid keys of a multiple choice, in list order, as a comma-separated value.
pub fn join_valid(list: Choices, chosen: &[&str]) -> String {
    list.iter()
        .filter(|(k, _)| chosen.contains(k))
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn split(stored: &str) -> Vec<&str> {
    stored.split(',').filter(|s| !s.is_empty()).collect()
}

pub const RELATIONS: Choices = &[
    ("spouse", "Ektefelle, registrert partner eller samboer"),
    ("child", "Barn"),
    ("parent", "Forelder"),
    ("sibling", "Søsken"),
    ("grandparent", "Besteforelder"),
    ("grandchild", "Barnebarn"),
    ("family", "Annen familie"),
    ("friend", "Venn"),
    ("neighbour", "Nabo"),
    ("colleague", "Kollega"),
    ("other", "Annet"),
];

pub const AGE_GROUPS: Choices = &[
    ("adult", "18 år eller eldre"),
    ("child", "Under 18 år"),
    ("unknown", "Ukjent"),
];

pub const INVOLVEMENT: Choices = &[("yes", "Ja"), ("no", "Nei"), ("unclear", "Ikke avklart")];

pub const CLOSEST_BASIS: Choices = &[
    ("patient_choice", "Pasientens eget valg"),
    (
        "legal_order",
        "Lovens rekkefølge (pasienten kan ikke velge)",
    ),
];

pub const CONSENT_SCOPES: Choices = &[
    ("none", "Ikke samtykke"),
    ("limited", "Begrenset samtykke"),
    ("full", "Fullt samtykke"),
];

pub const OUTCOMES: Choices = &[
    ("no_relatives", "Pasienten har ingen pårørende"),
    ("declines", "Pasienten ønsker ikke at pårørende involveres"),
];

pub const YES_NO_UNSURE: Choices = &[("yes", "Ja"), ("no", "Nei"), ("unsure", "Usikker")];

pub const CHILD_INFORMED: Choices = &[
    ("yes", "Ja, tilpasset barnets alder"),
    ("partly", "Delvis"),
    ("no", "Nei, ikke ennå"),
];

pub const CHILD_SERVICES: Choices = &[
    ("helsestasjon", "Helsestasjon"),
    ("skole", "Skole eller barnehage"),
    ("bti", "BTI-koordinator"),
    ("bup", "BUP eller annen spesialisthelsetjeneste"),
    ("barnevern", "Barnevernstjenesten"),
];

pub const ROLES: Choices = &[
    ("knowledge", "Kunnskapskilde"),
    ("caregiver", "Omsorgsgiver"),
    ("representative", "Representant"),
    ("supporter", "Støttespiller"),
    ("own_needs", "Har egne behov"),
];

pub const CARE_TASKS: Choices = &[
    ("practical", "Praktisk hjelp i hjemmet"),
    ("personal", "Personlig stell"),
    ("medicines", "Legemidler"),
    ("finances", "Økonomi og papirarbeid"),
    ("transport", "Transport og følge til avtaler"),
    ("supervision", "Tilsyn"),
    ("emotional", "Følelsesmessig støtte"),
    ("coordination", "Koordinering av tjenester"),
    ("other", "Annet"),
];

/// How long the relative has given care.
pub const CARE_DURATIONS: Choices = &[
    ("under_6m", "Under et halvt år"),
    ("6_12m", "Et halvt til ett år"),
    ("1_3y", "Ett til tre år"),
    ("over_3y", "Mer enn tre år"),
];

pub const SUPPORT_NEEDS: Choices = &[
    ("information", "Informasjon"),
    ("training", "Opplæring og veiledning"),
    ("conversations", "Samtaler"),
    ("relief", "Avlastning"),
    ("allowance", "Omsorgsstønad"),
    ("courses", "Kurs og grupper"),
    ("peer", "Likepersonsstøtte"),
    ("financial", "Økonomisk rådgivning"),
    ("other", "Annet"),
];

pub const MEETING_KINDS: Choices = &[
    ("first", "Første samtale"),
    ("followup", "Oppfølgingssamtale"),
    ("evaluation", "Evaluering"),
    ("crisis", "Krise"),
    ("other", "Annet"),
];

pub const FOLLOWUP_KINDS: Choices = &[
    ("call", "Telefonsamtale"),
    ("meeting", "Møte"),
    ("evaluation", "Evaluering"),
    ("child", "Oppfølging av barn som pårørende"),
    ("other", "Annet"),
];

pub const OFFER_KINDS: Choices = &[
    ("municipal", "Kommunalt tilbud"),
    ("voluntary", "Frivillig tilbud"),
    ("national", "Nasjonalt tilbud"),
];

pub const REFERRAL_STATES: Choices = &[
    ("proposed", "Foreslått"),
    ("referred", "Henvist"),
    ("started", "Startet"),
    ("ended", "Avsluttet"),
    ("declined", "Takket nei"),
];
