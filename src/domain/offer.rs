//! A support offer in the catalogue (name in bokmål, nynorsk and English, who gives it,
//! which need it meets, how to reach it): the administrator's form parsed once.

use super::choices;
use super::forms as f;
use super::validation::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub name: String,
    pub provider: String,
    pub kind: String,
    pub need: String,
    pub contact: String,
    pub description: String,
    pub phone: String,
    pub web: String,
    pub hours: String,
    pub name_nn: String,
    pub name_en: String,
}

/// The offer form's fields as typed.
pub struct OfferFields<'a> {
    pub name: &'a str,
    pub provider: &'a str,
    pub kind: &'a str,
    pub need: &'a str,
    pub contact: &'a str,
    pub description: &'a str,
    pub phone: &'a str,
    pub web: &'a str,
    pub hours: &'a str,
    pub name_nn: &'a str,
    pub name_en: &'a str,
}

impl Offer {
    /// A name and provider, a kind and a need from their lists; a phone number and web
    /// address that can be printed as such; the rest as one line or text of bounded length.
    pub fn parse(form: &OfferFields<'_>) -> Result<Offer, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = f::line(
            &mut e,
            "name",
            form.name,
            200,
            Some("Skriv navnet på tilbudet."),
        );
        let provider = f::line(
            &mut e,
            "provider",
            form.provider,
            200,
            Some("Skriv hvem som gir tilbudet."),
        );
        let kind = f::choice(
            &mut e,
            "kind",
            form.kind,
            choices::OFFER_KINDS,
            "Velg hva slags tilbud det er.",
        );
        let need = f::choice(
            &mut e,
            "need",
            form.need,
            choices::SUPPORT_NEEDS,
            "Velg hvilket behov tilbudet møter.",
        );
        let contact = f::line(&mut e, "contact", form.contact, 300, None);
        let description = f::text(&mut e, "description", form.description, 4000);
        let phone = f::phone(&mut e, "phone", form.phone);
        let web = f::web_address(&mut e, "web", form.web);
        let hours = f::line(&mut e, "hours", form.hours, 120, None);
        let name_nn = f::line(&mut e, "name_nn", form.name_nn, 200, None);
        let name_en = f::line(&mut e, "name_en", form.name_en, 200, None);
        e.into_result(|| Offer {
            name,
            provider,
            kind,
            need,
            contact,
            description,
            phone,
            web,
            hours,
            name_nn,
            name_en,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_needs_a_name_a_provider_a_kind_and_a_need() {
        let fields = OfferFields {
            name: " ",
            provider: "",
            kind: "other",
            need: "relief",
            contact: "",
            description: "",
            phone: "23 48",
            web: "",
            hours: "",
            name_nn: "",
            name_en: "",
        };
        let e = Offer::parse(&fields).unwrap_err();
        assert_eq!(e.get("name"), Some("Skriv navnet på tilbudet."));
        assert_eq!(e.get("provider"), Some("Skriv hvem som gir tilbudet."));
        assert_eq!(e.get("kind"), Some("Velg hva slags tilbud det er."));
        assert!(e.get("phone").is_some());
        assert_eq!(e.get("need"), None);
        let ok = Offer::parse(&OfferFields {
            name: "Avlastning",
            provider: "Kommunen",
            kind: "municipal",
            phone: "21 80 21 80",
            ..fields
        })
        .unwrap();
        assert_eq!(ok.phone, "+47 21 80 21 80");
    }
}
