//! DejaVu Sans (regular and bold) from the `dejavu` crate, parsed once, with glyph widths
//! for wrapping. It covers Norwegian letters and the punctuation agreements use.

use printpdf::ParsedFont;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

pub struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
}

static FONTS: OnceLock<Fonts> = OnceLock::new();

fn parse(bytes: &[u8]) -> ParsedFont {
    // The font is a compile-time dependency: failing to parse it is a build defect.
    ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("DejaVu Sans parses")
}

impl Fonts {
    pub fn get() -> &'static Fonts {
        FONTS.get_or_init(|| Fonts {
            regular: parse(dejavu::sans::regular()),
            bold: parse(dejavu::sans::bold()),
        })
    }

    pub fn face(&self, face: Face) -> &ParsedFont {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// The width of `text` in points at `size`.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = self.face(face);
        let units = f32::from(font.pdf_font_metrics.units_per_em.max(1));
        let total: u32 = text
            .chars()
            .map(|c| {
                let gid = font
                    .lookup_glyph_index(c as u32)
                    .or_else(|| font.lookup_glyph_index('?' as u32))
                    .unwrap_or(0);
                u32::from(font.get_horizontal_advance(gid))
            })
            .sum();
        total as f32 * size / units
    }
}
