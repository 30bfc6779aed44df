//! The relative's feedback address as printed: a heading, an invitation, the address in full
//! and its QR code (a figure with a text alternative), in the document's language.

use super::layout::Block;
use crate::domain::agreement::Language;

/// The blocks that end a relative's copy or letter carrying their feedback address.
pub fn blocks(url: &str, lang: Language) -> Vec<Block> {
    let (heading, text) = feedback_texts(lang);
    let mut out = vec![
        Block::Heading(heading.to_string()),
        Block::Paragraph(text.to_string()),
        Block::Paragraph(url.to_string()),
    ];
    if let Some(modules) = qr_modules(url) {
        let alt = match lang {
            Language::Bokmal => "QR-kode med adressen over",
            Language::Nynorsk => "QR-kode med adressa over",
            Language::English => "QR code with the address above",
        };
        out.push(Block::Figure {
            alt: alt.to_string(),
            modules,
            size: 90.0,
        });
    }
    out
}

/// The QR code of `text` as rows of dark (true) and light modules, with the quiet zone of
/// four modules the standard asks for; None if the text does not fit a QR code.
fn qr_modules(text: &str) -> Option<Vec<Vec<bool>>> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let side = width + 2 * quiet;
    Some(
        (0..side)
            .map(|r| {
                (0..side)
                    .map(|c| {
                        r >= quiet
                            && c >= quiet
                            && r < width + quiet
                            && c < width + quiet
                            && colors[(r - quiet) * width + (c - quiet)] == qrcode::Color::Dark
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The feedback section's heading and invitation, in the copy's language.
fn feedback_texts(lang: Language) -> (&'static str, &'static str) {
    match lang {
        Language::Bokmal => (
            "Hva synes du om samarbeidet?",
            "Vi vil gjerne høre hvordan du opplever samarbeidet med oss. Skriv inn adressen under i nettleseren på mobil eller PC. Svaret er anonymt, tar et par minutter, og du kan svare én gang innen åtte uker. Adressen er bare din.",
        ),
        Language::Nynorsk => (
            "Kva synest du om samarbeidet?",
            "Vi vil gjerne høyre korleis du opplever samarbeidet med oss. Skriv inn adressa under i nettlesaren på mobil eller PC. Svaret er anonymt, tek eit par minutt, og du kan svare éin gong innan åtte veker. Adressa er berre di.",
        ),
        Language::English => (
            "What do you think of the collaboration?",
            "We would like to hear how you find working with us. Type the address below into the browser on your phone or computer. Your answer is anonymous, takes a couple of minutes, and you can answer once within eight weeks. The address is yours alone.",
        ),
    }
}
