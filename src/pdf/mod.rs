//! Printed documents, generated in-process with printpdf. All printpdf calls stay in this
//! module because its API changes between minor versions.

pub mod agreement;
pub mod fonts;
pub mod layout;
pub mod texts;

use chrono::{DateTime, Utc};
use fonts::{Face, Fonts};
use layout::{Block, Frame, Placed};
use printpdf::{
    Color, Line, LinePoint, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rgb, TextItem,
};

/// The document information a reader's "properties" dialog shows.
pub struct Meta<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub subject: &'a str,
    /// BCP 47, e.g. "nb-NO".
    pub language: &'a str,
    pub created: DateTime<Utc>,
}

fn point(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

/// Renders the blocks to a PDF file.
pub fn render(blocks: &[Block], frame: &Frame<'_>, meta: &Meta<'_>) -> Vec<u8> {
    let fonts = Fonts::get();
    let pages = layout::layout(fonts, blocks, frame);
    let mut doc = PdfDocument::new(meta.title);
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);
    let created = printpdf::OffsetDateTime::from_unix_timestamp(meta.created.timestamp())
        .unwrap_or_else(|_| printpdf::OffsetDateTime::now_utc());
    let info = &mut doc.metadata.info;
    info.author = meta.author.to_string();
    info.subject = meta.subject.to_string();
    info.creator = "Samspill".into();
    info.producer = "Samspill (printpdf)".into();
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;

    let black = Color::Rgb(Rgb {
        r: 0.0,
        g: 0.0,
        b: 0.0,
        icc_profile: None,
    });
    let pdf_pages = pages
        .into_iter()
        .map(|placed| {
            let mut ops = vec![
                Op::SetFillColor { col: black.clone() },
                Op::SetOutlineColor { col: black.clone() },
                Op::SetOutlineThickness { pt: Pt(0.6) },
            ];
            for p in placed {
                match p {
                    Placed::Text {
                        x,
                        y,
                        size,
                        face,
                        text,
                    } => {
                        let font = match face {
                            Face::Regular => regular.clone(),
                            Face::Bold => bold.clone(),
                        };
                        ops.extend([
                            Op::StartTextSection,
                            Op::SetFont {
                                font: PdfFontHandle::External(font),
                                size: Pt(size),
                            },
                            Op::SetTextCursor { pos: point(x, y) },
                            Op::ShowText {
                                items: vec![TextItem::Text(text)],
                            },
                            Op::EndTextSection,
                        ]);
                    }
                    Placed::Rule { x1, x2, y } => ops.push(Op::DrawLine {
                        line: Line {
                            points: vec![
                                LinePoint {
                                    p: point(x1, y),
                                    bezier: false,
                                },
                                LinePoint {
                                    p: point(x2, y),
                                    bezier: false,
                                },
                            ],
                            is_closed: false,
                        },
                    }),
                }
            }
            PdfPage::new(
                printpdf::Mm::from(Pt(layout::PAGE_WIDTH)),
                printpdf::Mm::from(Pt(layout::PAGE_HEIGHT)),
                ops,
            )
        })
        .collect();
    doc.with_pages(pdf_pages);
    let opts = PdfSaveOptions::default();
    let mut lo = doc.to_lopdf_document(&opts, &mut Vec::new());
    // printpdf writes no document language; screen readers need it (WCAG 3.1.1).
    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set(
            "Lang",
            lopdf::Object::string_literal(meta.language.as_bytes().to_vec()),
        );
        catalog.set(
            "ViewerPreferences",
            lopdf::Dictionary::from_iter(vec![("DisplayDocTitle", lopdf::Object::Boolean(true))]),
        );
    }
    lo.compress();
    let mut out = Vec::new();
    if lo.save_to(&mut out).is_err() {
        // Writing to a Vec cannot fail for I/O reasons; fall back to printpdf's own writer.
        return doc.save(&opts, &mut Vec::new());
    }
    out
}
