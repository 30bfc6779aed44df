//! A small document model (headings, paragraphs, fields, lists, signature lines) laid out on
//! A4 pages: lines are wrapped from the font's glyph widths and flow across pages, and every
//! page gets the same header and a footer with "page X of Y".

use super::fonts::{Face, Fonts};
use super::wrap::{patterns, Typesetter};

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// About 70 characters a line at the body size.
const MARGIN_X: f32 = 78.0;
const CONTENT_BOTTOM: f32 = 72.0;
const HEADER_Y: f32 = PAGE_HEIGHT - 40.0;
/// Space between the header's rule and the first line of content.
const BELOW_HEADER: f32 = 18.0;
const FOOTER_Y: f32 = 40.0;

const TITLE_SIZE: f32 = 18.0;
const HEADING_SIZE: f32 = 12.5;
const BODY_SIZE: f32 = 11.0;
const SMALL_SIZE: f32 = 8.5;
const LEADING: f32 = 1.4;
/// Space between paragraphs.
const PARAGRAPH_GAP: f32 = 6.0;
/// A list of at most this many lines is kept on one page.
const SHORT_LIST: usize = 8;

/// One block of the document, in reading order. Pages show the same blocks as HTML.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(String),
    /// A bold label followed by its value on the same line.
    Field(String, String),
    Bullets(Vec<String>),
    /// A line to sign on, with who signs and the date (empty when not yet signed).
    Signature {
        role: String,
        name: String,
        date: String,
    },
    /// A table with a header row (repeated on every page it runs over); `widths` are the
    /// columns' shares of the line, one per column.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<f32>,
    },
    /// A picture drawn as dark squares on a grid (a QR code), `size` points wide, with the
    /// text a reader hears instead (`alt`).
    Figure {
        alt: String,
        modules: Vec<Vec<bool>>,
        size: f32,
    },
}

/// The structure types a document is tagged with (ISO 32000-1, 14.8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    H1,
    H2,
    H3,
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    TR,
    TH,
    TD,
    Link,
    Figure,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Link => "Link",
            Role::Figure => "Figure",
        }
    }
}

/// One element of the structure tree; top-level elements have no parent.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub role: Role,
    pub parent: Option<usize>,
    /// For a section heading: its text and where it starts (page index, y), so it can be
    /// bookmarked.
    pub bookmark: Option<(String, usize, f32)>,
    /// For a figure: the text that stands for it, and its bounding box on its page.
    pub alt: Option<(String, [f32; 4])>,
}

/// A piece of text or a rule placed on a page, in points from the bottom left.
#[derive(Debug, Clone, PartialEq)]
pub enum Placed {
    /// Text belonging to structure element `node`; `None` is page furniture (an artifact).
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        text: String,
        node: Option<usize>,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    /// The filled squares (lower left corners) of a figure's element `node`, one path: a
    /// renderer fills them as one shape, with no seams where squares meet.
    Squares {
        corners: Vec<(f32, f32)>,
        side: f32,
        node: usize,
    },
    /// A web or e-mail address's active area; its text is the Text of `node` (a Link).
    Link {
        rect: [f32; 4],
        uri: String,
        node: usize,
    },
}

/// What repeats on every page.
pub struct Frame<'a> {
    /// The letterhead: the first line in bold.
    pub header: &'a [String],
    /// Lines in bold under the letterhead: what the document is and whom it is for.
    pub status: &'a [String],
    pub footer: &'a str,
    /// "Side {page} av {pages}" with both placeholders.
    pub page_label: &'a str,
    /// The document's language (BCP 47), for hyphenation.
    pub language: &'a str,
    /// The municipality's logo, at the right of the letterhead.
    pub logo: Option<&'a super::LogoImage>,
}

/// Where the logo stands on every page: (x, y, width, height), at most 30 pt high and
/// 140 pt wide, its top level with the letterhead's first line and clear of its fourth (the
/// long line of phone numbers).
pub fn logo_box(logo: &super::LogoImage) -> (f32, f32, f32, f32) {
    let ratio = f32::from(logo.width) / f32::from(logo.height.max(1));
    let (mut w, mut h) = (30.0 * ratio, 30.0);
    if w > 140.0 {
        w = 140.0;
        h = 140.0 / ratio;
    }
    (PAGE_WIDTH - MARGIN_X - w, HEADER_Y + SMALL_SIZE - h, w, h)
}

struct Pages {
    pages: Vec<Vec<Placed>>,
    y: f32,
    /// Where content starts on every page: below the header.
    top: f32,
    nodes: Vec<Node>,
    /// The element text placed now belongs to.
    current: Option<usize>,
}

/// The laid-out document: pages of placed text and rules, and the structure tree their text
/// belongs to.
pub struct Laid {
    pub pages: Vec<Vec<Placed>>,
    pub nodes: Vec<Node>,
}

impl Pages {
    fn new(top: f32) -> Pages {
        Pages {
            pages: vec![Vec::new()],
            y: top,
            top,
            nodes: Vec::new(),
            current: None,
        }
    }

    /// Starts a structure element; text placed from now on belongs to it.
    fn open(&mut self, role: Role, parent: Option<usize>) -> usize {
        self.nodes.push(Node {
            role,
            parent,
            bookmark: None,
            alt: None,
        });
        let n = self.nodes.len() - 1;
        self.current = Some(n);
        n
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn reserve(&mut self, height: f32) {
        if self.y - height < CONTENT_BOTTOM && self.y < self.top {
            self.new_page();
        }
    }

    fn gap(&mut self, height: f32) {
        if self.y < self.top {
            self.y -= height;
        }
    }

    fn text(&mut self, x: f32, size: f32, face: Face, text: String) {
        self.reserve(size * LEADING);
        self.y -= size * LEADING;
        if !text.is_empty() {
            self.push(Placed::Text {
                x,
                y: self.y + size * 0.3,
                size,
                face,
                text,
                node: self.current,
            });
        }
    }

    fn push(&mut self, p: Placed) {
        if let Some(page) = self.pages.last_mut() {
            page.push(p);
        }
    }
}

/// One row of a table: its cells' lines side by side, moved to a new page (after the
/// header row again) when it does not fit.
fn table(
    ts: &Typesetter<'_>,
    p: &mut Pages,
    header: &[String],
    rows: &[Vec<String>],
    widths: &[f32],
    width: f32,
) {
    const PAD: f32 = 4.0;
    let line = BODY_SIZE * LEADING;
    let columns: Vec<f32> = widths.iter().map(|w| w * width).collect();
    let wrap_row = |cells: &[String], face: Face| -> Vec<Vec<String>> {
        cells
            .iter()
            .zip(&columns)
            .map(|(c, w)| ts.wrap(face, BODY_SIZE, c, w - PAD, w - PAD))
            .collect()
    };
    let head = wrap_row(header, Face::Bold);
    let table = p.open(Role::Table, None);
    // A repeated header row (role None) is page furniture: the table has one header row.
    let place_row = |p: &mut Pages, cells: &[Vec<String>], role: Option<Role>, face: Face| {
        let tr = role.map(|_| p.open(Role::TR, Some(table)));
        let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * line;
        let top = p.y;
        let mut x = MARGIN_X;
        for (lines, w) in cells.iter().zip(&columns) {
            let cell = role.map(|r| p.open(r, tr));
            for (i, text) in lines.iter().enumerate() {
                p.push(Placed::Text {
                    x,
                    y: top - (i as f32 + 1.0) * line + BODY_SIZE * 0.3,
                    size: BODY_SIZE,
                    face,
                    text: text.clone(),
                    node: cell,
                });
            }
            x += w;
        }
        p.y = top - height - 3.0;
        p.push(Placed::Rule {
            x1: MARGIN_X,
            x2: MARGIN_X + width,
            y: p.y + 1.5,
        });
    };
    p.reserve(head.iter().map(Vec::len).max().unwrap_or(1) as f32 * line * 2.0 + 6.0);
    place_row(p, &head, Some(Role::TH), Face::Bold);
    for row in rows {
        let cells = wrap_row(row, Face::Regular);
        let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * line + 3.0;
        if p.y - height < CONTENT_BOTTOM {
            p.new_page();
            place_row(p, &head, None, Face::Bold);
        }
        place_row(p, &cells, Some(Role::TD), Face::Regular);
    }
    p.gap(6.0);
}

/// The address a printed web or e-mail address opens.
pub fn uri_of(address: &str) -> String {
    if address.contains("://") {
        address.to_string()
    } else if address.contains('@') {
        format!("mailto:{address}")
    } else {
        format!("https://{address}")
    }
}

/// Makes every whole web or e-mail address in the page's text a link: the text is split so
/// the address is its own piece, bound to a Link element under the text's element, and an
/// active area covers it.
fn link_addresses(fonts: &Fonts, page: &mut Vec<Placed>, nodes: &mut Vec<Node>) {
    let mut out = Vec::with_capacity(page.len());
    for placed in page.drain(..) {
        let Placed::Text {
            x,
            y,
            size,
            face,
            ref text,
            node: Some(parent),
        } = placed
        else {
            out.push(placed);
            continue;
        };
        let found = text
            .split(' ')
            .scan(0usize, |at, word| {
                let start = *at;
                *at += word.len() + 1;
                Some((start, word))
            })
            .find_map(|(start, word)| {
                let address = word.trim_end_matches(['.', ',', ';', ':', ')']);
                let address = address.trim_start_matches('(');
                let lead = word.len() - word.trim_start_matches('(').len();
                (super::wrap::is_address(address) && address.contains('.'))
                    .then(|| (start + lead, address.to_string()))
            });
        let Some((start, address)) = found else {
            out.push(placed);
            continue;
        };
        let end = start + address.len();
        nodes.push(Node {
            role: Role::Link,
            parent: Some(parent),
            bookmark: None,
            alt: None,
        });
        let link = nodes.len() - 1;
        let x1 = x + fonts.width(face, size, &text[..start]);
        let x2 = x1 + fonts.width(face, size, &address);
        let piece = |x: f32, t: &str, node: usize| Placed::Text {
            x,
            y,
            size,
            face,
            text: t.to_string(),
            node: Some(node),
        };
        if start > 0 {
            out.push(piece(x, &text[..start], parent));
        }
        out.push(piece(x1, &address, link));
        out.push(Placed::Link {
            rect: [x1, y - size * 0.25, x2, y + size * 0.85],
            uri: uri_of(&address),
            node: link,
        });
        if end < text.len() {
            out.push(piece(x2, &text[end..], parent));
        }
    }
    *page = out;
}

/// Lays the blocks out on pages and adds header and footer to each.
pub fn layout(fonts: &Fonts, blocks: &[Block], frame: &Frame<'_>) -> Laid {
    let width = PAGE_WIDTH - 2.0 * MARGIN_X;
    let ts = Typesetter {
        fonts,
        dict: patterns(frame.language),
    };
    let header_lines = (frame.header.len() + frame.status.len()) as f32;
    let rule_y = HEADER_Y - header_lines * SMALL_SIZE * LEADING + SMALL_SIZE * LEADING - 6.0;
    let mut p = Pages::new(rule_y - BELOW_HEADER);
    let body_line = BODY_SIZE * LEADING;
    for block in blocks {
        match block {
            Block::Title(t) => {
                p.open(Role::H1, None);
                for line in ts.wrap(Face::Bold, TITLE_SIZE, t, width, width) {
                    p.text(MARGIN_X, TITLE_SIZE, Face::Bold, line);
                }
                p.gap(6.0);
            }
            Block::Heading(t) => {
                p.gap(10.0);
                // Keep a heading with at least two lines of what follows.
                p.reserve(HEADING_SIZE * LEADING + 2.0 * body_line);
                let n = p.open(Role::H2, None);
                p.nodes[n].bookmark = Some((t.clone(), p.pages.len() - 1, p.y));
                for line in ts.wrap(Face::Bold, HEADING_SIZE, t, width, width) {
                    p.text(MARGIN_X, HEADING_SIZE, Face::Bold, line);
                }
                p.gap(2.0);
            }
            Block::Subheading(t) => {
                p.gap(4.0);
                p.reserve(3.0 * body_line);
                p.open(Role::H3, None);
                for line in ts.wrap(Face::Bold, BODY_SIZE, t, width, width) {
                    p.text(MARGIN_X, BODY_SIZE, Face::Bold, line);
                }
            }
            Block::Figure { alt, modules, size } => {
                p.reserve(*size + 4.0);
                p.y -= *size;
                let n = p.open(Role::Figure, None);
                let cells = modules.len().max(1) as f32;
                let side = size / cells;
                let (left, bottom) = (MARGIN_X, p.y);
                p.nodes[n].alt = Some((alt.clone(), [left, bottom, left + size, bottom + size]));
                let corners = modules
                    .iter()
                    .enumerate()
                    .flat_map(|(r, row)| {
                        row.iter()
                            .enumerate()
                            .filter(|(_, dark)| **dark)
                            .map(move |(c, _)| {
                                (
                                    left + c as f32 * side,
                                    bottom + size - (r as f32 + 1.0) * side,
                                )
                            })
                    })
                    .collect();
                p.push(Placed::Squares {
                    corners,
                    side,
                    node: n,
                });
                p.current = None;
                p.gap(PARAGRAPH_GAP);
            }
            Block::Paragraph(t) => {
                p.open(Role::P, None);
                for line in ts.wrap(Face::Regular, BODY_SIZE, t, width, width) {
                    p.text(MARGIN_X, BODY_SIZE, Face::Regular, line);
                }
                p.gap(PARAGRAPH_GAP);
            }
            Block::Field(label, value) => {
                let label = format!("{label}: ");
                let label_w = fonts.width(Face::Bold, BODY_SIZE, &label);
                let lines = ts.wrap(Face::Regular, BODY_SIZE, value, width - label_w, width);
                p.reserve(body_line);
                p.y -= body_line;
                let y = p.y + BODY_SIZE * 0.3;
                let node = Some(p.open(Role::P, None));
                p.push(Placed::Text {
                    x: MARGIN_X,
                    y,
                    size: BODY_SIZE,
                    face: Face::Bold,
                    text: label.trim_end().to_string(),
                    node,
                });
                let mut lines = lines.into_iter();
                if let Some(first) = lines.next().filter(|l| !l.is_empty()) {
                    p.push(Placed::Text {
                        x: MARGIN_X + label_w,
                        y,
                        size: BODY_SIZE,
                        face: Face::Regular,
                        text: first,
                        node,
                    });
                }
                for line in lines {
                    p.text(MARGIN_X, BODY_SIZE, Face::Regular, line);
                }
                p.gap(1.5);
            }
            Block::Bullets(items) => {
                let indent = 14.0;
                let wrapped: Vec<Vec<String>> = items
                    .iter()
                    .map(|item| {
                        ts.wrap(
                            Face::Regular,
                            BODY_SIZE,
                            item,
                            width - indent,
                            width - indent,
                        )
                    })
                    .collect();
                let total: usize = wrapped.iter().map(Vec::len).sum();
                if total <= SHORT_LIST {
                    p.reserve(total as f32 * body_line);
                }
                let list = p.open(Role::L, None);
                for lines in wrapped {
                    let li = p.open(Role::LI, Some(list));
                    // The label first, as read; then the body's lines.
                    p.reserve(body_line);
                    let label = p.open(Role::Lbl, Some(li));
                    p.push(Placed::Text {
                        x: MARGIN_X + 2.0,
                        y: p.y - body_line + BODY_SIZE * 0.3,
                        size: BODY_SIZE,
                        face: Face::Regular,
                        text: "•".into(),
                        node: Some(label),
                    });
                    p.open(Role::LBody, Some(li));
                    for line in lines {
                        p.text(MARGIN_X + indent, BODY_SIZE, Face::Regular, line);
                    }
                }
                p.gap(PARAGRAPH_GAP);
            }
            Block::Table {
                header,
                rows,
                widths,
            } => table(&ts, &mut p, header, rows, widths, width),
            Block::Signature { role, name, date } => {
                let height = 30.0 + 2.0 * body_line;
                p.reserve(height + 6.0);
                p.gap(30.0);
                if p.y == p.top {
                    p.y -= 30.0;
                }
                p.push(Placed::Rule {
                    x1: MARGIN_X,
                    x2: MARGIN_X + 240.0,
                    y: p.y,
                });
                p.open(Role::P, None);
                p.text(MARGIN_X, BODY_SIZE, Face::Bold, format!("{role}: {name}"));
                p.text(MARGIN_X, BODY_SIZE, Face::Regular, date.clone());
            }
        }
    }
    for page in &mut p.pages {
        link_addresses(fonts, page, &mut p.nodes);
    }
    let total = p.pages.len();
    let nodes = p.nodes;
    let mut pages = p.pages;
    for (i, page) in pages.iter_mut().enumerate() {
        let mut y = HEADER_Y;
        let lines = frame.header.iter().chain(frame.status);
        for (n, line) in lines.enumerate() {
            let face = if n == 0 || n >= frame.header.len() {
                Face::Bold
            } else {
                Face::Regular
            };
            page.push(Placed::Text {
                x: MARGIN_X,
                y,
                size: SMALL_SIZE,
                face,
                text: line.clone(),
                node: None,
            });
            y -= SMALL_SIZE * LEADING;
        }
        page.push(Placed::Rule {
            x1: MARGIN_X,
            x2: PAGE_WIDTH - MARGIN_X,
            y: rule_y,
        });
        page.push(Placed::Text {
            x: MARGIN_X,
            y: FOOTER_Y,
            size: SMALL_SIZE,
            face: Face::Regular,
            text: frame.footer.to_string(),
            node: None,
        });
        let label = frame
            .page_label
            .replace("{page}", &(i + 1).to_string())
            .replace("{pages}", &total.to_string());
        let w = fonts.width(Face::Regular, SMALL_SIZE, &label);
        page.push(Placed::Text {
            x: PAGE_WIDTH - MARGIN_X - w,
            y: FOOTER_Y,
            size: SMALL_SIZE,
            face: Face::Regular,
            text: label,
            node: None,
        });
    }
    Laid { pages, nodes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_lines_hold_about_seventy_characters() {
        let ts = Typesetter {
            fonts: Fonts::get(),
            dict: patterns("nb-NO"),
        };
        let text = "Avtalen beskriver samarbeidet mellom den pårørende og tjenesten: hvem dere kan kontakte, hva tjenesten gjør, hva du selv har valgt å gjøre, og når avtalen skal evalueres. ".repeat(8);
        let width = PAGE_WIDTH - 2.0 * MARGIN_X;
        let lines = ts.wrap(Face::Regular, BODY_SIZE, &text, width, width);
        let full = &lines[..lines.len() - 1];
        let average = full.iter().map(|l| l.chars().count()).sum::<usize>() / full.len();
        assert!((64..=76).contains(&average), "{average} characters a line");
    }

    fn test_frame(header: &[String]) -> Frame<'_> {
        Frame {
            header,
            status: &[],
            footer: "Dokument-ID X",
            page_label: "Side {page} av {pages}",
            language: "nb-NO",
            logo: None,
        }
    }

    /// The structure element a piece of body text belongs to, walking up to the top.
    fn top(nodes: &[Node], mut n: usize) -> usize {
        while let Some(parent) = nodes[n].parent {
            n = parent;
        }
        n
    }

    #[test]
    fn a_heading_never_ends_a_page_and_a_short_list_is_not_split() {
        let fonts = Fonts::get();
        let header = vec!["Oslo kommune".to_string()];
        let frame = test_frame(&header);
        // Paragraphs of every length from one line to a dozen move the headings and lists
        // through every position on the page.
        let mut checked_breaks = 0;
        for lead in 0..120 {
            let mut blocks = vec![Block::Paragraph("ord ".repeat(1 + lead % 12 * 12))];
            blocks
                .extend((0..lead / 12).map(|i| Block::Field(format!("Felt {i}"), "verdi".into())));
            for i in 0..12 {
                blocks.push(Block::Heading(format!("{}. Seksjon", i + 1)));
                blocks.push(Block::Paragraph("tekst ".repeat(30 + 7 * i)));
                blocks.push(Block::Bullets(
                    (0..5).map(|j| format!("Punkt {j} i seksjon {i}")).collect(),
                ));
            }
            let laid = layout(fonts, &blocks, &frame);
            for (p, page) in laid.pages.iter().enumerate() {
                let body: Vec<usize> = page
                    .iter()
                    .filter_map(|placed| match placed {
                        Placed::Text { node: Some(n), .. } => Some(top(&laid.nodes, *n)),
                        _ => None,
                    })
                    .collect();
                let last = *body.last().expect("every page has body text");
                assert_ne!(
                    laid.nodes[last].role,
                    Role::H2,
                    "page {} ends on a heading (lead {lead})",
                    p + 1
                );
                if p + 1 < laid.pages.len() {
                    checked_breaks += 1;
                    let next = &laid.pages[p + 1];
                    let continues = next.iter().any(|placed| {
                        matches!(placed, Placed::Text { node: Some(n), .. } if top(&laid.nodes, *n) == last)
                    });
                    assert!(
                        !(continues && laid.nodes[last].role == Role::L),
                        "a five-item list split over pages {} and {} (lead {lead})",
                        p + 1,
                        p + 2
                    );
                }
            }
        }
        assert!(checked_breaks > 40, "{checked_breaks} page breaks checked");
    }

    #[test]
    fn long_content_flows_over_pages_with_numbered_footers() {
        let fonts = Fonts::get();
        let blocks: Vec<Block> = (0..80)
            .map(|i| Block::Paragraph(format!("Avsnitt {i}: {}", "tekst ".repeat(60))))
            .collect();
        let header = vec!["Oslo kommune".to_string()];
        let frame = test_frame(&header);
        let pages = layout(fonts, &blocks, &frame).pages;
        assert!(pages.len() > 3);
        let last = pages.len();
        let label = format!("Side {last} av {last}");
        assert!(pages[last - 1]
            .iter()
            .any(|p| matches!(p, Placed::Text { text, .. } if *text == label)));
        for page in &pages {
            for placed in page {
                if let Placed::Text { y, .. } = placed {
                    assert!(*y >= FOOTER_Y && *y <= HEADER_Y);
                }
            }
        }
    }
}
