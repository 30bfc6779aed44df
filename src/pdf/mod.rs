//! Printed documents, generated in-process with printpdf. All printpdf calls stay in this
//! module because its API changes between minor versions.

pub mod agreement;
pub mod feedback;
pub mod fonts;
pub mod history;
pub mod icc;
pub mod invitation;
pub mod layout;
pub mod minutes;
pub mod tagged;
pub mod texts;
pub mod wrap;

use chrono::{DateTime, Utc};
use fonts::{Face, Fonts};
use layout::{Block, Frame, Placed};
use printpdf::{
    Color, DictItem, Line, LinePoint, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rgb, TextItem,
};

/// A JPEG for the letterhead, already checked (`domain::logo`).
#[derive(Debug, Clone)]
pub struct LogoImage {
    pub jpeg: Vec<u8>,
    pub width: u16,
    pub height: u16,
    pub components: u8,
}

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

/// A letter or list the service prints: the municipality's letterhead and logo on every
/// page, a footer and page numbers, in one language.
pub struct Letter<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    /// The footer's text, e.g. "Invitasjon skrevet ut 01.12.2026".
    pub footer: &'a str,
    /// "Side {page} av {pages}" with both placeholders.
    pub page_label: &'a str,
    pub lang: crate::domain::agreement::Language,
    pub letterhead: &'a [String],
    pub logo: Option<&'a LogoImage>,
    pub now: DateTime<Utc>,
}

/// Renders a letter's blocks, its author the letterhead.
pub fn letter(blocks: &[Block], l: &Letter<'_>) -> Vec<u8> {
    let frame = Frame {
        header: l.letterhead,
        status: &[],
        footer: l.footer,
        page_label: l.page_label,
        language: l.lang.tag(),
        logo: l.logo,
    };
    let author = l.letterhead.join(", ");
    render(
        blocks,
        &frame,
        &Meta {
            title: l.title,
            author: &author,
            subject: l.subject,
            language: l.lang.tag(),
            created: l.now,
        },
    )
}

/// Renders the blocks to a tagged PDF file: every piece of text is marked content bound to
/// its structure element, page headers, footers and rules are artifacts.
pub fn render(blocks: &[Block], frame: &Frame<'_>, meta: &Meta<'_>) -> Vec<u8> {
    let fonts = Fonts::get();
    let laid = layout::layout(fonts, blocks, frame);
    let mut doc = PdfDocument::new(meta.title);
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);

    let black = Color::Rgb(Rgb {
        r: 0.0,
        g: 0.0,
        b: 0.0,
        icc_profile: None,
    });
    let mut marks: tagged::Marks = Vec::new();
    let mut links: Vec<Vec<tagged::Link>> = Vec::new();
    let pdf_pages = laid
        .pages
        .into_iter()
        .map(|placed| {
            let mut page_marks = Vec::new();
            let mut page_links = Vec::new();
            let mut ops = vec![
                Op::SetFillColor { col: black.clone() },
                Op::SetOutlineColor { col: black.clone() },
                Op::SetOutlineThickness { pt: Pt(0.6) },
            ];
            // The node whose marked-content sequence is open: consecutive lines of one
            // element share one sequence, so a heading is one piece of content.
            let mut open: Option<usize> = None;
            for p in placed {
                let node = match &p {
                    Placed::Text { node, .. } => *node,
                    Placed::Squares { node, .. } => Some(*node),
                    Placed::Rule { .. } => None,
                    Placed::Link { rect, uri, node } => {
                        page_links.push(tagged::Link {
                            rect: *rect,
                            uri: uri.clone(),
                            node: *node,
                        });
                        continue;
                    }
                };
                if open.is_some() && open != node {
                    ops.push(Op::EndMarkedContent);
                    open = None;
                }
                match (node, open) {
                    (Some(n), None) => {
                        let mcid = page_marks.len() as i64;
                        page_marks.push(n);
                        ops.push(Op::BeginMarkedContentWithProperties {
                            tag: laid.nodes[n].role.name().into(),
                            properties: DictItem::Dict {
                                map: [("MCID".to_string(), DictItem::Int(mcid))].into(),
                            },
                        });
                        open = Some(n);
                    }
                    (None, _) => ops.push(Op::BeginMarkedContent {
                        tag: "Artifact".into(),
                    }),
                    (Some(_), Some(_)) => {}
                }
                match p {
                    Placed::Text {
                        x,
                        y,
                        size,
                        face,
                        text,
                        ..
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
                    Placed::Link { .. } => {}
                    Placed::Squares { corners, side, .. } => ops.push(Op::DrawPolygon {
                        polygon: printpdf::Polygon {
                            rings: corners
                                .iter()
                                .map(|&(x, y)| printpdf::PolygonRing {
                                    points: [
                                        (x, y),
                                        (x + side, y),
                                        (x + side, y + side),
                                        (x, y + side),
                                    ]
                                    .into_iter()
                                    .map(|(px, py)| LinePoint {
                                        p: point(px, py),
                                        bezier: false,
                                    })
                                    .collect(),
                                })
                                .collect(),
                            mode: printpdf::PaintMode::Fill,
                            winding_order: printpdf::WindingOrder::NonZero,
                        },
                    }),
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
                if node.is_none() {
                    ops.push(Op::EndMarkedContent);
                }
            }
            if open.is_some() {
                ops.push(Op::EndMarkedContent);
            }
            marks.push(page_marks);
            links.push(page_links);
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
    compress(&mut lo);
    // Added after compressing: PDF/A wants the metadata stream readable as it is.
    tagged::finish(&mut lo, &laid.nodes, &marks, &links, meta);
    if let Some(logo) = frame.logo {
        tagged::add_logo(&mut lo, logo, layout::logo_box(logo));
    }
    lo.prune_objects();
    let mut out = Vec::new();
    if lo.save_to(&mut out).is_err() {
        // Writing to a Vec cannot fail for I/O reasons; fall back to printpdf's own writer.
        return doc.save(&opts, &mut Vec::new());
    }
    out
}

/// Compresses every stream that may be compressed, at zlib's default level: lopdf's own
/// `compress` uses the best (slowest) level, which took a third of a copy's rendering time
/// for a few per cent of its size.
fn compress(doc: &mut lopdf::Document) {
    use flate2::write::ZlibEncoder;
    use std::io::Write as _;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let Ok(compressed) = encoder
            .write_all(&stream.content)
            .and_then(|()| encoder.finish())
        else {
            continue;
        };
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}
