//! The words of the feedback pages in the relative's language.

use crate::domain::agreement::Language;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Texts {
    pub code: &'static str,
    pub title: &'static str,
    pub skip_link: &'static str,
    pub intro: &'static str,
    pub anonymous: &'static str,
    pub improve: &'static str,
    pub improve_hint: &'static str,
    pub send: &'static str,
    pub errors_prefix: &'static str,
    pub errors_heading: &'static str,
    /// Read out before each field's message.
    pub error_label: &'static str,
    pub unknown: &'static str,
    pub used: &'static str,
    pub expired: &'static str,
    pub too_many: &'static str,
    pub stale: &'static str,
    pub thanks_title: &'static str,
    pub thanks: &'static str,
    pub other_languages: &'static str,
}

const NB: Texts = Texts {
    code: "nb",
    title: "Hvordan fungerer samarbeidet?",
    skip_link: "Hopp til hovedinnholdet",
    intro: "Du er pårørende, og vi vil gjerne vite hvordan du opplever samarbeidet med tjenesten. Det tar et par minutter.",
    anonymous: "Svaret ditt lagres uten navn og uten kobling til deg, pasienten eller avtalen. Lederen ser bare samlede tall for tjenesten, og først når minst fem har svart. Du kan svare én gang med denne lenken.",
    improve: "Hva kan bli bedre?",
    improve_hint: "Valgfritt. Ikke skriv navn eller opplysninger om helse.",
    send: "Send svaret",
    errors_prefix: "Feil i skjemaet –",
    errors_heading: "Skjemaet har feil",
    error_label: "Feil:",
    unknown: "Vi finner ikke denne lenken. Sjekk at adressen er skrevet riktig, slik den står på avtalen din.",
    used: "Denne lenken er allerede brukt. Takk for at du svarte! Du får en ny lenke neste gang avtalen evalueres.",
    expired: "Denne lenken er utløpt (den gjelder i åtte uker). Be kontaktpersonen din om en ny utskrift av avtalen hvis du vil svare.",
    too_many: "Det har kommet for mange forsøk på kort tid. Vent litt og prøv igjen.",
    stale: "Skjemaet var utløpt. Svarene dine er tatt vare på; send på nytt.",
    thanks_title: "Takk for svaret",
    thanks: "Takk for at du svarte! Svaret ditt hjelper tjenesten å bli bedre for pårørende.",
    other_languages: "Andre språk",
};

const NN: Texts = Texts {
    code: "nn",
    title: "Korleis fungerer samarbeidet?",
    skip_link: "Hopp til hovudinnhaldet",
    intro: "Du er pårørande, og vi vil gjerne vite korleis du opplever samarbeidet med tenesta. Det tek eit par minutt.",
    anonymous: "Svaret ditt blir lagra utan namn og utan kopling til deg, pasienten eller avtalen. Leiaren ser berre samla tal for tenesta, og først når minst fem har svart. Du kan svare éin gong med denne lenkja.",
    improve: "Kva kan bli betre?",
    improve_hint: "Valfritt. Ikkje skriv namn eller opplysningar om helse.",
    send: "Send svaret",
    errors_prefix: "Feil i skjemaet –",
    errors_heading: "Skjemaet har feil",
    error_label: "Feil:",
    unknown: "Vi finn ikkje denne lenkja. Sjekk at adressa er skriven rett, slik ho står på avtalen din.",
    used: "Denne lenkja er alt brukt. Takk for at du svarte! Du får ei ny lenkje neste gong avtalen blir evaluert.",
    expired: "Denne lenkja har gått ut (ho gjeld i åtte veker). Be kontaktpersonen din om ei ny utskrift av avtalen om du vil svare.",
    too_many: "Det har kome for mange forsøk på kort tid. Vent litt og prøv igjen.",
    stale: "Skjemaet hadde gått ut. Svara dine er tekne vare på; send på nytt.",
    thanks_title: "Takk for svaret",
    thanks: "Takk for at du svarte! Svaret ditt hjelper tenesta å bli betre for pårørande.",
    other_languages: "Andre språk",
};

const EN: Texts = Texts {
    code: "en",
    title: "How is the collaboration working?",
    skip_link: "Skip to main content",
    intro: "You are a relative, and we would like to know how you find working with the service. It takes a couple of minutes.",
    anonymous: "Your answer is stored without your name and without any link to you, the patient or the agreement. The manager sees only totals for the service, and only once at least five people have answered. You can answer once with this link.",
    improve: "What could be better?",
    improve_hint: "Optional. Please do not write names or health information.",
    send: "Send your answer",
    errors_prefix: "Error in the form –",
    errors_heading: "The form has errors",
    error_label: "Error:",
    unknown: "We cannot find this link. Check that the address is typed as it stands on your agreement.",
    used: "This link has already been used. Thank you for answering! You will get a new link the next time the agreement is evaluated.",
    expired: "This link has expired (it is valid for eight weeks). Ask your contact person for a new print of the agreement if you would like to answer.",
    too_many: "There have been too many attempts in a short time. Please wait a little and try again.",
    stale: "The form had expired. Your answers are kept; please send again.",
    thanks_title: "Thank you for your answer",
    thanks: "Thank you for answering! Your answer helps the service do better for relatives.",
    other_languages: "Other languages",
};

impl Texts {
    pub fn of(lang: Language) -> Texts {
        match lang {
            Language::Bokmal => NB,
            Language::Nynorsk => NN,
            Language::English => EN,
        }
    }
}
